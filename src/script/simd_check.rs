//! The SIMD semantics (`exec::simd`) against the suite, before the engine
//! runs SIMD: every `assert_return` whose function is straight-line code
//! (locals, constants, SIMD instructions other than memory accesses) is
//! evaluated with [`apply_instr`] and checked; the others are skipped and
//! counted. Tests only; the engine's results will be checked by the runner.

use std::path::Path;

use wast::{QuoteWat, WastDirective, WastExecute};

use super::values::{arg_value, ret_matches};
use crate::exec::simd::apply_instr;
use crate::runtime::Value;
use crate::syntax::{ExportDesc, ImportDesc, Instr, Module};

/// Checked, failed (with a description), skipped.
#[derive(Debug, Default)]
struct Counts {
    checked: usize,
    failed: Vec<String>,
    skipped: usize,
}

/// Runs the body of defined function `f` of `m` if it is straight-line.
fn eval(m: &Module, f: usize, args: &[Value]) -> Option<Vec<Value>> {
    let body = m.codes.get(f)?;
    let mut locals = args.to_vec();
    for &(n, t) in &body.locals {
        locals.extend(std::iter::repeat(Value::default_for(t)).take(n as usize));
    }
    let mut stack: Vec<Value> = Vec::new();
    for item in body.instrs(m) {
        let (_, instr) = item.ok()?;
        match &instr {
            Instr::LocalGet(l) => stack.push(*locals.get(*l as usize)?),
            Instr::LocalSet(l) => *locals.get_mut(*l as usize)? = stack.pop()?,
            Instr::LocalTee(l) => *locals.get_mut(*l as usize)? = *stack.last()?,
            Instr::I32Const(v) => stack.push(Value::I32(*v)),
            Instr::I64Const(v) => stack.push(Value::I64(*v)),
            Instr::F32Const(b) => stack.push(Value::F32(f32::from_bits(*b))),
            Instr::F64Const(b) => stack.push(Value::F64(f64::from_bits(*b))),
            Instr::Drop => drop(stack.pop()?),
            Instr::End => return Some(stack),
            Instr::V128Const(_) | Instr::I8x16Shuffle(_) | Instr::Simd(..) => {
                let n = match &instr {
                    Instr::Simd(op, _) => op.signature().0.len(),
                    Instr::I8x16Shuffle(_) => 2,
                    _ => 0,
                };
                let args = stack.split_off(stack.len().checked_sub(n)?);
                stack.push(apply_instr(&instr, &args)?);
            }
            _ => return None,
        }
    }
    None
}

fn check_file(path: &Path, counts: &mut Counts) {
    let text = std::fs::read_to_string(path).unwrap();
    let buf = wast::parser::ParseBuffer::new(&text).unwrap();
    let script = wast::parser::parse::<wast::Wast<'_>>(&buf).unwrap();
    let mut current: Option<Module> = None;
    for d in script.directives {
        match d {
            WastDirective::Module(mut q) => {
                let named = q.name().is_some();
                current = match (&mut q, named) {
                    (QuoteWat::Wat(_) | QuoteWat::QuoteModule(..), false) => {
                        q.encode().ok().and_then(|b| crate::binary::decode(&b).ok())
                    }
                    _ => None,
                };
            }
            WastDirective::AssertReturn { exec: WastExecute::Invoke(inv), results, span } => {
                let m = match (&current, inv.module) {
                    (Some(m), None) => m,
                    _ => {
                        counts.skipped += 1;
                        continue;
                    }
                };
                let imported = m.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Func(_))).count();
                let f = m.exports.iter().find_map(|e| match e.desc {
                    ExportDesc::Func(f) if e.name == inv.name => (f as usize).checked_sub(imported),
                    _ => None,
                });
                let args: Result<Vec<Value>, String> = inv.args.iter().map(arg_value).collect();
                match (f, args) {
                    (Some(f), Ok(args)) => match eval(m, f, &args) {
                        Some(got) => {
                            counts.checked += 1;
                            let ok = got.len() == results.len() && results.iter().zip(&got).all(|(r, v)| ret_matches(r, v));
                            if !ok {
                                let (line, _) = span.linecol_in(&text);
                                counts.failed.push(format!("{}:{}: {} got {got:?}", path.display(), line + 1, inv.name));
                            }
                        }
                        None => counts.skipped += 1,
                    },
                    _ => counts.skipped += 1,
                }
            }
            _ => {}
        }
    }
}

#[test]
fn simd_semantics_match_the_suite() {
    let dir = super::default_suite_dir();
    let Ok(files) = super::wast_files(&dir) else {
        eprintln!("no test suite at {}: skipped", dir.display());
        return;
    };
    let mut files: Vec<_> =
        files.into_iter().filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("simd_"))).collect();
    // The relaxed SIMD files of the Wasm 3.0 suite, beside the 2.0 one.
    if let Ok(more) = super::wast_files(&dir.with_file_name("wasm-testsuite")) {
        files.extend(more.into_iter().filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.contains("relaxed_") && !n.starts_with("simd_")
        }));
    }
    let mut counts = Counts::default();
    for f in &files {
        check_file(f, &mut counts);
    }
    eprintln!(
        "SIMD semantics: {} files, {} assert_return checked, {} failed, {} skipped (not straight-line)",
        files.len(),
        counts.checked,
        counts.failed.len(),
        counts.skipped
    );
    for f in counts.failed.iter().take(40) {
        eprintln!("  {f}");
    }
    assert!(counts.failed.is_empty(), "{} SIMD results differ from the suite", counts.failed.len());
    assert!(files.is_empty() || counts.checked > 10_000, "too few checked: {counts:?}");
}
