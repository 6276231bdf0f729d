//! Validation of the GC instructions (spec 3.0 3.4.x "Aggregate
//! instructions", casts, `i31`, `ref.eq`).

use super::{type_mismatch, FuncValidator};
use crate::error::Result;
use crate::syntax::*;
use crate::validate::{err, ModuleCtx};

impl<'m> ModuleCtx<'m> {
    /// The fields of struct type `t`.
    ///
    /// # Errors
    /// `unknown type N`, or a type that is not a struct.
    pub fn struct_type(&self, t: u32, at: usize) -> Result<&'m [FieldType]> {
        match self.module.def(t).map(|d| &d.comp) {
            Some(CompType::Struct(fs)) => Ok(fs),
            Some(_) => err(format!("type mismatch: type {t} is not a struct type"), at),
            None => err(format!("unknown type {t}"), at),
        }
    }

    /// The element of array type `t`.
    ///
    /// # Errors
    /// `unknown type N`, or a type that is not an array.
    pub fn array_type(&self, t: u32, at: usize) -> Result<FieldType> {
        match self.module.def(t).map(|d| &d.comp) {
            Some(CompType::Array(f)) => Ok(*f),
            Some(_) => err(format!("type mismatch: type {t} is not an array type"), at),
            None => err(format!("unknown type {t}"), at),
        }
    }

    /// Checks that a reference type is valid (names a type that exists).
    pub(crate) fn check_ref_type(&self, r: RefType, at: usize) -> Result<()> {
        self.check_val_type(r.into(), at)
    }
}

/// `(ref $t)`, or `(ref null $t)`.
fn concrete(t: u32, nullable: bool) -> ValType {
    ValType::Ref(RefType { nullable, heap: HeapType::Concrete(t) })
}

fn abs(heap: HeapType, nullable: bool) -> ValType {
    ValType::Ref(RefType { nullable, heap })
}

/// The operand type of a field: packed ones are i32.
fn unpacked(f: FieldType) -> ValType {
    f.storage.unpacked()
}

/// Is the field's type one with a default value?
fn defaultable(f: FieldType) -> bool {
    f.storage.unpacked().is_defaultable()
}

