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
        """Appends an argument (after the program name).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> argc = Module(store, '''(module (import "wasi_snapshot_preview1" "args_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "argc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))''')
        >>> env = wasi.StateBuilder('prog').argument('-v').argument('x').finalize()
        >>> Instance(argc, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.argc()
        3
        ```
        """
        self._args.append(argument)
        return self

    def arguments(self, arguments: List[str]) -> "StateBuilder":
        """Appends arguments.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> argc = Module(store, '''(module (import "wasi_snapshot_preview1" "args_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "argc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))''')
        >>> env = wasi.StateBuilder('prog').arguments(['-v', 'x']).finalize()
        >>> Instance(argc, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.argc()
        3
        ```
        """
        self._args.extend(arguments)
        return self

    def environment(self, key: str, value: str) -> "StateBuilder":
        """Sets an environment variable (the guest sees no other).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> envc = Module(store, '''(module (import "wasi_snapshot_preview1" "environ_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "envc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))''')
        >>> env = wasi.StateBuilder('prog').environment('A', '1').environment('B', '2').finalize()
        >>> Instance(envc, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.envc()
        2
        ```
        """
        self._envs[key] = value
        return self

    def environments(self, environments: Dict[str, str]) -> "StateBuilder":
        """Sets environment variables.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> envc = Module(store, '''(module (import "wasi_snapshot_preview1" "environ_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "envc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))''')
        >>> env = wasi.StateBuilder('prog').environments({'A': '1', 'B': '2', 'C': '3'}).finalize()
        >>> Instance(envc, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.envc()
        3
        ```
        """
        self._envs.update(environments)
        return self

    def map_directory(self, alias: str, directory: str) -> "StateBuilder":
        """Makes host `directory` visible to the guest as `alias`.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> first = Module(store, '''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $n (param i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))''')
        >>> env = wasi.StateBuilder('prog').map_directory('/data', '.').finalize()
        >>> Instance(first, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.name_length()  # '/data'
        5
        ```
        """
        self._dirs.append((str(directory), alias))
        return self

    def map_directories(self, map_directories: Dict[str, str]) -> "StateBuilder":
        """Maps each ``{alias: host directory}``.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> first = Module(store, '''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $n (param i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))''')
        >>> env = wasi.StateBuilder('prog').map_directories({'/work': '.'}).finalize()
        >>> Instance(first, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.name_length()  # '/work'
        5
        ```
        """
        for alias, directory in map_directories.items():
            self.map_directory(alias, directory)
        return self

    def preopen_directory(self, path: str) -> "StateBuilder":
        """Makes host directory `path` visible to the guest as `path`.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> first = Module(store, '''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $n (param i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))''')
        >>> env = wasi.StateBuilder('prog').preopen_directory('.').finalize()
        >>> Instance(first, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.name_length()  # '.'
        1
        ```
        """
        return self.map_directory(str(path), path)

    def preopen_directories(self, paths: List[str]) -> "StateBuilder":
        """Preopens each path.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> first = Module(store, '''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $n (param i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))''')
        >>> env = wasi.StateBuilder('prog').preopen_directories(['.', '..']).finalize()
        >>> Instance(first, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.name_length()  # '.'
        1
        ```
        """
        for path in paths:
            self.preopen_directory(path)
        return self

    def stdin(self, data: bytes) -> "StateBuilder":
        r"""The guest's standard input: these bytes, then end of file.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> read = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\10\00\00\00\10\00\00\00")
        ...   (func (export "count") (result i32) (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))) (i32.load (i32.const 8))))''')
        >>> env = wasi.StateBuilder('prog').stdin(b'hello').finalize()
        >>> Instance(read, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.count()
        5
        ```
        """
        self._stdin = bytes(data)
        return self

    def stdout(self, target: _Output) -> "StateBuilder":
        r"""Where the guest's stdout goes: None (this process's), True
        (captured in ``Environment.stdout``), False (discarded), or a
        callable given each chunk (bytes). An exception raised by the
        callable ends the call that wrote and comes out of it.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> chunks = []
        >>> env = wasi.StateBuilder('prog').stdout(chunks.append).finalize()
        >>> Instance(say, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.say(1)
        >>> chunks
        [b'hi\n']
        ```
        """
        self._stdout = target
        return self

    def stderr(self, target: _Output) -> "StateBuilder":
        r"""Where the guest's stderr goes (as for :meth:`stdout`).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> env = wasi.StateBuilder('prog').stderr(True).finalize()
        >>> Instance(say, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.say(2)
        >>> env.stderr
        b'hi\n'
        ```
        """
        self._stderr = target
        return self

    def capture_stdout(self) -> "StateBuilder":
        r"""Collects the guest's stdout in ``Environment.stdout``.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> env = wasi.StateBuilder('prog').capture_stdout().finalize()
        >>> Instance(say, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.say(1)
        >>> env.stdout
        b'hi\n'
        ```
        """
        return self.stdout(True)

    def capture_stderr(self) -> "StateBuilder":
        r"""Collects the guest's stderr in ``Environment.stderr``.

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> env = wasi.StateBuilder('prog').capture_stderr().finalize()
        >>> Instance(say, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.say(2)
        >>> env.stderr, env.stdout
        (b'hi\n', None)
        ```
        """
        return self.stderr(True)

    def finalize(self) -> "Environment":
        """The environment. Raises ValueError if a directory cannot be opened.

        ```py
        >>> from wasmint import wasi
        >>> isinstance(wasi.StateBuilder('prog').finalize(), wasi.Environment)
        True
        >>> try:
        ...     wasi.StateBuilder('prog').map_directory('/d', '/not/there').finalize()
        ... except ValueError as e:
        ...     print('ValueError')
        ValueError
        ```
        """
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
        """``{namespace: {name: Function}}`` for `version`, defined in `store`.

        ```py
        >>> from wasmint import wasi, Store, Function
        >>> imports = wasi.StateBuilder('prog').finalize().generate_imports(Store(), wasi.Version.SNAPSHOT0)
        >>> list(imports), isinstance(imports['wasi_unstable']['fd_write'], Function)
        (['wasi_unstable'], True)
        ```
        """
        namespace = _NAMESPACE[Version(version)]
        return {namespace: self._native.functions(store, namespace)}

    def generate_import_object(self, store: "_native.Store", version: Version) -> "_native.ImportObject":
        """An ``ImportObject`` with the WASI functions of `version`.

        ```py
        >>> from wasmint import wasi, Store
        >>> io = wasi.StateBuilder('prog').finalize().generate_import_object(Store(), wasi.Version.SNAPSHOT1)
        >>> io.contains_namespace('wasi_snapshot_preview1')
        True
        ```
        """
        import_object = _native.ImportObject()
        for namespace, functions in self.generate_imports(store, version).items():
            import_object.register(namespace, functions)
        return import_object

    @property
    def stdout(self) -> Optional[bytes]:
        r"""What the guest wrote to stdout, if captured (else None).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> env = wasi.StateBuilder('prog').capture_stdout().finalize()
        >>> Instance(say, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports.say(1)
        >>> env.stdout
        b'hi\n'
        ```
        """
        return self._native.stdout

    @property
    def stderr(self) -> Optional[bytes]:
        r"""What the guest wrote to stderr, if captured (else None).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> say = Module(store, r'''(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        ...   (memory (export "memory") 1) (data (i32.const 0) "\08\00\00\00\03\00\00\00") (data (i32.const 8) "hi\n")
        ...   (func (export "say") (param i32) (drop (call $w (local.get 0) (i32.const 0) (i32.const 1) (i32.const 16)))))''')
        >>> env = wasi.StateBuilder('prog').finalize()
        >>> print(env.stderr)  # not captured
        None
        ```
        """
        return self._native.stderr

    @property
    def exit_code(self) -> Optional[int]:
        """The status given to ``proc_exit``, once called (else None).

        ```py
        >>> from wasmint import wasi, Store, Module, Instance
        >>> store = Store()
        >>> module = Module(store, '(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32))) (func (export "_start") (call $e (i32.const 3))))')
        >>> env = wasi.StateBuilder('prog').finalize()
        >>> print(env.exit_code)
        None
        >>> try:
        ...     Instance(module, env.generate_import_object(store, wasi.Version.SNAPSHOT1)).exports._start()
        ... except wasi.Exit as e:
        ...     print('exit', e.code)
        exit 3
        >>> env.exit_code
        3
        ```
        """
        return self._native.exit_code
