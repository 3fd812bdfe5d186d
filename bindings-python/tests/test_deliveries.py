"""`vectors/deliveries.json`, the table of deliveries every implementation of the gate runs
(Rust's gate, Node's two builds, and here Python): per delivery the status, the outcome handed
to `on_outcome` and the lines written to the `qstash_verify` logger, in order. The cases with a
store of the host's are JavaScript's and the gate's (Python's shared store is Redis, which
`test_replay_redis.py` runs): the count of cases run here is exact."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from qstash_verify import Gate, Outcome, QStashRejection, Receiver, Signer
from qstash_verify._gate import verify_sync

TABLE = json.loads((Path(__file__).parents[2] / "vectors" / "deliveries.json").read_text())
#: The logger methods of the table, as `logging` names its levels.
LEVELS = {"error": logging.ERROR, "warn": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}
METHODS = {level: method for method, level in LEVELS.items()}
HOST_STORES = {"store", "failing_store"}
CASES = [case for case in TABLE["cases"] if case.get("replay") not in HOST_STORES]


def test_the_table_runs_every_case_python_has_a_store_for() -> None:
    assert len(TABLE["cases"]) == 12
    assert len(CASES) == 9


def token_for(delivery: dict[str, Any], previous: str | None) -> str | None:
    signer = Signer.dev_next() if delivery.get("key") == "next" else Signer.dev()
    kind = delivery["token"]
    if kind == "fresh":
        return signer.sign(TABLE["url"], TABLE["body"].encode())
    if kind == "expired":
        return signer.sign(TABLE["url"], TABLE["body"].encode(), now=int(time.time()) - 1000)
    if kind == "again":
        return previous
    return None


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_every_case_of_the_shared_delivery_table(case: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    outcomes: list[Outcome] = []
    receiver = Receiver.dev(replay_protection=case.get("replay") == "memory")
    gate = Gate(receiver, body_limit=case.get("options", {}).get("body_limit"), on_outcome=outcomes.append)
    level = LEVELS[case.get("options", {}).get("log_level", "warn")]
    caplog.set_level(logging.DEBUG, logger="qstash_verify")
    results = []
    previous = None
    for delivery in case["deliveries"]:
        token = token_for(delivery, previous)
        previous = token
        headers = {"upstash-message-id": TABLE["message_id"]}
        if token is not None:
            headers["upstash-signature"] = token
        body = delivery.get("send_body", TABLE["body"]).encode()
        caplog.clear()

        def read(pending: Any, body: bytes = body) -> bytes:
            pending.update(body)
            return body

        try:
            verify_sync(gate, headers, delivery.get("path", "/api/qstash"), read, level)
            status = 200
        except QStashRejection as rejection:
            status = rejection.status
        last = outcomes[-1]
        results.append(
            {
                "status": status,
                "outcome": [last.outcome, last.reason, last.key, last.region],
                "log": [[METHODS[record.levelno], record.getMessage()] for record in caplog.records],
            }
        )
    assert results == case["expect"]
    assert len(outcomes) == len(case["expect"])
    assert all(outcome.message_id == TABLE["message_id"] for outcome in outcomes)
