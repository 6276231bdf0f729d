"""Compilation targets, for compatibility with wasmer.

wasmint interprets modules, so a target changes nothing; these classes
describe one as wasmer's do.

```py
>>> from wasmint import engine, target, Store
>>> triple = target.Triple('x86_64-linux-musl')
>>> cpu_features = target.CpuFeatures()
>>> cpu_features.add('sse2')
>>> store = Store(engine.Dylib(None, target.Target(triple, cpu_features)))
>>> triple.architecture, triple.operating_system, triple.environment
('x86_64', 'linux', 'musl')
```
"""

from __future__ import annotations

del annotations  # the future import also binds this public name

import platform as _platform
import sys as _sys
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Iterator, List, Optional

__all__ = ["Triple", "CpuFeatures", "Target"]

_OSES = {
    "linux", "darwin", "macos", "ios", "windows", "freebsd", "netbsd", "openbsd", "dragonfly",
    "android", "wasi", "emscripten", "none", "unknown", "solaris", "illumos", "fuchsia", "haiku",
}
_VENDORS = {"unknown", "apple", "pc", "nvidia", "sun", "wrs", "fortanix", "uwp"}
_ENVIRONMENTS = {"gnu", "musl", "msvc", "gnueabi", "gnueabihf", "musleabi", "musleabihf", "android", "eabi", "eabihf"}
_FEATURES = [
    "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "bmi", "bmi2", "avx2",
    "avx512dq", "avx512vl", "avx512f", "lzcnt",
]
_BIG_ENDIAN = {"s390x", "powerpc", "powerpc64", "mips", "mips64", "sparc", "sparc64"}


class Triple:
    """A target triple such as ``'x86_64-unknown-linux-gnu'``.

    ```py
    >>> from wasmint.target import Triple
    >>> t = Triple('aarch64-apple-darwin')
    >>> t.architecture, t.vendor, t.operating_system, t.binary_format, t.pointer_width
    ('aarch64', 'apple', 'darwin', 'macho', 8)
    >>> str(t)
    'aarch64-apple-darwin'
    >>> Triple.host().is_native
    True
    ```
    """

    def __init__(self, triple: str) -> None:
        if not isinstance(triple, str) or not triple or any(not p for p in triple.split("-")):
            raise ValueError(f"invalid target triple: {triple!r}")
        parts = triple.split("-")
        self._triple = triple
        self.architecture = parts[0]
        rest = parts[1:]
        self.vendor = rest.pop(0) if rest and (rest[0] in _VENDORS or len(rest) >= 3) else "unknown"
        self.operating_system = rest.pop(0) if rest else "unknown"
        self.environment = rest.pop(0) if rest else "unknown"
        self.is_native = False

    @staticmethod
    def host() -> "Triple":
        """The triple of this machine.

        ```py
        >>> from wasmint.target import Triple
        >>> host = Triple.host()
        >>> host.is_native, host == Triple(str(host))
        (True, True)
        ```
        """
        machine = (_platform.machine() or "unknown").lower()
        arch = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "i686": "x86", "i386": "x86"}.get(machine, machine)
        if _sys.platform.startswith("linux"):
            libc = "musl" if "musl" in (_platform.libc_ver()[0] or "") else "gnu"
            t = Triple(f"{arch}-unknown-linux-{libc}")
        elif _sys.platform == "darwin":
            t = Triple(f"{arch}-apple-darwin")
        elif _sys.platform == "win32":
            t = Triple(f"{arch}-pc-windows-msvc")
        else:
            t = Triple(f"{arch}-unknown-{_sys.platform.rstrip('0123456789')}")
        t.is_native = True
        return t

    @property
    def binary_format(self) -> str:
        """``'elf'``, ``'macho'``, ``'coff'``, ``'wasm'`` or ``'unknown'``.

        ```py
        >>> from wasmint.target import Triple
        >>> Triple('x86_64-unknown-linux-gnu').binary_format, Triple('x86_64-pc-windows-msvc').binary_format
        ('elf', 'coff')
        ```
        """
        if self.operating_system in ("darwin", "macos", "ios"):
            return "macho"
        if self.operating_system == "windows":
            return "coff"
        if self.architecture.startswith("wasm"):
            return "wasm"
        if self.operating_system in _OSES - {"unknown", "none"}:
            return "elf"
        return "unknown"

    @property
    def endianness(self) -> str:
        """``'little'`` or ``'big'``.

        ```py
        >>> from wasmint.target import Triple
        >>> Triple('x86_64-unknown-linux-gnu').endianness, Triple('s390x-unknown-linux-gnu').endianness
        ('little', 'big')
        ```
        """
        return "big" if self.architecture in _BIG_ENDIAN else "little"

    @property
    def pointer_width(self) -> int:
        """Pointer width in bytes (2, 4 or 8), as wasmer gives it.

        ```py
        >>> from wasmint.target import Triple
        >>> Triple('x86_64-unknown-linux-gnu').pointer_width, Triple('i686-unknown-linux-gnu').pointer_width
        (8, 4)
        ```
        """
        a = self.architecture
        if a in ("msp430", "avr"):
            return 2
        return 8 if ("64" in a or a in ("s390x",)) else 4

    @property
    def default_calling_convention(self) -> str:
        """The C calling convention of the target.

        ```py
        >>> from wasmint.target import Triple
        >>> Triple('x86_64-unknown-linux-gnu').default_calling_convention
        'system_v'
        >>> Triple('aarch64-apple-darwin').default_calling_convention
        'apple_aarch64'
        ```
        """
        if self.operating_system == "windows":
            return "windows_fastcall"
        if self.binary_format == "macho" and self.architecture == "aarch64":
            return "apple_aarch64"
        return "system_v"

    def __str__(self) -> str:
        return self._triple

    def __repr__(self) -> str:
        return f"Triple({self._triple!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Triple) and other._triple == self._triple

    def __hash__(self) -> int:
        return hash(self._triple)


