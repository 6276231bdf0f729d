"""The `wasmint` command line: ``python -m wasmint wast PATH...``."""

import sys

from ._native import cli_main


def main() -> None:
    """Entry point of the ``wasmint`` console script."""
    sys.exit(cli_main(["wasmint", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
