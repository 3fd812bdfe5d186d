"""Replay protection on the Redis deployments users run, across two worker processes: a server
that speaks TLS only (a CA and a client certificate generated for the test, a password-protected
user) and a Redis Cluster of three masters. The servers come from ``redis-fixture`` (the Rust
test kit's, shared with the Rust and Node tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qstash_verify import Signer

URL = "https://hooks.example.com/api/qstash"
BODY = b'{"order":42}'
ROOT = Path(__file__).resolve().parents[2]
REPLAYED = '401 {"error":"invalid_signature","reason":"replayed"}'


def fixture(mode: str) -> Iterator[dict[str, Any]]:
    """Starts ``redis-fixture MODE`` and yields where its servers are; they stop when it ends."""
    if shutil.which("redis-server") is None:
        if os.environ.get("QSTASH_REQUIRE_REDIS"):
            pytest.fail("redis-server is required (QSTASH_REQUIRE_REDIS) but not installed")
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen(
        ["cargo", "run", "-q", "-p", "qstash-testkit", "--bin", "redis-fixture", "--", mode],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, f"redis-fixture {mode} ended before it was ready"
        yield json.loads(line)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


@pytest.fixture
def tls() -> Iterator[dict[str, Any]]:
    yield from fixture("tls")


@pytest.fixture
def cluster() -> Iterator[dict[str, Any]]:
    yield from fixture("cluster")


WORKER = """
import json, sys
from flask import Flask
from qstash_verify import Receiver, RedisReplayGuard
from qstash_verify.flask import qstash_verified

url, options, token, body = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
app = Flask(__name__)

@app.post("/api/qstash")
@qstash_verified(Receiver.dev(), replay_guard=RedisReplayGuard(json.loads(url), **options))
def hook():
    return {"ok": True}

response = app.test_client().post("/api/qstash", data=body.encode(), headers={"Upstash-Signature": token})
print(response.status_code, response.get_data(as_text=True))
"""


def deliver(url: Any, options: dict[str, Any], token: str) -> str:
    """One delivery through a worker process of its own (its own guard and connection)."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(url), json.dumps(options), token, BODY.decode()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def replay_refused_across_two_processes(url: Any, options: dict[str, Any]) -> None:
    token = Signer.dev().sign(URL, BODY)
    assert deliver(url, options, token) == '200 {"ok":true}'
    assert deliver(url, options, token) == REPLAYED


def test_a_tls_only_redis_with_a_password_refuses_a_replay_across_two_processes(tls: dict[str, Any]) -> None:
    files = {k: tls[k] for k in ("ca_file", "client_cert_file", "client_key_file")}
    replay_refused_across_two_processes(tls["url"], files)


def test_tls_is_verified_server_and_client_alike(tls: dict[str, Any]) -> None:
    from qstash_verify import RedisReplayGuard

    with pytest.raises(ConnectionError, match="cannot reach Redis"):
        RedisReplayGuard(tls["url"])  # the system's roots do not hold the test CA
    with pytest.raises(ConnectionError, match="cannot reach Redis"):
        RedisReplayGuard(tls["url"], ca_file=tls["ca_file"])  # no client certificate
    with pytest.raises(ConnectionError, match="cannot read the CA file"):
        RedisReplayGuard(tls["url"], ca_file="/nonexistent/ca.pem")
    # The server's certificate is checked, with a client certificate the server accepts: a
    # server whose CA is not the one trusted, and a name its certificate does not hold, fail.
    client = {"client_cert_file": tls["client_cert_file"], "client_key_file": tls["client_key_file"]}
    with pytest.raises(ConnectionError, match="cannot reach Redis"):
        RedisReplayGuard(tls["url"], ca_file=tls["other_ca_file"], **client)
    with pytest.raises(ConnectionError, match="cannot reach Redis"):
        RedisReplayGuard(tls["wrong_name_url"], ca_file=tls["ca_file"], **client)
    # The same client with the right CA and name connects: the two above fail for those.
    assert RedisReplayGuard(tls["url"], ca_file=tls["ca_file"], **client)


def test_a_redis_cluster_refuses_a_replay_across_two_processes(cluster: dict[str, Any]) -> None:
    nodes: list[str] = cluster["nodes"]
    replay_refused_across_two_processes(nodes[:1], {"cluster": True})
    replay_refused_across_two_processes(nodes[1:], {"cluster": True})
