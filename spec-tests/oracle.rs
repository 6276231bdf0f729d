//! Differential test against wasmparser (a dev-dependency used only as an
//! oracle): on every module of the 2.0 suite and on damaged copies of
//! them, our decoder+validator and wasmparser, both with the features of
//! WebAssembly 2.0, must agree on whether the module is valid.

use wasmint::script::{default_suite_dir, wast_files};
use wasmparser::{Validator, WasmFeatures};

/// Every module the suite's scripts contain, as binary (text that the
/// `wast` crate cannot encode is left out: it has no binary to compare).
fn suite_modules() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let files = wast_files(&default_suite_dir()).expect("test suite folder (set WASMINT_TESTSUITE)");
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lexer = wast::lexer::Lexer::new(&text);
        lexer.allow_confusing_unicode(true);
        let buf = wast::parser::ParseBuffer::new_with_lexer(lexer).unwrap();
        let script: wast::Wast<'_> = wast::parser::parse(&buf).unwrap();
        for directive in script.directives {
            use wast::{WastDirective as D, WastExecute as E};
            let mut module = match directive {
                D::Module(m) | D::AssertMalformed { module: m, .. } | D::AssertInvalid { module: m, .. } => m,
                D::AssertUnlinkable { module, .. } => wast::QuoteWat::Wat(module),
                D::AssertTrap { exec: E::Wat(module), .. } => wast::QuoteWat::Wat(module),
                _ => continue,
            };
            if let Ok(bytes) = module.encode() {
                out.push(bytes);
            }
        }
    }
    out
}

fn oracle_accepts(bytes: &[u8]) -> Result<(), String> {
    let features = WasmFeatures::WASM2 | WasmFeatures::SIMD;
    Validator::new_with_features(features).validate_all(bytes).map(|_| ()).map_err(|e| e.to_string())
}

fn ours_accepts(bytes: &[u8]) -> Result<(), String> {
    wasmint::Module::with_features(bytes.to_vec(), wasmint::syntax::Features::WASM2).map(|_| ()).map_err(|e| e.to_string())
}

/// xorshift64*, deterministic so a disagreement reproduces.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[test]
fn agrees_with_wasmparser() {
    let modules = suite_modules();
    assert!(modules.len() > 2000, "only {} modules found", modules.len());
    let mut rng = 0x1234_5678_9abc_def1u64;
    let mut disagreements = Vec::new();
    let (mut checked, mut valid) = (0, 0);
    for original in &modules {
        let mut check = |bytes: &[u8]| {
            let ours = ours_accepts(bytes);
            let oracle = oracle_accepts(bytes);
            checked += 1;
            valid += ours.is_ok() as usize;
            if ours.is_ok() != oracle.is_ok() {
                disagreements.push(format!("ours: {ours:?}\n  wasmparser: {oracle:?}\n  module: {bytes:02x?}"));
            }
        };
        check(original);
        for _ in 0..8 {
            let mut bytes = original.clone();
            if bytes.len() <= 8 {
                break;
            }
            // Damage past the header, where the interesting decisions are.
            let at = 8 + (next(&mut rng) as usize) % (bytes.len() - 8);
            match next(&mut rng) % 3 {
                0 => bytes[at] ^= 1 << (next(&mut rng) % 8),
                1 => bytes[at] = next(&mut rng) as u8,
                _ => {
                    bytes.remove(at);
                }
            }
            check(&bytes);
        }
    }
    println!("{checked} modules checked against wasmparser, {valid} valid, {} disagreements", disagreements.len());
    for d in disagreements.iter().take(10) {
        println!("- {d}");
    }
    assert!(disagreements.is_empty(), "{} disagreements with wasmparser", disagreements.len());
}
