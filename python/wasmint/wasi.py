r"""WASI preview1: run programs compiled for ``wasm32-wasi``, sandboxed.

As in wasmer: build an :class:`Environment` with :class:`StateBuilder`,
generate imports from it for the module's WASI version, instantiate, and
call ``_start``. The guest sees only what the builder gives it: its
arguments, the variables set with ``environment``, and the mapped or
preopened directories (it can never reach a file outside them: ``..``,
absolute paths and symlinks pointing out are refused with ``ENOTCAPABLE``).

Beyond wasmer:

* ``StateBuilder.stdin(bytes)`` gives the guest's standard input;
  ``capture_stdout()`` / ``capture_stderr()`` collect its output in
  ``Environment.stdout`` / ``stderr`` (bytes), and ``stdout(callable)`` /
  ``stderr(callable)`` call a function with each chunk written (bytes).
  By default the streams are the Python process's own.
* ``proc_exit(code)`` (C's ``exit``, or returning from ``main``, which
  wasi-libc turns into ``proc_exit`` for a non-zero status) raises
  :class:`Exit`, a ``RuntimeError`` whose ``code`` is the exit status (as
  wasmer raised a RuntimeError). Returning normally means status 0.

The guest's memory is the instance's export ``memory``.

```py
>>> from wasmint import wasi, Store, Module, Instance
>>> store = Store()
>>> module = Module(store, '''
... (module
...   (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
...   (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
...   (memory (export "memory") 1)
...   (data (i32.const 8) "\\10\\00\\00\\00\\06\\00\\00\\00hello\\n")
...   (func (export "_start")
...     (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))
...     (call $exit (i32.const 3))))''')
>>> version = wasi.get_version(module, strict=True)
>>> version
<Version.SNAPSHOT1: 3>
>>> env = wasi.StateBuilder('hello').argument('--foo').capture_stdout().finalize()
>>> instance = Instance(module, env.generate_import_object(store, version))
>>> try:
...     instance.exports._start()
... except wasi.Exit as e:
...     print('exit status', e.code)
exit status 3
>>> env.stdout
b'hello\n'
```
"""

from __future__ import annotations

del annotations  # the future import also binds this public name

import enum as _enum
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _native

__all__ = ["Version", "StateBuilder", "Environment", "Exit", "get_version"]


class Version(_enum.IntEnum):
    """WASI versions, numbered as in wasmer. ``LATEST`` is ``SNAPSHOT1``
    (``wasi_snapshot_preview1``); ``SNAPSHOT0`` is ``wasi_unstable``.

    ```py
    >>> from wasmint.wasi import Version
    >>> Version.LATEST < Version.SNAPSHOT1
    True
    ```
    """

    LATEST = 1
    SNAPSHOT0 = 2
    SNAPSHOT1 = 3


_NAMESPACE = {
    Version.LATEST: "wasi_snapshot_preview1",
    Version.SNAPSHOT0: "wasi_unstable",
    Version.SNAPSHOT1: "wasi_snapshot_preview1",
}


class Exit(RuntimeError):
    """Raised when the guest calls ``proc_exit``; ``code`` is its exit status.

    ```py
    >>> from wasmint.wasi import Exit
    >>> e = Exit(3)
    >>> (e.code, str(e), isinstance(e, RuntimeError))
    (3, 'WASI program exited with status 3', True)
    ```
    """

    def __init__(self, code: int) -> None:
        super().__init__(f"WASI program exited with status {code}")
        self.code = code


def get_version(module: "_native.Module", strict: bool = False) -> Optional[Version]:
    """The WASI version `module` imports, or None if it imports none. With
    `strict`, also None when it imports anything else than WASI.

    ```py
    >>> from wasmint import wasi, Store, Module
    >>> module = Module(Store(), '(module (import "wasi_unstable" "sched_yield" (func (result i32))))')
    >>> wasi.get_version(module)
    <Version.SNAPSHOT0: 2>
    >>> print(wasi.get_version(Module(Store(), '(module)')))
    None
    ```
    """
    name = _native.wasi_version(module, strict)
    if name is None:
        return None
    return Version.SNAPSHOT0 if name == "wasi_unstable" else Version.SNAPSHOT1


if _TYPE_CHECKING:
    _Output = Union[None, bool, Callable[[bytes], Any]]


