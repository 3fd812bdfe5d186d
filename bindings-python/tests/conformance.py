"""Conformance runner (SPEC.md §8): reads a JSONL file of cases and prints one
``{"id", "verdict", "reason"}`` line per case, in input order.

    .venv/bin/python bindings-python/tests/conformance.py FILE
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from typing import Any

from qstash_verify import ConfigError, Receiver, SignatureError


def verdict(case: dict[str, Any]) -> tuple[bool, str | None]:
    """Runs one case through the public API exactly as a user would."""
    try:
        receiver = Receiver(case["current_key"], case["next_key"])
    except ConfigError as error:
        return False, error.reason
    try:
        receiver.verify(
            signature=case["token"],
            body=base64.b64decode(case["body_b64"]),
            url=case["url"],
            clock_tolerance=case["clock_tolerance_s"],
            region=case.get("region"),
            now=case["now"],
        )
    except SignatureError as error:
        return False, error.reason
    return True, None


def run(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if not line.strip():
            continue
        case = json.loads(line)
        valid, reason = verdict(case)
        yield json.dumps(
            {"id": case["id"], "verdict": "valid" if valid else "invalid", "reason": reason},
            separators=(",", ":"),
        )


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: conformance.py FILE.jsonl", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as cases:
        for out in run(cases):
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
