"""After ``pip install qstash-verify`` (no extras): the README's AWS Lambda example, loaded from
the file given, accepts a signed delivery in a REST API event (stage, base64 body) and refuses
a tampered one with 401 ``body``.

usage: aws_lambda.py README_EXAMPLE.py EVENTS_DIR
"""

import base64
import importlib.util
import json
import os
import pathlib
import sys

from qstash_verify import Signer

example, events = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
os.environ.update(QSTASH_DEV="1")  # the development keys, as `qstash-kit dev` prints them
for name in ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"):
    os.environ.pop(name, None)
spec = importlib.util.spec_from_file_location("lambda_example", example)
assert spec is not None and spec.loader is not None
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

URL = "https://1234567890.execute-api.us-east-1.amazonaws.com/prod/api/orders"
BODY = b'{"id":7}'


def event(body: bytes) -> dict:
    sample = json.loads((events / "rest-api.json").read_text())
    sample.update(path="/api/orders", body=base64.b64encode(body).decode(), isBase64Encoded=True)
    sample.update(queryStringParameters=None, multiValueQueryStringParameters=None)
    sample["requestContext"]["path"] = "/prod/api/orders"
    token = Signer.dev().sign(URL, BODY)
    sample["headers"] = {"Upstash-Signature": token, "Upstash-Message-Id": "msg_7"}
    sample["multiValueHeaders"] = {name: [value] for name, value in sample["headers"].items()}
    return sample


accepted = module.handler(event(BODY), None)
assert accepted == {"statusCode": 200, "body": '{"order": 7, "message": "msg_7"}'}, accepted
refused = module.handler(event(b'{"id":8}'), None)
assert (refused["statusCode"], json.loads(refused["body"])) == (
    401,
    {"error": "invalid_signature", "reason": "body"},
), refused
print("aws lambda README example: ok")
