"""The Flask decorator with Flask's own test client."""

from __future__ import annotations

import pytest
from flask import Flask, g, request

from qstash_verify import Receiver, Signer
from qstash_verify.flask import qstash_verified

from conftest import URL

BODY = b'{"order":42}'
PATH = "/api/qstash"


def make_client(**options: object):
    app = Flask(__name__)

    @app.post(PATH)
    @qstash_verified(Receiver.dev(), **options)
    def hook():
        return {
            "id": g.qstash.message_id,
            "retried": g.qstash.retried,
            "sub": g.qstash.claims.sub,
            "same": request.get_data() == g.qstash.body,
            "json": request.get_json(force=True),
        }

    return app.test_client()


def headers(token: str | None) -> dict:
    h = {"upstash-message-id": "msg_1", "upstash-retried": "2"}
    if token is not None:
        h["upstash-signature"] = token
    return h


def test_valid_delivery_reaches_the_view_and_the_body_stays_readable() -> None:
    r = make_client().post(PATH, data=BODY, headers=headers(Signer.dev().sign(URL, BODY)))
    assert r.status_code == 200
    assert r.get_json() == {"id": "msg_1", "retried": 2, "sub": URL, "same": True, "json": {"order": 42}}


@pytest.mark.parametrize(
    "token, body, reason",
    [
        (None, BODY, "missing"),
        ("not-a-token", BODY, "malformed"),
        (Signer("sig_attackerKey").sign(URL, BODY), BODY, "signature"),
        (Signer.dev().sign(URL, BODY, now=1), BODY, "expired"),
        (Signer.dev().sign("https://my-app.example.com/api/other", BODY), BODY, "subject"),
        (Signer.dev().sign(URL, BODY), b'{"order":43}', "body"),
    ],
)
def test_every_refusal_is_401_json_with_the_reason(token: str | None, body: bytes, reason: str) -> None:
    r = make_client().post(PATH, data=body, headers=headers(token))
    assert r.status_code == 401
    assert r.get_json() == {"error": "invalid_signature", "reason": reason}
    assert r.headers["WWW-Authenticate"] == "Upstash-Signature"


def test_query_is_part_of_the_checked_url() -> None:
    token = Signer.dev().sign("https://public.example.org/api/qstash?tenant=1", BODY)
    client = make_client()
    assert client.post(PATH, data=BODY, headers=headers(token)).get_json()["reason"] == "subject"
    assert client.post(PATH + "?tenant=1", data=BODY, headers=headers(token)).status_code == 200


def test_body_over_the_limit_is_413_and_binary_bodies_verify() -> None:
    token = Signer.dev().sign(URL, BODY)
    r = make_client(body_limit=4).post(PATH, data=BODY, headers=headers(token))
    assert (r.status_code, r.get_json()["reason"]) == (413, "payload_too_large")
    app = Flask(__name__)

    @app.post("/raw")
    @qstash_verified(Receiver.dev(), check_url=False)
    def raw():
        return g.qstash.body

    binary = b"\xff\x00\xfe"
    r = app.test_client().post("/raw", data=binary, headers=headers(Signer.dev().sign(URL, binary)))
    assert (r.status_code, r.data) == (200, binary)


@pytest.mark.parametrize("retried", ["1" * 4301, "\u00b9\u00b2\u00b3", "-1", "4294967296"])
def test_a_retried_header_that_is_not_a_count_is_absent_not_a_500(retried: str) -> None:
    token = Signer.dev().sign(URL, BODY)
    r = make_client().post(PATH, data=BODY, headers={**headers(token), "upstash-retried": retried})
    assert r.status_code == 200
    assert r.get_json()["retried"] is None
