//! Decodes every module of the WebAssembly 2.0 spec test suite:
//! modules outside `assert_malformed` must decode; binary `assert_malformed`
//! modules must fail with a message starting with the expected text.
//!
//! The suite folder is `wasmint::script::default_suite_dir()`; a missing
//! suite fails the test.

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
    /// Modules whose `name` section parsed into `Module::names`.
    with_names: usize,
    failures: Vec<String>,
    /// Every module that decoded, kept for the mutation test.
    modules: Vec<Vec<u8>>,
}

fn suite_dir() -> PathBuf {
    wasmint::script::default_suite_dir()
}

/// A module that must decode.
fn expect_ok(c: &mut Counts, file: &str, line: usize, bytes: Vec<u8>) {
    match decode2(&bytes) {
        Ok(m) => {
            c.decoded_ok += 1;
            c.with_names += m.names.is_some() as usize;
            if let Err(e) = check_module(&m, &bytes) {
                c.failures.push(format!("{file}:{line}: {e}"));
            }
            c.modules.push(bytes);
        }
        Err(e) => c.failures.push(format!("{file}:{line}: expected decode OK, got {e}")),
    }
}

/// Cross-checks a decoded module against its bytes: every instruction offset
/// points at that instruction's opcode byte, and a `name` section written by
/// the text encoder parses.
fn check_module(m: &wasmint::syntax::Module, bytes: &[u8]) -> Result<(), String> {
    use wasmint::syntax::Instr;
    for (i, f) in m.codes.iter().enumerate() {
        let body: Vec<(usize, Instr)> =
            f.instrs(m).collect::<Result<_, _>>().map_err(|e| format!("function {i}: {e}"))?;
        if body.last().map(|b| &b.1) != Some(&Instr::End) {
            return Err(format!("function {i}: body shape"));
        }
        for (off, ins) in &body {
            let (off, ins) = (*off, ins);
            let b = bytes[off];
            let expected = match ins {
                Instr::End => Some(0x0b),
                Instr::Else => Some(0x05),
                Instr::Block(_) => Some(0x02),
                Instr::Loop(_) => Some(0x03),
                Instr::If(_) => Some(0x04),
                Instr::Call(_) => Some(0x10),
                Instr::LocalGet(_) => Some(0x20),
                Instr::I32Const(_) => Some(0x41),
                Instr::Mem(op, _) => Some(op.opcode()),
                Instr::Num(op) => Some(if op.opcode() > 0xff { 0xfc } else { op.opcode() as u8 }),
                _ => None,
            };
            if expected.is_some_and(|e| e != b) {
                return Err(format!("function {i}: {ins:?} at offset {off:#x} is byte {b:#04x}"));
            }
        }
    }
    if m.customs.iter().any(|c| c.name == "name") && m.names.is_none() {
        return Err("name section did not parse".into());
    }
    Ok(())
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
            WastDirective::AssertUnlinkable { module, .. } => encode_ok(c, &file, line, QuoteWat::Wat(module)),
            WastDirective::AssertTrap { exec: WastExecute::Wat(module), .. }
            | WastDirective::AssertReturn { exec: WastExecute::Wat(module), .. } => {
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
                    match decode2(&bytes) {
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

/// Runs every file of the suite.
fn run_suite() -> Counts {
    let dir = suite_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("test suite not found at {} ({e}); set WASMINT_TESTSUITE", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    paths.sort();

    let mut c = Counts::default();
    for p in &paths {
        run_file(&mut c, p);
    }
    c
}

#[test]
fn decode_spec_suite() {
    let c = run_suite();
    for f in &c.failures {
        eprintln!("FAIL {f}");
    }
    eprintln!(
        "files {}, decoded OK {}, malformed as expected {}, text malformed skipped {}, \
         unencodable skipped {}, with names {}, failures {}",
        c.files,
        c.decoded_ok,
        c.malformed_ok,
        c.quote_malformed_skipped,
        c.unencodable_skipped,
        c.with_names,
        c.failures.len()
    );
    assert!(c.files >= 90, "expected at least 90 .wast files, found {}", c.files);
    assert!(c.failures.is_empty(), "{} failures", c.failures.len());
}

/// Hostile input: truncations and byte changes of every suite module must
/// give a value (Ok or Err), never a panic. Deterministic, and sampled so it
/// stays quick.
#[test]
fn mutated_suite_modules_never_panic() {
    let c = run_suite();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        // xorshift64*
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut runs = 0usize;
    let mut errors = 0usize;
    for m in &c.modules {
        let step = (m.len() / 32).max(1);
        for cut in (0..m.len()).step_by(step) {
            runs += 1;
            errors += decode2(&m[..cut]).is_err() as usize;
        }
        let mut b = m.clone();
        for _ in 0..32 {
            b.copy_from_slice(m);
            for _ in 0..1 + next() % 3 {
                let i = (next() as usize) % b.len();
                b[i] = match next() % 4 {
                    0 => 0xff,
                    1 => 0x80,
                    2 => b[i] ^ (1 << (next() % 8)),
                    _ => next() as u8,
                };
            }
            runs += 1;
            errors += decode2(&b).is_err() as usize;
        }
    }
    eprintln!("mutation runs {runs}, of which errors {errors}");
    assert!(errors > 0);
}

/// Throughput on a large code section (run with
/// `cargo test --release --test decode -- --ignored --nocapture`).
#[test]
#[ignore]
fn decode_throughput() {
    // One body pattern: typical locals, constants, arithmetic, memory, calls.
    let pattern: &[u8] = &[
        0x02, 0x40, // block
        0x20, 0x00, // local.get 0
        0x41, 0xb9, 0x60, // i32.const 12345
        0x6a, // i32.add
        0x22, 0x01, // local.tee 1
        0x28, 0x02, 0x10, // i32.load offset=16
        0x21, 0x00, // local.set 0
        0x20, 0x01, 0x0d, 0x00, // local.get 1, br_if 0
        0x20, 0x00, 0x10, 0x00, 0x1a, // local.get 0, call 0, drop
        0x0b, // end
    ];
    let reps = 400;
    let mut body = vec![0x01, 0x02, 0x7f]; // 2 i32 locals
    for _ in 0..reps {
        body.extend_from_slice(pattern);
    }
    body.push(0x0b);
    let nfuncs = 2000u32;
    let leb = |mut v: u32, out: &mut Vec<u8>| loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    let mut code = Vec::new();
    leb(nfuncs, &mut code);
    for _ in 0..nfuncs {
        leb(body.len() as u32, &mut code);
        code.extend_from_slice(&body);
    }
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend_from_slice(&[0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]); // (i32) -> i32
    let mut funcs = Vec::new();
    leb(nfuncs, &mut funcs);
    funcs.extend(std::iter::repeat(0u8).take(nfuncs as usize));
    m.push(0x03);
    leb(funcs.len() as u32, &mut m);
    m.extend_from_slice(&funcs);
    m.extend_from_slice(&[0x05, 0x03, 0x01, 0x00, 0x01]); // memory 1
    m.push(0x0a);
    leb(code.len() as u32, &mut m);
    m.extend_from_slice(&code);

    wasmint::binary::decode(&m).unwrap();
    let iters = 5;
    let t = std::time::Instant::now();
    for _ in 0..iters {
        std::hint::black_box(wasmint::binary::decode(std::hint::black_box(&m)).unwrap());
    }
    let secs = t.elapsed().as_secs_f64();
    let mb = (m.len() * iters) as f64 / 1e6;
    eprintln!("decoded {:.1} MB in {:.3} s: {:.0} MB/s", mb, secs, mb / secs);
}

/// Decodes as WebAssembly 2.0, the suite's version (some encodings differ
/// in 3.0: a memory index where 2.0 has a reserved zero byte).
fn decode2(bytes: &[u8]) -> wasmint::Result<wasmint::syntax::Module> {
    wasmint::binary::decode_with(bytes.to_vec().into(), wasmint::syntax::Features::WASM2)
}
