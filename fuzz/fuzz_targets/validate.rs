//! Target (a): wasmint's decode+validate verdict against wasmparser's
//! (fuzz/src/validate.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = wasmint_fuzz::validate::check(data) {
        panic!("{finding}");
    }
});
