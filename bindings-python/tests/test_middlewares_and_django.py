"""The ASGI and WSGI middlewares and the Django decorator (sync and async views) answer every
HTTP conformance case like every other front end, each driven at its server interface; and
under real servers, a delivery reaches a Django view and the generic middlewares' apps."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import threading
from collections.abc import Callable
from typing import Any, ClassVar
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
import pytest
from django.conf import settings
from flask import Flask
from flask import request as flask_request
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qstash_verify import Receiver, Signer
from qstash_verify.asgi import QStashMiddleware as AsgiMiddleware
from qstash_verify.wsgi import ENVIRON_KEY
from qstash_verify.wsgi import QStashMiddleware as WsgiMiddleware

import http_cases
from conftest import URL
from servers import asgi_call, wsgi_call

CASES = http_cases.load()
# The middlewares take a list of paths, so they also run the cases of a path list's guard.
PATH_LIST_CASES = http_cases.load(path_list=True)
# The one view every Django case runs through; each case sets it (tests run one at a time).
CURRENT: dict[str, Callable[..., Any]] = {}

settings.configure(
    DEBUG=False,
    SECRET_KEY="qstash-verify-tests",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        f"{__name__}.choose_urlconf",
    ],
    INSTALLED_APPS=[],
)
django.setup()

from django.core.handlers.asgi import ASGIHandler  # noqa: E402  (needs the settings above)
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from qstash_verify.django import qstash_verified as django_verified  # noqa: E402


@csrf_exempt  # the case's decorated view, the one a project routes to, is exempt itself
def dispatch(request: HttpRequest) -> Any:
    return CURRENT["view"](request)


@csrf_exempt
async def async_dispatch(request: HttpRequest) -> Any:
    return await CURRENT["view"](request)


urlpatterns = [path("api/qstash", dispatch), path("v1/api/qstash", dispatch)]


class AsyncUrls:
    """The URLs of the async view cases: Django tells sync from async views by the function."""

    urlpatterns: ClassVar[list[Any]] = [path("api/qstash", async_dispatch), path("v1/api/qstash", async_dispatch)]


def choose_urlconf(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    def middleware(request: HttpRequest) -> Any:
        if CURRENT.get("asynchronous"):
            request.urlconf = AsyncUrls  # type: ignore[attr-defined]
        return get_response(request)

    return middleware


def django_view(case: dict[str, Any], *, asynchronous: bool) -> Callable[..., Any]:
    decorate = django_verified(http_cases.receiver(case), **http_cases.gate_options(case))
    if asynchronous:

        async def hook(request: HttpRequest) -> JsonResponse:
            assert request.body == request.qstash.body  # still readable after verification
            return JsonResponse(http_cases.answer(request.qstash))

        return decorate(hook)

    def sync_hook(request: HttpRequest) -> JsonResponse:
        assert request.body == request.qstash.body
        return JsonResponse(http_cases.answer(request.qstash))

    return decorate(sync_hook)


def run(
    case: dict[str, Any], call: Callable[[http_cases.RequestBytes], tuple[int, dict[str, str], bytes]]
) -> list[str]:
    request = http_cases.request(case)
    if case.get("send_twice"):
        call(request)
    status, headers, body = call(request)
    return http_cases.differences(case, status, headers, body)


def route_of(case: dict[str, Any]) -> str:
    return case.get("mount", "") + http_cases.ROUTE


CHUNKED_UNDER_WSGI = "Django under WSGI reads no body without a Content-Length (it ignores wsgi.input_terminated)"
BROKEN_UNDER_ASGI = (
    "Django's ASGI handler reads the whole body before any view runs and drops a request whose client went away: "
    "there is no response to read"
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_django_sync_view_under_wsgi_answers_every_http_case(case: dict[str, Any]) -> None:
    if http_cases.request(case).chunked:
        pytest.skip(CHUNKED_UNDER_WSGI)
    CURRENT.update(view=django_view(case, asynchronous=False), asynchronous=False)
    assert run(case, lambda request: wsgi_call(WSGIHandler(), request)) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_django_async_view_under_asgi_answers_every_http_case(case: dict[str, Any]) -> None:
    if http_cases.request(case).broken:
        pytest.skip(BROKEN_UNDER_ASGI)
    CURRENT.update(view=django_view(case, asynchronous=True), asynchronous=True)
    assert run(case, lambda request: asyncio.run(asgi_call(ASGIHandler(), request))) == []


async def bare_asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI application with no framework: reads its body and answers the delivery."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    delivery = scope["state"]["qstash"]
    assert body == delivery.body
    answer = json.dumps(http_cases.answer(delivery)).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


async def starlette_hook(request: Request) -> JSONResponse:
    assert await request.body() == request.state.qstash.body
    return JSONResponse(http_cases.answer(request.state.qstash))


def starlette_app() -> Starlette:
    return Starlette(
        routes=[
            Route(http_cases.ROUTE, starlette_hook, methods=["POST"]),
            Route("/v1/api/qstash", starlette_hook, methods=["POST"]),
        ]
    )


@pytest.mark.parametrize("framework", ["bare", "starlette"])
@pytest.mark.parametrize("case", PATH_LIST_CASES, ids=lambda c: c["id"])
def test_the_asgi_middleware_answers_every_http_case(case: dict[str, Any], framework: str) -> None:
    app = bare_asgi_app if framework == "bare" else starlette_app()
    guarded = AsgiMiddleware(
        app, paths=[route_of(case)], receiver=http_cases.receiver(case), **http_cases.gate_options(case)
    )
    assert run(case, lambda request: asyncio.run(asgi_call(guarded, request))) == []


def bare_wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI application with no framework: reads its body and answers the delivery."""
    delivery = environ[ENVIRON_KEY]
    assert environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])) == delivery.body
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(http_cases.answer(delivery)).encode()]


