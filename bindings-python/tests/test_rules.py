"""Every rule of SPEC.md §3 and §4 through the Python API, in order."""

from __future__ import annotations

import pytest

from qstash_verify import ConfigError, Gate, QStashRejection, Receiver, SignatureError, Signer

from conftest import URL
from tokens import DEV_CURRENT, DEV_NEXT, DROP, claims, mint

BODY = b'{"order":42}'


def reason(receiver: Receiver, token: object, body: object = BODY, **kw: object) -> str:
    with pytest.raises(SignatureError) as caught:
        receiver.verify(signature=token, body=body, **kw)
    return caught.value.reason


def test_valid_token_returns_truthy_claims_with_key_and_jti(now: int) -> None:
    c = Receiver.dev().verify(signature=Signer.dev().sign(URL, BODY), body=BODY, url=URL)
    assert c and c.sub == URL and c.iss == "Upstash" and c.key == "current"
    assert c.jti is not None and c.jti.startswith("jwt_") and c.region is None
    assert c.exp - c.nbf == 300


def test_missing_or_empty_token_is_missing() -> None:
    assert reason(Receiver.dev(), None) == "missing"
    assert reason(Receiver.dev(), "") == "missing"


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "e30.e30.", "e30=.e30.AAAA", "e30.e30.c2ln"])
def test_wrong_shape_or_non_canonical_base64_is_malformed(token: str) -> None:
    assert reason(Receiver.dev(), token) == "malformed"


def test_token_is_never_trimmed(now: int) -> None:
    assert reason(Receiver.dev(), " " + Signer.dev().sign(URL, BODY)) == "malformed"


def test_wrong_key_is_signature() -> None:
    assert reason(Receiver.dev(), Signer("sig_otherAccountKey").sign(URL, BODY)) == "signature"


def test_next_key_verifies_and_says_so() -> None:
    assert Receiver.dev().verify(signature=Signer.dev_next().sign(URL, BODY), body=BODY).key == "next"


def test_reason_is_not_masked_by_the_next_key_fallback(now: int) -> None:
    expired = Signer.dev().sign(URL, BODY, now=now - 3600)
    assert reason(Receiver.dev(), expired) == "expired"


@pytest.mark.parametrize(
    "header",
    [
        '{"alg":"none"}',
        '{"alg":"hs256"}',
        '{"alg":"HS512"}',
        '{"alg":"HS256","crit":["b64"]}',
        '{"alg":"HS256","b64":false}',
        '{"alg":"HS256","alg":"HS256"}',
        '{"alg":"HS256","kid":1}',
    ],
)
def test_bad_authenticated_header_is_malformed(header: str, now: int) -> None:
    assert reason(Receiver.dev(), mint(claims(URL, BODY, now), header=header)) == "malformed"


@pytest.mark.parametrize(
    "override",
    [{"exp": DROP}, {"nbf": DROP}, {"exp": "soon"}, {"iat": "now"}, {"jti": 7}, {"aud": "someone"}],
)
def test_bad_claims_are_malformed(override: dict, now: int) -> None:
    assert reason(Receiver.dev(), mint(claims(URL, BODY, now, **override))) == "malformed"


def test_duplicate_claim_is_malformed(now: int) -> None:
    raw = f'{{"body":"x","body":"y","exp":{now + 60},"iss":"Upstash","nbf":{now},"sub":"{URL}"}}'
    assert reason(Receiver.dev(), mint(None, raw_payload=raw)) == "malformed"


def test_fractional_and_negative_times_are_accepted(now: int) -> None:
    token = mint(claims(URL, BODY, now, exp=now + 10.5, nbf=-62135596800))
    assert Receiver.dev().verify(signature=token, body=BODY, now=now)


def test_other_issuer_is_issuer(now: int) -> None:
    assert reason(Receiver.dev(), Signer.dev().sign(URL, BODY, issuer="upstash")) == "issuer"


