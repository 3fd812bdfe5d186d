"""Verifications per second of qstash_verify and of the official qstash.Receiver, in one run,
on the same tokens, for bodies of 0 B, 1 KiB, 64 KiB and 1 MiB.

    .venv/bin/maturin develop --release -m bindings-python/Cargo.toml
    .venv/bin/python bench/python_vs_official.py [seconds per measurement, default 1.0]

Bodies are ASCII text, the only kind the official receiver can verify. Each figure is the best
of five timed rounds, alternating ours and theirs so drift of the machine hits both alike.
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import Callable

from qstash import Receiver as OfficialReceiver

from qstash_verify import Receiver, Signer

CURRENT, NEXT = "sig_benchCurrentSigningKey0001", "sig_benchNextSigningKey00000002"
URL = "https://bench.example.com/api/qstash"
SIZES = [("0 B", 0), ("1 KiB", 1024), ("64 KiB", 64 * 1024), ("1 MiB", 1024 * 1024)]


def rate(verify: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``verify`` over about ``seconds``."""
    n, batch = 0, 1
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            verify()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed
        batch = min(batch * 2, 4096)


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    warnings.simplefilter("ignore")
    ours, official = Receiver(CURRENT, NEXT), OfficialReceiver(CURRENT, NEXT)
    signer = Signer(CURRENT)
    print(f"qstash_verify vs official qstash.Receiver ({seconds:.1f} s per round, best of 5)")
    print(f"{'body':>8} {'qstash_verify /s':>18} {'official /s':>14} {'speed-up':>10}")
    for name, size in SIZES:
        body = "a" * size
        token = signer.sign(URL, body, lifetime=3600)
        # Both must accept the token before it is timed.
        assert ours.verify(signature=token, body=body, url=URL)
        official.verify(signature=token, body=body, url=URL)
        best_ours = best_official = 0.0
        per_round = seconds if size < 1024 * 1024 else seconds * 2
        for _ in range(5):
            best_ours = max(best_ours, rate(lambda: ours.verify(signature=token, body=body, url=URL), per_round))
            best_official = max(
                best_official, rate(lambda: official.verify(signature=token, body=body, url=URL), per_round)
            )
        print(f"{name:>8} {best_ours:>18,.0f} {best_official:>14,.0f} {best_ours / best_official:>9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