def flask_app() -> Flask:
    app = Flask(__name__)

    @app.post(http_cases.ROUTE)
    @app.post("/v1/api/qstash")
    def hook() -> dict[str, Any]:
        delivery = flask_request.environ[ENVIRON_KEY]
        assert flask_request.get_data() == delivery.body
        return http_cases.answer(delivery)

    return app


@pytest.mark.parametrize("framework", ["bare", "flask"])
@pytest.mark.parametrize("case", PATH_LIST_CASES, ids=lambda c: c["id"])
def test_the_wsgi_middleware_answers_every_http_case(case: dict[str, Any], framework: str) -> None:
    app = bare_wsgi_app if framework == "bare" else flask_app()
    guarded = WsgiMiddleware(
        app, paths=[route_of(case)], receiver=http_cases.receiver(case), **http_cases.gate_options(case)
    )
    assert run(case, lambda request: wsgi_call(guarded, request)) == []


def test_the_middlewares_leave_other_paths_alone_and_need_their_paths() -> None:
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return []

    guarded = WsgiMiddleware(app, paths=["/api/qstash"], receiver=Receiver.dev())
    request = http_cases.RequestBytes("POST", "/health", [], b"", chunked=False, broken=False)
    assert wsgi_call(guarded, request)[0] == 204 and seen == ["/health"]
    with pytest.raises(ValueError, match="give the paths the middleware guards"):
        AsgiMiddleware(bare_asgi_app, paths=[], receiver=Receiver.dev())


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def test_a_django_view_under_a_real_server_gets_the_delivery_and_refuses_a_tampered_one() -> None:
    @django_verified(Receiver.dev())
    def hook(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"order": request.qstash.json()["order"], "body": request.body.decode()})

    CURRENT.update(view=hook, asynchronous=False)
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        body = b'{"order":42}'
        token = Signer.dev().sign(f"http://127.0.0.1:{port}/api/qstash", body)

        def post(sent: bytes) -> tuple[int, Any | None]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST",
                "/api/qstash",
                body=sent,
                headers={"Upstash-Signature": token, "Content-Type": "application/json"},
            )
            answer = connection.getresponse()
            result = (answer.status, json.loads(answer.read()))
            connection.close()
            return result

        assert post(body) == (200, {"order": 42, "body": '{"order":42}'})
        assert post(b'{"order":43}') == (401, {"error": "invalid_signature", "reason": "body"})
    finally:
        server.shutdown()
        thread.join(timeout=30)
    assert URL  # the conftest's URL is the one every other test signs for


