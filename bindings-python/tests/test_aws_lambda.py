"""``qstash_verify.aws_lambda``: every HTTP conformance case as an event of each shape AWS
sends (``vectors/lambda_events/``: REST API, HTTP API, function URL, load balancer), answered
like every other front end; and what only Lambda has: a REST API's stage in the URL,
base64-encoded bodies, header names in any case, events that are not HTTP."""

from __future__ import annotations

import base64
import copy
import json
import urllib.parse
from typing import Any

import pytest

from qstash_verify import Delivery, Receiver, Signer
from qstash_verify.aws_lambda import qstash_verified

import http_cases
from conftest import REPO, URL

EVENTS = REPO / "vectors" / "lambda_events"
SHAPES = ["rest-api", "http-api", "function-url", "alb"]
CASES = http_cases.load()
BROKEN = "a Lambda event holds the whole body: a client that breaks off never reaches the function"


def template(shape: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{shape}.json").read_text(encoding="utf-8"))


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def event_for(request: http_cases.RequestBytes, shape: str, mount: str = "") -> dict[str, Any]:
    """The case's request as AWS would hand it to the function in `shape`."""
    event = template(shape)
    headers = [(name.title(), value.decode("latin-1")) for name, value in request.headers]
    if not request.chunked:
        headers.append(("Content-Length", str(len(request.body))))
    try:
        text = request.body.decode("utf-8")
        encode = shape in ("rest-api", "function-url")  # both ways: text and base64
    except UnicodeDecodeError:
        text, encode = "", True
    event["body"] = base64.b64encode(request.body).decode() if encode else text
    event["isBase64Encoded"] = encode
    if shape in ("http-api", "function-url"):
        event["requestContext"]["http"]["method"] = request.method
        event["requestContext"]["http"]["path"] = request.path
        event["rawPath"] = request.path
        event["rawQueryString"] = request.query
        event["queryStringParameters"] = {
            k: ",".join(v) for k, v in grouped(urllib.parse.parse_qsl(request.query)).items()
        } or None
        # HTTP APIs send names in lower case and join repeated headers with commas.
        event["headers"] = {name.lower(): ",".join(values) for name, values in grouped(headers).items()}
        return event
    event["httpMethod"] = request.method
    if shape == "rest-api":
        # The stage (or the router's mount prefix) is in requestContext.path, not in path.
        event["requestContext"]["httpMethod"] = request.method
        event["requestContext"]["path"] = request.path
        event["path"] = request.path[len(mount) :] if mount else request.path
        query = grouped(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
    else:
        # A load balancer passes the query's parts as they were sent, without decoding them.
        query = grouped(
            [tuple(part.split("=", 1)) if "=" in part else (part, "") for part in request.query.split("&") if part]
        )  # type: ignore[misc]
        event["path"] = request.path
    event["multiValueQueryStringParameters"] = query or None
    event["queryStringParameters"] = {k: v[-1] for k, v in query.items()} or None
    event["multiValueHeaders"] = grouped(headers)
    event["headers"] = {name: values[-1] for name, values in grouped(headers).items()}
    if shape == "alb":
        del event["headers"]  # a target group with multi-value headers on sends only these
    return event


def handler_for(case: dict[str, Any]) -> Any:
    @qstash_verified(http_cases.receiver(case), **http_cases.gate_options(case))
    def handler(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps(http_cases.answer(delivery)),
        }

    return handler


def answered(response: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    headers = response.get("headers") or {
        name: values[-1] for name, values in response.get("multiValueHeaders", {}).items()
    }
    return response["statusCode"], {name.lower(): value for name, value in headers.items()}, response["body"].encode()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_aws_lambda_answers_every_http_case_in_every_event_shape(case: dict[str, Any], shape: str) -> None:
    request = http_cases.request(case)
    if request.broken:
        pytest.skip(BROKEN)
    handler = handler_for(case)
    event = event_for(request, shape, case.get("mount", ""))
    if case.get("send_twice"):
        handler(copy.deepcopy(event), None)
    status, headers, body = answered(handler(event, None))
    assert http_cases.differences(case, status, headers, body) == []


def test_only_the_unreadable_case_is_left_out() -> None:
    assert [c["id"] for c in CASES if http_cases.request(c).broken] == ["unreadable"]


STAGE_URL = "https://1234567890.execute-api.us-east-1.amazonaws.com/prod/api/qstash"
BODY = b'{"order":42}'


def rest_event(token: str, body: bytes = BODY, *, encode: bool = True) -> dict[str, Any]:
    event = template("rest-api")
    event["path"] = "/api/qstash"
    event["requestContext"]["path"] = "/prod/api/qstash"
    event["multiValueQueryStringParameters"] = event["queryStringParameters"] = None
    event["multiValueHeaders"] = {"Upstash-Signature": [token], "Content-Type": ["application/json"]}
    event["headers"] = {"Upstash-Signature": token, "Content-Type": "application/json"}
    event["body"] = base64.b64encode(body).decode() if encode else body.decode()
    event["isBase64Encoded"] = encode
    return event


@qstash_verified(Receiver.dev(), public_base="https://1234567890.execute-api.us-east-1.amazonaws.com")
def staged(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"order": delivery.json()["order"], "sub": delivery.claims.sub})}


def test_a_rest_api_delivery_is_verified_with_its_stage_in_the_url() -> None:
    answer = staged(rest_event(Signer.dev().sign(STAGE_URL, BODY)), None)
    assert (answer["statusCode"], json.loads(answer["body"])) == (200, {"order": 42, "sub": STAGE_URL})
    # A token for the URL without the stage is not for this endpoint.
    without_stage = staged(
        rest_event(Signer.dev().sign("https://1234567890.execute-api.us-east-1.amazonaws.com/api/qstash", BODY)), None
    )
    assert (without_stage["statusCode"], json.loads(without_stage["body"])["reason"]) == (401, "subject")


def test_a_base64_encoded_body_is_verified_as_the_bytes_it_encodes_and_a_tampered_one_is_refused() -> None:
    binary = bytes(range(256))
    token = Signer.dev().sign(STAGE_URL, binary)

    @qstash_verified(Receiver.dev())
    def raw(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
        return {"statusCode": 200, "body": str(delivery.body == binary)}

    assert raw(rest_event(token, binary), None)["body"] == "True"
    tampered = raw(rest_event(token, binary[:-1] + b"\x00"), None)
    assert (tampered["statusCode"], json.loads(tampered["body"]), tampered["headers"]["content-type"]) == (
        401,
        {"error": "invalid_signature", "reason": "body"},
        "application/json",
    )


def test_a_refusal_in_a_load_balancer_event_is_answered_in_the_load_balancers_form() -> None:
    event = template("alb")
    event["path"] = "/api/qstash"
    event["queryStringParameters"] = None
    event["headers"] = {"upstash-signature": "not-a-token"}

    @qstash_verified(Receiver.dev())
    def handler(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
        raise AssertionError("an unverified delivery reached the handler")

    answer = handler(event, None)
    assert answer["statusCode"] == 401 and answer["statusDescription"] == "401 Unauthorized"
    assert json.loads(answer["body"]) == {"error": "invalid_signature", "reason": "malformed"}


def test_an_event_that_is_not_http_is_an_error_not_a_delivery() -> None:
    @qstash_verified(Receiver.dev())
    def handler(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
        raise AssertionError("reached the handler")

    with pytest.raises(ValueError, match="not an API Gateway, function URL or load balancer event"):
        handler({"Records": [{"eventSource": "aws:sqs"}]}, None)
    with pytest.raises(ValueError, match="isBase64Encoded body is not base64"):
        handler({**rest_event(Signer.dev().sign(URL, BODY)), "body": "%%%"}, None)


def test_keys_come_from_the_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_lambdaCurrent")
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", "sig_lambdaNext")
    monkeypatch.delenv("QSTASH_DEV", raising=False)

    @qstash_verified()
    def handler(event: dict[str, Any], context: Any, delivery: Delivery) -> dict[str, Any]:
        return {"statusCode": 200, "body": delivery.claims.key}

    event = rest_event(Signer("sig_lambdaNext").sign("https://x.example/prod/api/qstash", BODY))
    assert handler(event, None) == {"statusCode": 200, "body": "next"}
