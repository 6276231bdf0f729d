#!/bin/sh
# Builds the WASI test programs. The .wasm files are committed, so tests
# need no C toolchain; run this after changing a .c file.
#
# Needs (Debian/Ubuntu): clang (14 or later), lld, and
#   apt-get install wasi-libc libclang-rt-14-dev-wasm32
# (wasi-libc puts the sysroot under /usr: headers in
# /usr/include/wasm32-wasi, libraries in /usr/lib/wasm32-wasi; the
# libclang-rt package gives clang its wasm32 builtins.)
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
for src in *.c; do
    "$CC" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
    echo "built ${src%.c}.wasm"
done
# What Linux gives natively for the path calls (paths.c), for the tests to
# compare with: built with the host's C compiler, run on an empty directory.
HOSTCC=${HOSTCC:-cc}
tmp=$(mktemp -d)
"$HOSTCC" -O2 -Wall -o "$tmp/paths" paths.c
mkdir "$tmp/root"
"$tmp/paths" "$tmp/root" > paths.expected
rm -rf "$tmp"
echo "wrote paths.expected"
