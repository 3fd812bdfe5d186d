"""Flask integration: a decorator that verifies the delivery before the view runs.

>>> from flask import Flask, g
>>> from qstash_verify import Receiver
>>> from qstash_verify.flask import qstash_verified
>>> app = Flask(__name__)
>>> @app.post("/api/qstash")
... @qstash_verified(Receiver.dev())  # in production: @qstash_verified() reads the env
... def hook():
...     return {"id": g.qstash.message_id, "bytes": len(g.qstash.body)}

The token is checked from the headers before the body is read; the body is then read once (up
to ``body_limit``), hashed, and left readable (``request.get_data()`` returns the same bytes).
The verified :class:`~qstash_verify.Delivery` is ``flask.g.qstash``. Refusals answer
401 ``{"error": "invalid_signature", "reason": "<code>"}``, 413, 400 or 503; never 500.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

try:
    from flask import Response, g, request
except ImportError as error:  # pragma: no cover - depends on what the user installed
    raise ImportError("qstash_verify.flask needs Flask: pip install 'qstash-verify[flask]'") from error

from qstash_verify._gate import Delivery, Gate, PendingDelivery, QStashRejection, gate_of, verify_sync
from qstash_verify._native import Receiver
from qstash_verify.wsgi import target_of

View = TypeVar("View", bound=Callable[..., Any])


def qstash_verified(
    receiver: Receiver | Gate | None = None,
    *,
    log_level: int = logging.WARNING,
    **options: Any,
) -> Callable[[View], View]:
    """Decorates a view so it runs only for verified deliveries.

    ``receiver`` defaults to ``Receiver.from_env()`` (or give a :class:`~qstash_verify.Gate`);
    ``options`` (the URL policy, ``body_limit``, ``replay_guard``) and ``log_level`` are those
    of :func:`qstash_verify.fastapi.qstash_verified`.
    """
    gate = gate_of(receiver, options)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                delivery = verify_sync(gate, request.headers, target_of(request.environ), _read_body, log_level)
            except QStashRejection as rejection:
                return Response(rejection.body, status=rejection.status, headers=rejection.headers)
            g.qstash = delivery
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _read_body(pending: PendingDelivery) -> bytes:
    """The whole body through the gate (which stops it at the limit), cached by Werkzeug so
    the view can read it again."""
    if request.content_length is not None:
        # The gate has already refused a declared length over the limit.
        body = request.get_data(cache=True)
        pending.update(body)
        return body
    # Chunked: read from the stream chunk by chunk, then hand the bytes back to Werkzeug.
    chunks = []
    stream = request.stream
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            break
        pending.update(chunk)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._cached_data = body
    return body


__all__ = ["Delivery", "qstash_verified"]
