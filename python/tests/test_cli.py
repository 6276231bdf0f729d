import json
import subprocess
import sys

WAST = """
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
"""


def run(*args):
    return subprocess.run([sys.executable, "-m", "wasmint", *args], capture_output=True, text=True)


def test_wast_reports_failures(tmp_path):
    script = tmp_path / "t.wast"
    script.write_text(WAST)
    out = tmp_path / "out.json"
    proc = run("wast", str(script), "--json", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "3 passed, 1 failed"
    assert any(line.startswith(f"{script}:5: assert_return: ") for line in lines)
    report = json.loads(out.read_text())
    assert report["passed"] == 3 and report["failed"] == 1


def test_wast_all_pass(tmp_path):
    script = tmp_path / "ok.wast"
    script.write_text(WAST.replace("(i32.const 4)", "(i32.const 3)"))
    proc = run("wast", str(script))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("wasmint ")


def test_ci_runs_the_readme_test_command():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (root / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == test_command
