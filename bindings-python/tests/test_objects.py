"""The package's objects print like Python objects (``Claims(sub='…', …)``), never like Rust's
``Debug`` (``jti=Some("…")``), never print a key, and read their bodies as the JavaScript ones do."""

from __future__ import annotations

import json

import pytest

from qstash_verify import Delivery, Gate, Receiver, Signer

from conftest import URL

BODY = b'{"order":42}'


def test_receivers_and_signers_print_their_configuration_with_keys_redacted() -> None:
    receiver = Receiver(
        "sig_secretCurrent", "sig_secretNext", regions={"EU_CENTRAL_1": ("sig_euA", "sig_euB")}, clock_tolerance=5
    )
    assert repr(receiver) == (
        "Receiver(current_signing_key=[REDACTED], next_signing_key=[REDACTED], regions=['EU_CENTRAL_1'], "
        "clock_tolerance=5, replay_protection=False)"
    )
    regional = Receiver(regions={"us-east-1": ("sig_usA", "sig_usB")}, replay_protection=True)
    assert repr(regional) == (
        "Receiver(current_signing_key=None, next_signing_key=None, regions=['US_EAST_1'], clock_tolerance=0, "
        "replay_protection=True)"
    )
    assert repr(Signer("sig_secretCurrent")) == "Signer(key=[REDACTED])"
    for shown in (repr(receiver), str(receiver), repr(regional), repr(Signer("sig_secretCurrent"))):
        assert "secret" not in shown and "sig_" not in shown


def test_claims_and_deliveries_print_their_fields_as_python_values() -> None:
    token = Signer.dev().sign(URL, BODY, now=1_750_000_000, jti="jwt_printed")
    claims = Receiver.dev().verify(signature=token, body=BODY, url=URL, now=1_750_000_001)
    assert repr(claims) == (
        f"Claims(sub='{URL}', jti='jwt_printed', exp=1750000300.0, nbf=1750000000.0, iat=1750000000.0, "
        "key='current', region=None)"
    )
    fresh = Signer.dev().sign(URL, BODY, jti="jwt_delivered")
    gate = Gate(Receiver.dev())
    pending = gate.verify_head({"upstash-signature": fresh, "upstash-message-id": "msg_1"}, "/api/qstash")
    pending.update(BODY)
    delivery = pending.finish(BODY)
    assert repr(delivery) == (
        "Delivery(message_id='msg_1', retried=None, region=None, schedule_id=None, topic_name=None, "
        f"claims={delivery.claims!r}, body=b'{{\"order\":42}}')"
    )
    assert "jti='jwt_delivered'" in repr(delivery)


def delivered(body: bytes) -> Delivery:
    gate = Gate(Receiver.dev())
    pending = gate.verify_head({"upstash-signature": Signer.dev().sign(URL, body)}, "/api/qstash")
    pending.update(body)
    return pending.finish(body)


def test_a_delivery_reads_its_body_as_text_and_as_json_like_the_javascript_one() -> None:
    delivery = delivered('{"order":42,"note":"Zoë"}'.encode())
    assert delivery.text() == '{"order":42,"note":"Zoë"}'
    assert delivery.json() == {"order": 42, "note": "Zoë"}
    assert delivered(b"caf\xe9").text() == "caf\ufffd"
    with pytest.raises(json.JSONDecodeError):
        delivered(b"not json").json()
