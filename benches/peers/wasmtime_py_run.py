#!/usr/bin/env python3
"""Runs a WASI program on the PyPI `wasmtime` package, the way its Python
users do: Engine, Store, Module, Linker with WASI, `_start`.

    python wasmtime_py_run.py [--dir HOST::GUEST]... FILE.wasm [ARGS...]

Defaults throughout (Cranelift, no compilation cache). Stdin, stdout and
stderr are the process's own. Exit status: the program's `proc_exit` code,
0 when `_start` returns, 134 on a trap.
"""

import os
import sys

import wasmtime


def main(argv):
    dirs = []
    while argv and argv[0] == "--dir":
        argv.pop(0)
        host, _, guest = argv.pop(0).partition("::")
        dirs.append((host, guest or host))
    path, args = argv[0], argv[1:]
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [os.path.basename(path)] + args
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, path)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        return e.code
    except wasmtime.Trap as e:
        print("wasmtime_py_run.py: trap: %s" % e, file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
