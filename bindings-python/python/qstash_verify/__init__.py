"""Strict, fast verification of Upstash QStash webhooks, a drop-in for ``qstash.Receiver``.

>>> from qstash_verify import Receiver, Signer
>>> receiver = Receiver.dev()  # in production: Receiver(current, next) or Receiver.from_env()
>>> token = Signer.dev().sign("https://example.com/api/qstash", b'{"hello":1}')
>>> claims = receiver.verify(signature=token, body=b'{"hello":1}', url="https://example.com/api/qstash")
>>> claims.sub
'https://example.com/api/qstash'

Every failure raises :class:`SignatureError` whose ``reason`` is a stable code (the full
list is ``REASON_CODES``). :class:`Gate` runs the whole HTTP sequence of the FastAPI and Flask
helpers for any other framework.
"""

from __future__ import annotations

from qstash_verify._native import (
    DEFAULT_BODY_LIMIT,
    REASON_CODES,
    Callback,
    Claims,
    ConfigError,
    Delivery,
    Gate,
    GuardedPaths,
    Outcome,
    PendingBody,
    PendingDelivery,
    QStashRejection,
    Receiver,
    RedisReplayGuard,
    SignatureError,
    Signer,
    path_and_query_of,
)
from qstash_verify.reasons import RejectionReason, SignatureReason

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "REASON_CODES",
    "Callback",
    "Claims",
    "ConfigError",
    "Delivery",
    "Gate",
    "GuardedPaths",
    "Outcome",
    "PendingBody",
    "PendingDelivery",
    "QStashRejection",
    "Receiver",
    "RedisReplayGuard",
    "RejectionReason",
    "SignatureError",
    "SignatureReason",
    "Signer",
    "path_and_query_of",
]