def test_expired_at_exactly_exp_and_tolerance_applies(now: int) -> None:
    token = Signer.dev().sign(URL, BODY, now=now, expires_at=now + 10)
    assert reason(Receiver.dev(), token, now=now + 10) == "expired"
    assert Receiver.dev().verify(signature=token, body=BODY, now=now + 10, clock_tolerance=1)
    # A receiver's own tolerance applies when a call gives none, and only that far.
    keys = (DEV_CURRENT + "x", DEV_NEXT + "x")
    own = Signer(keys[0]).sign(URL, BODY, now=now, expires_at=now + 10)
    lenient = Receiver(*keys, clock_tolerance=5)
    assert lenient.verify(signature=own, body=BODY, now=now + 14).key == "current"
    assert reason(lenient, own, now=now + 15) == "expired"


def test_clock_tolerance_is_real_not_a_no_op(now: int) -> None:
    # The official Python receiver ignores it; here a token 3 s early verifies with 5 s.
    token = Signer.dev().sign(URL, BODY, now=now + 3)
    assert reason(Receiver.dev(), token, now=now) == "not_yet_valid"
    assert Receiver.dev().verify(signature=token, body=BODY, now=now, clock_tolerance=5)


def test_receiver_level_tolerance_applies_when_the_call_sets_none(now: int) -> None:
    tolerant = Receiver(regions={"EU_CENTRAL_1": ("sig_euCurrentKey", "sig_euNextKey")}, clock_tolerance=5)
    token = Signer("sig_euCurrentKey").sign(URL, BODY, now=now + 3)
    assert tolerant.verify(signature=token, body=BODY, region="eu-central-1", now=now)


def test_future_iat_is_not_yet_valid(now: int) -> None:
    token = mint(claims(URL, BODY, now, iat=now + 100))
    assert reason(Receiver.dev(), token, now=now) == "not_yet_valid"


def test_other_url_is_subject_and_empty_url_is_compared() -> None:
    token = Signer.dev().sign(URL, BODY)
    assert reason(Receiver.dev(), token, url=URL + "/") == "subject"
    assert reason(Receiver.dev(), token, url="") == "subject"


def test_non_string_sub_is_subject_even_without_a_url(now: int) -> None:
    assert reason(Receiver.dev(), mint(claims(URL, BODY, now, sub=5))) == "subject"


def test_tampered_body_is_body_and_padding_on_the_claim_is_accepted(now: int) -> None:
    assert reason(Receiver.dev(), Signer.dev().sign(URL, BODY), body=b'{"order":43}') == "body"
    padded = claims(URL, BODY, now)
    padded["body"] += "="
    assert Receiver.dev().verify(signature=mint(padded), body=BODY)


def test_region_header_picks_the_region_pair_and_unknown_regions_use_the_default() -> None:
    receiver = Receiver(
        DEV_CURRENT[:-1] + "X", DEV_NEXT[:-1] + "X", regions={"US_EAST_1": ("sig_usCurrentKey", "sig_usNextKey")}
    )
    token = Signer("sig_usNextKey").sign(URL, BODY)
    c = receiver.verify(signature=token, body=BODY, region="us-east-1")
    assert (c.key, c.region) == ("next", "US_EAST_1")
    assert reason(receiver, token, region="eu-central-1") == "signature"


def test_region_only_receiver_without_a_matching_region_is_no_keys() -> None:
    receiver = Receiver(regions={"US_EAST_1": ("sig_usCurrentKey", "sig_usNextKey")})
    assert reason(receiver, Signer("sig_usCurrentKey").sign(URL, BODY)) == "no_keys"


@pytest.mark.parametrize("keys", [("", "sig_x"), ("sig_x", ""), (DEV_CURRENT, DEV_NEXT), ("sig_x", None)])
def test_empty_dev_or_single_keys_are_refused_with_config(keys: tuple) -> None:
    with pytest.raises(ConfigError) as caught:
        Receiver(*keys)
    assert caught.value.reason == "config"
    assert isinstance(caught.value, ValueError)


