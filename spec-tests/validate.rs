//! The validator against the official WebAssembly 2.0 test suite.
//!
//! Every `assert_invalid` module must decode and then fail validation with a
//! message starting with the expected text (the reference interpreter's rule).
//! Every other module that decodes (`module`, and those of `assert_unlinkable`,
//! `assert_trap` and `assert_return`) must validate. [`suite_dir`] says where
//! the suite is.

use std::path::{Path, PathBuf};

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute};

fn suite_dir() -> PathBuf {
    wasmint::script::default_suite_dir()
}

#[derive(Default)]
struct Counts {
    invalid_ok: usize,
    valid_ok: usize,
    /// Modules the text encoder rejects (text-level errors in assert_invalid).
    text_skipped: usize,
    /// Valid-expected modules our decoder rejects (the decoder's business).
    undecodable: usize,
    failures: Vec<String>,
    /// Every module that decoded, as seeds for the mutation check.
    corpus: Vec<Vec<u8>>,
}

fn check_valid(c: &mut Counts, bytes: Result<Vec<u8>, wast::Error>, at: &str) {
    let Ok(bytes) = bytes else {
        c.failures.push(format!("{at}: module does not encode"));
        return;
    };
    let Ok(module) = decode2(&bytes) else {
        c.undecodable += 1;
        return;
    };
    match wasmint::validate::validate(&module) {
        Ok(()) => c.valid_ok += 1,
        Err(e) => c.failures.push(format!("{at}: valid module rejected: {e}")),
    }
    c.corpus.push(bytes);
}

fn check_invalid(c: &mut Counts, module: &mut QuoteWat, expected: &str, at: &str) {
    let Ok(bytes) = module.encode() else {
        c.text_skipped += 1;
        return;
    };
    let module = match decode2(&bytes) {
        Ok(m) => m,
        Err(e) => {
            c.failures.push(format!("{at}: expected {expected:?}, decode failed: {e}"));
            return;
        }
    };
    let result = wasmint::validate::validate(&module);
    c.corpus.push(bytes.clone());
    match result {
        Ok(()) => c.failures.push(format!("{at}: expected {expected:?}, validated OK")),
        // Every error points into the module: past the header, not beyond the end.
        Err(wasmint::Error::Validate { offset, .. }) if offset < 8 || offset > bytes.len() => {
            c.failures.push(format!("{at}: offset {offset} outside the module's sections ({} bytes)", bytes.len()))
        }
        Err(e) if e.message().starts_with(expected) => c.invalid_ok += 1,
        Err(e) => c.failures.push(format!("{at}: expected {expected:?}, got {e}")),
    }
}

fn run_file(path: &Path, c: &mut Counts) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let src = std::fs::read_to_string(path).unwrap();
    let mut lexer = Lexer::new(&src);
    lexer.allow_confusing_unicode(true); // names.wast has bidi characters
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => return c.failures.push(format!("{name}: lex error {e}")),
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => return c.failures.push(format!("{name}: parse error {e}")),
    };
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(&src);
        let at = format!("{name}:{}", line + 1);
        match directive {
            WastDirective::Module(mut m) | WastDirective::ModuleDefinition(mut m) => {
                check_valid(c, m.encode(), &at);
            }
            WastDirective::AssertInvalid { mut module, message, .. } => {
                check_invalid(c, &mut module, message, &at);
            }
            WastDirective::AssertUnlinkable { mut module, .. }
            | WastDirective::AssertTrap { exec: WastExecute::Wat(mut module), .. }
            | WastDirective::AssertReturn { exec: WastExecute::Wat(mut module), .. }
            | WastDirective::AssertException { exec: WastExecute::Wat(mut module), .. } => {
                check_valid(c, module.encode(), &at);
            }
            _ => {}
        }
    }
}

#[test]
fn validate_suite() {
    let dir = suite_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("spec suite not found at {} (set WASMINT_TESTSUITE): {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".wast")
        })
        .collect();
    files.sort();
    let mut c = Counts::default();
    for f in &files {
        run_file(f, &mut c);
    }
    let (decoded, valid) = mutate(&c.corpus, 20_000);
    eprintln!("validate_suite: 20000 mutated modules: {decoded} decoded, {valid} valid, no panic");
    for f in c.failures.iter().take(60) {
        eprintln!("FAIL {f}");
    }
    eprintln!(
        "validate_suite: {} files; assert_invalid passed {}; valid modules passed {}; \
         failures {}; text-level skipped {}; valid-expected but undecodable {}",
        files.len(),
        c.invalid_ok,
        c.valid_ok,
        c.failures.len(),
        c.text_skipped,
        c.undecodable
    );
    assert!(c.failures.is_empty(), "{} failures", c.failures.len());
}

/// Validates `n` damaged copies of corpus modules (1-3 random bytes
/// overwritten after the header): whatever the decoder accepts, the validator
/// must answer without panicking. Returns (decoded, valid) counts.
fn mutate(corpus: &[Vec<u8>], n: usize) -> (usize, usize) {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let (mut decoded, mut valid) = (0, 0);
    for _ in 0..n {
        let mut bytes = corpus[rnd() % corpus.len()].clone();
        if bytes.len() <= 8 {
            continue;
        }
        for _ in 0..1 + rnd() % 3 {
            let i = 8 + rnd() % (bytes.len() - 8);
            bytes[i] = rnd() as u8;
        }
        if let Ok(m) = decode2(&bytes) {
            decoded += 1;
            valid += usize::from(wasmint::validate::validate(&m).is_ok());
        }
    }
    (decoded, valid)
}

/// Decodes as WebAssembly 2.0, the suite's version (some encodings differ
/// in 3.0: a memory index where 2.0 has a reserved zero byte).
fn decode2(bytes: &[u8]) -> wasmint::Result<wasmint::syntax::Module> {
    wasmint::binary::decode_with(bytes.to_vec().into(), wasmint::syntax::Features::WASM2)
}
