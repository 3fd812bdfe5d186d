"""Every delivery's outcome, recorded once by the gate (SPEC.md §7.8): handed to `on_outcome`
and counted in OpenTelemetry's `qstash.deliveries`, read through the SDK's in-memory reader,
after a valid, a replayed, a tampered, an expired and a next-key delivery."""

from __future__ import annotations

import sys

import pytest
from flask import Flask
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from qstash_verify import Outcome, Receiver, Signer
from qstash_verify._telemetry import recorder
from qstash_verify.flask import qstash_verified

from conftest import URL

BODY = b'{"order":42}'
PATH = "/api/qstash"
READER = InMemoryMetricReader()
# The global provider can be set once per process: this module is the only one that sets it.
metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))


def counts() -> dict[tuple[str, str, str, str], int]:
    """`qstash.deliveries` by (outcome, reason, key, region), as the reader has it now."""
    found: dict[tuple[str, str, str, str], int] = {}
    data = READER.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            # SPEC.md §7.8: the meter is `qstash-verify` in every language, so one dashboard
            # filter finds Python's and Node's counts.
            if scope.scope.name != "qstash-verify":
                continue
            for metric in scope.metrics:
                if metric.name != "qstash.deliveries":
                    continue
                for point in metric.data.data_points:
                    a = point.attributes
                    found[(a["outcome"], a["reason"], a["key"], a["region"])] = point.value
    return found


def test_each_delivery_reaches_the_hook_once_and_opentelemetry_counts_it_by_reason() -> None:
    before = counts()
    seen: list[Outcome] = []
    app = Flask(__name__)

    @app.post(PATH)
    @qstash_verified(Receiver.dev(replay_protection=True), on_outcome=seen.append)
    def hook() -> str:
        return "ok"

    client = app.test_client()

    def deliver(token: str, body: bytes = BODY) -> int:
        return client.post(PATH, data=body, headers={"upstash-signature": token, "upstash-message-id": "m"}).status_code

    valid = Signer.dev().sign(URL, BODY)
    assert deliver(valid) == 200
    assert deliver(valid) == 401
    assert deliver(Signer.dev().sign(URL, BODY), b'{"order":43}') == 401
    assert deliver(Signer.dev().sign(URL, BODY, now=1)) == 401
    assert deliver(Signer.dev_next().sign(URL, BODY)) == 200

    assert [(o.outcome, o.reason, o.key, o.region) for o in seen] == [
        ("accepted", "none", "current", "default"),
        ("rejected", "replayed", "none", "none"),
        ("rejected", "body", "none", "none"),
        ("rejected", "expired", "none", "none"),
        ("accepted", "none", "next", "default"),
    ]
    assert (
        repr(seen[0]) == "Outcome(outcome='accepted', reason='none', key='current', region='default', message_id='m')"
    )
    after = counts()
    for labels in [
        ("accepted", "none", "current", "default"),
        ("rejected", "replayed", "none", "none"),
        ("rejected", "body", "none", "none"),
        ("rejected", "expired", "none", "none"),
        ("accepted", "none", "next", "default"),
    ]:
        assert after.get(labels, 0) - before.get(labels, 0) == 1, (labels, after)


def test_a_hook_that_raises_never_changes_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(outcome: Outcome) -> None:
        raise RuntimeError("the user's hook failed")

    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: reported.append(report.exc_value))

    app = Flask(__name__)

    @app.post(PATH)
    @qstash_verified(Receiver.dev(), on_outcome=broken)
    def hook() -> str:
        return "ok"

    token = Signer.dev().sign(URL, BODY)
    assert app.test_client().post(PATH, data=BODY, headers={"upstash-signature": token}).status_code == 200
    assert [str(e) for e in reported] == ["the user's hook failed"]


def test_without_the_opentelemetry_api_nothing_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # `import opentelemetry` raises ImportError
    assert recorder() is None
