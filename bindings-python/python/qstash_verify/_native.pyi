"""Type stubs of the native module (re-exported by ``qstash_verify``)."""

from typing import Dict, List, Mapping, Optional, Protocol, Tuple, Union

Body = Union[bytes, bytearray, memoryview, str]
Token = Union[str, bytes]

DEFAULT_BODY_LIMIT: int

class SignatureError(Exception):
    """A delivery did not verify; ``reason`` is the stable code of the failed rule."""

    reason: str

class ConfigError(ValueError):
    """Keys or regions that cannot build a receiver or signer; ``reason`` is ``"config"``."""

    reason: str

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
    def key(self) -> str:
        """``"current"`` or ``"next"``: which signing key matched."""
    @property
    def region(self) -> Optional[str]: ...
    def __bool__(self) -> bool: ...

class PendingBody:
    """A token that verified, waiting for its body."""

    @property
    def sub(self) -> str: ...
    def update(self, chunk: Body) -> None: ...
    def finish(self) -> Claims: ...

class Receiver:
    """Verifies QStash deliveries; thread-safe, keys replaceable at runtime."""

    def __init__(
        self,
        current_signing_key: Optional[str] = None,
        next_signing_key: Optional[str] = None,
        *,
        regions: Optional[Mapping[str, Tuple[str, str]]] = None,
        clock_tolerance: int = 0,
        replay_protection: bool = False,
        replay_capacity: int = 100_000,
    ) -> None: ...
    @staticmethod
    def dev(*, replay_protection: bool = False, replay_capacity: int = 100_000) -> Receiver: ...
    @staticmethod
    def from_env(*, replay_protection: bool = False, replay_capacity: int = 100_000) -> Receiver: ...
    @property
    def replay_entries(self) -> int:
        """Token ids the replay guard remembers now (0 without replay protection)."""
    def verify(
        self,
        *,
        signature: Optional[Token],
        body: Body,
        url: Optional[str] = None,
        clock_tolerance: Optional[int] = None,
        region: Optional[str] = None,
        now: Optional[int] = None,
    ) -> Claims: ...
    def verify_token(
        self,
        *,
        signature: Optional[Token],
        url: Optional[str] = None,
        path_and_query: Optional[str] = None,
        clock_tolerance: Optional[int] = None,
        region: Optional[str] = None,
        now: Optional[int] = None,
    ) -> PendingBody: ...
    def replace_keys(self, current_signing_key: str, next_signing_key: str) -> None: ...

class Signer:
    """Mints tokens shaped exactly like QStash's, for tests and local development."""

    def __init__(self, key: str) -> None: ...
    @staticmethod
    def dev() -> Signer: ...
    @staticmethod
    def dev_next() -> Signer: ...
    def sign(
        self,
        url: str,
        body: Body,
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
    reason: str
    error: str
    body: str
    headers: Dict[str, str]
    log_message: str

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

class PendingDelivery:
    """A delivery whose token verified, waiting for its body."""

    def update(self, chunk: Body) -> None: ...
    def finish(self, body: bytes) -> Delivery: ...

class RedisReplayGuard:
    """Replay protection shared by every worker and machine that uses the same Redis."""

    def __init__(
        self, url: str, *, prefix: Optional[str] = None, fail_open: bool = False, timeout: float = 1.0
    ) -> None: ...

class _Headers(Protocol):
    def get(self, name: str) -> Union[str, bytes, None]: ...

class Gate:
    """The request-to-verdict sequence of the FastAPI and Flask helpers, for any framework."""

    def __init__(
        self,
        receiver: Optional[Receiver] = None,
        *,
        url: Optional[str] = None,
        public_base: Optional[str] = None,
        forwarded: Optional[int] = None,
        check_url: bool = True,
        body_limit: int = ...,
        replay_guard: Optional[RedisReplayGuard] = None,
    ) -> None: ...
    @property
    def body_limit(self) -> int: ...
    def verify_head(self, headers: _Headers, target: str) -> PendingDelivery: ...
    def unreadable(self, headers: _Headers, target: str) -> QStashRejection: ...

REASON_CODES: List[str]
