"""The ASGI and WSGI middlewares under the servers users run them with (uvicorn, Hypercorn,
gunicorn, Werkzeug), each request written as raw bytes on a socket: every spelling of a
guarded path that the framework routes there (percent-encoded letters, an encoded slash, dot
segments, an absolute-form request line) must verify, never reach the handler unsigned; and a
Redis replay guard made before ``gunicorn --preload`` forks its workers answers in them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qstash_verify import Signer

BODY = b'{"order":42}'
MISSING = {"error": "invalid_signature", "reason": "missing"}
SUBJECT = {"error": "invalid_signature", "reason": "subject"}

ASGI_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from qstash_verify import Receiver
from qstash_verify.asgi import QStashMiddleware

async def hook(request):
    delivery = getattr(request.state, "qstash", None)
    return JSONResponse({"reached": True, "verified": delivery is not None})

app = QStashMiddleware(
    Starlette(routes=[Route("/api/qstash", hook, methods=["POST"])]),
    paths=["/api/qstash"],
    receiver=Receiver.dev(),
)
"""

WSGI_APP = """
from flask import Flask, request
from qstash_verify import Receiver
from qstash_verify.wsgi import ENVIRON_KEY, QStashMiddleware

flask_app = Flask(__name__)

@flask_app.post("/api/qstash")
def hook():
    return {"reached": True, "verified": ENVIRON_KEY in request.environ}

app = QStashMiddleware(flask_app, paths=["/api/qstash"], receiver=Receiver.dev())
"""

PRELOADED_GUARD_APP = """
import os, sys
from flask import Flask
from qstash_verify import Receiver, RedisReplayGuard, Signer
from qstash_verify.flask import qstash_verified

guard = RedisReplayGuard(os.environ["TEST_REDIS_URL"], timeout=5.0)
# Used once before the fork, as an app that checks its store at start-up would.
from qstash_verify import Gate
assert Gate(Receiver.dev(), replay_guard=guard) is not None

app = Flask(__name__)

@app.post("/api/qstash")
@qstash_verified(Receiver.dev(), replay_guard=guard)
def hook():
    return {"pid": os.getpid()}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"{what} exited with {server.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port} within 30 s")


def raw_post(port: int, target: str, headers: list[tuple[str, str]] = (), body: bytes = BODY) -> tuple[int, object]:
    """One request with this exact request line; its status and JSON body."""
    lines = [
        f"POST {target} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{n}: {v}" for n, v in headers),
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        payload = dechunk(payload)
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload.decode("latin-1")


def dechunk(payload: bytes) -> bytes:
    out = b""
    while payload:
        size_line, _, rest = payload.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        payload = rest[size + 2 :]
    return out


SERVERS = {
    "uvicorn": (
        ASGI_APP,
        lambda port: [sys.executable, "-m", "uvicorn", "--port", str(port), "--log-level", "warning", "app:app"],
    ),
    "hypercorn": (ASGI_APP, lambda port: [sys.executable, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}", "app:app"]),
    "gunicorn": (
        WSGI_APP,
        lambda port: [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "app:app"],
    ),
    "werkzeug": (
        WSGI_APP,
        lambda port: [
            sys.executable,
            "-c",
            f"from werkzeug.serving import run_simple; from app import app; run_simple('127.0.0.1', {port}, app)",
        ],
    ),
}


@pytest.fixture(params=sorted(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    source, command = SERVERS[request.param]
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    port = free_port()
    process = subprocess.Popen(command(port), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_listening(port, process, request.param)
        yield request.param, port
    finally:
        process.terminate()
        process.wait(timeout=30)


# Every spelling the security review sent, and more a server or proxy could route there.
BYPASSES = [
    "/api/%71stash",
    "/api/qstas%68",
    "/%61pi/qstash",
    "/api%2Fqstash",
    "/api/x/../qstash",
    "/api/./qstash",
    "//api/qstash",
]


def test_no_spelling_of_a_guarded_path_reaches_the_handler_unsigned(server: tuple[str, int]) -> None:
    name, port = server
    assert raw_post(port, "/api/qstash") == (401, MISSING)
    answers = {target: raw_post(port, target) for target in BYPASSES}
    # Unsigned, every one is refused; none reaches the handler (which would answer 200).
    assert answers == {target: (401, MISSING) for target in BYPASSES}, name


# uvicorn and Hypercorn hand Starlette an absolute-form target whole as the path, which routes
# nowhere: the guard still verifies it first.
ROUTES_ABSOLUTE_FORM = {"uvicorn": False, "hypercorn": False, "gunicorn": True, "werkzeug": True}


def test_an_absolute_form_request_line_is_guarded(server: tuple[str, int]) -> None:
    name, port = server
    target = f"http://127.0.0.1:{port}/api/qstash"
    assert raw_post(port, target) == (401, MISSING), name
    token = Signer.dev().sign(target, BODY)
    signed = raw_post(port, target, [("Upstash-Signature", token)])
    if ROUTES_ABSOLUTE_FORM[name]:
        assert signed == (200, {"reached": True, "verified": True}), name
    else:
        assert signed == (404, "Not Found"), name


def test_a_delivery_signed_for_the_path_is_refused_on_another_spelling(server: tuple[str, int]) -> None:
    name, port = server
    token = Signer.dev().sign(f"http://127.0.0.1:{port}/api/qstash", BODY)
    assert raw_post(port, "/api/qstash", [("Upstash-Signature", token)]) == (200, {"reached": True, "verified": True})
    other = Signer.dev().sign(f"http://127.0.0.1:{port}/api/qstash", BODY)
    assert raw_post(port, "/api/%71stash", [("Upstash-Signature", other)]) == (401, SUBJECT), name


@pytest.fixture
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        if os.environ.get("QSTASH_REQUIRE_REDIS"):
            pytest.fail("redis-server is required (QSTASH_REQUIRE_REDIS) but not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_redis_guard_made_before_gunicorn_preload_forks_answers_in_every_worker(
    redis_url: str, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(PRELOADED_GUARD_APP))
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "20",
        "app:app",
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={**os.environ, "TEST_REDIS_URL": redis_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_listening(port, process, "gunicorn --preload")
        url = f"http://127.0.0.1:{port}/api/qstash"
        tokens = [Signer.dev().sign(url, BODY) for _ in range(6)]
        # Each delivery answered (connections are new, so both workers take some), each once.
        first = [raw_post(port, "/api/qstash", [("Upstash-Signature", t)]) for t in tokens]
        again = [raw_post(port, "/api/qstash", [("Upstash-Signature", t)]) for t in tokens]
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert [status for status, _ in first] == [200] * 6, errors.decode(errors="replace")
    assert again == [(401, {"error": "invalid_signature", "reason": "replayed"})] * 6
    assert b"WORKER TIMEOUT" not in errors
