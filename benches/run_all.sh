#!/bin/sh
# Every speed measurement in one go, for a note: criterion (wasmint and
# wasmi, execution then startup), then the Python table with wasm3,
# wasmtime and pywasm (those installed) plus the wasmi medians just taken.
# Takes about 10 minutes. Usage: benches/run_all.sh [python]  (default python3)
set -eu
cd "$(dirname "$0")/.."
PY=${1:-python3}
cargo bench --bench execute 2>&1 | grep -E '^(execute/|\s+time:)|skipped'
cargo bench --bench translate 2>&1 | grep -E '^(translate/|instantiate/|big\.wasm|\s+(time|thrpt):)|skipped'
"$PY" benches/python_peers.py --markdown
