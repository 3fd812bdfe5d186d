"""The FastAPI dependency with FastAPI's own test client."""

from __future__ import annotations

import pytest
from conftest import URL
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from qstash_verify import Receiver, Signer
from qstash_verify.fastapi import Delivery, install, qstash_verified

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
        return {"id": delivery.message_id, "retried": delivery.retried, "sub": delivery.claims.sub,
                "same": again == delivery.body, "len": len(delivery.body)}

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
    skip = make_app(check_url=False).post(PATH, content=BODY,
                                          headers=headers(Signer.dev().sign("https://x.example/y", BODY)))
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
    monkeypatch.delenv("QSTASH_CURRENT_SIGNING_KEY", raising=False)
    from qstash_verify import ConfigError

    with pytest.raises(ConfigError):
        qstash_verified()


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
