"""What the framework helpers share: the native gate (SPEC.md §7), which decides everything,
built from a helper's arguments, and the logger its refusals are written to."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Union

from qstash_verify._native import DEFAULT_BODY_LIMIT, Delivery, Gate, PendingDelivery, QStashRejection, Receiver

logger = logging.getLogger("qstash_verify")


def gate_of(receiver: Union[Receiver, Gate, None], options: Dict[str, Any]) -> Gate:
    """The gate a helper was given, or the one its receiver and options describe (every option
    of :class:`~qstash_verify.Gate`, checked there)."""
    if isinstance(receiver, Gate):
        if options:
            raise TypeError(f"options go to the Gate, not beside it: {', '.join(sorted(options))}")
        return receiver
    return Gate(receiver, **options)


def log(rejection: QStashRejection, level: int) -> QStashRejection:
    """Writes the gate's line for a refusal (reason, message id, path; never the token)."""
    logger.log(level, rejection.log_message)
    return rejection


def verify_sync(
    gate: Gate, headers: Any, request_target: str, read: Callable[[PendingDelivery], bytes], log_level: int
) -> Delivery:
    """The gate's sequence for a synchronous server: the head, the body `read` through the
    pending delivery (a failure to read it, other than the gate's own refusal, is an unreadable
    body), the hash and the replay check. Raises :class:`QStashRejection`, logged."""
    try:
        pending = gate.verify_head(headers, request_target)
        try:
            body = read(pending)
        except QStashRejection:
            raise
        except Exception:  # the client went away or sent broken framing
            raise gate.unreadable(headers, request_target) from None
        return pending.finish(body)
    except QStashRejection as rejection:
        raise log(rejection, log_level) from None


def target(path: Union[bytes, str], query: Union[bytes, str, None]) -> str:
    """A request's original target from its raw path and query, as servers hand them over."""
    text = path.decode("latin-1") if isinstance(path, bytes) else path
    query_text = query.decode("latin-1") if isinstance(query, bytes) else (query or "")
    return text + ("?" + query_text if query_text else "")


__all__ = [
    "DEFAULT_BODY_LIMIT",
    "Delivery",
    "Gate",
    "PendingDelivery",
    "QStashRejection",
    "gate_of",
    "log",
    "logger",
    "target",
    "verify_sync",
]
