"""Replay protection across worker processes: two workers (this process and a child one) with
their own RedisReplayGuard on one real ``redis-server`` on loopback accept a token once, and a
store that cannot answer, gone or holding writes past the guard's timeout, refuses with 503 (or
accepts, when told to fail open, which still refuses replays while Redis answers)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from qstash_verify import Receiver, RedisReplayGuard, Signer
from qstash_verify.asgi import QStashMiddleware as AsgiMiddleware
from qstash_verify.fastapi import Delivery, install, qstash_verified
from qstash_verify.wsgi import QStashMiddleware as WsgiMiddleware

import http_cases
from servers import asgi_call, wsgi_call

URL = "https://hooks.example.com/api/qstash"
BODY = b'{"order":42}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.url = f"redis://127.0.0.1:{port}/0"
        self.port = port
        self.process = process

    def cli(self, *args: str) -> None:
        """Runs a command through ``redis-cli``, as an operator would."""
        subprocess.run(["redis-cli", "-p", str(self.port), *args], check=True, capture_output=True, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own; skipped without one unless QSTASH_REQUIRE_REDIS."""
    if shutil.which("redis-server") is None:
        if os.environ.get("QSTASH_REQUIRE_REDIS"):
            pytest.fail("redis-server is required (QSTASH_REQUIRE_REDIS) but not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        yield RedisServer(port, server)
    finally:
        server.terminate()
        server.wait()


def worker(guard: RedisReplayGuard) -> TestClient:
    app = FastAPI()
    install(app)
    verified = qstash_verified(Receiver.dev(), replay_guard=guard)

    @app.post("/api/qstash")
    async def hook(delivery: Delivery = Depends(verified)) -> dict:
        return {"id": delivery.claims.jti}

    return TestClient(app)


CHILD_WORKER = """
import sys
from flask import Flask
from qstash_verify import Receiver, RedisReplayGuard
from qstash_verify.flask import qstash_verified

app = Flask(__name__)

@app.post("/api/qstash")
@qstash_verified(Receiver.dev(), replay_guard=RedisReplayGuard(sys.argv[1]))
def hook():
    return {"ok": True}

response = app.test_client().post("/api/qstash", data=sys.argv[3].encode(), headers={"Upstash-Signature": sys.argv[2]})
print(response.status_code, response.get_data(as_text=True))
"""


def test_a_token_accepted_by_one_worker_is_replayed_at_another_process(redis: RedisServer) -> None:
    redis_url = redis.url
    token = Signer.dev().sign(URL, BODY)
    first = worker(RedisReplayGuard(redis_url)).post("/api/qstash", content=BODY, headers={"Upstash-Signature": token})
    assert first.status_code == 200
    child = subprocess.run(
        [sys.executable, "-c", CHILD_WORKER, redis_url, token, BODY.decode()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == '401 {"error":"invalid_signature","reason":"replayed"}'
    # A fresh token is still accepted by another worker of this process.
    other = worker(RedisReplayGuard(redis_url))
    fresh = Signer.dev().sign(URL, BODY)
    assert other.post("/api/qstash", content=BODY, headers={"Upstash-Signature": fresh}).status_code == 200


def test_a_store_that_cannot_answer_refuses_with_503_unless_it_fails_open(redis: RedisServer) -> None:
    closed = worker(RedisReplayGuard(redis.url, timeout=0.3))
    open_ = worker(RedisReplayGuard(redis.url, timeout=0.3, fail_open=True))
    redis.stop()
    refused = closed.post("/api/qstash", content=BODY, headers={"Upstash-Signature": Signer.dev().sign(URL, BODY)})
    assert refused.status_code == 503
    assert refused.json() == {"error": "replay_store_unavailable", "reason": "replay_store_unavailable"}
    accepted = open_.post("/api/qstash", content=BODY, headers={"Upstash-Signature": Signer.dev().sign(URL, BODY)})
    assert accepted.status_code == 200


def post_within(client: TestClient, token: str, seconds: float = 20) -> Any:
    """The answer to a delivery, failing the test instead of hanging when none comes."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(client.post, "/api/qstash", content=BODY, headers={"Upstash-Signature": token})
        return future.result(timeout=seconds)


def test_a_store_that_does_not_answer_in_time_refuses_with_503_unless_it_fails_open(redis: RedisServer) -> None:
    closed = worker(RedisReplayGuard(redis.url, timeout=0.3))
    open_ = worker(RedisReplayGuard(redis.url, timeout=0.3, fail_open=True))
    # While Redis answers, failing open changes nothing: a replay is refused.
    token = Signer.dev().sign(URL, BODY)
    assert post_within(open_, token).status_code == 200
    assert post_within(open_, token).json() == {"error": "invalid_signature", "reason": "replayed"}
    # Redis up but holding every write (its connections stay open): only the guard's timeout
    # ends the wait.
    redis.cli("CLIENT", "PAUSE", "600000", "WRITE")
    try:
        refused = post_within(closed, Signer.dev().sign(URL, BODY))
        accepted = post_within(open_, Signer.dev().sign(URL, BODY))
    finally:
        redis.cli("CLIENT", "UNPAUSE")
    assert (refused.status_code, refused.json()) == (
        503,
        {"error": "replay_store_unavailable", "reason": "replay_store_unavailable"},
    )
    assert accepted.status_code == 200


def test_a_guard_that_cannot_reach_redis_fails_at_start_up() -> None:
    with pytest.raises(ConnectionError):
        RedisReplayGuard(f"redis://127.0.0.1:{free_port()}/0")


def test_in_memory_and_redis_protection_together_is_refused(redis: RedisServer) -> None:
    with pytest.raises(ValueError, match="not both"):
        qstash_verified(Receiver.dev(replay_protection=True), replay_guard=RedisReplayGuard(redis.url))


def test_a_guard_used_before_os_fork_answers_in_the_child_sync_and_async(redis: RedisServer) -> None:
    """uWSGI without lazy-apps and any ``os.fork()`` after import: the child has none of the
    parent's threads and shares its socket, so the guard connects again there."""
    guard = RedisReplayGuard(redis.url, timeout=5.0)

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    def wsgi_app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [])
        return [b"{}"]

    asgi = AsgiMiddleware(asgi_app, paths=["/api/qstash"], receiver=Receiver.dev(), replay_guard=guard)
    wsgi = WsgiMiddleware(wsgi_app, paths=["/api/qstash"], receiver=Receiver.dev(), replay_guard=guard)

    def request(token: str) -> http_cases.RequestBytes:
        return http_cases.RequestBytes(
            "POST", "/api/qstash", [("upstash-signature", token.encode())], BODY, False, False
        )

    seen_by_parent = Signer.dev().sign(URL, BODY)
    assert wsgi_call(wsgi, request(seen_by_parent))[0] == 200  # the runtime and connection start here
    tokens = [Signer.dev().sign(URL, BODY) for _ in range(2)]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answers, then reports them
        try:
            os.close(read_end)
            answers = [
                wsgi_call(wsgi, request(seen_by_parent))[0],
                wsgi_call(wsgi, request(tokens[0]))[0],
                asyncio.run(asgi_call(asgi, request(tokens[1])))[0],
                asyncio.run(asgi_call(asgi, request(tokens[0])))[0],
            ]
            os.write(write_end, json.dumps(answers).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        reported = os.read(read_end, 1024) if ready else b""
    finally:
        os.close(read_end)
        if not reported:
            os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert reported, "the forked child gave no answer within 30 s (its replay checks hang)"
    assert json.loads(reported) == [401, 200, 200, 401]
