"""The public development keys (those ``qstash-kit dev`` signs with) are refused unless the
user opts in: ``QSTASH_DEV=1`` in the environment, as ``qstash-kit dev`` prints it, or
``dev_mode=True`` / ``Receiver.dev()`` in code. The refusal says so in Python's words."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from qstash_verify import ConfigError, Delivery, Receiver, Signer
from qstash_verify.fastapi import install, qstash_verified

from conftest import URL
from tokens import DEV_CURRENT, DEV_NEXT

BODY = b'{"order":42}'
KEY_VARS = ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "QSTASH_REGION", "QSTASH_DEV")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)


def export_as_qstash_kit_dev_prints(monkeypatch: pytest.MonkeyPatch, *, dev: bool) -> None:
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", DEV_CURRENT)
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", DEV_NEXT)
    if dev:
        monkeypatch.setenv("QSTASH_DEV", "1")


def test_the_development_keys_are_refused_without_the_opt_in_and_the_message_says_it_in_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_as_qstash_kit_dev_prints(monkeypatch, dev=False)
    for build in (Receiver, Receiver.from_env, lambda: Receiver(DEV_CURRENT, DEV_NEXT)):
        with pytest.raises(ConfigError) as refused:
            build()
        message = str(refused.value)
        assert "QSTASH_DEV=1" in message and "Receiver.dev()" in message, message
        assert "::" not in message, message


def test_qstash_dev_set_as_qstash_kit_dev_prints_turns_every_way_of_loading_keys_to_the_development_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_as_qstash_kit_dev_prints(monkeypatch, dev=True)
    token = Signer.dev().sign(URL, BODY)
    for receiver in (Receiver(), Receiver.from_env()):
        assert receiver.verify(signature=token, body=BODY, url=URL).key == "current"
    monkeypatch.delenv("QSTASH_CURRENT_SIGNING_KEY")
    monkeypatch.delenv("QSTASH_NEXT_SIGNING_KEY")
    assert Receiver().verify(signature=token, body=BODY, url=URL)


def test_the_framework_helpers_load_the_development_keys_with_qstash_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    export_as_qstash_kit_dev_prints(monkeypatch, dev=True)
    app = FastAPI()
    install(app)

    @app.post("/api/qstash")
    async def hook(delivery: Delivery = Depends(qstash_verified())) -> dict:
        return delivery.json()  # type: ignore[no-any-return]

    client = TestClient(app)
    signed = client.post(
        "/api/qstash",
        content=BODY,
        headers={"upstash-signature": Signer.dev().sign("http://testserver/api/qstash", BODY)},
    )
    assert (signed.status_code, signed.json()) == (200, {"order": 42})
    other = client.post(
        "/api/qstash",
        content=BODY,
        headers={"upstash-signature": Signer("sig_production").sign("http://testserver/api/qstash", BODY)},
    )
    assert (other.status_code, other.json()["reason"]) == (401, "signature")


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_qstash_dev_off_keeps_refusing_the_development_keys(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    export_as_qstash_kit_dev_prints(monkeypatch, dev=False)
    monkeypatch.setenv("QSTASH_DEV", value)
    with pytest.raises(ConfigError, match="QSTASH_DEV=1"):
        Receiver()


def test_an_explicit_dev_mode_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    export_as_qstash_kit_dev_prints(monkeypatch, dev=True)
    with pytest.raises(ConfigError, match=r"Receiver\.dev\(\)"):
        Receiver(dev_mode=False)
    monkeypatch.delenv("QSTASH_DEV")
    assert Receiver(dev_mode=True).verify(signature=Signer.dev().sign(URL, BODY), body=BODY, url=URL)


def test_development_mode_with_other_keys_or_an_unknown_value_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QSTASH_DEV", "1")
    with pytest.raises(ConfigError, match="other signing keys are configured"):
        Receiver("sig_productionCurrent", "sig_productionNext")
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_productionCurrent")
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", "sig_productionNext")
    with pytest.raises(ConfigError, match="other signing keys are configured"):
        Receiver.from_env()
    monkeypatch.setenv("QSTASH_DEV", "yes")
    with pytest.raises(ConfigError, match="QSTASH_DEV must be"):
        Receiver()