def rest_api_event(stage_path: str, token: str) -> dict[str, Any]:
    """An API Gateway REST API event (the AWS sample of vectors/lambda_events) for a POST of
    BODY to /api/qstash through the stage `prod`: the adapters take the stage out of the path
    the framework sees, QStash signed it in."""
    event = json.loads((http_cases.REPO / "vectors" / "lambda_events" / "rest-api.json").read_text())
    event.update(
        path="/api/qstash", httpMethod="POST", body=base64.b64encode(b'{"order":42}').decode(), isBase64Encoded=True
    )
    event["resource"] = "/{proxy+}"
    event["pathParameters"] = {"proxy": "api/qstash"}
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None
    headers = {
        "Host": "1234567890.execute-api.us-east-1.amazonaws.com",
        "Content-Type": "application/json",
        "Upstash-Signature": token,
    }
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    event["requestContext"]["path"] = stage_path
    return event


STAGE_URL = "https://1234567890.execute-api.us-east-1.amazonaws.com/prod/api/qstash"


class LambdaContext:
    function_name = "qstash-hook"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:qstash-hook"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def adapters() -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    import serverless_wsgi
    from apig_wsgi import make_lambda_handler
    from mangum import Mangum

    return {
        "apig-wsgi": lambda event: make_lambda_handler(WSGIHandler())(event, LambdaContext()),
        "serverless-wsgi": lambda event: serverless_wsgi.handle_request(WSGIHandler(), event, LambdaContext()),
        "mangum": lambda event: Mangum(ASGIHandler(), lifespan="off")(event, LambdaContext()),
    }


@pytest.mark.parametrize("adapter", ["apig-wsgi", "serverless-wsgi", "mangum"])
def test_django_on_lambda_behind_a_rest_api_stage_verifies_the_url_qstash_signed(adapter: str) -> None:
    @django_verified(Receiver.dev())
    def hook(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"sub": request.qstash.claims.sub, "order": request.qstash.json()["order"]})

    CURRENT.update(view=hook, asynchronous=False)
    token = Signer.dev().sign(STAGE_URL, b'{"order":42}')
    answer = adapters()[adapter](rest_api_event("/prod/api/qstash", token))
    body = answer["body"]
    if answer.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    assert (answer["statusCode"], json.loads(body)) == (200, {"sub": STAGE_URL, "order": 42})
    # A token QStash signed for another stage is refused: the stage is part of the URL.
    other = Signer.dev().sign(STAGE_URL.replace("/prod/", "/dev/"), b'{"order":42}')
    refused = adapters()[adapter](rest_api_event("/prod/api/qstash", other))
    refused_body = refused["body"]
    if refused.get("isBase64Encoded"):
        refused_body = base64.b64decode(refused_body).decode()
    assert (refused["statusCode"], json.loads(refused_body)) == (
        401,
        {"error": "invalid_signature", "reason": "subject"},
    )


def test_django_reads_its_keys_from_the_settings_when_deliveries_arrive_and_follows_override_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.test import override_settings

    for name in ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "QSTASH_DEV", "QSTASH_REGION"):
        monkeypatch.delenv(name, raising=False)

    # Decorated as at import, with no key anywhere yet (`manage.py check` without secrets).
    @django_verified()
    def hook(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"ok": True})

    CURRENT.update(view=hook, asynchronous=False)

    def post(key: str) -> tuple[int, Any]:
        token = Signer(key).sign(URL, b'{"order":42}').encode()
        request = http_cases.RequestBytes(
            "POST", "/api/qstash", [("upstash-signature", token)], b'{"order":42}', False, False
        )
        status, _, body = wsgi_call(WSGIHandler(), request)
        return status, json.loads(body)

    assert post("sig_settingsFirstCurrent0000000") == (401, {"error": "invalid_signature", "reason": "no_keys"})
    with override_settings(
        QSTASH_CURRENT_SIGNING_KEY="sig_settingsFirstCurrent0000000",
        QSTASH_NEXT_SIGNING_KEY="sig_settingsFirstNext000000000",
    ):
        assert post("sig_settingsFirstCurrent0000000") == (200, {"ok": True})
    with override_settings(
        QSTASH_CURRENT_SIGNING_KEY="sig_settingsSecondCurrent000000",
        QSTASH_NEXT_SIGNING_KEY="sig_settingsSecondNext00000000",
    ):
        assert post("sig_settingsSecondCurrent000000") == (200, {"ok": True})
        assert post("sig_settingsFirstCurrent0000000") == (401, {"error": "invalid_signature", "reason": "signature"})
