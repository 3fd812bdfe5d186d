"""Type stubs of the native module (re-exported by ``qstash_verify``), checked against the
module by ``mypy.stubtest`` in the test suite; the reason literals are checked against the
gate's list (``REASON_CODES``) by ``tests/test_types.py``."""

import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import (
    Any,
    Literal,
    Protocol,
    final,
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
    "SignatureError",
    "Signer",
    "lambda_event_target",
    "path_and_query_of",
]

_Body = bytes | bytearray | memoryview | str
_Token = str | bytes

DEFAULT_BODY_LIMIT: int
REASON_CODES: list[RejectionReason]

class SignatureError(Exception):
    """A delivery did not verify; ``reason`` is the stable code of the failed rule."""

    reason: SignatureReason

class ConfigError(ValueError):
    """Keys, regions or options that cannot work; ``reason`` is ``"config"``."""

    reason: Literal["config"]

@final
class Claims:
    """The verified claims of a delivery (always truthy)."""

    @property
    def iss(self) -> str: ...
    @property
    def sub(self) -> str: ...
    @property
    def jti(self) -> str | None: ...
    @property
    def exp(self) -> float: ...
    @property
    def nbf(self) -> float: ...
    @property
    def iat(self) -> float | None: ...
    @property
    def key(self) -> Literal["current", "next"]:
        """Which signing key matched."""
    @property
    def region(self) -> str | None: ...
    def __bool__(self) -> bool: ...

@final
class PendingBody:
    """A token that verified, waiting for its body."""

    @property
    def sub(self) -> str: ...
    def update(self, chunk: _Body) -> None: ...
    def finish(self) -> Claims: ...

@final
class Receiver:
    """Verifies QStash deliveries; thread-safe, keys replaceable at runtime."""

    def __new__(
        cls,
        current_signing_key: str | None = None,
        next_signing_key: str | None = None,
        *,
        regions: Mapping[str, tuple[str, str]] | None = None,
        clock_tolerance: int | None = None,
        dev_mode: bool | None = None,
        replay_protection: bool = False,
        replay_capacity: int | None = None,
    ) -> Receiver: ...
    @staticmethod
    def dev(*, replay_protection: bool = False, replay_capacity: int | None = None) -> Receiver: ...
    @staticmethod
    def from_env(*, replay_protection: bool = False, replay_capacity: int | None = None) -> Receiver: ...
    @property
    def replay_entries(self) -> int:
        """Token ids the replay guard remembers now (0 without replay protection)."""
    def verify(
        self,
        *,
        signature: _Token | None,
        body: _Body,
        url: str | None = None,
        clock_tolerance: int | None = None,
        region: str | None = None,
        now: int | None = None,
    ) -> Claims: ...
    def verify_token(
        self,
        *,
        signature: _Token | None,
        url: str | None = None,
        path_and_query: str | None = None,
        clock_tolerance: int | None = None,
        region: str | None = None,
        now: int | None = None,
    ) -> PendingBody: ...
    def replace_keys(self, current_signing_key: str, next_signing_key: str) -> None: ...

@final
class Signer:
    """Mints tokens shaped exactly like QStash's, for tests and local development."""

    def __new__(cls, key: str) -> Signer: ...
    @staticmethod
    def dev() -> Signer: ...
    @staticmethod
    def dev_next() -> Signer: ...
    def sign(
        self,
        url: str,
        body: _Body,
        *,
        now: int | None = None,
        lifetime: int | None = None,
        not_before: int | None = None,
        expires_at: int | None = None,
        jti: str | None = None,
        issuer: str | None = None,
    ) -> str: ...

def path_and_query_of(url: str) -> str | None: ...
def lambda_event_target(event: str) -> str:
    """The path and query QStash called, read from an AWS Lambda HTTP event (its JSON text; a
    REST API's stage included); ``ValueError`` when it is not an HTTP event."""

class QStashRejection(Exception):
    """A request the gate refused, with everything its response needs."""

    status: int
    reason: RejectionReason
    error: str
    body: str
    headers: dict[str, str]
    log_message: str
    #: Set by :meth:`Gate.verify_lambda`: the proxy response (JSON text) in the event's shape.
    response: str

