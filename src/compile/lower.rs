//! Lowering of structured control flow to jumps (one pass per body).
//!
//! Operand stack heights are tracked statically (every value is one slot), so
//! each branch knows how many slots to keep (the label's arity) and how many
//! to drop below them.

use super::{Code, FuncMeta, Op};
use crate::error::{Error, Result};
use crate::syntax::{BlockType, FuncBody, FuncType, Instr, Module};

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
}

struct Ctrl {
    kind: Kind,
    /// Stack height below the block's parameters.
    entry_h: u32,
    params: u32,
    results: u32,
    /// Loop start (the branch target of a loop label).
    start: u32,
    /// Forward branches to patch with the end pc.
    fixups: Vec<u32>,
    /// The `BrIfZ` of an `if` still waiting for its `else` or `end`.
    else_fix: Option<u32>,
}

struct Lower<'a> {
    types: &'a [FuncType],
    func_types: &'a [u32],
    imported_funcs: u32,
    ops: Vec<Op>,
    ctrl: Vec<Ctrl>,
    h: u32,
    max_h: u32,
    offset: usize,
    /// The latest pc some label resolves to. The op before the current
    /// position may only be fused with the next one if no jump lands
    /// between them, i.e. `barrier != pc`.
    barrier: u32,
}

/// Translates every function body of a validated module.
///
/// # Errors
/// [`Error::Validate`] if a body is inconsistent (never for a module that
/// passed validation).
pub fn compile_module(module: &Module) -> Result<Code> {
    let func_types = module.func_type_indices();
    let imported = module.num_imported_funcs();
    let mut lower = Lower {
        types: &module.types,
        func_types: &func_types,
        imported_funcs: imported as u32,
        ops: Vec::new(),
        ctrl: Vec::new(),
        h: 0,
        max_h: 0,
        offset: 0,
        barrier: 0,
    };
    let mut funcs = Vec::with_capacity(module.codes.len());
    for (i, body) in module.codes.iter().enumerate() {
        let ty = func_types
            .get(imported + i)
            .and_then(|&t| module.types.get(t as usize))
            .ok_or_else(|| Error::validate("unknown function type", body.offset))?;
        funcs.push(lower.func(ty, body)?);
    }
    Ok(Code { ops: lower.ops, funcs })
}

fn bad(offset: usize) -> Error {
    Error::validate("type mismatch", offset)
}

