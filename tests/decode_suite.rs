//! Decodes every module of the WebAssembly 2.0 spec test suite (non-SIMD):
//! modules outside `assert_malformed` must decode; binary `assert_malformed`
//! modules must fail with a message starting with the expected text.
//!
//! The suite folder is `/work/shared/wasm-testsuite-2.0` unless the
//! `WASMINT_TESTSUITE` environment variable names another one; if neither
//! exists the test is skipped with a note.

use std::path::{Path, PathBuf};

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

#[derive(Default, Debug)]
struct Counts {
    files: usize,
    decoded_ok: usize,
    malformed_ok: usize,
    quote_malformed_skipped: usize,
    unencodable_skipped: usize,
    failures: Vec<String>,
}

fn suite_dir() -> PathBuf {
    std::env::var_os("WASMINT_TESTSUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/wasm-testsuite-2.0"))
}

/// A module that must decode.
fn expect_ok(c: &mut Counts, file: &str, line: usize, bytes: Vec<u8>) {
    match wasmint::binary::decode(&bytes) {
        Ok(_) => c.decoded_ok += 1,
        Err(e) => c.failures.push(format!("{file}:{line}: expected decode OK, got {e}")),
    }
}

/// Encodes a module that is not in `assert_malformed`; the text parser of the
/// `wast` crate must accept it (the suite says it is well-formed).
fn encode_ok(c: &mut Counts, file: &str, line: usize, mut m: QuoteWat<'_>) {
    match m.encode() {
        Ok(bytes) => expect_ok(c, file, line, bytes),
        Err(e) => {
            // Text modules the wast crate cannot encode are not our concern,
            // but count them so a change shows up.
            c.unencodable_skipped += 1;
            eprintln!("{file}:{line}: skipped, wast cannot encode: {e}");
        }
    }
}

fn run_file(c: &mut Counts, path: &Path) {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    // names.wast uses bidi control characters in names on purpose.
    let mut lexer = Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let buf = ParseBuffer::new_with_lexer(lexer).unwrap();
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => {
            c.failures.push(format!("{file}: wast parse error: {e}"));
            return;
        }
    };
    c.files += 1;
    let line_of = |span: wast::token::Span| span.linecol_in(&text).0 + 1;
    for d in wast.directives {
        let line = line_of(d.span());
        match d {
            WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => encode_ok(c, &file, line, m),
            WastDirective::AssertInvalid { module, .. } => encode_ok(c, &file, line, module),
            WastDirective::AssertUnlinkable { module, .. } => {
                encode_ok(c, &file, line, QuoteWat::Wat(module))
            }
            WastDirective::AssertTrap { exec: WastExecute::Wat(module), .. } => {
                encode_ok(c, &file, line, QuoteWat::Wat(module))
            }
            WastDirective::AssertMalformed { module, message, .. } => match module {
                QuoteWat::Wat(Wat::Module(mut m)) => {
                    let bytes = match m.encode() {
                        Ok(b) => b,
                        Err(e) => {
                            c.failures.push(format!("{file}:{line}: cannot encode binary module: {e}"));
                            continue;
                        }
                    };
                    match wasmint::binary::decode(&bytes) {
                        Ok(_) => c.failures.push(format!("{file}:{line}: expected \"{message}\", decoded OK")),
                        Err(e) if e.message().starts_with(message) => c.malformed_ok += 1,
                        Err(e) => c.failures.push(format!("{file}:{line}: expected \"{message}\", got \"{e}\"")),
                    }
                }
                // Text-format malformedness is the text parser's business.
                _ => c.quote_malformed_skipped += 1,
            },
            _ => {}
        }
    }
}

#[test]
fn decode_spec_suite() {
    let dir = suite_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("test suite not found at {}, skipping", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            p.extension().is_some_and(|e| e == "wast") && !name.starts_with("simd_")
        })
        .collect();
    paths.sort();

    let mut c = Counts::default();
    for p in &paths {
        run_file(&mut c, p);
    }
    for f in &c.failures {
        eprintln!("FAIL {f}");
    }
    eprintln!(
        "files {}, decoded OK {}, malformed as expected {}, text malformed skipped {}, \
         unencodable skipped {}, failures {}",
        c.files,
        c.decoded_ok,
        c.malformed_ok,
        c.quote_malformed_skipped,
        c.unencodable_skipped,
        c.failures.len()
    );
    assert!(c.files >= 90, "expected at least 90 .wast files, found {}", c.files);
    assert!(c.failures.is_empty(), "{} failures", c.failures.len());
}
