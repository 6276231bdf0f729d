//! Translation of the GC instructions: each is one [`op::Gc`] (run out
//! of line by `exec::gc`), but the conversions between the `any` and
//! `extern` hierarchies, which change no bits.

use super::{mismatch, Cond, Translator};
use crate::compile::ops::op;
use crate::compile::Info;
use crate::error::{Error, Result};
use crate::syntax::{Ext, FuncType, GcInstr, HeapType, RefType, ValType};

/// What an [`op::Gc`] does (its `code` field).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum GcCode {
    StructNew,
    StructNewDefault,
    StructGet,
    StructGetS,
    StructGetU,
    StructSet,
    ArrayNew,
    ArrayNewDefault,
    ArrayNewFixed,
    ArrayNewData,
    ArrayNewElem,
    ArrayGet,
    ArrayGetS,
    ArrayGetU,
    ArraySet,
    ArrayLen,
    ArrayFill,
    ArrayCopy,
    ArrayInitData,
    ArrayInitElem,
    RefTest,
    RefCast,
    RefI31,
    I31GetS,
    I31GetU,
    RefEq,
}

impl GcCode {
    pub const ALL: [GcCode; 26] = [
        GcCode::StructNew,
        GcCode::StructNewDefault,
        GcCode::StructGet,
        GcCode::StructGetS,
        GcCode::StructGetU,
        GcCode::StructSet,
        GcCode::ArrayNew,
        GcCode::ArrayNewDefault,
        GcCode::ArrayNewFixed,
        GcCode::ArrayNewData,
        GcCode::ArrayNewElem,
        GcCode::ArrayGet,
        GcCode::ArrayGetS,
        GcCode::ArrayGetU,
        GcCode::ArraySet,
        GcCode::ArrayLen,
        GcCode::ArrayFill,
        GcCode::ArrayCopy,
        GcCode::ArrayInitData,
        GcCode::ArrayInitElem,
        GcCode::RefTest,
        GcCode::RefCast,
        GcCode::RefI31,
        GcCode::I31GetS,
        GcCode::I31GetU,
        GcCode::RefEq,
    ];
}

/// A cast's target heap type as an immediate: a type index, or an
/// abstract type's byte with [`ABSTRACT`] set.
pub const ABSTRACT: u32 = 0x8000_0000;

pub fn heap_code(h: HeapType) -> u32 {
    match h {
        HeapType::Concrete(i) => i,
        h => ABSTRACT | u32::from(h.byte().unwrap_or(0)),
    }
}

/// The operands of an [`op::Gc`], slot fields first.
#[derive(Default)]
struct Args {
    d: u16,
    a: u16,
    b: u16,
    c: u16,
    e: u16,
    x: u32,
    y: u32,
}

