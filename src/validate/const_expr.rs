//! Constant expressions (spec 3.3.10, WebAssembly 3.0 rules with
//! extended constant expressions).
//!
//! Allowed: `t.const`, `ref.null`, `ref.func`, `global.get` of an immutable
//! global in scope, and the wrapping integer arithmetic `i32.add`,
//! `i32.sub`, `i32.mul`, `i64.add`, `i64.sub`, `i64.mul`. As in the
//! reference interpreter, constness (including index lookups) is checked
//! for the whole expression before its type; the type check is a stack
//! machine over the instructions, and a valid expression leaves exactly one
//! value of the expected type.
//!
//! Which globals are in scope is the caller's choice (`visible`): the
//! first `visible` globals of the index space (imports first). 3.0 lets a
//! global initialiser read the imports and the globals defined before it,
//! and a segment any global; 2.0 only the imports, whatever the
//! expression (`Features::extended_const`).

use super::{err, ModuleCtx};
use crate::error::Result;
use crate::syntax::{ConstExpr, Instr, NumOp, ValType};

/// How many globals (imports first) a constant expression may name: for
/// the initialiser of defined global `defined` (`Some`, an index among
/// the defined globals), the imports and the globals defined before it;
/// for a segment's expressions (`None`), every global. Only the imports
/// unless `Features::extended_const` (3.0).
pub(super) fn visible_globals(ctx: &ModuleCtx, defined: Option<usize>) -> usize {
    if !ctx.module.features.extended_const {
        return ctx.num_imported_globals;
    }
    match defined {
        Some(i) => ctx.num_imported_globals.saturating_add(i).min(ctx.globals.len()),
        None => ctx.globals.len(),
    }
}

/// The operand and result type of an arithmetic instruction allowed in
/// constant expressions, `None` for any other instruction.
pub(super) fn arith_type(instr: &Instr) -> Option<ValType> {
    match instr {
        Instr::Num(NumOp::I32Add | NumOp::I32Sub | NumOp::I32Mul) => Some(ValType::I32),
        Instr::Num(NumOp::I64Add | NumOp::I64Sub | NumOp::I64Mul) => Some(ValType::I64),
        _ => None,
    }
}

/// Checks that `expr` is constant and has type `[] -> [expected]`;
/// `global.get` may name the first `visible` globals.
pub(super) fn check(ctx: &ModuleCtx, expr: &ConstExpr, expected: ValType, visible: usize) -> Result<()> {
    let at = expr.offset;
    // Constness first, for every instruction.
    for instr in &expr.instrs {
        match instr {
            Instr::I32Const(_)
            | Instr::I64Const(_)
            | Instr::F32Const(_)
            | Instr::F64Const(_)
            | Instr::V128Const(_)
            | Instr::RefNull(_) => {}
            Instr::RefFunc(f) => {
                ctx.func_type(*f, at)?;
            }
            Instr::GlobalGet(g) => {
                if *g as usize >= visible {
                    return err(format!("unknown global {g}"), at);
                }
                if ctx.global(*g, at)?.mutable {
                    return err("constant expression required", at);
                }
            }
            i if arith_type(i).is_some() => {}
            Instr::Gc(g) if super::func::gc_is_const(g) => {}
            _ => return err("constant expression required", at),
        }
    }
    // Then types: operand types on a stack (at most one per instruction).
    let mut stack: Vec<ValType> = Vec::new();
    for instr in &expr.instrs {
        let t = match instr {
            Instr::I32Const(_) => ValType::I32,
            Instr::I64Const(_) => ValType::I64,
            Instr::F32Const(_) => ValType::F32,
            Instr::F64Const(_) => ValType::F64,
            Instr::V128Const(_) => ValType::V128,
            Instr::RefNull(t) => {
                ctx.check_val_type((*t).into(), at)?;
                ValType::from(*t)
            }
            Instr::RefFunc(f) => ctx.func_ref_type(*f),
            Instr::GlobalGet(g) => ctx.global(*g, at)?.val,
            Instr::Gc(g) => super::func::gc_const_type(ctx, g, &mut stack, at)?,
            i => {
                let Some(t) = arith_type(i) else { return err("constant expression required", at) };
                for _ in 0..2 {
                    match stack.pop() {
                        Some(u) if u == t => {}
                        Some(u) => return err(format!("type mismatch: expected {t}, found {u}"), at),
                        None => return err(format!("type mismatch: expected {t}, found nothing"), at),
                    }
                }
                t
            }
        };
        stack.push(t);
    }
    match stack[..] {
        [t] if ctx.matches(t, expected) => Ok(()),
        [t] => err(format!("type mismatch: expected {expected}, found {t}"), at),
        _ => err(format!("type mismatch: constant expression has {} values, expected 1", stack.len()), at),
    }
}
