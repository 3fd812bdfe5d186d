"""The shared public vectors through the runner, as users call it (SPEC.md §8)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, VECTORS


def test_runner_agrees_with_every_public_vector_on_verdict_and_reason() -> None:
    runner = REPO / "bindings-python" / "tests" / "conformance.py"
    out = subprocess.run(
        [sys.executable, str(runner), str(VECTORS)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    cases = [json.loads(line) for line in VECTORS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(out) == len(cases) == 119
    wrong = []
    for case, line in zip(cases, out, strict=False):
        got = json.loads(line)
        assert got["id"] == case["id"], "runner output is out of order"
        if (got["verdict"], got["reason"]) != (case["expect"], case["expect_reason"]):
            wrong.append((case["id"], case["expect"], case["expect_reason"], got["verdict"], got["reason"]))
    assert not wrong, wrong
