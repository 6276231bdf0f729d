//! Fuzz target (a) over fixed seeds, and its regressions: wasmint's
//! decode+validate verdict against wasmparser's on wasm-smith modules and
//! damaged copies (the checks are in fuzz/src/, shared with the
//! `cargo fuzz` targets; fuzz/README.md).

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

#[test]
fn validate_fixed_seeds() {
    fuzz::seeds::run("validate", 5_000, &[], fuzz::validate::check, fuzz::validate::summary);
}

/// Every `validate-*.wasm` in spec-tests/fuzz-regressions: the verdicts
/// agree (the expected verdict is in the file's `.txt` note).
#[test]
fn validate_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("validate-") && name.ends_with(".wasm") {
            let bytes = std::fs::read(&path).unwrap();
            fuzz::validate::compare(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            n += 1;
        }
    }
    println!("{n} validate regressions");
}

/// `WASMINT_FUZZ_REPRO=path.wasm`: checks that one module (a saved
/// finding; e.g. as the predicate of `wasm-tools shrink`).
#[test]
fn validate_repro() {
    if let Some(path) = std::env::var_os("WASMINT_FUZZ_REPRO") {
        let bytes = std::fs::read(&path).unwrap();
        let bytes = wat::parse_bytes(&bytes).unwrap().into_owned();
        if let Err(e) = fuzz::validate::compare(&bytes) {
            panic!("{e}");
        }
    }
}
