"""The `wasmint` command line: ``python -m wasmint wast PATH...``; also
``python -m wasmint bindgen COMPONENT.wasm -o module.py`` (typed bindings,
see :mod:`wasmint.bindgen`)."""

import sys

from ._native import cli_main


def main() -> None:
    """Entry point of the ``wasmint`` console script."""
    if sys.argv[1:2] == ["bindgen"]:
        from .bindgen import main as bindgen

        sys.exit(bindgen(sys.argv[2:]))
    sys.exit(cli_main(["wasmint", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
