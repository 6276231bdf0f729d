"""The type stubs match the extension module (needs mypy; skipped without)."""

import pathlib
import subprocess
import sys

import pytest

ALLOWLIST = pathlib.Path(__file__).resolve().parents[1] / "stubtest-allowlist.txt"


def test_stubtest():
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "wasmint._native", "--allowlist", str(ALLOWLIST)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
