"""The package's types as a type checker meets them: the stubs of the native module match the
module (``mypy.stubtest``), the typed wrapper passes ``mypy --strict``, and the reason
literals are the gate's own list."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import List, Union, get_args

import qstash_verify
from qstash_verify import REASON_CODES, RejectionReason, SignatureReason

PACKAGE = pathlib.Path(qstash_verify.__file__).parent


def literals(alias: object) -> List[str]:
    """The strings of a `Literal` or of a `Union` of them, in order."""
    found: List[str] = []
    for arg in get_args(alias):
        found.extend(literals(arg) if get_args(arg) else [arg])
    return found


def mypy(*args: Union[str, pathlib.Path], cache: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=PACKAGE.parent,
        env={**os.environ, "MYPY_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
    )


def test_the_reason_literals_are_the_gates_reason_codes() -> None:
    assert literals(RejectionReason) == list(REASON_CODES)
    assert literals(SignatureReason) == [code for code in REASON_CODES if code not in
                                         ("replay_store_unavailable", "payload_too_large", "unreadable_body")]


def test_the_stubs_match_the_native_module(tmp_path: pathlib.Path) -> None:
    result = mypy("mypy.stubtest", "--ignore-disjoint-bases", "qstash_verify._native", cache=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typed_wrapper_passes_mypy_strict(tmp_path: pathlib.Path) -> None:
    result = mypy("mypy", "--strict", "qstash_verify", cache=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