impl FuncValidator {
    /// Validates GC instruction `i` at `at`.
    pub(super) fn gc(&mut self, ctx: &ModuleCtx, i: &GcInstr, at: usize) -> Result<()> {
        use ValType::I32;
        match i {
            GcInstr::StructNew(t) => {
                let fs = ctx.struct_type(*t, at)?;
                for f in fs.iter().rev() {
                    self.pop_expect(unpacked(*f), at)?;
                }
                self.push_val(Some(concrete(*t, false)));
            }
            GcInstr::StructNewDefault(t) => {
                let fs = ctx.struct_type(*t, at)?;
                if !fs.iter().all(|f| defaultable(*f)) {
                    return err("type mismatch: struct.new_default of a field without default", at);
                }
                self.push_val(Some(concrete(*t, false)));
            }
            GcInstr::StructGet(t, f, ext) => {
                let fs = ctx.struct_type(*t, at)?;
                let Some(field) = fs.get(*f as usize) else { return err(format!("unknown field {f}"), at) };
                if field.storage.is_packed() == (*ext == Ext::None) {
                    return err("type mismatch: struct.get of a packed field needs a sign extension", at);
                }
                self.pop_expect(concrete(*t, true), at)?;
                self.push_val(Some(unpacked(*field)));
            }
            GcInstr::StructSet(t, f) => {
                let fs = ctx.struct_type(*t, at)?;
                let Some(field) = fs.get(*f as usize) else { return err(format!("unknown field {f}"), at) };
                if !field.mutable {
                    return err("immutable field", at);
                }
                self.pop_expect(unpacked(*field), at)?;
                self.pop_expect(concrete(*t, true), at)?;
            }
            GcInstr::ArrayNew(t) => {
                let f = ctx.array_type(*t, at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(unpacked(f), at)?;
                self.push_val(Some(concrete(*t, false)));
            }
            GcInstr::ArrayNewDefault(t) => {
                let f = ctx.array_type(*t, at)?;
                if !defaultable(f) {
                    return err("type mismatch: array.new_default of an element without default", at);
                }
                self.pop_expect(I32, at)?;
                self.push_val(Some(concrete(*t, false)));
            }
            GcInstr::ArrayNewFixed(t, n) => {
                let f = ctx.array_type(*t, at)?;
                if *n as usize > super::MAX_OPERANDS {
                    return err("array.new_fixed of too many elements (implementation limit)", at);
                }
                for _ in 0..*n {
                    self.pop_expect(unpacked(f), at)?;
                }
                self.push_val(Some(concrete(*t, false)));
            }
            GcInstr::ArrayNewData(t, d) | GcInstr::ArrayInitData(t, d) => {
                let f = ctx.array_type(*t, at)?;
                if matches!(i, GcInstr::ArrayInitData(..)) && !f.mutable {
                    return err("immutable array", at);
                }
                if !(f.storage.is_packed() || f.storage.unpacked().is_num() || f.storage.unpacked() == ValType::V128) {
                    return err("array type is not numeric or vector", at);
                }
                self.uses_data_index = true;
                ctx.data(*d, at)?;
                if matches!(i, GcInstr::ArrayNewData(..)) {
                    self.pop_vals(&[I32, I32], at)?;
                    self.push_val(Some(concrete(*t, false)));
                } else {
                    self.pop_vals(&[I32, I32, I32], at)?;
                    self.pop_expect(concrete(*t, true), at)?;
                }
            }
            GcInstr::ArrayNewElem(t, e) | GcInstr::ArrayInitElem(t, e) => {
                let f = ctx.array_type(*t, at)?;
                if matches!(i, GcInstr::ArrayInitElem(..)) && !f.mutable {
                    return err("immutable array", at);
                }
                let et = ctx.elem(*e, at)?;
                if !self.sub(et.into(), f.storage.unpacked()) || f.storage.is_packed() {
                    return err("type mismatch: element segment does not match the array", at);
                }
                if matches!(i, GcInstr::ArrayNewElem(..)) {
                    self.pop_vals(&[I32, I32], at)?;
                    self.push_val(Some(concrete(*t, false)));
                } else {
                    self.pop_vals(&[I32, I32, I32], at)?;
                    self.pop_expect(concrete(*t, true), at)?;
                }
            }
            GcInstr::ArrayGet(t, ext) => {
                let f = ctx.array_type(*t, at)?;
                if f.storage.is_packed() == (*ext == Ext::None) {
                    return err("type mismatch: array.get of a packed element needs a sign extension", at);
                }
                self.pop_expect(I32, at)?;
                self.pop_expect(concrete(*t, true), at)?;
                self.push_val(Some(unpacked(f)));
            }
            GcInstr::ArraySet(t) => {
                let f = ctx.array_type(*t, at)?;
                if !f.mutable {
                    return err("immutable array", at);
                }
                self.pop_expect(unpacked(f), at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(concrete(*t, true), at)?;
            }
            GcInstr::ArrayLen => {
                self.pop_expect(abs(HeapType::Array, true), at)?;
                self.push_val(Some(I32));
            }
            GcInstr::ArrayFill(t) => {
                let f = ctx.array_type(*t, at)?;
                if !f.mutable {
                    return err("immutable array", at);
                }
                self.pop_expect(I32, at)?;
                self.pop_expect(unpacked(f), at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(concrete(*t, true), at)?;
            }
            GcInstr::ArrayCopy(d, s) => {
                let fd = ctx.array_type(*d, at)?;
                let fs = ctx.array_type(*s, at)?;
                if !fd.mutable {
                    return err("immutable array", at);
                }
                let ok = match (fs.storage, fd.storage) {
                    (StorageType::Val(a), StorageType::Val(b)) => self.sub(a, b),
                    (a, b) => a == b,
                };
                if !ok {
                    return err("array types do not match", at);
                }
                self.pop_expect(I32, at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(concrete(*s, true), at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(concrete(*d, true), at)?;
            }
            GcInstr::RefTest(rt) | GcInstr::RefCast(rt) => {
                ctx.check_ref_type(*rt, at)?;
                let top = rt.heap.top(&*self.tinfo);
                self.pop_expect(abs(top, true), at)?;
                self.push_val(Some(if matches!(i, GcInstr::RefTest(_)) { I32 } else { (*rt).into() }));
            }
            GcInstr::BrOnCast(c) | GcInstr::BrOnCastFail(c) => {
                ctx.check_ref_type(c.from, at)?;
                ctx.check_ref_type(c.to, at)?;
                if !self.sub_ref(c.to, c.from) {
                    return err("type mismatch: br_on_cast's target type must match its operand type", at);
                }
                let tys = self.label_types(ctx, c.label, at)?;
                let Some((last, rest)) = tys.split_last() else {
                    return err("type mismatch: br_on_cast needs a label with a reference", at);
                };
                let diff = RefType { nullable: c.from.nullable && !c.to.nullable, heap: c.from.heap };
                let (taken, stays) = if matches!(i, GcInstr::BrOnCast(_)) { (c.to, diff) } else { (diff, c.to) };
                if !self.sub(taken.into(), *last) {
                    return type_mismatch(Some(*last), Some(taken.into()), at);
                }
                self.pop_expect(c.from.into(), at)?;
                self.pop_push_vals(rest, at)?;
                self.push_val(Some(stays.into()));
                // The engine tests the cast into the slot above.
                self.max_height = self.max_height.max(self.vals.len() + 1);
            }
            GcInstr::AnyConvertExtern | GcInstr::ExternConvertAny => {
                let (from, to) = if matches!(i, GcInstr::AnyConvertExtern) {
                    (HeapType::Extern, HeapType::Any)
                } else {
                    (HeapType::Any, HeapType::Extern)
                };
                // Null stays null; an operand of unreachable code (Unknown
                // or `(ref bot)`) may be taken as non-null, whose result
                // matches the most types (wasmparser: a reference of heap
                // type `to` and unknown nullability).
                let r = self.pop_expect(abs(from, true), at)?;
                let nullable = matches!(r, Some(ValType::Ref(RefType { nullable: true, .. })));
                self.push_val(Some(abs(to, nullable)));
            }
            GcInstr::RefI31 => {
                self.pop_expect(I32, at)?;
                self.push_val(Some(abs(HeapType::I31, false)));
            }
            GcInstr::I31Get(_) => {
                self.pop_expect(abs(HeapType::I31, true), at)?;
                self.push_val(Some(I32));
            }
            GcInstr::RefEq => {
                self.pop_expect(abs(HeapType::Eq, true), at)?;
                self.pop_expect(abs(HeapType::Eq, true), at)?;
                self.push_val(Some(I32));
            }
        }
        Ok(())
    }
}

/// Is `i` a constant instruction (spec 3.0 3.4.x "Constant expressions")?
pub(in crate::validate) fn is_const(i: &GcInstr) -> bool {
    matches!(
        i,
        GcInstr::StructNew(_)
            | GcInstr::StructNewDefault(_)
            | GcInstr::ArrayNew(_)
            | GcInstr::ArrayNewDefault(_)
            | GcInstr::ArrayNewFixed(..)
            | GcInstr::RefI31
            | GcInstr::AnyConvertExtern
            | GcInstr::ExternConvertAny
    )
}

/// The type of constant GC instruction `i`, popping its operands from the
/// constant expression's `stack`.
pub(in crate::validate) fn const_type(ctx: &ModuleCtx, i: &GcInstr, stack: &mut Vec<ValType>, at: usize) -> Result<ValType> {
    let mut pop = |want: ValType| -> Result<ValType> {
        match stack.pop() {
            Some(t) if ctx.matches(t, want) => Ok(t),
            Some(t) => err(format!("type mismatch: expected {want}, found {t}"), at),
            None => err(format!("type mismatch: expected {want}, found nothing"), at),
        }
    };
    Ok(match i {
        GcInstr::StructNew(t) => {
            for f in ctx.struct_type(*t, at)?.iter().rev() {
                pop(unpacked(*f))?;
            }
            concrete(*t, false)
        }
        GcInstr::StructNewDefault(t) => {
            if !ctx.struct_type(*t, at)?.iter().all(|f| defaultable(*f)) {
                return err("type mismatch: struct.new_default of a field without default", at);
            }
            concrete(*t, false)
        }
        GcInstr::ArrayNew(t) => {
            let f = ctx.array_type(*t, at)?;
            pop(ValType::I32)?;
            pop(unpacked(f))?;
            concrete(*t, false)
        }
        GcInstr::ArrayNewDefault(t) => {
            if !defaultable(ctx.array_type(*t, at)?) {
                return err("type mismatch: array.new_default of an element without default", at);
            }
            pop(ValType::I32)?;
            concrete(*t, false)
        }
        GcInstr::ArrayNewFixed(t, n) => {
            let f = ctx.array_type(*t, at)?;
            for _ in 0..*n {
                pop(unpacked(f))?;
            }
            concrete(*t, false)
        }
        GcInstr::RefI31 => {
            pop(ValType::I32)?;
            abs(HeapType::I31, false)
        }
        GcInstr::AnyConvertExtern | GcInstr::ExternConvertAny => {
            let (from, to) = if matches!(i, GcInstr::AnyConvertExtern) { (HeapType::Extern, HeapType::Any) } else { (HeapType::Any, HeapType::Extern) };
            let r = pop(abs(from, true))?;
            abs(to, !matches!(r, ValType::Ref(RefType { nullable: false, .. })))
        }
        _ => return err("constant expression required", at),
    })
}
