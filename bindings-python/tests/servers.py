"""Requests laid out as bytes (``http_cases.RequestBytes``) driven into an application at its
server interface, ASGI or WSGI, so every byte of the request is the case's; the answer back as
status, headers and body."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import http_cases


async def asgi_call(app: Any, request: http_cases.RequestBytes) -> tuple[int, dict[str, str], bytes]:
    headers = [(name.encode("latin-1"), value) for name, value in request.headers]
    if not request.chunked:
        headers.append((b"content-length", str(len(request.body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        # As uvicorn: the path decoded (UTF-8) for routing, the raw one as sent.
        "path": request.decoded_path.encode("latin-1").decode("utf-8", "replace"),
        "raw_path": request.path.encode("latin-1"),
        "query_string": request.query.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    chunks = request.chunks()
    messages: list[dict[str, Any]] = []
    for i, chunk in enumerate(chunks):
        messages.append({"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1})
        if request.broken:
            # The client went away after its first chunk.
            messages[-1]["more_body"] = True
            messages.append({"type": "http.disconnect"})
            break

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # nothing more is coming
        return {"type": "http.disconnect"}

    status = 0
    response_headers: dict[str, str] = {}
    body = bytearray()

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers.update((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in message["headers"])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, response_headers, bytes(body)


class BrokenInput(io.RawIOBase):
    """A request body that fails after its first chunk, as a client that went away."""

    def __init__(self, first: bytes) -> None:
        self.first = first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.first:
            n = min(len(buffer), len(self.first))
            buffer[:n], self.first = self.first[:n], self.first[n:]
            return n
        raise OSError("the client went away")


def wsgi_call(app: Any, request: http_cases.RequestBytes) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": request.decoded_path,
        "QUERY_STRING": request.query,
        "REQUEST_URI": request.target,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    # WSGI servers join a header sent on several lines with ", ", as the gate expects.
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
        text = value.decode("latin-1")
        environ[key] = environ[key] + ", " + text if key in environ else text
    if request.broken:
        environ["wsgi.input"] = io.BufferedReader(BrokenInput(request.chunks()[0]))
        environ["wsgi.input_terminated"] = True
    elif request.chunked:
        environ["wsgi.input"] = io.BytesIO(request.body)
        environ["wsgi.input_terminated"] = True
    else:
        environ["wsgi.input"] = io.BytesIO(request.body)
        environ["CONTENT_LENGTH"] = str(len(request.body))
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = {k.lower(): v for k, v in headers}

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return started["status"], started["headers"], body
