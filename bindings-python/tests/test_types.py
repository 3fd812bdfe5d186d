"""The package's types as a type checker meets them: the stubs of the native module match the
module (``mypy.stubtest``), the typed wrapper passes ``mypy --strict``, and the reason
literals are the gate's own list."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import List, Union, get_args

from qstash_verify import REASON_CODES, RejectionReason, SignatureReason



def literals(alias: object) -> List[str]:
    """The strings of a `Literal` or of a `Union` of them, in order."""
    found: List[str] = []
    for arg in get_args(alias):
        found.extend(literals(arg) if get_args(arg) else [arg])
    return found


def mypy(*args: Union[str, pathlib.Path], tmp: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs a mypy tool on the package as installed, from an empty folder: started next to the
    package, mypy would take every module beside it (site-packages) for the user's own."""
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=tmp,
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp / ".mypy_cache")},
        capture_output=True,
        text=True,
    )


def test_the_reason_literals_are_the_gates_reason_codes() -> None:
    assert literals(RejectionReason) == list(REASON_CODES)
    assert literals(SignatureReason) == [code for code in REASON_CODES if code not in
                                         ("replay_store_unavailable", "payload_too_large", "unreadable_body")]


def test_the_stubs_match_the_native_module(tmp_path: pathlib.Path) -> None:
    result = mypy("mypy.stubtest", "--ignore-disjoint-bases", "qstash_verify._native", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typed_wrapper_passes_mypy_strict(tmp_path: pathlib.Path) -> None:
    result = mypy("mypy", "--strict", "-p", "qstash_verify", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
