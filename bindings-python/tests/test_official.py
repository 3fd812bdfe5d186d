"""Differential tests against the official ``qstash`` package (``qstash.Receiver``).

On tokens our Signer mints, both must accept the valid ones and reject the tampered ones.
On the shared vectors, the official receiver is run at each case's ``now`` and must answer
what the vectors' ``sdk.py`` field records, wrong answers included.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt.api_jwt
import pytest
from qstash import Receiver as OfficialReceiver
from qstash.errors import SignatureError as OfficialSignatureError

from qstash_verify import ConfigError, Receiver, SignatureError, Signer

from conftest import URL, VECTORS

KEYS = ("sig_diffCurrentKey", "sig_diffNextKey")
BODY = '{"order":42,"note":"Zoë"}'


def ours_accepts(receiver: Receiver, **kw: object) -> bool:
    try:
        return bool(receiver.verify(**kw))
    except SignatureError:
        return False


def official_accepts(receiver: OfficialReceiver, **kw: object) -> bool:
    try:
        receiver.verify(**kw)
        return True
    except OfficialSignatureError:
        return False


def minted_cases(now: int) -> list:
    current, nxt = Signer(KEYS[0]), Signer(KEYS[1])
    valid = current.sign(URL, BODY)
    tampered_token = valid[:-3] + ("AAA" if not valid.endswith("AAA") else "BBB")
    return [
        ("valid, current key", dict(signature=valid, body=BODY, url=URL), True),
        ("valid, next key", dict(signature=nxt.sign(URL, BODY), body=BODY, url=URL), True),
        ("valid, no url check", dict(signature=valid, body=BODY), True),
        ("tampered body", dict(signature=valid, body=BODY + " ", url=URL), False),
        ("tampered token", dict(signature=tampered_token, body=BODY, url=URL), False),
        ("expired", dict(signature=current.sign(URL, BODY, now=now - 3600), body=BODY, url=URL), False),
        ("not yet valid", dict(signature=current.sign(URL, BODY, now=now + 3600), body=BODY, url=URL), False),
        ("other url", dict(signature=valid, body=BODY, url=URL + "/admin"), False),
        ("other key", dict(signature=Signer("sig_attackerKey").sign(URL, BODY), body=BODY, url=URL), False),
    ]


def test_both_accept_valid_minted_tokens_and_reject_tampered_ones(now: int) -> None:
    ours, official = Receiver(*KEYS), OfficialReceiver(*KEYS)
    for name, kw, want in minted_cases(now):
        assert ours_accepts(ours, **kw) is want, f"qstash_verify on {name}"
        assert official_accepts(official, **kw) is want, f"official qstash on {name}"


# The vectors on which the official receiver raises something other than its SignatureError
# (KeyError, AttributeError): in a web app, a 500 instead of a refusal.
OFFICIAL_CRASHES = {"body-empty-claim-missing", "body-nonempty-claim-missing", "body-claim-object"}


def official_verdict_at(case: dict, monkeypatch: pytest.MonkeyPatch) -> str:
    """The official receiver's verdict on a vector at the vector's clock: ``valid``, ``invalid``
    (its ``SignatureError``) or ``crashed`` (any other exception). A body that is not UTF-8 is
    given as Flask's ``get_data(as_text=True)`` gives it, decoded with replacement characters:
    the official receiver takes only text."""
    body = base64.b64decode(case["body_b64"]).decode("utf-8", errors="replace")
    now = case["now"]

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return dt.datetime.fromtimestamp(now, tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", Frozen)
    receiver = OfficialReceiver(case["current_key"], case["next_key"])
    try:
        receiver.verify(signature=case["token"], body=body, url=case["url"], clock_tolerance=case["clock_tolerance_s"])
        return "valid"
    except OfficialSignatureError:
        return "invalid"
    except Exception:
        return "crashed"


def test_on_the_vectors_the_official_receiver_answers_what_the_vectors_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Ours answers every vector as expected; the official receiver answers what the vectors'
    ``sdk.py`` field records (a crash counting as a refusal there), and crashes on exactly the
    cases known to crash it. A change on either side fails here."""
    cases = [json.loads(line) for line in VECTORS.read_text(encoding="utf-8").splitlines() if line.strip()]
    differs, crashed = [], set()
    for case in cases:
        try:
            ours = (
                "valid"
                if ours_accepts(
                    Receiver(case["current_key"], case["next_key"]),
                    signature=case["token"],
                    body=base64.b64decode(case["body_b64"]),
                    url=case["url"],
                    clock_tolerance=case["clock_tolerance_s"],
                    now=case["now"],
                )
                else "invalid"
            )
        except ConfigError:
            ours = "invalid"
        assert ours == case["expect"], case["id"]
        with monkeypatch.context() as m:
            official = official_verdict_at(case, m)
        if official == "crashed":
            crashed.add(case["id"])
        if ("invalid" if official == "crashed" else official) != case["sdk"]["py"]:
            differs.append(f"{case['id']} (official: {official}, recorded: {case['sdk']['py']})")
    assert differs == [], "the official receiver no longer answers as the vectors record"
    assert crashed == OFFICIAL_CRASHES
    wrong = [case["id"] for case in cases if case["sdk"]["py"] != case["expect"]]
    with capsys.disabled():
        print(
            f"\nofficial qstash.Receiver wrong on {len(wrong)} of {len(cases)} public vectors, "
            f"crashing on {len(crashed)}: {', '.join(wrong)}"
        )


def test_a_token_from_qstash_kit_sign_verifies_with_the_official_receiver(now: int) -> None:
    import subprocess

    from conftest import REPO

    token = subprocess.run(
        ["cargo", "run", "-q", "-p", "qstash-kit", "--", "sign", "--url", URL, "--data", BODY, "--key", KEYS[0]],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    OfficialReceiver(*KEYS).verify(signature=token, body=BODY, url=URL)
    assert Receiver(*KEYS).verify(signature=token, body=BODY, url=URL).key == "current"
