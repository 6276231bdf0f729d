#!/bin/sh
# Rebuilds the example .wasm files (they are committed, so users need no C
# toolchain). Needs Debian's `clang` and `lld`: apt-get install clang lld
# -mbulk-memory lets clang lower memset to memory.fill (no libc here).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
    clang --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -o "${src%.c}.wasm" "$src"
done
