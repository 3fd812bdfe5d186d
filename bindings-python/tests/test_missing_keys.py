"""SPEC.md §7.10, one rule for every helper: a helper given no keys is built without them (an
app imports and starts without secrets), reads them from the environment when a delivery
arrives, refuses every delivery with 401 ``no_keys`` until it can (the log line saying why and
how to fix it), and verifies the next delivery once they are set, with no restart."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask

from qstash_verify import Signer
from qstash_verify.asgi import QStashMiddleware as AsgiMiddleware
from qstash_verify.aws_lambda import qstash_verified as lambda_verified
from qstash_verify.fastapi import Delivery, install, qstash_verified
from qstash_verify.flask import qstash_verified as flask_verified
from qstash_verify.wsgi import QStashMiddleware as WsgiMiddleware

import http_cases
from conftest import URL
from servers import asgi_call, wsgi_call

BODY = b'{"order":42}'
CURRENT = "sig_missingKeysCurrent000000000"
NEXT = "sig_missingKeysNext111111111111"
KEY_VARS = ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "QSTASH_REGION", "QSTASH_DEV")
NO_KEYS = (401, {"error": "invalid_signature", "reason": "no_keys"})


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)


def fastapi_helper() -> Callable[[bytes], tuple[int, Any]]:
    app = FastAPI()
    install(app)
    verified = qstash_verified()

    @app.post("/api/qstash")
    async def hook(delivery: Delivery = Depends(verified)) -> dict:
        return {"ok": True}

    client = TestClient(app)

    def post(token: bytes) -> tuple[int, Any]:
        r = client.post("/api/qstash", content=BODY, headers={"Upstash-Signature": token.decode()})
        return r.status_code, r.json()

    return post


def flask_helper() -> Callable[[bytes], tuple[int, Any]]:
    app = Flask(__name__)

    @app.post("/api/qstash")
    @flask_verified()
    def hook() -> dict:
        return {"ok": True}

    client = app.test_client()

    def post(token: bytes) -> tuple[int, Any]:
        r = client.post("/api/qstash", data=BODY, headers={"Upstash-Signature": token.decode()})
        return r.status_code, r.get_json()

    return post


async def ok_asgi(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


def ok_wsgi(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b'{"ok": true}']


def request_of(token: bytes) -> http_cases.RequestBytes:
    return http_cases.RequestBytes("POST", "/api/qstash", [("upstash-signature", token)], BODY, False, False)


def asgi_helper() -> Callable[[bytes], tuple[int, Any]]:
    app = AsgiMiddleware(ok_asgi, paths=["/api/qstash"])

    def post(token: bytes) -> tuple[int, Any]:
        status, _, body = asyncio.run(asgi_call(app, request_of(token)))
        return status, json.loads(body)

    return post


def wsgi_helper() -> Callable[[bytes], tuple[int, Any]]:
    app = WsgiMiddleware(ok_wsgi, paths=["/api/qstash"])

    def post(token: bytes) -> tuple[int, Any]:
        status, _, body = wsgi_call(app, request_of(token))
        return status, json.loads(body)

    return post


def lambda_helper() -> Callable[[bytes], tuple[int, Any]]:
    @lambda_verified()
    def handler(event: dict[str, Any], context: Any, delivery: Any) -> dict[str, Any]:
        return {"statusCode": 200, "body": '{"ok": true}'}

    def post(token: bytes) -> tuple[int, Any]:
        event = {
            "version": "2.0",
            "rawPath": "/api/qstash",
            "rawQueryString": "",
            "headers": {"upstash-signature": token.decode(), "content-type": "application/json"},
            "requestContext": {"http": {"method": "POST", "path": "/api/qstash"}},
            "body": BODY.decode(),
            "isBase64Encoded": False,
        }
        answer = handler(event, None)
        return answer["statusCode"], json.loads(answer["body"])

    return post


HELPERS = {
    "fastapi": fastapi_helper,
    "flask": flask_helper,
    "asgi": asgi_helper,
    "wsgi": wsgi_helper,
    "aws_lambda": lambda_helper,
}


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_a_helper_without_keys_is_built_refuses_no_keys_then_reads_them_when_they_are_set(
    name: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    post = HELPERS[name]()  # built with no keys anywhere: no exception
    token = Signer(CURRENT).sign(URL, BODY).encode()
    with caplog.at_level(logging.WARNING, logger="qstash_verify"):
        assert post(token) == NO_KEYS
    lines = [r.getMessage() for r in caplog.records if r.name == "qstash_verify"]
    assert len(lines) == 1, lines
    assert "reason=no_keys" in lines[0] and "QSTASH_CURRENT_SIGNING_KEY" in lines[0] and "QSTASH_DEV=1" in lines[0], (
        lines[0]
    )
    # Set, with no restart: the next delivery is verified.
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", CURRENT)
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", NEXT)
    assert post(Signer(CURRENT).sign(URL, BODY).encode()) == (200, {"ok": True})
    assert post(Signer("sig_anotherAccount0000000000000").sign(URL, BODY).encode())[0] == 401


def test_keys_that_cannot_work_are_refused_the_same_way_and_the_line_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", CURRENT)  # the next key is missing
    post = fastapi_helper()
    with caplog.at_level(logging.WARNING, logger="qstash_verify"):
        assert post(Signer(CURRENT).sign(URL, BODY).encode()) == NO_KEYS
    assert "QSTASH_NEXT_SIGNING_KEY" in caplog.text, caplog.text