@final
class Delivery:
    """A verified delivery: the signed claims, the exact body bytes, and the (unsigned)
    delivery headers QStash sets (``None`` when missing or not valid)."""

    @property
    def claims(self) -> Claims: ...
    @property
    def body(self) -> bytes: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def retried(self) -> int | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def schedule_id(self) -> str | None: ...
    @property
    def topic_name(self) -> str | None: ...
    def text(self) -> str:
        """The body as UTF-8 text (bytes that are not UTF-8 become U+FFFD)."""
    def json(self) -> Any:
        """The body parsed as JSON; raises ``json.JSONDecodeError`` when it is not JSON."""
    def callback(self) -> Callback:
        """The body read as the callback or failure callback QStash sent (both bodies
        decoded); ``ValueError`` when this delivery is not a callback."""

@final
class PendingDelivery:
    """A delivery whose token verified, waiting for its body."""

    def update(self, chunk: _Body) -> None: ...
    def finish(self, body: bytes) -> Delivery:
        """For synchronous servers: a shared store is waited for on this thread."""
    def finish_async(self, body: bytes) -> Awaitable[Delivery]:
        """For asyncio servers: the store's answer comes back through the event loop."""

@final
class GuardedPaths:
    """The paths a middleware guards; ``guards(target, routed)`` is ``True`` for a request whose
    raw target or routed path could reach one of them, however it is spelled."""

    def __new__(cls, paths: Sequence[str]) -> GuardedPaths: ...
    def guards(self, target: str, routed: str | None = None) -> bool: ...

@final
class RedisReplayGuard:
    """Replay protection shared by every worker and machine that uses the same Redis."""

    def __new__(
        cls,
        url: str | Sequence[str],
        *,
        prefix: str | None = None,
        fail_open: bool = False,
        timeout: float | None = None,
        cluster: bool = False,
        ca_file: str | os.PathLike[str] | None = None,
        client_cert_file: str | os.PathLike[str] | None = None,
        client_key_file: str | os.PathLike[str] | None = None,
    ) -> RedisReplayGuard: ...

@final
class Callback:
    """What QStash reports after a delivery, or after its last failed retry (``dlq_id`` set)."""

    @property
    def status(self) -> int: ...
    @property
    def header(self) -> dict[str, list[str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def retried(self) -> int: ...
    @property
    def max_retries(self) -> int | None: ...
    @property
    def source_message_id(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def method(self) -> str | None: ...
    @property
    def source_header(self) -> dict[str, list[str]]: ...
    @property
    def source_body(self) -> bytes: ...
    @property
    def topic_name(self) -> str | None: ...
    @property
    def endpoint_name(self) -> str | None: ...
    @property
    def schedule_id(self) -> str | None: ...
    @property
    def dlq_id(self) -> str | None: ...
    @property
    def caller_ip(self) -> str | None: ...
    @property
    def not_before(self) -> int | None: ...
    @property
    def created_at(self) -> int | None: ...
    @property
    def is_failure(self) -> bool: ...

class _HeaderLines(Protocol):
    """Starlette's, Werkzeug's or any mapping with every line of a header name."""

    def getlist(self, name: str) -> Sequence[str | bytes]: ...

class _HeaderValues(Protocol):
    """A mapping of lower-case header names to one value each (a plain `dict`)."""

    def get(self, name: str) -> str | bytes | None: ...

_Headers = _HeaderLines | _HeaderValues

@final
class Outcome:
    """How one delivery ended (SPEC.md §7.8): every field but ``message_id`` is from a fixed set."""

    @property
    def outcome(self) -> Literal["accepted", "rejected"]: ...
    @property
    def reason(self) -> str: ...
    @property
    def key(self) -> Literal["current", "next", "none"]: ...
    @property
    def region(self) -> str: ...
    @property
    def message_id(self) -> str | None: ...

@final
class Gate:
    """The request-to-verdict sequence of the framework helpers, for any framework. Without a
    receiver (or with a function that makes one) the keys are read when a delivery arrives;
    until they can be, deliveries are refused with ``no_keys``."""

    def __new__(
        cls,
        receiver: Receiver | Callable[[], Receiver] | None = None,
        *,
        url: str | None = None,
        public_base: str | None = None,
        forwarded: Literal["forwarded", "x-forwarded"] | None = None,
        trusted_proxies: int | None = None,
        check_url: bool = True,
        body_limit: int | None = None,
        replay_guard: RedisReplayGuard | None = None,
        on_outcome: Callable[[Outcome], object] | None = None,
    ) -> Gate: ...
    @property
    def body_limit(self) -> int: ...
    def verify_head(self, headers: _Headers, target: str) -> PendingDelivery: ...
    def unreadable(self, headers: _Headers, target: str) -> QStashRejection: ...
    def verify_lambda(self, event: str) -> Delivery: ...
