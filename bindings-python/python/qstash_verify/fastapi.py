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

from typing import Any, Awaitable, Callable, Optional

try:
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
except ImportError as error:  # pragma: no cover - depends on what the user installed
    raise ImportError(
        "qstash_verify.fastapi needs FastAPI or Starlette: pip install 'qstash-verify[fastapi]'"
    ) from error

from qstash_verify._gate import DEFAULT_BODY_LIMIT, Delivery, Gate, Rejection
from qstash_verify._native import Receiver


class QStashRejected(HTTPException):
    """A refused delivery: ``status_code`` 401, 413 or 400 and ``reason`` (the stable code)."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.status, detail=rejection.body, headers=rejection.headers or None)
        self.reason = rejection.reason
        self.rejection = rejection


def qstash_verified(
    receiver: Optional[Receiver] = None,
    *,
    url: Optional[str] = None,
    public_base: Optional[str] = None,
    check_url: bool = True,
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> Callable[[Request], Awaitable[Delivery]]:
    """A dependency returning the verified :class:`Delivery`.

    ``receiver`` defaults to ``Receiver.from_env()``. The URL check compares the token's
    path and query with the request's (robust behind proxies); ``public_base`` compares the
    whole URL with ``public_base`` + path and query, ``url`` with one exact URL, and
    ``check_url=False`` skips it.
    """
    gate = Gate(receiver, url=url, public_base=public_base, check_url=check_url, body_limit=body_limit)

    async def dependency(request: Request) -> Delivery:
        header = request.headers.get
        target = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string") or b""
        target_text = target.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        try:
            pending = gate.verify_head(header, target_text)
            chunks = []
            size = 0
            try:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > gate.body_limit:
                        raise gate.too_large(header)
                    pending.update(chunk)
                    chunks.append(chunk)
            except Rejection:
                raise
            except Exception:  # the client went away or sent broken framing
                raise gate.unreadable(header) from None
            body = b"".join(chunks)
            # Starlette keeps the body here once read, so the endpoint can read it again.
            request._body = body
            return gate.finish(pending, body, header)
        except Rejection as rejection:
            raise QStashRejected(rejection) from None

    return dependency


async def qstash_exception_handler(request: Request, exc: Exception) -> Response:
    """Renders a :class:`QStashRejected` as ``{"error": …, "reason": …}``."""
    if not isinstance(exc, QStashRejected):
        raise exc
    return JSONResponse(exc.rejection.body, status_code=exc.status_code, headers=exc.headers)


def install(app: Any) -> None:
    """Registers :func:`qstash_exception_handler` on a FastAPI or Starlette app."""
    app.add_exception_handler(QStashRejected, qstash_exception_handler)


__all__ = ["Delivery", "QStashRejected", "install", "qstash_exception_handler", "qstash_verified"]