impl Lower<'_> {
    fn push(&mut self, n: u32) {
        self.h += n;
        self.max_h = self.max_h.max(self.h);
    }

    fn pop(&mut self, n: u32) -> Result<()> {
        self.h = self.h.checked_sub(n).ok_or_else(|| bad(self.offset))?;
        Ok(())
    }

    fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    fn block_type(&self, bt: BlockType) -> Result<(u32, u32)> {
        Ok(match bt {
            BlockType::Empty => (0, 0),
            BlockType::Value(_) => (0, 1),
            BlockType::Func(t) => {
                let ft = self.types.get(t as usize).ok_or_else(|| bad(self.offset))?;
                (ft.params.len() as u32, ft.results.len() as u32)
            }
        })
    }

    fn func_type(&self, func: u32) -> Result<&FuncType> {
        self.func_types.get(func as usize).and_then(|&t| self.types.get(t as usize)).ok_or_else(|| bad(self.offset))
    }

    fn enter(&mut self, kind: Kind, bt: BlockType, else_fix: Option<u32>) -> Result<()> {
        let (params, results) = self.block_type(bt)?;
        let entry_h = self.h.checked_sub(params).ok_or_else(|| bad(self.offset))?;
        let start = self.pc();
        if kind == Kind::Loop {
            self.barrier = start;
        }
        self.ctrl.push(Ctrl { kind, entry_h, params, results, start, fixups: Vec::new(), else_fix });
        Ok(())
    }

    /// Index into `ctrl` of the label `depth`.
    fn label(&self, depth: u32) -> Result<usize> {
        (self.ctrl.len() as u32)
            .checked_sub(depth + 1)
            .map(|i| i as usize)
            .ok_or_else(|| Error::validate("unknown label", self.offset))
    }

    /// Emits a branch to label `depth`. `cond`: a `br_if` (condition already
    /// popped). Branches to the function label become returns (or jumps to
    /// the final return, which ignores whatever lies below the results).
    fn branch(&mut self, depth: u32, cond: bool) -> Result<()> {
        let i = self.label(depth)?;
        let c = &self.ctrl[i];
        let arity = if c.kind == Kind::Loop { c.params } else { c.results };
        if c.kind == Kind::Func && !cond {
            self.ops.push(Op::Return(arity));
            return Ok(());
        }
        let drop = if c.kind == Kind::Func {
            0
        } else {
            self.h.checked_sub(c.entry_h + arity).ok_or_else(|| bad(self.offset))?
        };
        let target = if c.kind == Kind::Loop { c.start } else { 0 };
        let forward = c.kind != Kind::Loop;
        if cond && drop == 0 && self.fuse_cond(target, false) {
            if forward {
                let pc = self.pc() - 1;
                self.ctrl[i].fixups.push(pc);
            }
            return Ok(());
        }
        if forward {
            let pc = self.pc();
            self.ctrl[i].fixups.push(pc);
        }
        self.ops.push(match (cond, drop) {
            (false, 0) => Op::Br(target),
            (false, _) => Op::BrAdj { target, drop, keep: arity },
            (true, 0) => Op::BrIfNz(target),
            (true, _) => Op::BrIfNzAdj { target, drop, keep: arity },
        });
        Ok(())
    }

    fn patch(&mut self, at: u32, target: u32) {
        if let Some(t) = self.ops[at as usize].target_mut() {
            *t = target;
        }
    }

    /// Replaces the last op (an i32 test) and a conditional jump to `target`
    /// by one fused op, if no label lands between them.
    fn fuse_cond(&mut self, target: u32, negate: bool) -> bool {
        let pc = self.pc();
        if self.barrier == pc || pc == 0 {
            return false;
        }
        match self.ops[pc as usize - 1].fuse_branch(target, negate) {
            Some(op) => {
                self.ops[pc as usize - 1] = op;
                true
            }
            None => false,
        }
    }

    fn func(&mut self, ty: &FuncType, body: &FuncBody) -> Result<FuncMeta> {
        self.offset = body.offset;
        let entry = self.pc();
        let params = ty.params.len() as u64;
        let locals: u64 = body.locals.iter().map(|&(n, _)| u64::from(n)).sum();
        if params + locals > u64::from(u32::MAX / 2) {
            return Err(Error::validate("too many locals", body.offset));
        }
        self.h = 0;
        self.max_h = 0;
        self.ctrl.clear();
        self.barrier = entry;
        self.ctrl.push(Ctrl {
            kind: Kind::Func,
            entry_h: 0,
            params: 0,
            results: ty.results.len() as u32,
            start: entry,
            fixups: Vec::new(),
            else_fix: None,
        });
        // `Some(depth)` while skipping unreachable code: nesting depth of
        // blocks opened inside the skipped region.
        let mut skip: Option<u32> = None;
        for (k, instr) in body.body.iter().enumerate() {
            if let Some(&o) = body.offsets.get(k) {
                self.offset = o as usize;
            }
            if self.ctrl.is_empty() {
                return Err(Error::validate("operators remaining after end of function", self.offset));
            }
            if let Some(d) = skip {
                match instr {
                    Instr::Block(_) | Instr::Loop(_) | Instr::If(_) => skip = Some(d + 1),
                    Instr::End if d > 0 => skip = Some(d - 1),
                    Instr::End | Instr::Else if d == 0 => skip = None,
                    _ => {}
                }
                if skip.is_some() {
                    continue;
                }
                // An `else`/`end` closing the unreachable region: the branch
                // around the else arm is dead, so skip it below.
                if matches!(instr, Instr::Else) {
                    self.else_arm(false)?;
                    continue;
                }
            }
            if self.instr(instr)? {
                skip = Some(0);
            }
        }
        if !self.ctrl.is_empty() {
            return Err(Error::validate("unexpected end of function", self.offset));
        }
        let frame_size = params + locals + u64::from(self.max_h);
        Ok(FuncMeta {
            entry,
            params: params as u32,
            locals: locals as u32,
            results: ty.results.len() as u32,
            frame_size: u32::try_from(frame_size).map_err(|_| bad(self.offset))?,
        })
    }

    fn else_arm(&mut self, reachable: bool) -> Result<()> {
        if reachable {
            let pc = self.pc();
            self.ops.push(Op::Br(0));
            self.ctrl.last_mut().ok_or_else(|| bad(self.offset))?.fixups.push(pc);
        }
        let pc = self.pc();
        let c = self.ctrl.last_mut().ok_or_else(|| bad(self.offset))?;
        if c.kind != Kind::If {
            return Err(Error::validate("else without if", self.offset));
        }
        let fix = c.else_fix.take();
        self.h = c.entry_h + c.params;
        self.barrier = pc;
        if let Some(f) = fix {
            self.patch(f, pc);
        }
        self.max_h = self.max_h.max(self.h);
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        let c = self.ctrl.pop().ok_or_else(|| bad(self.offset))?;
        if c.kind == Kind::Func {
            self.ops.push(Op::Return(c.results));
        }
        let end = if c.kind == Kind::Func { self.pc() - 1 } else { self.pc() };
        if let Some(f) = c.else_fix {
            self.patch(f, end);
        }
        for f in c.fixups {
            self.patch(f, end);
        }
        self.h = c.entry_h + c.results;
        self.max_h = self.max_h.max(self.h);
        self.barrier = self.pc();
        Ok(())
    }

    /// Translates one reachable instruction; returns true when the code
    /// after it is unreachable.
    fn instr(&mut self, instr: &Instr) -> Result<bool> {
        match instr {
            Instr::Unreachable => {
                self.ops.push(Op::Unreachable);
                return Ok(true);
            }
            Instr::Nop => {}
            Instr::Block(bt) => self.enter(Kind::Block, *bt, None)?,
            Instr::Loop(bt) => self.enter(Kind::Loop, *bt, None)?,
            Instr::If(bt) => {
                self.pop(1)?;
                // The jump to the else arm, fused with an i32 test if possible.
                if !self.fuse_cond(0, true) {
                    self.ops.push(Op::BrIfZ(0));
                }
                let pc = self.pc() - 1;
                self.enter(Kind::If, *bt, Some(pc))?;
            }
            Instr::Else => self.else_arm(true)?,
            Instr::End => self.end()?,
            Instr::Br(d) => {
                self.branch(*d, false)?;
                return Ok(true);
            }
            Instr::BrIf(d) => {
                self.pop(1)?;
                self.branch(*d, true)?;
            }
            Instr::BrTable(labels, default) => {
                self.pop(1)?;
                self.ops.push(Op::BrTable(labels.len() as u32));
                for &d in labels.iter().chain(std::iter::once(default)) {
                    self.branch(d, false)?;
                }
                return Ok(true);
            }
            Instr::Return => {
                let n = self.ctrl.first().ok_or_else(|| bad(self.offset))?.results;
                self.ops.push(Op::Return(n));
                return Ok(true);
            }
            Instr::Call(f) => {
                let ty = self.func_type(*f)?;
                let (p, r) = (ty.params.len() as u32, ty.results.len() as u32);
                self.pop(p)?;
                self.push(r);
                self.ops.push(match f.checked_sub(self.imported_funcs) {
                    Some(d) => Op::CallInternal(d),
                    None => Op::Call(*f),
                });
            }
            Instr::CallIndirect { type_index, table } => {
                let ty = self.types.get(*type_index as usize).ok_or_else(|| bad(self.offset))?;
                let (p, r) = (ty.params.len() as u32, ty.results.len() as u32);
                self.pop(1 + p)?;
                self.push(r);
                self.ops.push(Op::CallIndirect { ty: *type_index, table: *table });
            }
            Instr::RefNull(_) => self.op(0, 1, Op::Const(0))?,
            Instr::RefIsNull => self.op(1, 1, Op::RefIsNull)?,
            Instr::RefFunc(f) => self.op(0, 1, Op::RefFunc(*f))?,
            Instr::Drop => self.op(1, 0, Op::Drop)?,
            Instr::Select(_) => self.op(3, 1, Op::Select)?,
            Instr::LocalGet(i) => self.op(0, 1, Op::LocalGet(*i))?,
            Instr::LocalSet(i) => self.op(1, 0, Op::LocalSet(*i))?,
            Instr::LocalTee(i) => {
                // After an op with a form writing a local, `local.tee` is
                // `local.set` (folded into it) + `local.get` (which may fold
                // into the consumer).
                let pc = self.pc();
                if self.barrier != pc && pc > 0 && self.ops[pc as usize - 1].has_set_form() {
                    self.op(1, 0, Op::LocalSet(*i))?;
                    self.op(0, 1, Op::LocalGet(*i))?;
                } else {
                    self.op(1, 1, Op::LocalTee(*i))?;
                }
            }
            Instr::GlobalGet(i) => self.op(0, 1, Op::GlobalGet(*i))?,
            Instr::GlobalSet(i) => self.op(1, 0, Op::GlobalSet(*i))?,
            Instr::TableGet(t) => self.op(1, 1, Op::TableGet(*t))?,
            Instr::TableSet(t) => self.op(2, 0, Op::TableSet(*t))?,
            Instr::TableSize(t) => self.op(0, 1, Op::TableSize(*t))?,
            Instr::TableGrow(t) => self.op(2, 1, Op::TableGrow(*t))?,
            Instr::TableFill(t) => self.op(3, 0, Op::TableFill(*t))?,
            Instr::TableCopy { dst, src } => self.op(3, 0, Op::TableCopy { dst: *dst, src: *src })?,
            Instr::TableInit { elem, table } => self.op(3, 0, Op::TableInit { elem: *elem, table: *table })?,
            Instr::ElemDrop(e) => self.op(0, 0, Op::ElemDrop(*e))?,
            Instr::Mem(op, arg) => {
                let (p, r) = if op.is_store() { (2, 0) } else { (1, 1) };
                self.op(p, r, Op::mem(*op, arg.offset))?;
            }
            Instr::MemorySize(_) => self.op(0, 1, Op::MemorySize)?,
            Instr::MemoryGrow(_) => self.op(1, 1, Op::MemoryGrow)?,
            Instr::MemoryFill(_) => self.op(3, 0, Op::MemoryFill)?,
            Instr::MemoryCopy { .. } => self.op(3, 0, Op::MemoryCopy)?,
            Instr::MemoryInit { data, .. } => self.op(3, 0, Op::MemoryInit(*data))?,
            Instr::DataDrop(d) => self.op(0, 0, Op::DataDrop(*d))?,
            Instr::I32Const(v) => self.op(0, 1, Op::Const(u64::from(*v as u32)))?,
            Instr::I64Const(v) => self.op(0, 1, Op::Const(*v as u64))?,
            Instr::F32Const(b) => self.op(0, 1, Op::Const(u64::from(*b)))?,
            Instr::F64Const(b) => self.op(0, 1, Op::Const(*b))?,
            Instr::Num(n) => {
                let p = n.signature().0.len() as u32;
                self.op(p, 1, Op::num(*n))?;
            }
        }
        Ok(false)
    }

    fn op(&mut self, pops: u32, pushes: u32, op: Op) -> Result<()> {
        self.pop(pops)?;
        self.push(pushes);
        // Peephole: fold operand patterns into one op (see `fold`), unless
        // a label lands between the two. A folded op may fold again with
        // the one before it (`local.get; i32.const; i32.add`).
        let pc = self.pc() as usize;
        if self.barrier as usize != pc && pc > 0 {
            if let Some(f) = Op::fold(self.ops[pc - 1], op) {
                self.ops[pc - 1] = f;
                if pc >= 2 && (self.barrier as usize) < pc - 1 {
                    if let Some(g) = Op::fold(self.ops[pc - 2], f) {
                        self.ops[pc - 2] = g;
                        self.ops.pop();
                    }
                }
                return Ok(());
            }
            // `local.tee a; local.get b` folded early; if the get folds
            // into this op instead, prefer that: the result may then fuse
            // with a branch.
            if let Some((first, get)) = self.ops[pc - 1].split() {
                if let Some(f) = Op::fold(get, op) {
                    self.ops[pc - 1] = first;
                    self.ops.push(f);
                    return Ok(());
                }
            }
        }
        self.ops.push(op);
        Ok(())
    }
}
