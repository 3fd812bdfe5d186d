"""AWS Lambda integration: a decorator for ``handler(event, context)`` behind API Gateway (REST
APIs and HTTP APIs), a Lambda function URL or an Application Load Balancer.

>>> from qstash_verify import Receiver
>>> from qstash_verify.aws_lambda import qstash_verified
>>> @qstash_verified(Receiver.dev())  # in production: @qstash_verified() reads the env
... def handler(event, context, delivery):
...     return {"statusCode": 200, "body": delivery.text()}

Any of those event shapes is read the same way: header names in any case and multi-value
headers, ``isBase64Encoded`` bodies verified as the bytes they encode, and the URL QStash
signed rebuilt from the event (a REST API's stage included). The verified
:class:`~qstash_verify.Delivery` (with the exact ``body`` bytes) is the handler's third
argument. A refusal is returned as the proxy response of the event's shape (``statusCode``,
``headers``, ``body``): 401 ``{"error": "invalid_signature", "reason": "<code>"}``, 413, 400 or
503, the same as every qstash-kit front end.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from qstash_verify._gate import Delivery, Gate, QStashRejection, gate_of, log
from qstash_verify._native import Receiver

Response = TypeVar("Response")
Handler = Callable[[dict[str, Any], Any, Delivery], Response]


def qstash_verified(
    receiver: Receiver | Gate | None = None,
    *,
    log_level: int = logging.WARNING,
    **options: Any,
) -> Callable[[Handler[Response]], Callable[[dict[str, Any], Any], Response | dict[str, Any]]]:
    """Decorates ``handler(event, context, delivery)`` so it runs only for verified
    deliveries; the result takes ``(event, context)``, as Lambda calls it.

    ``receiver`` defaults to ``Receiver.from_env()`` (or give a :class:`~qstash_verify.Gate`);
    ``options`` (the URL policy, ``body_limit``, ``replay_guard``) and ``log_level`` are those
    of :func:`qstash_verify.fastapi.qstash_verified`. The default URL policy compares the path
    and query, which works behind API Gateway's and CloudFront's host names; give
    ``public_base="https://hooks.example.com"`` to compare the whole URL.

    An event that is not an HTTP event (a direct invocation, another trigger) raises
    ``ValueError``: there is no HTTP caller to answer.
    """
    gate = gate_of(receiver, options)

    def decorator(handler: Handler[Response]) -> Callable[[dict[str, Any], Any], Response | dict[str, Any]]:
        @functools.wraps(handler)
        def wrapper(event: dict[str, Any], context: Any) -> Response | dict[str, Any]:
            try:
                delivery = gate.verify_lambda(json.dumps(event))
            except QStashRejection as rejection:
                log(rejection, log_level)
                answer: dict[str, Any] = json.loads(rejection.response)
                return answer
            return handler(event, context, delivery)

        return wrapper

    return decorator


__all__ = ["Delivery", "qstash_verified"]