class CpuFeatures:
    """A set of CPU features (x86 names, as wasmer).

    ```py
    >>> from wasmint.target import CpuFeatures
    >>> features = CpuFeatures()
    >>> features.add('sse2')
    >>> str(features)
    'sse2'
    >>> features.add('nope')
    Traceback (most recent call last):
      ...
    ValueError: unknown CPU feature 'nope'
    ```
    """

    def __init__(self) -> None:
        self._features: List[str] = []

    def add(self, feature: str) -> None:
        """Adds a feature such as ``'sse2'`` or ``'avx2'``.

        ```py
        >>> from wasmint.target import CpuFeatures
        >>> features = CpuFeatures()
        >>> features.add('avx2')
        >>> features.add('avx2')
        >>> list(features)
        ['avx2']
        ```
        """
        if feature not in _FEATURES:
            raise ValueError(f"unknown CPU feature {feature!r}")
        if feature not in self._features:
            self._features.append(feature)

    def __contains__(self, feature: str) -> bool:
        return feature in self._features

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __str__(self) -> str:
        return " ".join(self._features)

    def __repr__(self) -> str:
        return f"CpuFeatures({self._features!r})"


class Target:
    """A triple and optional CPU features.

    ```py
    >>> from wasmint.target import Target, Triple
    >>> str(Target(Triple('x86_64-linux-musl')).triple)
    'x86_64-linux-musl'
    ```
    """

    def __init__(self, triple: Triple, cpu_features: Optional[CpuFeatures] = None) -> None:
        if not isinstance(triple, Triple):
            raise TypeError("Target: `triple` must be a Triple")
        if cpu_features is not None and not isinstance(cpu_features, CpuFeatures):
            raise TypeError("Target: `cpu_features` must be a CpuFeatures")
        self.triple = triple
        self.cpu_features = cpu_features if cpu_features is not None else CpuFeatures()

    def __repr__(self) -> str:
        return f"Target({self.triple!r}, {self.cpu_features!r})"
