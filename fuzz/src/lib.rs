//! Differential fuzzing of wasmint (issue 15): the checks behind the
//! `cargo fuzz` targets in `fuzz_targets/` and the fixed-seed test
//! binaries `spec-tests/fuzz_*.rs`, which include this file by path.
//!
//! Each check takes the fuzzer's bytes, builds modules from them with
//! wasm-smith and returns `Err(finding)` when wasmint disagrees with an
//! oracle: wasmparser for the decode+validate verdict ([`validate`]),
//! wasmi for execution results, traps, memories, globals and tables, and
//! for termination within a multiple of wasmi's time ([`exec`]).
//!
//! Inside this folder, modules refer to each other through `super::` so
//! that the file works both as a crate root and as an included module.

pub mod exec;
pub mod seeds;
pub mod validate;
