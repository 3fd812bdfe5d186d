"""WSGI integration for any WSGI application (Flask, Django, Falcon, Bottle, Pyramid): a
middleware that verifies deliveries to the paths it guards before the application reads any of
their body.

>>> from qstash_verify import Receiver
>>> from qstash_verify.wsgi import QStashMiddleware
>>> def app(environ, start_response): ...
>>> app = QStashMiddleware(app, paths=["/api/qstash"], receiver=Receiver.dev())

For a request to one of ``paths`` (the path as the client sends it, ``SCRIPT_NAME`` included;
every spelling that could reach it counts: ``/api/%71stash``, ``/api%2Fqstash``,
``/x/../api/qstash``, ``http://host/api/qstash``), the token is checked from the headers
before a byte of the body is read, then the body is read (up to ``body_limit``) while it is
hashed; only a verified delivery reaches the application,
which reads the same bytes from ``wsgi.input`` as usual. The
:class:`~qstash_verify.Delivery` is ``environ["qstash.delivery"]``. A refusal is the gate's
answer: 401 ``{"error": "invalid_signature", "reason": "<code>"}``, 413, 400 or 503.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from qstash_verify._gate import (
    Delivery,
    Gate,
    PathGuard,
    PendingDelivery,
    QStashRejection,
    lambda_target,
    target,
    verify_sync,
)

Environ = MutableMapping[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Where the middleware leaves the verified delivery for the application.
ENVIRON_KEY = "qstash.delivery"
_CHUNK = 64 * 1024


def target_of(environ: Mapping[str, Any]) -> str:
    """The request target as the client sent it: under an AWS Lambda adapter (apig-wsgi,
    serverless-wsgi, Zappa), the target of its event, a REST API's stage included; the raw one
    when the server passes it on (Werkzeug, gunicorn, uWSGI); else rebuilt from
    ``SCRIPT_NAME``, ``PATH_INFO`` and the query (WSGI decodes the path: it is quoted again, as
    a client sends it)."""
    from_event = lambda_target(environ)
    if from_event is not None:
        return from_event
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        return str(raw)
    # WSGI hands the path over as latin-1 text holding the raw bytes.
    return target(routed_path(environ), environ.get("QUERY_STRING"))


def routed_path(environ: Mapping[str, Any]) -> str:
    """The path the application routes on (``SCRIPT_NAME`` + ``PATH_INFO``, which the server
    decoded), quoted again so its bytes survive as text."""
    path = (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "")
    return quote(path.encode("latin-1"), safe="/;=,:@!$&'()*+~")


class EnvironHeaders:
    """A WSGI environment's headers as the gate reads them (the server joined the lines of a
    repeated header with ``", "``)."""

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self._environ = environ

    def getlist(self, name: str) -> list[str | bytes]:
        key = name.upper().replace("-", "_")
        value = self._environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key)
        return [] if value is None else [value]


def read_body(environ: Mapping[str, Any], pending: PendingDelivery) -> bytes:
    """The request body from ``wsgi.input`` through the gate, which stops it at the limit: the
    declared length; everything to the end when the server marks the stream as ending on its
    own (``wsgi.input_terminated``, a chunked request it decoded); else nothing, as WSGI has
    it for a request without a length."""
    stream = environ["wsgi.input"]
    length = str(environ.get("CONTENT_LENGTH") or "")
    left: int | None = int(length) if length.isdigit() else (None if environ.get("wsgi.input_terminated") else 0)
    chunks = []
    while left is None or left > 0:
        chunk = stream.read(_CHUNK if left is None else min(_CHUNK, left))
        if not chunk:
            if left:  # the client went away before sending what it declared
                raise ConnectionError("the body ended before its Content-Length")
            break
        pending.update(chunk)
        chunks.append(chunk)
        if left is not None:
            left -= len(chunk)
    return b"".join(chunks)


def verify(gate: Gate, environ: Mapping[str, Any], log_level: int) -> Delivery:
    """The whole sequence over a WSGI request; raises :class:`~qstash_verify.QStashRejection`,
    logged."""
    return verify_sync(gate, EnvironHeaders(environ), target_of(environ), lambda p: read_body(environ, p), log_level)


def respond(rejection: QStashRejection, start_response: StartResponse) -> list[bytes]:
    """Starts the gate's answer to a refused request and returns its body."""
    body = rejection.body.encode("utf-8")
    headers = [*rejection.headers.items(), ("Content-Length", str(len(body)))]
    start_response(f"{rejection.status} {HTTPStatus(rejection.status).phrase}", headers)
    return [body]


class QStashMiddleware(PathGuard[WSGIApp]):
    """Guards ``paths`` of a WSGI application: only verified deliveries reach it.

    ``receiver`` defaults to ``Receiver.from_env()`` (or give a :class:`~qstash_verify.Gate`);
    ``options`` (the URL policy, ``body_limit``, ``replay_guard``) and ``log_level`` are those
    of :func:`qstash_verify.fastapi.qstash_verified`. Requests to other paths pass through.
    Which requests are guarded is decided by :class:`~qstash_verify.GuardedPaths` (the gate's
    rule): any spelling of a guarded path that a server or framework could route there must
    verify.
    """

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not self.paths.guards(target_of(environ), routed_path(environ)):
            return self.app(environ, start_response)
        try:
            delivery = verify(self.gate, environ, self.log_level)
        except QStashRejection as rejection:
            return respond(rejection, start_response)
        environ[ENVIRON_KEY] = delivery
        environ["wsgi.input"] = io.BytesIO(delivery.body)
        environ["CONTENT_LENGTH"] = str(len(delivery.body))
        # The body is now a plain stream of known length: a chunked request is no longer one.
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)


__all__ = ["ENVIRON_KEY", "Delivery", "QStashMiddleware"]