impl Translator {
    /// Translates GC instruction `i`; returns whether the code after it
    /// is reachable.
    pub(super) fn gc(&mut self, info: &Info<'_>, func: &FuncType, i: &GcInstr) -> Result<bool> {
        use GcCode as C;
        self.used_gc = true;
        let def = |t: u32| info.module.def(t).ok_or_else(|| Error::validate("unknown type", 0));
        let emit = |tr: &mut Translator, code: GcCode, g: Args| {
            op::Gc { d: g.d, a: g.a, b: g.b, c: g.c, e: g.e, x: g.x, y: g.y, code: code as u16 }.emit(&mut tr.code);
        };
        let r = |t: u32| ValType::Ref(RefType { nullable: false, heap: HeapType::Concrete(t) });
        match i {
            GcInstr::StructNew(t) => {
                let n = match &def(*t)?.comp {
                    crate::syntax::CompType::Struct(fs) => fs.len(),
                    _ => return Err(mismatch(self.offset)),
                };
                let a = self.call_args(n)?;
                for _ in 0..n {
                    self.pop()?;
                }
                self.slot_result(r(*t), |d, c| op::Gc { d, a, b: 0, c: 0, e: 0, x: *t, y: 0, code: C::StructNew as u16 }.emit(c))?;
            }
            GcInstr::StructNewDefault(t) => {
                self.slot_result(r(*t), |d, c| op::Gc { d, a: d, b: d, c: d, e: d, x: *t, y: 0, code: C::StructNewDefault as u16 }.emit(c))?;
            }
            GcInstr::StructGet(t, f, ext) => {
                let ty = match &def(*t)?.comp {
                    crate::syntax::CompType::Struct(fs) => fs.get(*f as usize).ok_or_else(|| mismatch(self.offset))?.storage.unpacked(),
                    _ => return Err(mismatch(self.offset)),
                };
                if let Some(off) = one_slot_field(def(*t)?, *f) {
                    let [a] = self.pop_slots::<1>()?;
                    return self.slot_result(ty, |d, c| op::StructGetF { d, a, off }.emit(c)).map(|()| true);
                }
                let code = match ext {
                    Ext::None => C::StructGet,
                    Ext::S => C::StructGetS,
                    Ext::U => C::StructGetU,
                };
                let [a] = self.pop_slots::<1>()?;
                self.slot_result(ty, |d, c| op::Gc { d, a, b: a, c: a, e: a, x: *t, y: *f, code: code as u16 }.emit(c))?;
            }
            GcInstr::StructSet(t, f) => {
                let [a, b] = self.pop_slots::<2>()?;
                if let Some(off) = one_slot_field(def(*t)?, *f) {
                    op::StructSetF { a, v: b, off }.emit(&mut self.code);
                    return Ok(true);
                }
                emit(self, C::StructSet, Args { d: a, a, b, c: a, e: a, x: *t, y: *f });
            }
            GcInstr::ArrayNew(t) => {
                let [a, b] = self.pop_slots::<2>()?;
                self.slot_result(r(*t), |d, c| op::Gc { d, a, b, c: a, e: a, x: *t, y: 0, code: C::ArrayNew as u16 }.emit(c))?;
            }
            GcInstr::ArrayNewDefault(t) => {
                let [b] = self.pop_slots::<1>()?;
                self.slot_result(r(*t), |d, c| op::Gc { d, a: b, b, c: b, e: b, x: *t, y: 0, code: C::ArrayNewDefault as u16 }.emit(c))?;
            }
            GcInstr::ArrayNewFixed(t, n) => {
                self.elem_type(info, *t)?;
                let a = self.call_args(*n as usize)?;
                for _ in 0..*n {
                    self.pop()?;
                }
                self.slot_result(r(*t), |d, c| op::Gc { d, a, b: a, c: a, e: a, x: *t, y: *n, code: C::ArrayNewFixed as u16 }.emit(c))?;
            }
            GcInstr::ArrayNewData(t, s) | GcInstr::ArrayNewElem(t, s) => {
                let code = if matches!(i, GcInstr::ArrayNewData(..)) { C::ArrayNewData } else { C::ArrayNewElem };
                let [a, b] = self.pop_slots::<2>()?;
                self.slot_result(r(*t), |d, c| op::Gc { d, a, b, c: a, e: a, x: *t, y: *s, code: code as u16 }.emit(c))?;
            }
            GcInstr::ArrayGet(t, ext) => {
                let ty = self.elem_type(info, *t)?;
                let code = match ext {
                    Ext::None => C::ArrayGet,
                    Ext::S => C::ArrayGetS,
                    Ext::U => C::ArrayGetU,
                };
                let [a, b] = self.pop_slots::<2>()?;
                if *ext == Ext::None && one_slot_elem(def(*t)?) {
                    return self.slot_result(ty, |d, c| op::ArrayGetF { d, a, i: b }.emit(c)).map(|()| true);
                }
                self.slot_result(ty, |d, c| op::Gc { d, a, b, c: a, e: a, x: *t, y: 0, code: code as u16 }.emit(c))?;
            }
            GcInstr::ArraySet(t) => {
                let [a, b, c] = self.pop_slots::<3>()?;
                if one_slot_elem(def(*t)?) {
                    op::ArraySetF { a, i: b, v: c }.emit(&mut self.code);
                    return Ok(true);
                }
                emit(self, C::ArraySet, Args { d: a, a, b, c, e: a, x: *t, y: 0 });
            }
            GcInstr::ArrayLen => {
                let [a] = self.pop_slots::<1>()?;
                self.slot_result(ValType::I32, |d, c| op::Gc { d, a, b: a, c: a, e: a, x: 0, y: 0, code: C::ArrayLen as u16 }.emit(c))?;
            }
            GcInstr::ArrayFill(t) => {
                let [a, b, c, e] = self.pop_slots::<4>()?;
                emit(self, C::ArrayFill, Args { d: a, a, b, c, e, x: *t, y: 0 });
            }
            GcInstr::ArrayCopy(t, s) => {
                let [a, b, c, e, n] = self.pop_slots::<5>()?;
                emit(self, C::ArrayCopy, Args { d: n, a, b, c, e, x: *t, y: *s });
            }
            GcInstr::ArrayInitData(t, s) | GcInstr::ArrayInitElem(t, s) => {
                let code = if matches!(i, GcInstr::ArrayInitData(..)) { C::ArrayInitData } else { C::ArrayInitElem };
                let [a, b, c, e] = self.pop_slots::<4>()?;
                emit(self, code, Args { d: a, a, b, c, e, x: *t, y: *s });
            }
            GcInstr::RefTest(rt) | GcInstr::RefCast(rt) => {
                let (code, ty) = if matches!(i, GcInstr::RefTest(_)) { (C::RefTest, ValType::I32) } else { (C::RefCast, (*rt).into()) };
                let [a] = self.pop_slots::<1>()?;
                let (x, y) = (heap_code(rt.heap), u32::from(rt.nullable));
                self.slot_result(ty, |d, c| op::Gc { d, a, b: a, c: a, e: a, x, y, code: code as u16 }.emit(c))?;
            }
            GcInstr::BrOnCast(cast) | GcInstr::BrOnCastFail(cast) => {
                // The reference stays on the stack (it is the label's
                // last value either way); the test goes to the slot above.
                let k = self.stack.len().checked_sub(1).ok_or_else(|| mismatch(self.offset))?;
                let a = self.slot_of(self.stack[k], k)?;
                let t = self.canon(k + 1)?;
                let (x, y) = (heap_code(cast.to.heap), u32::from(cast.to.nullable));
                emit(self, C::RefTest, Args { d: t, a, b: a, c: a, e: a, x, y });
                let fail = matches!(i, GcInstr::BrOnCastFail(_));
                let cond = Cond::Test { s: Some(t), wide: false, zero: fail };
                let reachable = self.br_on(info, func, cast.label, cond)?;
                // What continues has the other type (its slot is the same).
                let stays = if fail { cast.to } else { RefType { nullable: cast.from.nullable && !cast.to.nullable, heap: cast.from.heap } };
                if let Some(top) = self.stack.last_mut() {
                    top.ty = stays.into();
                }
                return Ok(reachable);
            }
            GcInstr::AnyConvertExtern | GcInstr::ExternConvertAny => {
                let to = if matches!(i, GcInstr::AnyConvertExtern) { HeapType::Any } else { HeapType::Extern };
                let top = self.stack.last_mut().ok_or_else(|| mismatch(self.offset))?;
                if let ValType::Ref(r) = top.ty {
                    top.ty = ValType::Ref(RefType { heap: to, ..r });
                }
            }
            GcInstr::RefI31 => {
                let [a] = self.pop_slots::<1>()?;
                let ty = ValType::Ref(RefType { nullable: false, heap: HeapType::I31 });
                self.slot_result(ty, |d, c| op::Gc { d, a, b: a, c: a, e: a, x: 0, y: 0, code: C::RefI31 as u16 }.emit(c))?;
            }
            GcInstr::I31Get(signed) => {
                let code = if *signed { C::I31GetS } else { C::I31GetU };
                let [a] = self.pop_slots::<1>()?;
                self.slot_result(ValType::I32, |d, c| op::Gc { d, a, b: a, c: a, e: a, x: 0, y: 0, code: code as u16 }.emit(c))?;
            }
            GcInstr::RefEq => {
                let [a, b] = self.pop_slots::<2>()?;
                self.slot_result(ValType::I32, |d, c| op::Gc { d, a, b, c: a, e: a, x: 0, y: 0, code: C::RefEq as u16 }.emit(c))?;
            }
        }
        Ok(true)
    }

