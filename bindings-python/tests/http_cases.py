"""The HTTP conformance cases of ``vectors/http_conformance.jsonl`` (format in
``vectors/README.md``): read, tokens minted, requests laid out as bytes, so the FastAPI and
Flask runners only translate them into their framework's request and compare answers."""

from __future__ import annotations

import base64
import json
import pathlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from qstash_verify import Receiver, Signer

from conftest import REPO

CASES = REPO / "vectors" / "http_conformance.jsonl"
ORIGIN = "https://hooks.example.com"
ROUTE = "/api/qstash"
CURRENT = "sig_httpCasesCurrentKey00000000"
NEXT = "sig_httpCasesNextKey111111111111"
OTHER = "sig_httpCasesOtherAccount222222"
EU_CURRENT = "sig_httpCasesEuCurrentKey333333"
EU_NEXT = "sig_httpCasesEuNextKey4444444444"
KEYS = {"current": CURRENT, "next": NEXT, "other": OTHER, "eu_current": EU_CURRENT}
DEFAULT_HEADERS = [("content-type", b"application/json"), ("upstash-message-id", b"msg_1"), ("upstash-retried", b"0")]


def load(*, path_list: bool = False) -> list[dict[str, Any]]:
    """The cases a front end runs: those of a guard given a list of paths (``"guard": "paths"``)
    only for the front ends that take one (the ASGI and WSGI middlewares, ``path_list``)."""
    cases = [json.loads(line) for line in pathlib.Path(CASES).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if path_list or c.get("guard") != "paths"]


def text(value: Any) -> bytes:
    return base64.b64decode(value["b64"]) if isinstance(value, dict) else value.encode("utf-8")


def receiver(case: dict[str, Any]) -> Receiver:
    kind = case.get("receiver", "default")
    replay = bool(case.get("replay"))
    if kind == "default":
        return Receiver(CURRENT, NEXT, replay_protection=replay)
    if kind == "regions_only":
        return Receiver(regions={"US_EAST_1": (CURRENT, NEXT)}, replay_protection=replay)
    if kind == "with_eu_region":
        return Receiver(CURRENT, NEXT, regions={"EU_CENTRAL_1": (EU_CURRENT, EU_NEXT)}, replay_protection=replay)
    raise ValueError(f"{case['id']}: unknown receiver {kind}")


def gate_options(case: dict[str, Any]) -> dict[str, Any]:
    """The helpers' keyword arguments (the same names as the case's `gate`)."""
    return dict(case.get("gate", {}))


@dataclass
class RequestBytes:
    method: str
    target: str
    headers: list[tuple[str, bytes]]
    body: bytes
    chunked: bool
    broken: bool

    @property
    def path(self) -> str:
        """The path of the target as a server parses it (an absolute form's path alone), still
        percent-encoded."""
        path = self.target.split("?", 1)[0]
        if not path.startswith("/") and "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return path

    @property
    def decoded_path(self) -> str:
        """The path as servers hand it to the framework, which routes on it: decoded (ASGI's
        ``path``; WSGI's ``PATH_INFO``, as latin-1 text holding the bytes)."""
        return unquote_to_bytes(self.path).decode("latin-1")

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def chunks(self) -> list[bytes]:
        if not self.chunked:
            return [self.body]
        return [self.body[i : i + 4] for i in range(0, len(self.body), 4)]


def mint(case: dict[str, Any], spec: dict[str, Any], body: bytes) -> bytes:
    if "raw" in spec:
        return spec["raw"].encode("utf-8")
    if "raw_b64" in spec:
        return base64.b64decode(spec["raw_b64"])
    sub = spec.get("sub", ROUTE)
    if sub.startswith("/"):
        sub = ORIGIN + sub
    now = int(time.time())
    iat = now + spec.get("iat", 0)
    token = Signer(KEYS[spec.get("key", "current")]).sign(
        sub,
        spec["body"].encode("utf-8") if "body" in spec else body,
        now=iat,
        not_before=now + spec.get("nbf", spec.get("iat", 0)),
        issuer=spec.get("iss"),
    )
    return token.encode("ascii")


def request(case: dict[str, Any]) -> RequestBytes:
    spec = case.get("request", {})
    body = text(spec["body"]) if "body" in spec else b'{"order":42}'
    token = mint(case, case["token"], body) if case.get("token") is not None else None
    names = {name for name, _ in spec.get("headers", [])}
    headers = [(name, value) for name, value in DEFAULT_HEADERS if name not in names]
    placed = False
    for name, value in spec.get("headers", []):
        if value == "{token}" and token is not None:
            placed = True
            headers.append((name, token))
        else:
            headers.append((name, text(value)))
    if token is not None and not placed:
        headers.append(("upstash-signature", token))
    return RequestBytes(
        method=spec.get("method", "POST"),
        target=spec.get("target", ROUTE),
        headers=headers,
        body=body,
        chunked=bool(spec.get("chunked")),
        broken=bool(spec.get("broken")),
    )


def answer(delivery: Any) -> dict[str, Any]:
    """What every test handler answers for a verified delivery."""
    return {
        "message_id": delivery.message_id,
        "retried": delivery.retried,
        "region": delivery.region,
        "sub": delivery.claims.sub,
        "key": delivery.claims.key,
        "bytes": len(delivery.body),
    }


def differences(case: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> list[str]:
    expect = case["expect"]
    found = []
    if status != expect["status"]:
        found.append(f"status {status}, expected {expect['status']}")
    try:
        parsed: Any | None = json.loads(body)
    except ValueError:
        found.append(f"body {body!r} is not JSON")
    else:
        # Compared as JSON text: `==` would take 0 for false and 1.0 for 1.
        if json.dumps(parsed, sort_keys=True) != json.dumps(expect["body"], sort_keys=True):
            found.append(f"body {parsed}, expected {expect['body']}")
    for name, want in expect.get("headers", {}).items():
        if headers.get(name) != want:
            found.append(f"header {name}: {headers.get(name)!r}, expected {want!r}")
    return found
