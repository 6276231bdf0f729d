//! Targets (b) and (c): execution on wasmint against wasmi, and hangs
//! (fuzz/src/exec.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = wasmint_fuzz::exec::check(data) {
        panic!("{finding}");
    }
});
