"""The FastAPI dependency with FastAPI's own test client."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from qstash_verify import Receiver, RedisReplayGuard, Signer
from qstash_verify.fastapi import Delivery, install, qstash_verified

from conftest import URL
from held_store import HeldStore

BODY = b'{"order":42}'
PATH = "/api/qstash"


class Order(BaseModel):
    order: int


def make_app(*, installed: bool = True, **options: object) -> TestClient:
    app = FastAPI()
    if installed:
        install(app)
    verified = qstash_verified(Receiver.dev(), **options)

    @app.post(PATH)
    async def hook(request: Request, delivery: Delivery = Depends(verified)) -> dict:
        again = await request.body()
        return {
            "id": delivery.message_id,
            "retried": delivery.retried,
            "sub": delivery.claims.sub,
            "same": again == delivery.body,
            "len": len(delivery.body),
        }

    @app.post("/api/orders")
    async def orders(order: Order, delivery: Delivery = Depends(verified)) -> dict:
        return {"order": order.order, "key": delivery.claims.key}

    return TestClient(app, raise_server_exceptions=False)


def headers(token: str | None, **extra: str) -> dict:
    h = {"upstash-message-id": "msg_1", "upstash-retried": "2", **extra}
    if token is not None:
        h["upstash-signature"] = token
    return h


def test_valid_delivery_reaches_the_endpoint_and_the_body_stays_readable() -> None:
    r = make_app().post(PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
    assert r.status_code == 200
    assert r.json() == {"id": "msg_1", "retried": 2, "sub": URL, "same": True, "len": len(BODY)}


@pytest.mark.parametrize(
    "token, body, reason",
    [
        (None, BODY, "missing"),
        ("x.y.z", BODY, "malformed"),
        (Signer("sig_attackerKey").sign(URL, BODY), BODY, "signature"),
        (Signer.dev().sign(URL, BODY, now=1), BODY, "expired"),
        (Signer.dev().sign("https://my-app.example.com/api/other", BODY), BODY, "subject"),
        (Signer.dev().sign(URL, BODY), b'{"order":43}', "body"),
    ],
)
def test_every_refusal_is_401_json_with_the_reason(token: str | None, body: bytes, reason: str) -> None:
    r = make_app().post(PATH, content=body, headers=headers(token))
    assert r.status_code == 401
    assert r.json() == {"error": "invalid_signature", "reason": reason}
    assert r.headers["www-authenticate"] == "Upstash-Signature"


def test_without_install_fastapi_wraps_the_same_json_in_detail() -> None:
    r = make_app(installed=False).post(PATH, content=BODY, headers=headers(None))
    assert r.status_code == 401
    assert r.json() == {"detail": {"error": "invalid_signature", "reason": "missing"}}


def test_path_and_query_policy_ignores_scheme_and_host_but_not_the_query() -> None:
    client = make_app()
    token = Signer.dev().sign("https://public.example.org:8443/api/qstash", BODY)
    assert client.post(PATH, content=BODY, headers=headers(token)).status_code == 200
    token = Signer.dev().sign("https://public.example.org/api/qstash?tenant=1", BODY)
    assert client.post(PATH, content=BODY, headers=headers(token)).json()["reason"] == "subject"
    assert client.post(PATH + "?tenant=1", content=BODY, headers=headers(token)).status_code == 200


def test_public_base_and_exact_url_policies() -> None:
    token = Signer.dev().sign(URL, BODY)
    ok = make_app(public_base="https://my-app.example.com/").post(PATH, content=BODY, headers=headers(token))
    assert ok.status_code == 200
    other = make_app(url="https://my-app.example.com/elsewhere").post(PATH, content=BODY, headers=headers(token))
    assert other.json()["reason"] == "subject"
    skip = make_app(check_url=False).post(
        PATH, content=BODY, headers=headers(Signer.dev().sign("https://x.example/y", BODY))
    )
    assert skip.status_code == 200


def test_body_over_the_limit_is_413() -> None:
    token = Signer.dev().sign(URL, BODY)
    r = make_app(body_limit=4).post(PATH, content=BODY, headers=headers(token))
    assert (r.status_code, r.json()) == (413, {"error": "payload_too_large", "reason": "payload_too_large"})

    def chunks():
        yield BODY[:6]
        yield BODY[6:]

    r = make_app(body_limit=8).post(PATH, content=chunks(), headers=headers(token))
    assert r.status_code == 413


def test_body_model_endpoints_still_parse_json_after_verification() -> None:
    token = Signer.dev().sign("https://h.example/api/orders", BODY)
    r = make_app().post("/api/orders", content=BODY, headers=headers(token, **{"content-type": "application/json"}))
    assert r.json() == {"order": 42, "key": "current"}


def test_receiver_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Built without keys in the environment (SPEC.md §7.10: read when deliveries arrive).
    monkeypatch.delenv("QSTASH_CURRENT_SIGNING_KEY", raising=False)
    qstash_verified()

    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_envCurrentKey")
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", "sig_envNextKey")
    app = FastAPI()
    install(app)
    verified = qstash_verified()

    @app.post(PATH)
    async def hook(delivery: Delivery = Depends(verified)) -> dict:
        return {"key": delivery.claims.key}

    client = TestClient(app, raise_server_exceptions=False)
    signed = client.post(PATH, content=BODY, headers=headers(Signer("sig_envNextKey").sign(URL, BODY)))
    assert (signed.status_code, signed.json()) == (200, {"key": "next"})
    other = client.post(PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
    assert (other.status_code, other.json()["reason"]) == (401, "signature")


def test_a_replayed_delivery_is_401_replayed() -> None:
    app = FastAPI()
    install(app)
    verified = qstash_verified(Receiver.dev(replay_protection=True))

    @app.post(PATH)
    async def hook(delivery: Delivery = Depends(verified)) -> dict:
        return {"ok": True}

    client = TestClient(app)
    token = Signer.dev().sign(URL, BODY)
    assert client.post(PATH, content=BODY, headers=headers(token)).status_code == 200
    r = client.post(PATH, content=BODY, headers=headers(token))
    assert (r.status_code, r.json()) == (401, {"error": "invalid_signature", "reason": "replayed"})


@pytest.mark.parametrize("retried", ["1" * 4301, "\u00b9\u00b2\u00b3", "-1", "4294967296"])
def test_a_retried_header_that_is_not_a_count_is_absent_not_a_500(retried: str) -> None:
    token = Signer.dev().sign(URL, BODY)
    # As bytes: the test client refuses to encode non-ASCII text itself.
    r = make_app().post(PATH, content=BODY, headers={**headers(token), "upstash-retried": retried.encode()})
    assert r.status_code == 200
    assert r.json()["retried"] is None


class CountedBody:
    """An ASGI ``receive`` that sends ``body`` in chunks and counts how many the app asked for."""

    def __init__(self, body: bytes, chunk: int = 1024) -> None:
        self.chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        self.read = 0

    async def __call__(self) -> dict:
        if self.read < len(self.chunks):
            self.read += 1
            return {
                "type": "http.request",
                "body": self.chunks[self.read - 1],
                "more_body": self.read < len(self.chunks),
            }
        await asyncio.Event().wait()  # nothing more is coming until the app answers
        return {"type": "http.disconnect"}


async def asgi_post(app: Any, path: str, headers: dict, receive: Any) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    answer: dict = {"status": 0, "body": b""}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def test_a_route_with_a_body_parameter_is_verified_before_any_of_the_body_is_read() -> None:
    app = FastAPI()
    install(app)
    verified = qstash_verified(Receiver.dev())

    @app.post("/api/orders")
    async def orders(order: Order, delivery: Delivery = Depends(verified)) -> dict:
        return {"order": order.order, "id": delivery.message_id}

    big = b'{"order": 1, "padding": "' + b"x" * (256 * 1024) + b'"}'
    unsigned = CountedBody(big)
    status, body = asyncio.run(asgi_post(app, "/api/orders", {"content-type": "application/json"}, unsigned))
    assert (status, json.loads(body)) == (401, {"error": "invalid_signature", "reason": "missing"})
    assert unsigned.read == 0, f"{unsigned.read} chunks of an unsigned body were read"
    signed = CountedBody(BODY)
    token = Signer.dev().sign("https://my-app.example.com/api/orders", BODY)
    status, body = asyncio.run(
        asgi_post(
            app,
            "/api/orders",
            {"content-type": "application/json", "upstash-signature": token, "upstash-message-id": "m"},
            signed,
        )
    )
    assert (status, json.loads(body)) == (200, {"order": 42, "id": "m"})
    # A tampered body is the gate's refusal, never FastAPI's validation error.
    tampered = CountedBody(b'{"order":"x"}')
    status, body = asyncio.run(
        asgi_post(app, "/api/orders", {"content-type": "application/json", "upstash-signature": token}, tampered)
    )
    assert (status, json.loads(body)) == (401, {"error": "invalid_signature", "reason": "body"})


def test_without_install_a_body_parameter_route_still_verifies_and_says_how_to_verify_first(caplog: Any) -> None:
    client = make_app(installed=False)
    token = Signer.dev().sign("https://my-app.example.com/api/orders", BODY)
    json_headers = headers(token, **{"content-type": "application/json"})
    assert client.post("/api/orders", content=BODY, headers=json_headers).status_code == 200
    assert "install(app)" in caplog.text
    assert client.post("/api/orders", content=b'{"order":43}', headers=json_headers).status_code == 401


def test_waiting_for_the_replay_store_leaves_the_event_loop_free() -> None:
    with HeldStore() as store:
        # Longer than any wait below: the delivery ends because the store answers, not by timeout.
        guard = RedisReplayGuard(store.url, timeout=30)
        app = FastAPI()
        install(app)
        verified = qstash_verified(Receiver.dev(), replay_guard=guard)

        @app.post(PATH)
        async def hook(delivery: Delivery = Depends(verified)) -> dict:
            return {"id": delivery.message_id}

        @app.get("/health")
        async def health() -> dict:
            return {"up": True}

        async def scenario() -> None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                delivery = asyncio.ensure_future(
                    client.post(PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
                )
                # Waits on a thread of the test's, so the loop is free for the app meanwhile.
                await asyncio.to_thread(store.wait_for_sets, 1)
                health = await client.get("/health")
                assert health.json() == {"up": True}
                assert not delivery.done(), "the delivery ended before the store answered"
                store.release()
                answer = await delivery
                assert (answer.status_code, answer.json()) == (200, {"id": "msg_1"})

        asyncio.run(scenario())


def test_a_store_that_does_not_answer_in_time_refuses_with_503() -> None:
    with HeldStore() as store:
        client = make_app(replay_guard=RedisReplayGuard(store.url, timeout=0.2))
        r = client.post(PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
        assert (r.status_code, r.json()) == (
            503,
            {"error": "replay_store_unavailable", "reason": "replay_store_unavailable"},
        )


def test_a_store_timeout_above_one_second_waits_for_a_store_that_answers_within_it() -> None:
    # The store answers after 1.5 s; the guard waits up to 3 s. (The connection's own reply
    # timeout was once a fixed second, which answered 503 after 1.00 s whatever was set.)
    with HeldStore(answer_after=1.5) as store:
        client = make_app(replay_guard=RedisReplayGuard(store.url, timeout=3.0))
        r = client.post(PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
        assert r.status_code == 200


def test_a_store_timeout_above_one_second_ends_the_wait_on_a_store_that_never_answers() -> None:
    # Only the guard's own timeout (1.5 s) can end this wait: the store never answers.
    with HeldStore() as store:
        client = make_app(replay_guard=RedisReplayGuard(store.url, timeout=1.5))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            answer = pool.submit(client.post, PATH, content=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
            r = answer.result(timeout=20)
        assert (r.status_code, r.json()) == (
            503,
            {"error": "replay_store_unavailable", "reason": "replay_store_unavailable"},
        )