def test_dev_keys_are_refused_with_a_message_naming_dev() -> None:
    with pytest.raises(ConfigError, match="dev"):
        Receiver(DEV_CURRENT, DEV_NEXT)


def test_keys_never_appear_in_reprs_or_errors() -> None:
    receiver = Receiver("sig_secretCurrent", "sig_secretNext")
    assert "secret" not in repr(receiver) and "[REDACTED]" in repr(receiver)
    assert "secret" not in repr(Signer("sig_secretCurrent"))
    with pytest.raises(SignatureError) as caught:
        receiver.verify(signature=Signer.dev().sign(URL, BODY), body=BODY)
    assert "secret" not in str(caught.value)


def test_keys_replaced_on_a_live_receiver_apply_to_the_next_verify() -> None:
    receiver = Receiver("sig_oldCurrent", "sig_oldNext")
    token = Signer("sig_newCurrent").sign(URL, BODY)
    assert reason(receiver, token) == "signature"
    receiver.replace_keys("sig_newCurrent", "sig_newNext")
    assert receiver.verify(signature=token, body=BODY)
    with pytest.raises(ConfigError):
        receiver.replace_keys("", "sig_x")


def test_from_env_reads_the_official_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_envCurrent")
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", "sig_envNext")
    token = Signer("sig_envNext").sign(URL, BODY)
    assert Receiver.from_env().verify(signature=token, body=BODY).key == "next"
    monkeypatch.delenv("QSTASH_NEXT_SIGNING_KEY")
    with pytest.raises(ConfigError):
        Receiver.from_env()


def test_negative_clock_tolerance_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Receiver.dev().verify(signature=Signer.dev().sign(URL, BODY), body=BODY, clock_tolerance=-1)


def test_streaming_verification_refuses_a_tampered_body() -> None:
    pending = Receiver.dev().verify_token(signature=Signer.dev().sign(URL, BODY), path_and_query="/api/qstash")
    pending.update(BODY[:5])
    pending.update(b"X" + BODY[6:])
    with pytest.raises(SignatureError) as caught:
        pending.finish()
    assert caught.value.reason == "body"

    delivery = Gate(Receiver.dev()).verify_head({"upstash-signature": Signer.dev().sign(URL, BODY)}, "/api/qstash")
    delivery.update(BODY + b" ")
    with pytest.raises(QStashRejection) as refused:
        delivery.finish(BODY + b" ")
    assert (refused.value.status, refused.value.reason) == (401, "body")


def test_streaming_verification_checks_the_token_before_the_body(now: int) -> None:
    pending = Receiver.dev().verify_token(signature=Signer.dev().sign(URL, BODY), path_and_query="/api/qstash")
    assert pending.sub == URL
    pending.update(BODY[:5])
    pending.update(memoryview(BODY)[5:])
    assert pending.finish().sub == URL
    with pytest.raises(RuntimeError):
        pending.finish()
    with pytest.raises(SignatureError) as caught:
        Receiver.dev().verify_token(signature=Signer.dev().sign(URL, BODY), path_and_query="/other")
    assert caught.value.reason == "subject"


def test_replay_protection_refuses_a_token_already_accepted() -> None:
    receiver = Receiver.dev(replay_protection=True)
    token = Signer.dev().sign(URL, BODY)
    assert receiver.verify(signature=token, body=BODY)
    assert reason(receiver, token) == "replayed"
    assert receiver.verify(signature=Signer.dev().sign(URL, BODY), body=BODY)
    assert receiver.replay_entries == 2
    # Failed verifications are never remembered, and receivers without the option never refuse.
    assert reason(receiver, Signer.dev().sign(URL, BODY), body=b"tampered") == "body"
    assert receiver.replay_entries == 2
    plain = Receiver.dev()
    assert plain.verify(signature=token, body=BODY) and plain.verify(signature=token, body=BODY)
