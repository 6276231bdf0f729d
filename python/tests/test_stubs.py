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


def test_readme_examples_type_check_strictly(tmp_path):
    """Every ```python example of README.md passes `mypy --strict`."""
    pytest.importorskip("mypy")
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 5
    for i, block in enumerate(blocks):
        (tmp_path / f"readme_example_{i}.py").write_text(block + "\n")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
