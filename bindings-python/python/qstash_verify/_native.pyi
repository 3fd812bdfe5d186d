"""Type stubs of the native module (re-exported by ``qstash_verify``), checked against the
module by ``mypy.stubtest`` in the test suite; the reason literals are checked against the
gate's list (``REASON_CODES``) by ``tests/test_types.py``."""

import os
from typing import Any, Awaitable, Callable, Dict, List, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union, final

from qstash_verify.reasons import RejectionReason, SignatureReason

__all__ = [
    "Receiver",
    "Outcome",
    "Signer",
    "Claims",
    "PendingBody",
    "Gate",
    "PendingDelivery",
    "Delivery",
    "RedisReplayGuard",
    "LambdaEvent",
    "Callback",
    "GuardedPaths",
    "QStashRejection",
    "REASON_CODES",
    "SignatureError",
    "ConfigError",
    "path_and_query_of",
    "DEFAULT_BODY_LIMIT",
]

_Body = Union[bytes, bytearray, memoryview, str]
_Token = Union[str, bytes]

DEFAULT_BODY_LIMIT: int
REASON_CODES: List[RejectionReason]

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
    def jti(self) -> Optional[str]: ...
    @property
    def exp(self) -> float: ...
    @property
    def nbf(self) -> float: ...
    @property
    def iat(self) -> Optional[float]: ...
    @property
    def key(self) -> Literal["current", "next"]:
        """Which signing key matched."""
    @property
    def region(self) -> Optional[str]: ...
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
        current_signing_key: Optional[str] = None,
        next_signing_key: Optional[str] = None,
        *,
        regions: Optional[Mapping[str, Tuple[str, str]]] = None,
        clock_tolerance: Optional[int] = None,
        dev_mode: Optional[bool] = None,
        replay_protection: bool = False,
        replay_capacity: Optional[int] = None,
    ) -> Receiver: ...
    @staticmethod
    def dev(*, replay_protection: bool = False, replay_capacity: Optional[int] = None) -> Receiver: ...
    @staticmethod
    def from_env(*, replay_protection: bool = False, replay_capacity: Optional[int] = None) -> Receiver: ...
    @property
    def replay_entries(self) -> int:
        """Token ids the replay guard remembers now (0 without replay protection)."""
    def verify(
        self,
        *,
        signature: Optional[_Token],
        body: _Body,
        url: Optional[str] = None,
        clock_tolerance: Optional[int] = None,
        region: Optional[str] = None,
        now: Optional[int] = None,
    ) -> Claims: ...
    def verify_token(
        self,
        *,
        signature: Optional[_Token],
        url: Optional[str] = None,
        path_and_query: Optional[str] = None,
        clock_tolerance: Optional[int] = None,
        region: Optional[str] = None,
        now: Optional[int] = None,
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
        now: Optional[int] = None,
        lifetime: Optional[int] = None,
        not_before: Optional[int] = None,
        expires_at: Optional[int] = None,
        jti: Optional[str] = None,
        issuer: Optional[str] = None,
    ) -> str: ...

def path_and_query_of(url: str) -> Optional[str]: ...

class QStashRejection(Exception):
    """A request the gate refused, with everything its response needs."""

    status: int
    reason: RejectionReason
    error: str
    body: str
    headers: Dict[str, str]
    log_message: str

@final
class Delivery:
    """A verified delivery: the signed claims, the exact body bytes, and the (unsigned)
    delivery headers QStash sets (``None`` when missing or not valid)."""

    @property
    def claims(self) -> Claims: ...
    @property
    def body(self) -> bytes: ...
    @property
    def message_id(self) -> Optional[str]: ...
    @property
    def retried(self) -> Optional[int]: ...
    @property
    def region(self) -> Optional[str]: ...
    @property
    def schedule_id(self) -> Optional[str]: ...
    @property
    def topic_name(self) -> Optional[str]: ...
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
    def guards(self, target: str, routed: Optional[str] = None) -> bool: ...

@final
class RedisReplayGuard:
    """Replay protection shared by every worker and machine that uses the same Redis."""

    def __new__(
        cls,
        url: Union[str, Sequence[str]],
        *,
        prefix: Optional[str] = None,
        fail_open: bool = False,
        timeout: Optional[float] = None,
        cluster: bool = False,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        client_cert_file: Optional[Union[str, os.PathLike[str]]] = None,
        client_key_file: Optional[Union[str, os.PathLike[str]]] = None,
    ) -> RedisReplayGuard: ...

@final
class Callback:
    """What QStash reports after a delivery, or after its last failed retry (``dlq_id`` set)."""

    @property
    def status(self) -> int: ...
    @property
    def header(self) -> Dict[str, List[str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def retried(self) -> int: ...
    @property
    def max_retries(self) -> Optional[int]: ...
    @property
    def source_message_id(self) -> str: ...
    @property
    def url(self) -> Optional[str]: ...
    @property
    def method(self) -> Optional[str]: ...
    @property
    def source_header(self) -> Dict[str, List[str]]: ...
    @property
    def source_body(self) -> bytes: ...
    @property
    def topic_name(self) -> Optional[str]: ...
    @property
    def endpoint_name(self) -> Optional[str]: ...
    @property
    def schedule_id(self) -> Optional[str]: ...
    @property
    def dlq_id(self) -> Optional[str]: ...
    @property
    def caller_ip(self) -> Optional[str]: ...
    @property
    def not_before(self) -> Optional[int]: ...
    @property
    def created_at(self) -> Optional[int]: ...
    @property
    def is_failure(self) -> bool: ...

@final
class LambdaEvent:
    """The HTTP request of an API Gateway, function URL or load balancer event (its JSON
    text), read by the gate; its headers through ``getlist``."""

    def __new__(cls, event: str) -> LambdaEvent: ...
    @property
    def shape(self) -> Literal["rest", "http", "alb", "alb-multi-value"]: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def body(self) -> bytes: ...
    def getlist(self, name: str) -> List[bytes]: ...
    def response(self, status: int, headers: Dict[str, str], body: str) -> str: ...

class _HeaderLines(Protocol):
    """Starlette's, Werkzeug's or any mapping with every line of a header name."""

    def getlist(self, name: str) -> Sequence[Union[str, bytes]]: ...

class _HeaderValues(Protocol):
    """A mapping of lower-case header names to one value each (a plain `dict`)."""

    def get(self, name: str) -> Union[str, bytes, None]: ...

_Headers = Union[_HeaderLines, _HeaderValues]

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
    def message_id(self) -> Optional[str]: ...

@final
class Gate:
    """The request-to-verdict sequence of the framework helpers, for any framework. Without a
    receiver (or with a function that makes one) the keys are read when a delivery arrives;
    until they can be, deliveries are refused with ``no_keys``."""

    def __new__(
        cls,
        receiver: Union[Receiver, Callable[[], Receiver], None] = None,
        *,
        url: Optional[str] = None,
        public_base: Optional[str] = None,
        forwarded: Optional[Literal["forwarded", "x-forwarded"]] = None,
        trusted_proxies: Optional[int] = None,
        check_url: bool = True,
        body_limit: Optional[int] = None,
        replay_guard: Optional[RedisReplayGuard] = None,
        on_outcome: Optional[Callable[[Outcome], object]] = None,
    ) -> Gate: ...
    @property
    def body_limit(self) -> int: ...
    def verify_head(self, headers: _Headers, target: str) -> PendingDelivery: ...
    def unreadable(self, headers: _Headers, target: str) -> QStashRejection: ...
