"""The framework-neutral half of the FastAPI and Flask helpers (SPEC.md §7): URL policy,
order of checks, rejection bodies and logging, so both answer exactly like the Rust
middleware."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

from qstash_verify._native import DEFAULT_BODY_LIMIT, Claims, PendingBody, Receiver, SignatureError, parse_retried

logger = logging.getLogger("qstash_verify")


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: the signed claims, the exact body bytes, and the (unsigned)
    delivery headers QStash sets."""

    claims: Claims
    body: bytes
    message_id: Optional[str] = None
    retried: Optional[int] = None
    region: Optional[str] = None
    schedule_id: Optional[str] = None
    topic_name: Optional[str] = None


@dataclass
class Rejection(Exception):
    """Why a request was refused: ``status`` (401, 413 or 400) and ``reason`` (the stable
    code). ``body`` is the JSON the helpers answer with."""

    status: int
    reason: str
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> Dict[str, str]:
        error = "invalid_signature" if self.status == 401 else self.reason
        return {"error": error, "reason": self.reason}


def unauthorized(reason: str) -> Rejection:
    # RFC 9110 asks 401 responses to name a scheme; QStash's is its signature header.
    return Rejection(401, reason, {"WWW-Authenticate": "Upstash-Signature"})


class Gate:
    """Receiver, URL policy and body limit; the checks both helpers run."""

    def __init__(
        self,
        receiver: Optional[Receiver],
        *,
        url: Optional[str],
        public_base: Optional[str],
        check_url: bool,
        body_limit: int,
    ) -> None:
        if url is not None and public_base is not None:
            raise ValueError("pass url= or public_base=, not both")
        self.receiver = receiver if receiver is not None else Receiver.from_env()
        self.url = url
        self.public_base = public_base.rstrip("/") if public_base is not None else None
        self.check_url = check_url
        self.body_limit = body_limit

    def verify_head(self, header: Callable[[str], Optional[str]], target: str) -> PendingBody:
        """Token, claims, URL and declared length, before any of the body is read. ``target``
        is the request's raw path and query."""
        target = target or "/"
        url = self.url
        path_and_query = None
        if url is None and self.public_base is not None:
            url = self.public_base + target
        elif url is None and self.check_url:
            path_and_query = target
        try:
            pending = self.receiver.verify_token(
                signature=header("upstash-signature"),
                url=url,
                path_and_query=path_and_query,
                region=header("upstash-region"),
            )
        except SignatureError as error:
            raise self.log(unauthorized(error.reason), header) from None
        declared = header("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.body_limit:
            raise self.log(Rejection(413, "payload_too_large"), header)
        return pending

    def finish(self, pending: PendingBody, body: bytes, header: Callable[[str], Optional[str]]) -> Delivery:
        """Compares the hash of the body (already fed to ``pending``) with the token."""
        try:
            claims = pending.finish()
        except SignatureError as error:
            raise self.log(unauthorized(error.reason), header) from None
        return Delivery(
            claims=claims,
            body=body,
            message_id=header("upstash-message-id"),
            retried=parse_retried(header("upstash-retried")),
            region=header("upstash-region"),
            schedule_id=header("upstash-schedule-id"),
            topic_name=header("upstash-topic-name"),
        )

    def too_large(self, header: Callable[[str], Optional[str]]) -> Rejection:
        return self.log(Rejection(413, "payload_too_large"), header)

    def unreadable(self, header: Callable[[str], Optional[str]]) -> Rejection:
        return self.log(Rejection(400, "unreadable_body"), header)

    @staticmethod
    def log(rejection: Rejection, header: Callable[[str], Optional[str]]) -> Rejection:
        # The reason and the (unsigned) message id only: never the token or keys.
        logger.warning(
            "QStash delivery rejected: reason=%s message_id=%s",
            rejection.reason,
            header("upstash-message-id") or "-",
        )
        return rejection


__all__ = ["DEFAULT_BODY_LIMIT", "Delivery", "Gate", "Rejection"]
