//! Constant expressions (spec 3.3.10, WebAssembly 2.0 rules).
//!
//! Allowed: `t.const`, `ref.null`, `ref.func`, and `global.get` of an
//! *imported immutable* global. Each pushes one value, so a valid expression
//! is exactly one instruction of the expected type. As in the reference
//! interpreter, constness (including index lookups) is checked for the whole
//! expression before its type.

use super::{err, ModuleCtx};
use crate::error::Result;
use crate::syntax::{ConstExpr, Instr, ValType};

/// Checks that `expr` is constant and has type `[] -> [expected]`.
pub(super) fn check(ctx: &ModuleCtx, expr: &ConstExpr, expected: ValType) -> Result<()> {
    let at = expr.offset;
    let mut ty = None;
    for instr in &expr.instrs {
        ty = Some(match instr {
            Instr::I32Const(_) => ValType::I32,
            Instr::I64Const(_) => ValType::I64,
            Instr::F32Const(_) => ValType::F32,
            Instr::F64Const(_) => ValType::F64,
            Instr::V128Const(_) => ValType::V128,
            Instr::RefNull(t) => ValType::from(*t),
            Instr::RefFunc(f) => {
                ctx.func_type(*f, at)?;
                ValType::FuncRef
            }
            Instr::GlobalGet(g) => {
                // 2.0: only imported globals are in scope here.
                if *g as usize >= ctx.num_imported_globals {
                    return err(format!("unknown global {g}"), at);
                }
                let gt = ctx.global(*g, at)?;
                if gt.mutable {
                    return err("constant expression required", at);
                }
                gt.val
            }
            _ => return err("constant expression required", at),
        });
    }
    match (ty, expr.instrs.len()) {
        (Some(t), 1) if t == expected => Ok(()),
        (Some(t), 1) => err(format!("type mismatch: expected {expected}, found {t}"), at),
        (_, n) => err(format!("type mismatch: constant expression has {n} values, expected 1"), at),
    }
}
