"""The local QStash (``qstash-kit dev``) delivering to a FastAPI endpoint (served by uvicorn)
and a Flask one (served by werkzeug): the qstash-kit client CLI publishes through the dev
server, and each endpoint verifies the signed delivery with the development keys."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi import Depends, FastAPI
from flask import Flask, g
from werkzeug.serving import make_server

from qstash_verify import Receiver
from qstash_verify.fastapi import Delivery, install
from qstash_verify.fastapi import qstash_verified as fastapi_verified
from qstash_verify.flask import qstash_verified as flask_verified

ROOT = Path(__file__).resolve().parents[2]


def kit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cargo", "run", "-q", "-p", "qstash-kit", "--", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def dev():
    process = subprocess.Popen(
        ["cargo", "run", "-q", "-p", "qstash-kit", "--", "--json", "dev", "--port", "0", "--fast-retries"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    env = json.loads(process.stdout.readline())
    yield env
    process.terminate()
    process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish(dev: dict, url: str, body: str) -> str:
    out = kit(
        "--json",
        "publish",
        url,
        "--data",
        body,
        "--content-type",
        "application/json",
        "--api-url",
        dev["QSTASH_URL"],
        "--token",
        dev["QSTASH_TOKEN"],
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["messages"][0]["messageId"]


def test_fastapi_endpoint_gets_a_verified_delivery(dev):
    seen: queue.Queue = queue.Queue()
    app = FastAPI()
    install(app)

    @app.post("/hook")
    async def hook(delivery: Delivery = Depends(fastapi_verified(Receiver.dev()))):
        seen.put((delivery.message_id, json.loads(delivery.body), delivery.claims.sub))
        return {"ok": True}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.02)
    try:
        url = f"http://127.0.0.1:{port}/hook"
        message_id = publish(dev, url, '{"order": 42}')
        assert seen.get(timeout=10) == (message_id, {"order": 42}, url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_flask_endpoint_gets_a_verified_delivery(dev):
    seen: queue.Queue = queue.Queue()
    app = Flask(__name__)

    @app.post("/hook")
    @flask_verified(Receiver.dev())
    def hook():
        seen.put((g.qstash.message_id, json.loads(g.qstash.body), g.qstash.claims.sub))
        return {"ok": True}

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        message_id = publish(dev, url, '{"order": 7}')
        assert seen.get(timeout=10) == (message_id, {"order": 7}, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_callbacks_sent_by_the_dev_server_arrive_as_typed_callbacks(dev):
    """A callback and a failure callback of ``qstash-kit dev`` reach a Flask endpoint verified,
    read by ``Delivery.callback()`` with both bodies decoded."""
    seen: queue.Queue = queue.Queue()
    app = Flask(__name__)

    @app.post("/ok")
    def ok():
        return "stored", 202

    @app.post("/fail")
    def fail():
        return "down for maintenance", 503

    @app.post("/callback")
    @flask_verified(Receiver.dev())
    def callback():
        seen.put(g.qstash.callback())
        return {"ok": True}

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        connection = ["--api-url", dev["QSTASH_URL"], "--token", dev["QSTASH_TOKEN"]]
        out = kit(
            "--json",
            "publish",
            f"{base}/ok",
            "--data-json",
            '{"order":1}',
            "--callback",
            f"{base}/callback",
            *connection,
        )
        assert out.returncode == 0, out.stderr
        sent = json.loads(out.stdout)["messages"][0]["messageId"]
        done = seen.get(timeout=10)
        assert (done.source_message_id, done.status, done.body, done.source_body) == (
            sent,
            202,
            b"stored",
            b'{"order":1}',
        )
        assert (done.is_failure, done.dlq_id, done.url) == (False, None, f"{base}/ok")
        assert repr(done).startswith(f"Callback(source_message_id='{sent}', status=202, retried=0, failure=False")

        out = kit(
            "--json",
            "publish",
            f"{base}/fail",
            "--data",
            "doomed",
            "--retries",
            "1",
            "--failure-callback",
            f"{base}/callback",
            *connection,
        )
        assert out.returncode == 0, out.stderr
        failed = seen.get(timeout=10)
        assert (failed.status, failed.body, failed.retried, failed.source_body) == (
            503,
            b"down for maintenance",
            1,
            b"doomed",
        )
        assert failed.is_failure and failed.dlq_id is not None and failed.dlq_id.startswith("dlq_")
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_a_delivery_that_is_not_a_callback_says_so():
    from qstash_verify import Gate, Signer

    gate = Gate(Receiver.dev())
    body = b'{"order": 42}'
    pending = gate.verify_head({"upstash-signature": Signer.dev().sign("https://x.example/hook", body)}, "/hook")
    pending.update(body)
    with pytest.raises(ValueError, match="not a QStash callback"):
        pending.finish(body).callback()
