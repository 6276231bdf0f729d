"""WASI — not implemented yet in wasmint.

The names of wasmer's WASI API exist so that imports resolve; using them
raises NotImplementedError.

>>> from wasmint import wasi
>>> wasi.StateBuilder('program')
Traceback (most recent call last):
  ...
NotImplementedError: WASI is not implemented in wasmint yet
"""

import enum

__all__ = ["Version", "StateBuilder", "Environment", "get_version"]

_MESSAGE = "WASI is not implemented in wasmint yet"


class Version(enum.IntEnum):
    """WASI versions, as in wasmer."""

    LATEST = 1
    SNAPSHOT0 = 2
    SNAPSHOT1 = 3


def get_version(module, strict=False):
    """Would detect the WASI version a module imports (not implemented)."""
    raise NotImplementedError(_MESSAGE)


class StateBuilder:
    """Would build a WASI environment (not implemented)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_MESSAGE)


class Environment:
    """Would hold a WASI environment (not implemented)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_MESSAGE)
