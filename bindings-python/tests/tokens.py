"""Hand-built tokens for rules the Signer never breaks (bad headers, odd claims)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

DEV_CURRENT = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
DEV_NEXT = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
HEADER = '{"alg":"HS256","typ":"JWT"}'


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def body_claim(body: bytes) -> str:
    return b64url(hashlib.sha256(body).digest())


def claims(url: str, body: bytes, now: int, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "aud": "",
        "body": body_claim(body),
        "exp": now + 300,
        "iat": now,
        "iss": "Upstash",
        "jti": "jwt_test",
        "nbf": now,
        "sub": url,
    }
    for key, value in overrides.items():
        if value is DROP:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


DROP = object()


def mint(payload: Any, *, header: str = HEADER, key: str = DEV_CURRENT, raw_payload: str | None = None) -> str:
    text = raw_payload if raw_payload is not None else json.dumps(payload, separators=(",", ":"))
    signing_input = b64url(header.encode()) + "." + b64url(text.encode())
    tag = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(tag)
