#!/usr/bin/env python3
"""Compare a conformance runner's output (SPEC.md §8) with the vectors' expectations.

usage: check_conformance.py CASES.jsonl RUNNER_OUTPUT.jsonl
Exits non-zero on any differing id, verdict or reason, or a missing/extra line.
"""

import json
import sys


def main() -> int:
    cases_path, output_path = sys.argv[1], sys.argv[2]
    with open(cases_path, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    with open(output_path, encoding="utf-8") as f:
        answers = [json.loads(line) for line in f if line.strip()]
    failures = []
    if len(answers) != len(cases):
        failures.append(f"{len(cases)} cases but {len(answers)} answers")
    for case, answer in zip(cases, answers, strict=False):
        want = (case["id"], case["expect"], case["expect_reason"])
        got = (answer.get("id"), answer.get("verdict"), answer.get("reason"))
        if want != got:
            failures.append(f"{case['id']}: want {want[1:]}, got {got}")
    for line in failures:
        print("MISMATCH", line)
    passed = len(cases) - len([f for f in failures if ":" in f])
    print(f"conformance: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
