//! The SIMD semantics (`exec::simd`) against the suite, before the engine
//! runs SIMD: every `assert_return` (and `invoke`) whose function is
//! straight-line code (locals, constants, SIMD instructions, SIMD loads and
//! stores of one memory) is evaluated with [`apply_instr`] and the memory
//! forms' semantics, and checked; the others are skipped and counted (after
//! an `invoke` that could not be evaluated, the rest of its module is).
//! Tests only; the engine's results will be checked by the runner.

use std::path::Path;

use wast::{QuoteWat, WastDirective, WastExecute};

use super::values::{arg_value, ret_matches};
use crate::exec::simd::*;
use crate::runtime::Value;
use crate::syntax::{DataMode, ExportDesc, ImportDesc, Instr, MemArg, Module, SimdImm, SimdOp};

/// `n` bytes at `p + offset`, little-endian; `None` out of bounds.
fn read(mem: &[u8], p: i32, arg: &MemArg, n: usize) -> Option<u128> {
    let at = usize::try_from(u64::from(p as u32) + arg.offset).ok()?;
    let mut b = [0u8; 16];
    b[..n].copy_from_slice(mem.get(at..at.checked_add(n)?)?);
    Some(u128::from_le_bytes(b))
}

fn write(mem: &mut [u8], p: i32, arg: &MemArg, n: usize, v: u128) -> Option<()> {
    let at = usize::try_from(u64::from(p as u32) + arg.offset).ok()?;
    mem.get_mut(at..at.checked_add(n)?)?.copy_from_slice(&v.to_le_bytes()[..n]);
    Some(())
}

macro_rules! define_mem_op {
    ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
        /// Runs a SIMD load or store by its row of the table: `Some(result)`.
        fn mem_op(op: SimdOp, arg: &MemArg, lane: u8, args: &[Value], mem: &mut [u8]) -> Option<Option<Value>> {
            match op {
                $(SimdOp::$op => define_mem_op!(@row $kind ($($arg)*) $f, arg, lane, args, mem),)*
            }
        }
    };
    (@row load ($a:literal) $f:ident, $m:ident, $l:ident, $args:ident, $mem:ident) => {
        match $args {
            [Value::I32(p)] => Some(Some(Value::V128($f(read($mem, *p, $m, 1 << $a)?)))),
            _ => None,
        }
    };
    (@row store ($a:literal) $f:ident, $m:ident, $l:ident, $args:ident, $mem:ident) => {
        match $args {
            [Value::I32(p), Value::V128(v)] => write($mem, *p, $m, 1 << $a, $f(*v)).map(|()| None),
            _ => None,
        }
    };
    (@row load_lane ($a:literal) $f:ident, $m:ident, $l:ident, $args:ident, $mem:ident) => {
        match $args {
            [Value::I32(p), Value::V128(v)] => {
                Some(Some(Value::V128($f(*v, $l, read($mem, *p, $m, 1 << $a)? as u64))))
            }
            _ => None,
        }
    };
    (@row store_lane ($a:literal) $f:ident, $m:ident, $l:ident, $args:ident, $mem:ident) => {
        match $args {
            [Value::I32(p), Value::V128(v)] => write($mem, *p, $m, 1 << $a, u128::from($f(*v, $l))).map(|()| None),
            _ => None,
        }
    };
    (@row $kind:ident ($($arg:tt)*) $f:ident, $m:ident, $l:ident, $args:ident, $mem:ident) => {
        None
    };
}
crate::for_each_simd_op!(define_mem_op);

/// The memory of a module after its active data segments (constant offsets
/// only), if it has one.
fn memory(m: &Module) -> Vec<u8> {
    let Some(mt) = m.memories.first() else { return Vec::new() };
    let mut mem = vec![0u8; mt.limits.min as usize * 65536];
    for d in &m.datas {
        if let DataMode::Active { offset, .. } = &d.mode {
            if let [Instr::I32Const(at)] = offset.instrs[..] {
                let bytes = d.bytes(m);
                let at = at as u32 as usize;
                mem[at..at + bytes.len()].copy_from_slice(bytes);
            }
        }
    }
    mem
}

/// Checked, failed (with a description), skipped.
#[derive(Debug, Default)]
struct Counts {
    checked: usize,
    failed: Vec<String>,
    skipped: usize,
}

/// The initial values of the module's globals (constant initialisers
/// only), if it imports none.
fn globals(m: &Module) -> Option<Vec<Value>> {
    if m.imports.iter().any(|i| matches!(i.desc, ImportDesc::Global(_))) {
        return None;
    }
    m.globals
        .iter()
        .map(|g| match g.init.instrs[..] {
            [Instr::V128Const(b)] => Some(Value::V128(u128::from_le_bytes(b))),
            [Instr::I32Const(v)] => Some(Value::I32(v)),
            [Instr::I64Const(v)] => Some(Value::I64(v)),
            _ => None,
        })
        .collect()
}