    /// The operand type of array type `t`'s elements.
    fn elem_type(&self, info: &Info<'_>, t: u32) -> Result<ValType> {
        match info.module.def(t).map(|d| &d.comp) {
            Some(crate::syntax::CompType::Array(f)) => Ok(f.storage.unpacked()),
            _ => Err(mismatch(self.offset)),
        }
    }
}

/// The slot of field `f` of struct type `d`, if the field takes one slot
/// and reads without extension (not packed, not a v128).
fn one_slot_field(d: &crate::syntax::SubType, f: u32) -> Option<u32> {
    let crate::syntax::CompType::Struct(fs) = &d.comp else { return None };
    let mut off = 0u32;
    for (k, ft) in fs.iter().enumerate() {
        let wide = ft.storage == crate::syntax::StorageType::Val(ValType::V128);
        if k == f as usize {
            return (!wide && !ft.storage.is_packed()).then_some(off);
        }
        off += if wide { 2 } else { 1 };
    }
    None
}

/// Do array type `d`'s elements take one slot each (not packed, not v128)?
fn one_slot_elem(d: &crate::syntax::SubType) -> bool {
    matches!(&d.comp, crate::syntax::CompType::Array(f) if !f.storage.is_packed() && f.storage != crate::syntax::StorageType::Val(ValType::V128))
}
