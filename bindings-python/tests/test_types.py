"""The reason literals of the typed API are the gate's own list. (The stubs matching the native
module, ``mypy.stubtest``, and the typed wrapper passing ``mypy --strict`` are checked by
``cargo xtask lint-python``.)"""

from __future__ import annotations

from typing import get_args

from qstash_verify import REASON_CODES, RejectionReason, SignatureReason


def literals(alias: object) -> list[str]:
    """The strings of a `Literal` or of a `Union` of them, in order."""
    found: list[str] = []
    for arg in get_args(alias):
        found.extend(literals(arg) if get_args(arg) else [arg])
    return found


def test_the_reason_literals_are_the_gates_reason_codes() -> None:
    assert literals(RejectionReason) == list(REASON_CODES)
    assert literals(SignatureReason) == [
        code
        for code in REASON_CODES
        if code not in ("replay_store_unavailable", "payload_too_large", "unreadable_body")
    ]
