"""Django integration: a view decorator, for sync and async views, that verifies the delivery
before the view runs.

.. code-block:: python

    from django.http import JsonResponse
    from qstash_verify.django import qstash_verified

    @qstash_verified()  # settings.QSTASH_CURRENT_SIGNING_KEY / _NEXT_, else the environment
    def hook(request):
        return JsonResponse({"id": request.qstash.message_id, "order": request.qstash.json()})

The token is checked from the headers before the body is read; the body is then read once (up
to ``body_limit``), hashed, and left readable (``request.body`` returns the same bytes). The
verified :class:`~qstash_verify.Delivery` is ``request.qstash``. Refusals answer 401
``{"error": "invalid_signature", "reason": "<code>"}``, 413, 400 or 503; never 500. The URL
compared is the one the request arrived with (``SCRIPT_NAME`` included). The view needs no
``csrf_exempt``: the decorator marks it exempt, as a webhook has no CSRF token to send.
"""

from __future__ import annotations

import functools
import inspect
import logging
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

try:
    from asgiref.sync import sync_to_async
    from django.conf import settings
    from django.core.signals import setting_changed
    from django.http import HttpRequest, HttpResponse
    from django.views.decorators.csrf import csrf_exempt
except ImportError as error:  # pragma: no cover - depends on what the user installed
    raise ImportError("qstash_verify.django needs Django: pip install django") from error

from qstash_verify._gate import Delivery, Gate, PendingDelivery, QStashRejection, gate_of, log, verify_sync
from qstash_verify._native import Receiver
from qstash_verify.asgi import target_of as asgi_target_of
from qstash_verify.wsgi import EnvironHeaders, target_of

View = TypeVar("View", bound=Callable[..., Any])
_CHUNK = 64 * 1024


def _receiver_from_settings() -> Receiver:
    """The keys of ``settings.QSTASH_CURRENT_SIGNING_KEY`` / ``QSTASH_NEXT_SIGNING_KEY`` when
    the project sets them, else the environment's: made when a delivery arrives (never at
    import, so ``manage.py check`` and tests run without secrets)."""
    current = getattr(settings, "QSTASH_CURRENT_SIGNING_KEY", None)
    following = getattr(settings, "QSTASH_NEXT_SIGNING_KEY", None)
    if current is None and following is None:
        return Receiver()
    return Receiver(current, following)


class _SettingsGate:
    """The gate of a view whose keys come from the settings: made again when a test changes
    a ``QSTASH_*`` setting (``override_settings``), since keys once read are kept."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self.gate = gate_of(_receiver_from_settings, options)
        _SETTINGS_GATES.add(self)

    def renew(self) -> None:
        self.gate = gate_of(_receiver_from_settings, self._options)


_SETTINGS_GATES: weakref.WeakSet[_SettingsGate] = weakref.WeakSet()


def _on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting.startswith("QSTASH_"):
        for holder in list(_SETTINGS_GATES):
            holder.renew()


setting_changed.connect(_on_setting_changed)


def _read(request: HttpRequest, pending: PendingDelivery) -> bytes:
    """The body from the request's stream through the gate (which stops it at the limit), then
    kept where Django looks for it, so ``request.body`` (and ``request.POST``) read it again."""
    chunks = []
    while True:
        chunk = request.read(_CHUNK)
        if not chunk:
            break
        pending.update(chunk)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Django's cache of `request.body`
    return body


def _refusal(rejection: QStashRejection) -> HttpResponse:
    return HttpResponse(rejection.body, status=rejection.status, headers=rejection.headers)


def qstash_verified(
    receiver: Receiver | Gate | None = None,
    *,
    log_level: int = logging.WARNING,
    **options: Any,
) -> Callable[[View], View]:
    """Decorates a view (sync or async) so it runs only for verified deliveries.

    ``receiver`` defaults to the keys in the settings (``QSTASH_CURRENT_SIGNING_KEY``,
    ``QSTASH_NEXT_SIGNING_KEY``), else the environment's, read when the first delivery
    arrives (a delivery before they can be read is refused with 401 ``no_keys``, logged with
    the fix); or give a receiver, or a :class:`~qstash_verify.Gate`. ``options`` (the URL policy, ``body_limit``,
    ``replay_guard``) and ``log_level`` are those of
    :func:`qstash_verify.fastapi.qstash_verified`.
    """
    if receiver is None:
        holder = _SettingsGate(options)
        current: Callable[[], Gate] = lambda: holder.gate  # noqa: E731
    else:
        fixed = gate_of(receiver, options)
        current = lambda: fixed  # noqa: E731

    def head(request: HttpRequest) -> tuple[EnvironHeaders, str]:
        headers = EnvironHeaders(request.META)
        # Under ASGI the scope holds the raw target (and a Lambda adapter's event).
        scope = getattr(request, "scope", None)
        return headers, asgi_target_of(scope) if isinstance(scope, dict) else target_of(request.META)

    def decorator(view: View) -> View:
        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                gate = current()
                headers, request_target = head(request)
                try:
                    pending = gate.verify_head(headers, request_target)
                    try:
                        # Reading the body is file I/O (Django spools large bodies to disk).
                        body = await sync_to_async(_read, thread_sensitive=False)(request, pending)
                    except QStashRejection:
                        raise
                    except Exception:  # the client went away or sent broken framing
                        raise gate.unreadable(headers, request_target) from None
                    delivery: Delivery = await pending.finish_async(body)
                except QStashRejection as rejection:
                    return _refusal(log(rejection, log_level))
                request.qstash = delivery  # type: ignore[attr-defined]
                return await view(request, *args, **kwargs)

            return csrf_exempt(async_wrapper)  # type: ignore[return-value]

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            headers, request_target = head(request)
            try:
                delivery = verify_sync(current(), headers, request_target, lambda p: _read(request, p), log_level)
            except QStashRejection as rejection:
                return _refusal(rejection)
            request.qstash = delivery  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapper)  # type: ignore[return-value]

    return decorator


__all__ = ["Delivery", "qstash_verified"]
