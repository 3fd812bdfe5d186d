"""The HTTP conformance cases (``vectors/http_conformance.jsonl``) through the FastAPI
dependency and the Flask decorator, each driven at its server interface (ASGI, WSGI) so every
byte of the request is the case's: every front end must give the same answers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from flask import Flask, g
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from qstash_verify.fastapi import Delivery, install, qstash_verified
from qstash_verify.flask import qstash_verified as flask_verified

import http_cases
from servers import asgi_call, wsgi_call

CASES = http_cases.load()


def fastapi_app(case: dict[str, Any]) -> FastAPI:
    app = FastAPI()
    install(app)
    verified = qstash_verified(http_cases.receiver(case), **http_cases.gate_options(case))
    routes = app
    if case.get("mount"):
        routes = FastAPI()
        install(routes)
        app.mount(case["mount"], routes)

    @routes.post(http_cases.ROUTE)
    async def hook(delivery: Delivery = Depends(verified)) -> dict:
        return http_cases.answer(delivery)

    if case.get("async_middleware"):

        @app.middleware("http")
        async def awaiting(request: Request, call_next: Any) -> Any:
            # What a session store or a rate limiter does: wait before the next one runs.
            await asyncio.sleep(0.005)
            return await call_next(request)

    return app


def flask_app(case: dict[str, Any]) -> Any:
    app = Flask(__name__)

    @app.post(http_cases.ROUTE)
    @flask_verified(http_cases.receiver(case), **http_cases.gate_options(case))
    def hook() -> dict:
        return http_cases.answer(g.qstash)

    if case.get("mount"):
        return DispatcherMiddleware(Flask("root"), {case["mount"]: app})
    return app


def run(case: dict[str, Any], call: Any) -> list[str]:
    request = http_cases.request(case)
    if case.get("send_twice"):
        call(request)
    status, headers, body = call(request)
    return http_cases.differences(case, status, headers, body)


@pytest.mark.parametrize("case", [c for c in CASES if "fastapi" not in c.get("skip", {})], ids=lambda c: c["id"])
def test_fastapi_answers_every_http_case_like_every_front_end(case: dict[str, Any]) -> None:
    app = fastapi_app(case)
    assert run(case, lambda request: asyncio.run(asgi_call(app, request))) == []


@pytest.mark.parametrize("case", [c for c in CASES if "flask" not in c.get("skip", {})], ids=lambda c: c["id"])
def test_flask_answers_every_http_case_like_every_front_end(case: dict[str, Any]) -> None:
    app = flask_app(case)
    assert run(case, lambda request: wsgi_call(app, request)) == []


def test_every_http_case_runs_somewhere_in_python() -> None:
    assert len({c["id"] for c in CASES}) == len(CASES), "two cases share an id"
    skipped_by_both = [c["id"] for c in CASES if {"fastapi", "flask"} <= set(c.get("skip", {}))]
    assert skipped_by_both == []
