"""OpenTelemetry metrics for the gate's outcomes (SPEC.md §7.8), when the application has the
OpenTelemetry API installed; without it, nothing is imported and nothing recorded."""

from __future__ import annotations

from collections.abc import Callable

from qstash_verify._native import Outcome


def recorder() -> Callable[[Outcome], None] | None:
    """A function counting each outcome in ``qstash.deliveries`` (by outcome, reason, key and
    region), or None without the OpenTelemetry API. The meter is the global provider's, so an
    SDK configured after the gate was built still receives the counts."""
    try:
        from opentelemetry import metrics
    except ImportError:
        return None
    counter = metrics.get_meter("qstash-verify").create_counter(
        "qstash.deliveries",
        unit="{delivery}",
        description="QStash deliveries by outcome, reason, signing key and region",
    )

    def record(outcome: Outcome) -> None:
        attributes = {
            "outcome": outcome.outcome,
            "reason": outcome.reason,
            "key": outcome.key,
            "region": outcome.region,
        }
        counter.add(1, attributes)

    return record
