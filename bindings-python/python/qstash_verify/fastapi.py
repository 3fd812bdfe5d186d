"""FastAPI / Starlette integration: a dependency that verifies the delivery before the
endpoint runs.

>>> from fastapi import Depends, FastAPI
>>> from qstash_verify import Receiver
>>> from qstash_verify.fastapi import Delivery, install, qstash_verified
>>> app = FastAPI()
>>> install(app)  # answers {"error": "invalid_signature", "reason": "<code>"}
>>> verified = qstash_verified(Receiver.dev())  # in production: qstash_verified() reads the env
>>> @app.post("/api/qstash")
... async def hook(delivery: Delivery = Depends(verified)) -> dict:
...     return {"id": delivery.message_id, "bytes": len(delivery.body)}

The dependency checks the token from the headers before it reads the body, reads the raw body
once (up to ``body_limit``) while hashing it and leaves it readable (``await request.body()``
returns the same bytes). A refusal raises :class:`QStashRejected`, an ``HTTPException`` with
status 401, 413 or 400; :func:`install` makes its response the exact JSON of the other
qstash-kit middleware (without it FastAPI wraps it as ``{"detail": {...}}``).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Optional

try:
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import Response
except ImportError as error:  # pragma: no cover - depends on what the user installed
    raise ImportError(
        "qstash_verify.fastapi needs FastAPI or Starlette: pip install 'qstash-verify[fastapi]'"
    ) from error

from qstash_verify._gate import DEFAULT_BODY_LIMIT, Delivery, Gate, QStashRejection, log
from qstash_verify._native import Receiver, RedisReplayGuard


class QStashRejected(HTTPException):
    """A refused delivery: ``status_code`` 401, 413, 400 or 503, ``reason`` (the stable code)
    and ``rejection``, the gate's :class:`~qstash_verify.QStashRejection` with the exact
    response body and headers."""

    def __init__(self, rejection: QStashRejection) -> None:
        super().__init__(rejection.status, detail=json.loads(rejection.body), headers=rejection.headers)
        self.reason = rejection.reason
        self.rejection = rejection


def _target(scope: dict) -> str:
    # The path as the client sent it (mounted sub-applications do not strip it from
    # `raw_path`), and the query.
    path = scope.get("raw_path") or scope.get("path", "/").encode()
    query = scope.get("query_string") or b""
    return path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def qstash_verified(
    receiver: Optional[Receiver] = None,
    *,
    url: Optional[str] = None,
    public_base: Optional[str] = None,
    forwarded: Optional[int] = None,
    check_url: bool = True,
    body_limit: int = DEFAULT_BODY_LIMIT,
    replay_guard: Optional[RedisReplayGuard] = None,
    log_level: int = logging.WARNING,
) -> Callable[[Request], Awaitable[Delivery]]:
    """A dependency returning the verified :class:`Delivery`.

    ``receiver`` defaults to ``Receiver.from_env()``. The URL check compares the token's path
    and query with the request's, which works behind any proxy but accepts any token of the
    account with the same path and query whatever host it was minted for; behind a known
    hostname use ``public_base="https://api.example.com"`` (the whole URL must match). ``url``
    compares one exact URL, ``forwarded=1`` rebuilds the URL from the headers of that many
    trusted proxies, and ``check_url=False`` skips the check. ``replay_guard`` (a
    :class:`~qstash_verify.RedisReplayGuard`) refuses a token already accepted by any worker
    that shares its Redis; ``Receiver(..., replay_protection=True)`` does so within one
    process. Refusals are logged on the ``qstash_verify`` logger at ``log_level``.
    """
    gate = Gate(
        receiver,
        url=url,
        public_base=public_base,
        forwarded=forwarded,
        check_url=check_url,
        body_limit=body_limit,
        replay_guard=replay_guard,
    )

    async def dependency(request: Request) -> Delivery:
        target = _target(request.scope)
        try:
            pending = gate.verify_head(request.headers, target)
            chunks = []
            try:
                async for chunk in request.stream():
                    pending.update(chunk)
                    chunks.append(chunk)
            except QStashRejection:
                raise
            except Exception:  # the client went away or sent broken framing
                raise gate.unreadable(request.headers, target) from None
            body = b"".join(chunks)
            # Starlette keeps the body here once read, so the endpoint can read it again.
            request._body = body
            return pending.finish(body)
        except QStashRejection as rejection:
            raise QStashRejected(log(rejection, log_level)) from None

    return dependency


async def qstash_exception_handler(request: Request, exc: Exception) -> Response:
    """Renders a :class:`QStashRejected` as the gate's response: ``{"error": …, "reason": …}``."""
    if not isinstance(exc, QStashRejected):
        raise exc
    rejection = exc.rejection
    return Response(rejection.body, status_code=rejection.status, headers=rejection.headers)


def install(app: Any) -> None:
    """Registers :func:`qstash_exception_handler` on a FastAPI or Starlette app."""
    app.add_exception_handler(QStashRejected, qstash_exception_handler)


__all__ = ["Delivery", "QStashRejected", "install", "qstash_exception_handler", "qstash_verified"]
