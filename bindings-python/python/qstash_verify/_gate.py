"""What the FastAPI and Flask helpers share: the native gate (SPEC.md §7), which decides
everything, and the logger its refusals are written to."""

from __future__ import annotations

import logging

from qstash_verify._native import DEFAULT_BODY_LIMIT, Delivery, Gate, PendingDelivery, QStashRejection

logger = logging.getLogger("qstash_verify")


def log(rejection: QStashRejection, level: int) -> QStashRejection:
    """Writes the gate's line for a refusal (reason, message id, path; never the token)."""
    logger.log(level, rejection.log_message)
    return rejection


__all__ = ["DEFAULT_BODY_LIMIT", "Delivery", "Gate", "PendingDelivery", "QStashRejection", "log", "logger"]
