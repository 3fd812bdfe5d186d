"""The reason codes of SPEC.md §3.2 as types: what ``SignatureError.reason`` and
``QStashRejection.reason`` can be. The test suite checks them against the gate's own list
(``REASON_CODES``)."""

from __future__ import annotations

from typing import Literal

#: Why a delivery did not verify.
SignatureReason = Literal[
    "missing",
    "malformed",
    "no_keys",
    "signature",
    "issuer",
    "expired",
    "not_yet_valid",
    "subject",
    "body",
    "replayed",
]

#: Why a front end refused a request: a verification's reason, or an HTTP one.
RejectionReason = SignatureReason | Literal["replay_store_unavailable", "payload_too_large", "unreadable_body"]

__all__ = ["RejectionReason", "SignatureReason"]