/// Runs the body of defined function `f` of `m` if it is straight-line.
fn eval(m: &Module, mem: &mut [u8], globals: &mut [Value], f: usize, args: &[Value]) -> Option<Vec<Value>> {
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
            Instr::GlobalGet(g) => stack.push(*globals.get(*g as usize)?),
            Instr::GlobalSet(g) => *globals.get_mut(*g as usize)? = stack.pop()?,
            // Full-width scalar loads, which the suite uses to look at
            // what SIMD stores wrote.
            Instr::Mem(op, arg) if !op.is_store() && op.name().ends_with("load") => {
                let Value::I32(p) = stack.pop()? else { return None };
                let bits = read(mem, p, arg, 1 << op.max_align())?;
                stack.push(Value::from_bits(bits, op.val_type()));
            }
            Instr::End => return Some(stack),
            Instr::V128Const(_) | Instr::I8x16Shuffle(_) | Instr::Simd(..) => {
                let n = match &instr {
                    Instr::Simd(op, _) => op.signature().0.len(),
                    Instr::I8x16Shuffle(_) => 2,
                    _ => 0,
                };
                let args = stack.split_off(stack.len().checked_sub(n)?);
                match &instr {
                    Instr::Simd(op, SimdImm::Mem(arg)) => stack.extend(mem_op(*op, arg, 0, &args, mem)?),
                    Instr::Simd(op, SimdImm::MemLane(arg, l)) => stack.extend(mem_op(*op, arg, *l, &args, mem)?),
                    _ => stack.push(apply_instr(&instr, &args)?),
                }
            }
            _ => return None,
        }
    }
    None
}

/// The current module: decoded, its memory, and whether that memory is
/// still known (every `invoke` on it could be evaluated).
struct Current {
    m: Module,
    mem: Vec<u8>,
    globals: Vec<Value>,
    known: bool,
}

/// The defined function exported as `name`.
fn export(m: &Module, name: &str) -> Option<usize> {
    let imported = m.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Func(_))).count();
    m.exports.iter().find_map(|e| match e.desc {
        ExportDesc::Func(f) if e.name == name => (f as usize).checked_sub(imported),
        _ => None,
    })
}

/// Evaluates an invocation on the current module, if it can.
fn invoke(cur: &mut Option<Current>, inv: &wast::WastInvoke<'_>) -> Option<Vec<Value>> {
    let cur = cur.as_mut().filter(|c| c.known && inv.module.is_none())?;
    let f = export(&cur.m, inv.name)?;
    let args: Vec<Value> = inv.args.iter().map(arg_value).collect::<Result<_, _>>().ok()?;
    let r = eval(&cur.m, &mut cur.mem, &mut cur.globals, f, &args);
    // A call not evaluated may have written memory we no longer know.
    cur.known &= r.is_some();
    r
}

fn check_file(path: &Path, counts: &mut Counts) {
    let text = std::fs::read_to_string(path).unwrap();
    let buf = wast::parser::ParseBuffer::new(&text).unwrap();
    let script = wast::parser::parse::<wast::Wast<'_>>(&buf).unwrap();
    let mut current: Option<Current> = None;
    for d in script.directives {
        match d {
            WastDirective::Module(mut q) => {
                let named = q.name().is_some();
                let m = match (&mut q, named) {
                    (QuoteWat::Wat(_) | QuoteWat::QuoteModule(..), false) => {
                        q.encode().ok().and_then(|b| crate::binary::decode(&b).ok())
                    }
                    _ => None,
                };
                current = m.and_then(|m| Some(Current { mem: memory(&m), globals: globals(&m)?, m, known: true }));
            }
            WastDirective::Invoke(inv) => {
                invoke(&mut current, &inv);
            }
            WastDirective::AssertTrap { .. } => {
                // Not evaluated: stores before the trap would be missed.
                if let Some(c) = current.as_mut() {
                    c.known = false;
                }
            }
            WastDirective::AssertReturn { exec: WastExecute::Invoke(inv), results, span } => {
                match invoke(&mut current, &inv) {
                    Some(got) => {
                        counts.checked += 1;
                        let ok = got.len() == results.len() && results.iter().zip(&got).all(|(r, v)| ret_matches(r, v));
                        if !ok {
                            let (line, _) = span.linecol_in(&text);
                            counts.failed.push(format!("{}:{}: {} got {got:?}", path.display(), line + 1, inv.name));
                        }
                    }
                    None => counts.skipped += 1,
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
