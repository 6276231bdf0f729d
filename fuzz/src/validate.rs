//! Target (a): the decode+validate verdict of wasmint against wasmparser,
//! on wasm-smith modules and on damaged copies of them (bit flips, byte
//! overwrites, insertions, deletions, truncation). Both sides get the
//! features wasmint claims: 2.0 with SIMD, relaxed SIMD, multi-memory,
//! memory64, extended constants, tail calls, typed function references,
//! exception handling (legacy too), garbage collection, wide arithmetic,
//! custom page sizes.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use arbitrary::{Arbitrary, Unstructured};
use wasmparser::{Validator, WasmFeatures};

use super::seeds::{fnv, Rng};

/// Damaged copies checked per generated module.
pub const MUTANTS: usize = 8;

/// Counts since the process started: generated modules, checked modules
/// (generated + damaged), those both sides accept.
pub static GENERATED: AtomicU64 = AtomicU64::new(0);
pub static CHECKED: AtomicU64 = AtomicU64::new(0);
pub static VALID: AtomicU64 = AtomicU64::new(0);

/// The oracle's features: what `wasmint::syntax::Features::ALL` enables.
pub fn oracle_features() -> WasmFeatures {
    WasmFeatures::WASM2
        | WasmFeatures::SIMD
        | WasmFeatures::RELAXED_SIMD
        | WasmFeatures::MULTI_MEMORY
        | WasmFeatures::MEMORY64
        | WasmFeatures::EXTENDED_CONST
        | WasmFeatures::TAIL_CALL
        | WasmFeatures::FUNCTION_REFERENCES
        | WasmFeatures::EXCEPTIONS
        | WasmFeatures::LEGACY_EXCEPTIONS
        | WasmFeatures::WIDE_ARITHMETIC
        | WasmFeatures::CUSTOM_PAGE_SIZES
        | WasmFeatures::GC
}

/// Turns off in a wasm-smith config what wasmint does not claim (threads,
/// and proposals beyond 3.0 other than wide arithmetic and custom page
/// sizes).
pub fn restrict(c: &mut wasm_smith::Config) {
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.compact_imports_enabled = false;
    c.custom_descriptors_enabled = false;
    c.acquire_release_atomics_enabled = false;
    c.multibyte_array_access_enabled = false;
}

/// Random lower bounds on the numbers of functions, globals, memories,
/// tables, segments and exports (uniform random bytes alone make
/// wasm-smith stop early: most modules would be nearly empty).
pub fn set_minimums(c: &mut wasm_smith::Config, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    c.min_funcs = u.int_in_range(1..=12)?.min(c.max_funcs);
    c.min_types = u.int_in_range(0..=4)?.min(c.max_types);
    c.min_globals = u.int_in_range(0..=4)?.min(c.max_globals);
    c.min_memories = u.int_in_range(0..=2)?.min(c.max_memories as u32);
    c.min_tables = u.int_in_range(0..=2)?.min(c.max_tables as u32);
    c.min_data_segments = u.int_in_range(0..=3)?.min(c.max_data_segments);
    c.min_element_segments = u.int_in_range(0..=3)?.min(c.max_element_segments);
    c.min_exports = u.int_in_range(0..=6)?.min(c.max_exports);
    Ok(())
}

/// A wasm-smith module from `u`: a random configuration (within
/// [`restrict`]) half the time, the default one otherwise; a quarter of
/// them with arbitrary bytes as some function bodies (mostly invalid).
pub fn generate(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    let mut c = if u.arbitrary::<bool>()? { wasm_smith::Config::arbitrary(u)? } else { wasm_smith::Config::default() };
    restrict(&mut c);
    set_minimums(&mut c, u)?;
    c.custom_page_sizes_enabled = u.arbitrary()?;
    c.allow_invalid_funcs = u.ratio(1, 4)?;
    Ok(wasm_smith::Module::new(c, u)?.to_bytes())
}

/// wasmint's verdict: `Ok` if the module decodes and validates.
pub fn ours(bytes: &[u8]) -> Result<(), String> {
    wasmint::Module::with_features(bytes.to_vec(), wasmint::syntax::Features::ALL).map(|_| ()).map_err(|e| e.to_string())
}

/// wasmparser's verdict: `Ok(true)` valid, `Ok(false)` valid only with
/// GC, `Err` invalid. wasmint has the bottom heap types of 3.0 (`nofunc`,
/// `noextern`, `noexn`) without GC, which wasmparser allows only with GC;
/// so a module that wasmparser rejects for a heap type is judged again
/// with GC.
pub fn oracle(bytes: &[u8]) -> Result<bool, String> {
    let verdict = |f| Validator::new_with_features(f).validate_all(bytes).map(|_| ()).map_err(|e| e.to_string());
    match verdict(oracle_features()) {
        Ok(()) => Ok(true),
        Err(e) if e.contains("heap types not supported without the gc feature") => {
            verdict(oracle_features() | WasmFeatures::GC).map(|()| false).map_err(|e2| format!("{e}; with GC: {e2}"))
        }
        Err(e) => Err(e),
    }
}

/// Modules valid only with GC (see [`oracle`]).
pub static GC_ONLY: AtomicU64 = AtomicU64::new(0);

/// Both verdicts on one module; `Err` describes a disagreement. A module
/// valid only with GC may be accepted (its GC-only heap types are then
/// bottoms, as wasmint decodes no other) or rejected for a type (it uses
/// `any`, a struct...).
pub fn compare(bytes: &[u8]) -> Result<(), String> {
    let a = ours(bytes);
    let b = oracle(bytes);
    CHECKED.fetch_add(1, Relaxed);
    VALID.fetch_add(a.is_ok() as u64, Relaxed);
    let agree = match (&a, &b) {
        (Ok(()), Ok(_)) | (Err(_), Err(_)) => true,
        (Err(e), Ok(false)) => e.contains("type"),
        (Err(_), Ok(true)) | (Ok(()), Err(_)) => false,
    };
    GC_ONLY.fetch_add(matches!(b, Ok(false)) as u64, Relaxed);
    if !agree {
        return Err(format!("verdicts differ: wasmint {a:?}, wasmparser {b:?}\n  module: {}", super::seeds::save("validate", bytes)));
    }
    Ok(())
}

/// One damaged copy of `bytes` (past the 8-byte header, where the
/// decisions are; the header itself gets a flip now and then).
pub fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(3) {
        let lo = if rng.below(64) == 0 { 0 } else { 8.min(out.len()) };
        if out.len() <= lo {
            out.push(rng.next() as u8);
            continue;
        }
        let at = lo + rng.below(out.len() - lo);
        match rng.below(6) {
            0 | 1 => out[at] ^= 1 << rng.below(8),
            2 => out[at] = rng.next() as u8,
            3 => out.insert(at, rng.next() as u8),
            4 => {
                out.remove(at);
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// The check behind the `validate` fuzz target.
pub fn check(data: &[u8]) -> Result<(), String> {
    let mut u = Unstructured::new(data);
    let Ok(bytes) = generate(&mut u) else { return Ok(()) };
    GENERATED.fetch_add(1, Relaxed);
    compare(&bytes)?;
    let mut rng = Rng(fnv(data));
    for _ in 0..MUTANTS {
        compare(&mutate(&bytes, &mut rng))?;
    }
    Ok(())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A line with the counters, for the end of a run.
pub fn summary() -> String {
    format!(
        "validate: {} modules generated, {} checked (with damaged copies), {} valid, {} valid only with GC",
        GENERATED.load(Relaxed),
        CHECKED.load(Relaxed),
        VALID.load(Relaxed),
        GC_ONLY.load(Relaxed)
    )
}
