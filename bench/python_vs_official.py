"""qstash_verify against the official ``qstash.Receiver`` and against qstash-core itself, in one
run, on the same tokens:

1. what a ``Receiver.verify`` call costs over ``Receiver::verify`` of qstash-core (the crossing:
   argument parsing, the body's bytes, the claims object), called both ways users call it:
   without options, and as the official API is used, with a per-call ``clock_tolerance``;
2. verifications per second of ours and of the official receiver, for bodies of 0 B, 1 KiB,
   64 KiB and 1 MiB.

    .venv/bin/maturin develop --release -m bindings-python/Cargo.toml
    .venv/bin/python bench/python_vs_official.py [seconds per round, default 0.5] [--unpinned]

The run is pinned to one CPU (``os.sched_setaffinity``), where the core's runs
(``core/examples/verify_cost.rs``, built here if needed) happen too, between our rounds.
``--unpinned`` leaves the scheduler free. Bodies are ASCII text, the only kind the official
receiver verifies. Every figure is the median of alternating rounds with the lowest and highest
in brackets; each timed round follows an untimed warm-up of the same call.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from qstash import Receiver as OfficialReceiver

from qstash_verify import Receiver, Signer

ROOT = Path(__file__).resolve().parent.parent
CURRENT, NEXT = "sig_benchCurrentSigningKey0001", "sig_benchNextSigningKey00000002"
URL = "https://app.acme.co/hooks"
ROUNDS = 7
TOLERANCE = 5
SIZES = [("0 B", 0), ("1 KiB", 1024), ("64 KiB", 64 * 1024), ("1 MiB", 1024 * 1024)]


def ns_per_call(verify: Callable[[], object], seconds: float) -> float:
    """Nanoseconds per call of ``verify`` over about ``seconds`` (batches double up to 4096)."""
    n, batch = 0, 1
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            verify()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / n * 1e9
        batch = min(batch * 2, 4096)


def timed(verify: Callable[[], object], seconds: float) -> float:
    """One timed round after an untimed warm-up of a fifth of it."""
    ns_per_call(verify, seconds / 5)
    return ns_per_call(verify, seconds)


def spread(values: list[float], show: Callable[[float], str]) -> str:
    """``median [lowest–highest]`` of ``values``."""
    return f"{show(statistics.median(values))} [{show(min(values))}–{show(max(values))}]"


def micro(ns: float) -> str:
    return f"{ns / 1000:.2f}"


def times(ratio: float) -> str:
    return f"{ratio:.1f}x"


def verify_cost() -> Path:
    """The core's benchmark program, built when it is not there yet."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    program = target / "release" / "examples" / "verify_cost"
    if not program.exists():
        build = ["cargo", "build", "--release", "-q", "-p", "qstash-core", "--example", "verify_cost"]
        subprocess.run(build, cwd=ROOT, check=True)
    return program


def core_ns(program: Path, token: str, size: int, tolerance: int | None, seconds: float) -> float:
    """Nanoseconds per ``Receiver::verify`` of qstash-core on the same token, body and URL."""
    arguments = [CURRENT, NEXT, token, str(size), URL, "-" if tolerance is None else str(tolerance), str(seconds)]
    return float(subprocess.run([program, *arguments], check=True, capture_output=True, text=True).stdout)


def main() -> int:
    arguments = sys.argv[1:]
    pinned = "--unpinned" not in arguments
    seconds = float(next((a for a in arguments if not a.startswith("--")), "0.5"))
    if not seconds > 0:
        raise SystemExit(f"seconds per round must be a positive number, not {seconds}")
    where = "unpinned"
    if pinned:
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        where = f"pinned to CPU {cpu}"
    warnings.simplefilter("ignore")
    program = verify_cost()
    ours, official = Receiver(CURRENT, NEXT), OfficialReceiver(CURRENT, NEXT)
    signer = Signer(CURRENT)
    print(
        f"qstash_verify, Python {sys.version.split()[0]}, {where}; {seconds} s per round, "
        f"{ROUNDS} rounds alternating; median [lowest–highest]"
    )

    print("\nReceiver.verify over qstash-core (the same token, body and URL; µs per call)")
    print(f"{'call':<62} {'body':>6} {'qstash-core':>22} {'qstash_verify':>22} {'over the core':>22}")
    for name, size in SIZES[:2]:
        body = "a" * size
        token = signer.sign(URL, body, lifetime=3600)
        ways: list[tuple[str, Callable[[], object], int | None]] = [
            (
                "verify(signature=…, body=…, url=…)",
                lambda token=token, body=body: ours.verify(signature=token, body=body, url=URL),
                None,
            ),
            (
                f"verify(signature=…, body=…, url=…, clock_tolerance={TOLERANCE})",
                lambda token=token, body=body: ours.verify(
                    signature=token, body=body, url=URL, clock_tolerance=TOLERANCE
                ),
                TOLERANCE,
            ),
        ]
        for call, verify, tolerance in ways:
            assert verify()
            core, binding = [], []
            for _ in range(ROUNDS):
                core.append(core_ns(program, token, size, tolerance, seconds))
                binding.append(timed(verify, seconds))
            over = [b - c for b, c in zip(binding, core, strict=False)]
            print(
                f"{call:<62} {name:>6} {spread(core, micro):>22} {spread(binding, micro):>22} {spread(over, micro):>22}"
            )
        print(f"{'':<62} token of {len(token)} characters")

    print(f"\nverifications per second, called as the official API is: clock_tolerance={TOLERANCE}")
    print(f"{'body':>6} {'qstash_verify /s':>18} {'official /s':>14} {'speed-up':>22}")
    for name, size in SIZES:
        body = "a" * size
        token = signer.sign(URL, body, lifetime=3600)

        def mine(token: str = token, body: str = body) -> object:
            return ours.verify(signature=token, body=body, url=URL, clock_tolerance=TOLERANCE)

        def theirs(token: str = token, body: str = body) -> object:
            return official.verify(signature=token, body=body, url=URL, clock_tolerance=TOLERANCE)

        # Both must accept the token before it is timed.
        assert mine()
        theirs()
        budget = seconds * 2 if size >= 1024 * 1024 else seconds
        ns_mine, ns_theirs = [], []
        for _ in range(ROUNDS):
            ns_mine.append(timed(mine, budget))
            ns_theirs.append(timed(theirs, budget))
        # Ratios are per round (both sides measured moments apart), then summarised.
        ratios = [t / m for m, t in zip(ns_mine, ns_theirs, strict=False)]
        print(
            f"{name:>6} {1e9 / statistics.median(ns_mine):>18,.0f} {1e9 / statistics.median(ns_theirs):>14,.0f} "
            f"{spread(ratios, times):>22}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
