"""After ``pip install "qstash-verify[fastapi,flask]"``: both helpers, used the way their
documentation shows, accept a signed delivery and refuse a tampered one with the JSON reason."""

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask, g

from qstash_verify import Receiver, Signer
from qstash_verify.fastapi import Delivery, install, qstash_verified
from qstash_verify.flask import qstash_verified as flask_verified

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


for name, post in (("fastapi", fastapi_post), ("flask", flask_post)):
    assert post(BODY, BODY) == (200, {"bytes": len(BODY)}), name
    refused = post(b'{"n":2}', BODY)
    assert refused == (401, {"error": "invalid_signature", "reason": "body"}), (name, refused)
    print(f"{name}: ok")