class StateBuilder:
    """Builds a WASI :class:`Environment`. Every method returns the builder,
    so calls chain.

    ```py
    >>> from wasmint import wasi
    >>> builder = wasi.StateBuilder('prog').arguments(['-v', 'x']).environment('K', 'V')
    >>> env = builder.map_directory('/data', '.').finalize()
    >>> isinstance(env, wasi.Environment)
    True
    ```
    """

    def __init__(self, program_name: str) -> None:
        self._args: List[str] = [program_name]
        self._envs: Dict[str, str] = {}
        self._dirs: List[Tuple[str, str]] = []
        self._stdin: Optional[bytes] = None
        self._stdout: _Output = None
        self._stderr: _Output = None

    def argument(self, argument: str) -> "StateBuilder":
        """Appends an argument (after the program name)."""
        self._args.append(argument)
        return self

    def arguments(self, arguments: List[str]) -> "StateBuilder":
        """Appends arguments."""
        self._args.extend(arguments)
        return self

    def environment(self, key: str, value: str) -> "StateBuilder":
        """Sets an environment variable (the guest sees no other)."""
        self._envs[key] = value
        return self

    def environments(self, environments: Dict[str, str]) -> "StateBuilder":
        """Sets environment variables."""
        self._envs.update(environments)
        return self

    def map_directory(self, alias: str, directory: str) -> "StateBuilder":
        """Makes host `directory` visible to the guest as `alias`."""
        self._dirs.append((str(directory), alias))
        return self

    def map_directories(self, map_directories: Dict[str, str]) -> "StateBuilder":
        """Maps each ``{alias: host directory}``."""
        for alias, directory in map_directories.items():
            self.map_directory(alias, directory)
        return self

    def preopen_directory(self, path: str) -> "StateBuilder":
        """Makes host directory `path` visible to the guest as `path`."""
        return self.map_directory(str(path), path)

    def preopen_directories(self, paths: List[str]) -> "StateBuilder":
        """Preopens each path."""
        for path in paths:
            self.preopen_directory(path)
        return self

    def stdin(self, data: bytes) -> "StateBuilder":
        """The guest's standard input: these bytes, then end of file."""
        self._stdin = bytes(data)
        return self

    def stdout(self, target: _Output) -> "StateBuilder":
        """Where the guest's stdout goes: None (this process's), True
        (captured in ``Environment.stdout``), False (discarded), or a
        callable given each chunk (bytes). An exception raised by the
        callable ends the call that wrote and comes out of it."""
        self._stdout = target
        return self

    def stderr(self, target: _Output) -> "StateBuilder":
        """Where the guest's stderr goes (as for :meth:`stdout`)."""
        self._stderr = target
        return self

    def capture_stdout(self) -> "StateBuilder":
        """Collects the guest's stdout in ``Environment.stdout``."""
        return self.stdout(True)

    def capture_stderr(self) -> "StateBuilder":
        """Collects the guest's stderr in ``Environment.stderr``."""
        return self.stderr(True)

    def finalize(self) -> "Environment":
        """The environment. Raises ValueError if a directory cannot be opened."""
        native = _native.WasiEnv(
            list(self._args),
            list(self._envs.items()),
            list(self._dirs),
            self._stdin,
            self._stdout,
            self._stderr,
        )
        return Environment(native)


class Environment:
    """A WASI environment (made by :meth:`StateBuilder.finalize`): the
    program's state, shared by all the imports generated from it.

    ```py
    >>> from wasmint import wasi, Store
    >>> env = wasi.StateBuilder('prog').finalize()
    >>> imports = env.generate_imports(Store(), wasi.Version.SNAPSHOT1)
    >>> 'fd_write' in imports['wasi_snapshot_preview1']
    True
    ```
    """

    def __init__(self, native: "_native.WasiEnv") -> None:
        self._native = native

    def generate_imports(self, store: "_native.Store", version: Version) -> Dict[str, Dict[str, Any]]:
        """``{namespace: {name: Function}}`` for `version`, defined in `store`."""
        namespace = _NAMESPACE[Version(version)]
        return {namespace: self._native.functions(store, namespace)}

    def generate_import_object(self, store: "_native.Store", version: Version) -> "_native.ImportObject":
        """An ``ImportObject`` with the WASI functions of `version`."""
        import_object = _native.ImportObject()
        for namespace, functions in self.generate_imports(store, version).items():
            import_object.register(namespace, functions)
        return import_object

    @property
    def stdout(self) -> Optional[bytes]:
        """What the guest wrote to stdout, if captured (else None)."""
        return self._native.stdout

    @property
    def stderr(self) -> Optional[bytes]:
        """What the guest wrote to stderr, if captured (else None)."""
        return self._native.stderr

    @property
    def exit_code(self) -> Optional[int]:
        """The status given to ``proc_exit``, once called (else None)."""
        return self._native.exit_code
