"""Runs examples/exceptions.wat (wasm exceptions thrown across frames and
caught by tag) from Python, then lets one reach Python as a
`wasmint.WasmException`.

    python examples/exceptions.py
"""

import pathlib

from wasmint import Instance, Module, Store, WasmException, wasi

store = Store()
module = Module(store, (pathlib.Path(__file__).parent / "exceptions.wat").read_text())
env = wasi.StateBuilder("exceptions").capture_stdout().finalize()
instance = Instance(module, env.generate_import_object(store, wasi.get_version(module, strict=True)))

# The program catches its own exceptions: one line of output per input line.
instance.exports._start()
print(env.stdout.decode(), end="")

# `sum` called on a bad line from Python: nothing in wasm catches the
# exception, so it arrives here with its tag and payload (the column).
exports = instance.exports
line = b"9,q\0"
exports.memory.uint8_view(2048)[0 : len(line)] = line
try:
    exports.sum(2048)
except WasmException as e:
    assert e.tag == exports.bad_char
    print(f"from Python: uncaught bad_char exception, bad character at {e.payload[0]}")
