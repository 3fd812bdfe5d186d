"""Migrating from the official ``qstash`` package is one import: the receiver snippet of the
official docs, with ``from qstash import Receiver`` changed to ``from qstash_verify import
Receiver`` and nothing else, answers valid and tampered deliveries as before, and the
``except qstash.errors.SignatureError`` written for the official package still catches the
refusal (otherwise the refusal escapes the handler: a 500 in a web app)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from qstash_verify import Signer

from conftest import URL

KEYS = ("sig_migrationCurrentKey", "sig_migrationNextKey")
BODY = '{"order":42}'

# The official docs' receiver snippet (qstash-py README, "Verify the signature"), inside the
# handler a web app would wrap it in: the official error class answers 401.
OFFICIAL_SNIPPET = """
from qstash import Receiver
from qstash.errors import SignatureError

receiver = Receiver(
    current_signing_key=CURRENT_SIGNING_KEY,
    next_signing_key=NEXT_SIGNING_KEY,
)

def handler(req):
    signature, body = req.headers["Upstash-Signature"], req.body
    try:
        receiver.verify(
            body=body,
            signature=signature,
            url="YOUR-SITE-URL",
        )
    except SignatureError as error:
        return 401, str(error)
    return 200, "ok"
"""


class Request:
    def __init__(self, headers: dict[str, str], body: str) -> None:
        self.headers = headers
        self.body = body


def load_handler(snippet: str) -> Callable[[Request], tuple[int, str]]:
    namespace: dict[str, Any] = {"CURRENT_SIGNING_KEY": KEYS[0], "NEXT_SIGNING_KEY": KEYS[1]}
    exec(snippet.replace("YOUR-SITE-URL", URL), namespace)
    return namespace["handler"]  # type: ignore[no-any-return]


def migrated(snippet: str) -> str:
    changed = snippet.replace("from qstash import Receiver", "from qstash_verify import Receiver")
    assert sum(a != b for a, b in zip(snippet.splitlines(), changed.splitlines(), strict=False)) == 1
    return changed


def deliveries() -> dict[str, Request]:
    valid = Signer(KEYS[0]).sign(URL, BODY)
    return {
        "valid": Request({"Upstash-Signature": valid}, BODY),
        "valid, next key": Request({"Upstash-Signature": Signer(KEYS[1]).sign(URL, BODY)}, BODY),
        "tampered body": Request({"Upstash-Signature": valid}, BODY.replace("42", "43")),
        "tampered token": Request(
            {"Upstash-Signature": valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB")}, BODY
        ),
        "another key": Request({"Upstash-Signature": Signer("sig_someoneElse").sign(URL, BODY)}, BODY),
        "another url": Request({"Upstash-Signature": Signer(KEYS[0]).sign(URL + "/other", BODY)}, BODY),
    }


EXPECTED = {
    "valid": 200,
    "valid, next key": 200,
    "tampered body": 401,
    "tampered token": 401,
    "another key": 401,
    "another url": 401,
}


@pytest.mark.parametrize("snippet", ["official", "migrated"])
def test_the_official_receiver_snippet_answers_the_same_with_one_import_changed(snippet: str) -> None:
    handler = load_handler(OFFICIAL_SNIPPET if snippet == "official" else migrated(OFFICIAL_SNIPPET))
    statuses = {name: handler(request)[0] for name, request in deliveries().items()}
    assert statuses == EXPECTED


def test_the_refusal_is_both_classes_and_keeps_its_reason() -> None:
    import qstash.errors

    import qstash_verify

    handler_error = None
    try:
        qstash_verify.Receiver(*KEYS).verify(signature="not-a-token", body=BODY, url=URL)
    except qstash.errors.SignatureError as error:
        handler_error = error
    assert isinstance(handler_error, qstash_verify.SignatureError)
    assert isinstance(handler_error, qstash.errors.QStashError)
    assert handler_error.reason == "malformed"  # type: ignore[attr-defined]


@pytest.mark.parametrize("order", ["official imported first", "official imported after a first refusal"])
def test_the_official_class_catches_the_refusal_whichever_module_is_imported_first(order: str) -> None:
    # A fresh interpreter: this process has long imported both packages.
    first_refusal = "" if order == "official imported first" else "refuse()"
    program = textwrap.dedent(
        f"""
        import qstash_verify

        def refuse():
            try:
                qstash_verify.Receiver({KEYS[0]!r}, {KEYS[1]!r}).verify(signature="x", body="", url=None)
            except qstash_verify.SignatureError as error:
                return error

        {first_refusal}
        import qstash.errors
        try:
            raise refuse()
        except qstash.errors.SignatureError as error:
            print("caught by the official class:", error.reason)
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "caught by the official class: malformed\n"


def test_without_the_official_package_the_refusal_is_qstash_verifys_own() -> None:
    # `qstash` is installed here; a fresh interpreter that never imports it must not load it.
    program = textwrap.dedent(
        f"""
        import sys
        import qstash_verify
        try:
            qstash_verify.Receiver({KEYS[0]!r}, {KEYS[1]!r}).verify(signature="x", body="", url=None)
        except qstash_verify.SignatureError as error:
            print(type(error).__mro__[1].__name__, "qstash" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Exception False\n"
