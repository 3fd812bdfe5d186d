"""After ``pip install "qstash-verify[fastapi,flask,django]"``: the FastAPI, Flask and Django
helpers and the WSGI middleware, used the way their documentation shows, accept a signed
delivery and refuse a tampered one with the JSON reason."""

import django
from django.conf import settings
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask, g, request

from qstash_verify import Receiver, Signer, wsgi
from qstash_verify.fastapi import Delivery, install, qstash_verified
from qstash_verify.flask import qstash_verified as flask_verified
from qstash_verify.wsgi import ENVIRON_KEY

URL = "https://app.example.com/api/qstash"
BODY = b'{"n":1}'


def headers(signed_body: bytes) -> dict:
    return {"Upstash-Signature": Signer.dev().sign(URL, signed_body), "Content-Type": "application/json"}


api = FastAPI()
install(api)
verified = qstash_verified(Receiver.dev())


@api.post("/api/qstash")
async def fastapi_hook(delivery: Delivery = Depends(verified)) -> dict:
    return {"bytes": len(delivery.body)}


web = Flask(__name__)


@web.post("/api/qstash")
@flask_verified(Receiver.dev())
def flask_hook() -> dict:
    return {"bytes": len(g.qstash.body)}


def fastapi_post(body: bytes, signed_body: bytes) -> tuple:
    response = TestClient(api).post("/api/qstash", content=body, headers=headers(signed_body))
    return response.status_code, response.json()


def flask_post(body: bytes, signed_body: bytes) -> tuple:
    response = web.test_client().post("/api/qstash", data=body, headers=headers(signed_body))
    return response.status_code, response.get_json()


def django_post(body: bytes, signed_body: bytes) -> tuple:
    from django.test import Client

    response = Client().post("/api/qstash", data=body, content_type="application/json", headers=headers(signed_body))
    return response.status_code, response.json()


guarded = Flask("guarded")


@guarded.post("/api/qstash")
def guarded_hook() -> dict:
    return {"bytes": len(request.environ[ENVIRON_KEY].body)}


guarded.wsgi_app = wsgi.QStashMiddleware(guarded.wsgi_app, paths=["/api/qstash"], receiver=Receiver.dev())


def wsgi_post(body: bytes, signed_body: bytes) -> tuple:
    response = guarded.test_client().post("/api/qstash", data=body, headers=headers(signed_body))
    return response.status_code, response.get_json()


settings.configure(
    SECRET_KEY="check",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
)
django.setup()
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from qstash_verify.django import qstash_verified as django_verified  # noqa: E402


@django_verified(Receiver.dev())
def django_hook(request: object) -> JsonResponse:
    return JsonResponse({"bytes": len(request.qstash.body)})  # type: ignore[attr-defined]


urlpatterns = [path("api/qstash", django_hook)]

for name, post in (
    ("fastapi", fastapi_post),
    ("flask", flask_post),
    ("django", django_post),
    ("wsgi middleware", wsgi_post),
):
    assert post(BODY, BODY) == (200, {"bytes": len(BODY)}), name
    refused = post(b'{"n":2}', BODY)
    assert refused == (401, {"error": "invalid_signature", "reason": "body"}), (name, refused)
    print(f"{name}: ok")
