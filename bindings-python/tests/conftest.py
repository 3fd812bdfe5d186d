"""Shared fixtures: the vectors' location and a fixed clock."""

from __future__ import annotations

import pathlib
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = REPO / "vectors" / "qstash_conformance_public.jsonl"
URL = "https://my-app.example.com/api/qstash"


@pytest.fixture
def now() -> int:
    return int(time.time())
