"""FastAPI integration: a dependency that hands the endpoint the verified delivery, and a guard
that verifies it before FastAPI reads any of the body.

>>> from fastapi import Depends, FastAPI
>>> from qstash_verify import Receiver
>>> from qstash_verify.fastapi import Delivery, install, qstash_verified
>>> app = FastAPI()
>>> install(app)  # verifies first, answers {"error": "invalid_signature", "reason": "<code>"}
>>> verified = qstash_verified(Receiver.dev())  # in production: qstash_verified() reads the env
>>> @app.post("/api/qstash")
... async def hook(delivery: Delivery = Depends(verified)) -> dict:
...     return {"id": delivery.message_id, "bytes": len(delivery.body)}

FastAPI reads the whole body of a route that declares a body parameter
(``async def hook(order: Order, delivery: Delivery = Depends(verified))``) before any
dependency runs. :func:`install` adds an ASGI guard in front of the routing that finds the
route a request is for and, when that route depends on :func:`qstash_verified`, checks the
token from the headers before a byte of the body is read, then reads the body (up to
``body_limit``) while hashing it; only a verified delivery reaches FastAPI, which then parses
the same bytes. A refusal is the gate's answer (401, 413, 400 or 503 with its JSON body).

Without :func:`install` the dependency still verifies everything, but on a route with a body
parameter only after FastAPI has read the body, and it says so in the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

try:
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Match
except ImportError as error:  # pragma: no cover - depends on what the user installed
    raise ImportError(
        "qstash_verify.fastapi needs FastAPI or Starlette: pip install 'qstash-verify[fastapi]'"
    ) from error

from qstash_verify._gate import Delivery, Gate, QStashRejection, gate_of, logger
from qstash_verify._native import Receiver
from qstash_verify.asgi import ASGIApp, Receive, Scope, Send, Verifier


class QStashRejected(HTTPException):
    """A refused delivery: ``status_code`` 401, 413, 400 or 503, ``reason`` (the stable code)
    and ``rejection``, the gate's :class:`~qstash_verify.QStashRejection` with the exact
    response body and headers."""

    def __init__(self, rejection: QStashRejection) -> None:
        super().__init__(rejection.status, detail=json.loads(rejection.body), headers=rejection.headers)
        self.reason = rejection.reason
        self.rejection = rejection


def qstash_verified(
    receiver: Receiver | Gate | None = None,
    *,
    log_level: int = logging.WARNING,
    **options: Any,
) -> Callable[[Request], Awaitable[Delivery]]:
    """A dependency returning the verified :class:`Delivery`.

    ``receiver`` defaults to ``Receiver.from_env()``; a :class:`~qstash_verify.Gate` built
    once can be given instead. ``options`` are the gate's (SPEC.md §7.3): by default the
    token's path and query must be the request's, which works behind any proxy but accepts
    any token of the account with the same path and query whatever host it was minted for;
    behind a known hostname use ``public_base="https://api.example.com"``. ``url`` compares
    one exact URL, ``forwarded="x-forwarded"`` (or ``"forwarded"``) rebuilds the URL from
    the header family your proxy sets, ``check_url=False`` skips the check, ``body_limit``
    caps the body (default 10 MiB), and ``replay_guard`` (a
    :class:`~qstash_verify.RedisReplayGuard`) refuses a token already accepted by any
    worker that shares its Redis. Refusals are logged on the ``qstash_verify`` logger at
    ``log_level``.
    """
    verifier = Verifier(gate_of(receiver, options), log_level)

    async def dependency(request: Request) -> Delivery:
        delivery: Delivery | None = request.scope.get("state", {}).get("qstash")
        if delivery is not None:
            return delivery
        if hasattr(request, "_body"):
            logger.error(
                "QStash: %s read its body before the delivery was verified (a body parameter): "
                "call qstash_verify.fastapi.install(app) so the guard verifies before FastAPI reads it",
                request.url.path,
            )
        stream = request.stream().__aiter__()

        async def chunks() -> bytes | None:
            try:
                return await stream.__anext__()
            except StopAsyncIteration:
                return None

        try:
            delivery = await verifier.verify(request.scope, chunks)
        except QStashRejection as rejection:
            raise QStashRejected(rejection) from None
        # Starlette keeps the body here once read, so the endpoint can read it again.
        request._body = delivery.body
        return delivery

    dependency.__qstash_verifier__ = verifier  # type: ignore[attr-defined]
    return dependency


def _verifier_of(route: Any) -> Verifier | None:
    """The verifier of the `qstash_verified` dependency `route` (a FastAPI route) depends on."""
    pending = [getattr(route, "dependant", None)]
    while pending:
        dependant = pending.pop()
        if dependant is None:
            continue
        verifier: Verifier | None = getattr(dependant.call, "__qstash_verifier__", None)
        if verifier is not None:
            return verifier
        pending.extend(dependant.dependencies)
    return None


class QStashGuard:
    """ASGI middleware (added by :func:`install`) that verifies a delivery before the
    application reads any of its body, for every route that depends on
    :func:`qstash_verified`, whatever else the route takes."""

    def __init__(self, app: ASGIApp, routes: Any) -> None:
        self.app = app
        self._routes = routes
        self._verifiers: dict[int, Verifier | None] = {}

    def _verifier_for(self, scope: Scope) -> Verifier | None:
        """The verifier of the route the router will send this request to, as the router
        picks it: the first route that matches fully."""
        for route in self._routes.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                key = id(route)
                if key not in self._verifiers:
                    self._verifiers[key] = _verifier_of(route)
                return self._verifiers[key]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        verifier = self._verifier_for(scope) if scope["type"] == "http" else None
        if verifier is None:
            await self.app(scope, receive, send)
            return

        await verifier.guard(self.app, scope, receive, send)


async def qstash_exception_handler(request: Request, exc: Exception) -> Response:
    """Renders a :class:`QStashRejected` as the gate's response: ``{"error": …, "reason": …}``."""
    if not isinstance(exc, QStashRejected):
        raise exc
    rejection = exc.rejection
    return Response(rejection.body, status_code=rejection.status, headers=rejection.headers)


def install(app: Any) -> None:
    """Installs qstash-verify on a FastAPI (or Starlette) app: the guard that verifies every
    delivery to a route depending on :func:`qstash_verified` before any of its body is read,
    and the handler that answers a refusal with the gate's JSON. Call it before the app
    starts serving."""
    app.add_exception_handler(QStashRejected, qstash_exception_handler)
    app.add_middleware(QStashGuard, routes=app.router)


__all__ = ["Delivery", "QStashGuard", "QStashRejected", "install", "qstash_exception_handler", "qstash_verified"]
