import pytest

import wasmint

# The module the reference examples load as `tests/tests.wasm`: an exported
# memory of 17 pages and `string()`, the address of "Hello, World!".
TESTS_WAT = """
(module
  (memory (export "memory") 17)
  (data (i32.const 1048576) "Hello, World!\\00")
  (func (export "string") (result i32) i32.const 1048576)
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
"""

WASI_WAT = """
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""


def custom_section(name: bytes, data: bytes) -> bytes:
    body = bytes([len(name)]) + name + data
    return b"\x00" + bytes([len(body)]) + body


@pytest.fixture
def reference_dir(tmp_path, monkeypatch):
    """A working directory with the files the reference examples open."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "tests.wasm").write_bytes(wasmint.wat2wasm(TESTS_WAT))
    (tests / "wasi.wasm").write_bytes(wasmint.wat2wasm(WASI_WAT))
    (tests / "custom_sections.wasm").write_bytes(
        b"\x00asm\x01\x00\x00\x00"
        + custom_section(b"easter_egg", b"Wasmer")
        + custom_section(b"hello", b"World!")
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path
