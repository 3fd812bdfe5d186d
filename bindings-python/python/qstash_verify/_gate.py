"""What the framework helpers share: the native gate (SPEC.md §7), which decides everything,
built from a helper's arguments, and the logger its refusals are written to."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from qstash_verify._native import (
    DEFAULT_BODY_LIMIT,
    Delivery,
    Gate,
    GuardedPaths,
    PendingDelivery,
    QStashRejection,
    Receiver,
    lambda_event_target,
)

logger = logging.getLogger("qstash_verify")


def gate_of(receiver: Receiver | Gate | Callable[[], Receiver] | None, options: dict[str, Any]) -> Gate:
    """The gate a helper was given, or the one its receiver and options describe (every option
    of :class:`~qstash_verify.Gate`, checked there). Without a receiver the keys are read
    from the environment when a delivery arrives (SPEC.md §7.10)."""
    if isinstance(receiver, Gate):
        if options:
            raise TypeError(f"options go to the Gate, not beside it: {', '.join(sorted(options))}")
        return receiver
    return Gate(receiver, **options)


App = TypeVar("App")


class PathGuard(Generic[App]):
    """What the ASGI and WSGI middlewares are built from: the application they wrap, the paths
    they guard (:class:`~qstash_verify.GuardedPaths`, the gate's rule) and the gate, with the
    level refusals are logged at."""

    def __init__(
        self,
        app: App,
        *,
        paths: Iterable[str],
        receiver: Receiver | Gate | None = None,
        log_level: int = logging.WARNING,
        **options: Any,
    ) -> None:
        self.app = app
        self.paths = GuardedPaths(paths if isinstance(paths, str) else list(paths))
        self.gate = gate_of(receiver, options)
        self.log_level = log_level


def log(rejection: QStashRejection, level: int) -> QStashRejection:
    """Writes the gate's line for a refusal (reason, message id, path; never the token)."""
    logger.log(level, rejection.log_message)
    return rejection


def verify_sync(
    gate: Gate, headers: Any, request_target: str, read: Callable[[PendingDelivery], bytes], log_level: int
) -> Delivery:
    """The gate's sequence for a synchronous server: the head, the body `read` through the
    pending delivery (a failure to read it, other than the gate's own refusal, is an unreadable
    body), the hash and the replay check. Raises :class:`QStashRejection`, logged."""
    try:
        pending = gate.verify_head(headers, request_target)
        try:
            body = read(pending)
        except QStashRejection:
            raise
        except Exception:  # the client went away or sent broken framing
            raise gate.unreadable(headers, request_target) from None
        return pending.finish(body)
    except QStashRejection as rejection:
        raise log(rejection, log_level) from None


#: Where the Lambda adapters leave the event a request was made from: apig-wsgi,
#: serverless-wsgi, Zappa (WSGI environ and ASGI scope) and Mangum (ASGI scope).
LAMBDA_EVENT_KEYS = ("apig_wsgi.full_event", "serverless.event", "lambda.event", "aws.event")


def lambda_target(mapping: Mapping[str, Any]) -> str | None:
    """The target QStash called, for a request an AWS Lambda adapter made from an event: a
    REST API's stage included (``/prod/api/qstash``), which the adapters take out of the path
    the framework sees. Read from the event by the gate (SPEC.md §7); ``None`` when the request
    did not come from an HTTP event."""
    for key in LAMBDA_EVENT_KEYS:
        event = mapping.get(key)
        if isinstance(event, dict):
            try:
                return lambda_event_target(json.dumps(event))
            except ValueError:  # not an HTTP event: the server's own target stands
                return None
    return None


def target(path: bytes | str, query: bytes | str | None) -> str:
    """A request's original target from its raw path and query, as servers hand them over."""
    text = path.decode("latin-1") if isinstance(path, bytes) else path
    query_text = query.decode("latin-1") if isinstance(query, bytes) else (query or "")
    return text + ("?" + query_text if query_text else "")


__all__ = [
    "DEFAULT_BODY_LIMIT",
    "Delivery",
    "Gate",
    "PathGuard",
    "PendingDelivery",
    "QStashRejection",
    "gate_of",
    "lambda_target",
    "log",
    "logger",
    "target",
    "verify_sync",
]
