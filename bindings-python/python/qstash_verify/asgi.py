"""ASGI integration for any ASGI application (Starlette, FastAPI, Litestar, Quart, Django under
ASGI): a middleware that verifies deliveries to the paths it guards before the application
reads any of their body.

>>> from qstash_verify import Receiver
>>> from qstash_verify.asgi import QStashMiddleware
>>> async def app(scope, receive, send): ...
>>> app = QStashMiddleware(app, paths=["/api/qstash"], receiver=Receiver.dev())

For a request to one of ``paths`` (the path as the client sends it, a mount prefix included;
every spelling that could reach it counts: ``/api/%71stash``, ``/api%2Fqstash``,
``/x/../api/qstash``), the token is checked from the headers before a byte of the body is read, then the body is read
(up to ``body_limit``) while it is hashed; only a verified delivery reaches the application,
which reads the same bytes as usual. The :class:`~qstash_verify.Delivery` is
``scope["state"]["qstash"]`` (``request.state.qstash`` in Starlette and Litestar). A refusal is
the gate's answer: 401 ``{"error": "invalid_signature", "reason": "<code>"}``, 413, 400 or 503.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from qstash_verify._gate import Delivery, Gate, PathGuard, QStashRejection, lambda_target, log, target

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def target_of(scope: Scope) -> str:
    """The request target as the client sent it: `raw_path` (which mounted sub-applications do
    not strip) and the query; under an AWS Lambda adapter (Mangum, Zappa), the target of its
    event, a REST API's stage included."""
    from_event = lambda_target(scope)
    if from_event is not None:
        return from_event
    return target(scope.get("raw_path") or scope.get("path", "/"), scope.get("query_string"))


class ScopeHeaders:
    """An ASGI scope's headers as the gate reads them: every line of a name, in order."""

    def __init__(self, scope: Scope) -> None:
        self._headers: list[tuple[bytes, bytes]] = scope.get("headers") or []

    def getlist(self, name: str) -> list[str | bytes]:
        key = name.encode("latin-1")
        return [value for header, value in self._headers if header.lower() == key]


class Verifier:
    """A gate and the level its refusals are logged at, and the sequence they run over an
    ASGI request."""

    def __init__(self, gate: Gate, log_level: int) -> None:
        self.gate = gate
        self.log_level = log_level

    async def verify(self, scope: Scope, chunks: Callable[[], Awaitable[bytes | None]]) -> Delivery:
        """The whole sequence over a body read chunk by chunk (`None` when it ended); raises
        :class:`~qstash_verify.QStashRejection`, logged."""
        headers = ScopeHeaders(scope)
        request_target = target_of(scope)
        try:
            pending = self.gate.verify_head(headers, request_target)
            parts: list[bytes] = []
            while True:
                try:
                    chunk = await chunks()
                except QStashRejection:
                    raise
                except Exception:  # the client went away or sent broken framing
                    raise self.gate.unreadable(headers, request_target) from None
                if chunk is None:
                    break
                pending.update(chunk)
                parts.append(chunk)
            return await pending.finish_async(b"".join(parts))
        except QStashRejection as rejection:
            raise log(rejection, self.log_level) from None

    async def guard(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> Delivery | None:
        """Verifies the request before `app` sees it: answers a refusal itself, or runs `app`
        with the verified body and returns the delivery it ran with."""
        ended = False

        async def body_chunks() -> bytes | None:
            nonlocal ended
            if ended:
                return None
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("the client went away")
            ended = not message.get("more_body", False)
            body: bytes = message.get("body", b"")
            return body

        try:
            delivery = await self.verify(scope, body_chunks)
        except QStashRejection as rejection:
            await respond(rejection, send)
            return None
        scope.setdefault("state", {})["qstash"] = delivery
        replayed = False

        async def replay() -> Message:
            # The application reads the verified bytes; after them, the client's own messages
            # (a disconnect) as they come.
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": delivery.body, "more_body": False}
            return await receive()

        await app(scope, replay, send)
        return delivery


async def respond(rejection: QStashRejection, send: Send) -> None:
    """Sends the gate's answer to a refused request."""
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in rejection.headers.items()]
    body = rejection.body.encode("utf-8")
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": rejection.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class QStashMiddleware(PathGuard[ASGIApp]):
    """Guards ``paths`` of an ASGI application: only verified deliveries reach it.

    ``receiver`` defaults to ``Receiver.from_env()`` (or give a :class:`~qstash_verify.Gate`);
    ``options`` (the URL policy, ``body_limit``, ``replay_guard``) and ``log_level`` are those
    of :func:`qstash_verify.fastapi.qstash_verified`. Requests to other paths, and lifespan
    and websocket traffic, pass through untouched. Which requests are guarded is decided by
    :class:`~qstash_verify.GuardedPaths` (the gate's rule): any spelling of a guarded path that
    a server or framework could route there must verify.
    """

    @functools.cached_property
    def verifier(self) -> Verifier:
        """The sequence over an ASGI request, made at the first guarded one."""
        return Verifier(self.gate, self.log_level)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.paths.guards(target_of(scope), scope.get("path")):
            await self.app(scope, receive, send)
            return
        await self.verifier.guard(self.app, scope, receive, send)


__all__ = ["Delivery", "QStashMiddleware"]
