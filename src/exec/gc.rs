//! Execution of the GC instructions ([`op::Gc`], translated by
//! `compile::translate::gc`; the heap and its encoding: `runtime::gc`).

use super::handlers::{Fp, Ip};
use crate::compile::ops::op;
use crate::compile::translate::gc::{GcCode, ABSTRACT};
use crate::error::TrapCode;
use crate::runtime::gc::{i31_ref, Packing, REF_I31};
use crate::runtime::{InstanceInst, Store};
use crate::syntax::{CompType, HeapType, Kind, StorageType, TypeLookup, ValType};

/// Bytes an element takes in a data segment (`array.new_data`).
fn byte_size(s: StorageType) -> usize {
    match s {
        StorageType::I8 => 1,
        StorageType::I16 => 2,
        StorageType::Val(ValType::I32 | ValType::F32) => 4,
        StorageType::Val(ValType::V128) => 16,
        _ => 8,
    }
}

/// Reads element `k` of size `z` from `bytes` (little-endian) as slots.
fn read_elem(bytes: &[u8], z: usize, out: &mut [u64]) {
    let mut b = [0u8; 16];
    b[..z].copy_from_slice(&bytes[..z]);
    let v = u128::from_le_bytes(b);
    out[0] = v as u64;
    if out.len() > 1 {
        out[1] = (v >> 64) as u64;
    }
}

/// Does reference `r` (non-null) have heap type `h` of the instance's
/// module (`x` as [`heap_code`](crate::compile::translate::gc::heap_code)
/// encodes it)?
fn is_of(store: &Store, inst: &InstanceInst, r: u64, x: u32) -> bool {
    if x & ABSTRACT != 0 {
        let Some(h) = HeapType::from_byte(x as u8) else { return false };
        let obj_kind = || store.heap.obj(r).and_then(|o| store.kind(o.ty));
        return match h {
            HeapType::Any | HeapType::Func | HeapType::Extern | HeapType::Exn => true,
            HeapType::Eq => r & REF_I31 != 0 || obj_kind().is_some(),
            HeapType::I31 => r & REF_I31 != 0,
            HeapType::Struct => obj_kind() == Some(Kind::Struct),
            HeapType::Array => obj_kind() == Some(Kind::Array),
            _ => false,
        };
    }
    let Some(&want) = inst.types.get(x as usize) else { return false };
    match store.kind(want) {
        Some(Kind::Func) => r.checked_sub(1).and_then(|f| store.funcs.get(f as usize)).is_some_and(|f| store.type_sub(f.ty, want)),
        Some(_) => store.heap.obj(r).is_some_and(|o| store.type_sub(o.ty, want)),
        None => false,
    }
}

/// Runs the [`op::Gc`] at `ip` in the frame at `fp`.
///
/// # Safety
/// `fp` is the running frame, which holds every slot the op names (the
/// translator's frame layout), and `ip` the op, in the instance's code.
pub(crate) unsafe fn run(store: &mut Store, inst: &InstanceInst, fp: Fp, ip: Ip) -> Result<(), TrapCode> {
    // SAFETY: the caller's contract: the op and its slots.
    let op::Gc { d, a, b, c, e, x, y, code } = unsafe { op::Gc::read(ip) };
    let get = |s: u16| unsafe { *fp.add(usize::from(s)) };
    let set = |s: u16, v: u64| unsafe { *fp.add(usize::from(s)) = v };
    // The end of the running frame: the extent of the stack's roots.
    let base = store.stack.base() as usize;
    let top = || {
        let frame = inst.module.inner.code.find(ip).and_then(|c| c.first()).map_or(0, |&n| usize::from(n));
        (fp as usize - base) / 8 + frame
    };
    let code = *GcCode::ALL.get(usize::from(code)).ok_or(TrapCode::Unreachable)?;
    let sid = || inst.types.get(x as usize).copied().ok_or(TrapCode::Unreachable);
    let idx = |s: u16| get(s) as u32 as usize;
    match code {
        GcCode::StructNew | GcCode::StructNewDefault => {
            let sid = sid()?;
            let n = store.layouts.get(sid as usize).and_then(|l| l.last()).map_or(0, |f| f.off as usize + f.packing.width());
            let r = store.gc_alloc(sid, n, &top)?;
            if code == GcCode::StructNew {
                let (heap, layouts) = (&mut store.heap, &store.layouts);
                if let (Some(o), Some(layout)) = (heap.obj_mut(r), layouts.get(sid as usize)) {
                    for f in layout.iter() {
                        let at = f.off as usize;
                        o.fields[at] = f.packing.pack(get(a + at as u16));
                        if f.packing == Packing::V128 {
                            o.fields[at + 1] = get(a + at as u16 + 1);
                        }
                    }
                }
            }
            set(d, r);
        }
        GcCode::StructGet | GcCode::StructGetS | GcCode::StructGetU => {
            let o = store.heap.obj(get(a)).ok_or(TrapCode::NullStructReference)?;
            let f = *store.layouts.get(o.ty as usize).and_then(|l| l.get(y as usize)).ok_or(TrapCode::NullStructReference)?;
            let v = *o.fields.get(f.off as usize).ok_or(TrapCode::NullStructReference)?;
            set(d, extend(f.packing, v, code == GcCode::StructGetS));
            if f.packing == Packing::V128 {
                set(d + 1, o.fields.get(f.off as usize + 1).copied().unwrap_or(0));
            }
        }
        GcCode::StructSet => {
            let r = get(a);
            let ty = store.heap.obj(r).ok_or(TrapCode::NullStructReference)?.ty;
            let f = *store.layouts.get(ty as usize).and_then(|l| l.get(y as usize)).ok_or(TrapCode::NullStructReference)?;
            let o = store.heap.obj_mut(r).ok_or(TrapCode::NullStructReference)?;
            let at = f.off as usize;
            if let Some(slot) = o.fields.get_mut(at) {
                *slot = f.packing.pack(get(b));
            }
            if f.packing == Packing::V128 {
                if let Some(slot) = o.fields.get_mut(at + 1) {
                    *slot = get(b + 1);
                }
            }
        }
        GcCode::ArrayNew | GcCode::ArrayNewDefault | GcCode::ArrayNewFixed => {
            let sid = sid()?;
            let p = elem_packing(store, sid)?;
            let len = if code == GcCode::ArrayNewFixed { y as usize } else { idx(b) };
            let r = new_array(store, sid, p, len, &top)?;
            if code != GcCode::ArrayNewDefault {
                let o = store.heap.obj_mut(r).ok_or(TrapCode::Unreachable)?;
                let w = p.width() as u16;
                for k in 0..len {
                    let s = if code == GcCode::ArrayNew { a } else { a + k as u16 * w };
                    o.set_elem(p, k, p.pack(get(s)), if w == 2 { get(s + 1) } else { 0 });
                }
            }
            set(d, r);
        }
        GcCode::ArrayNewData | GcCode::ArrayInitData => {
            let sid = if code == GcCode::ArrayNewData {
                sid()?
            } else {
                store.heap.obj(get(a)).ok_or(TrapCode::NullArrayReference)?.ty
            };
            let storage = match store.defs.get(sid as usize).map(|d| &d.comp) {
                Some(CompType::Array(f)) => f.storage,
                _ => return Err(TrapCode::Unreachable),
            };
            let (z, p) = (byte_size(storage), elem_packing(store, sid)?);
            let (dst, src, len) = if code == GcCode::ArrayNewData { (0, idx(a), idx(b)) } else { (idx(b), idx(c), idx(e)) };
            if code == GcCode::ArrayInitData {
                let n = array_len(store, get(a))?;
                if dst.checked_add(len).map_or(true, |end| end > n) {
                    return Err(TrapCode::OutOfBoundsArrayAccess);
                }
            }
            let seg = inst.datas.get(y as usize).and_then(|&s| store.datas.get(s as usize)).ok_or(TrapCode::OutOfBoundsMemoryAccess)?;
            let bytes = seg.contents().map_err(|_| TrapCode::OutOfBoundsMemoryAccess)?.into_owned();
            let need = len.checked_mul(z).and_then(|n| n.checked_add(src)).ok_or(TrapCode::OutOfBoundsMemoryAccess)?;
            if need > bytes.len() {
                return Err(TrapCode::OutOfBoundsMemoryAccess);
            }
            let r = if code == GcCode::ArrayNewData { new_array(store, sid, p, len, &top)? } else { get(a) };
            let o = store.heap.obj_mut(r).ok_or(TrapCode::NullArrayReference)?;
            let mut v = [0u64; 2];
            for k in 0..len {
                read_elem(&bytes[src + k * z..], z, &mut v);
                o.set_elem(p, dst + k, v[0], v[1]);
            }
            if code == GcCode::ArrayNewData {
                set(d, r);
            }
        }
        GcCode::ArrayNewElem | GcCode::ArrayInitElem => {
            let (dst, src, len) = if code == GcCode::ArrayNewElem { (0, idx(a), idx(b)) } else { (idx(b), idx(c), idx(e)) };
            if code == GcCode::ArrayInitElem {
                let n = array_len(store, get(a))?;
                if dst.checked_add(len).map_or(true, |end| end > n) {
                    return Err(TrapCode::OutOfBoundsArrayAccess);
                }
            }
            let seg_at = inst.elems.get(y as usize).copied().ok_or(TrapCode::OutOfBoundsTableAccess)? as usize;
            let seg_len = store.elems.get(seg_at).map_or(0, Vec::len);
            if src.checked_add(len).map_or(true, |end| end > seg_len) {
                return Err(TrapCode::OutOfBoundsTableAccess);
            }
            // References: one slot each.
            let r = if code == GcCode::ArrayNewElem { new_array(store, sid()?, Packing::Ref, len, &top)? } else { get(a) };
            let seg = std::mem::take(&mut store.elems[seg_at]);
            if let Some(o) = store.heap.obj_mut(r) {
                if let Some(dst) = o.fields.get_mut(dst..dst + len) {
                    dst.copy_from_slice(&seg[src..src + len]);
                }
            }
            store.elems[seg_at] = seg;
            if code == GcCode::ArrayNewElem {
                set(d, r);
            }
        }
        GcCode::ArrayGet | GcCode::ArrayGetS | GcCode::ArrayGetU => {
            let o = store.heap.obj(get(a)).ok_or(TrapCode::NullArrayReference)?;
            let p = elem_packing(store, o.ty)?;
            let i = idx(b);
            if i >= o.array_len(p) {
                return Err(TrapCode::OutOfBoundsArrayAccess);
            }
            let (lo, hi) = o.elem(p, i);
            set(d, extend(p, lo, code == GcCode::ArrayGetS));
            if p == Packing::V128 {
                set(d + 1, hi);
            }
        }
        GcCode::ArraySet | GcCode::ArrayFill => {
            let r = get(a);
            let ty = store.heap.obj(r).ok_or(TrapCode::NullArrayReference)?.ty;
            let p = elem_packing(store, ty)?;
            let (at, v, n) = if code == GcCode::ArraySet { (idx(b), c, 1) } else { (idx(b), c, idx(e)) };
            let o = store.heap.obj_mut(r).ok_or(TrapCode::NullArrayReference)?;
            let len = o.array_len(p);
            if at.checked_add(n).map_or(true, |end| end > len) || (code == GcCode::ArraySet && at >= len) {
                return Err(TrapCode::OutOfBoundsArrayAccess);
            }
            let (lo, hi) = (p.pack(get(v)), if p == Packing::V128 { get(v + 1) } else { 0 });
            for k in at..at + n {
                o.set_elem(p, k, lo, hi);
            }
        }
        GcCode::ArrayLen => set(d, array_len(store, get(a))? as u64),
        GcCode::ArrayCopy => {
            let (dr, sr) = (get(a), get(c));
            let (dn, sn) = (array_len(store, dr)?, array_len(store, sr)?);
            let (doff, soff, n) = (idx(b), idx(e), idx(d));
            if doff.checked_add(n).map_or(true, |end| end > dn) || soff.checked_add(n).map_or(true, |end| end > sn) {
                return Err(TrapCode::OutOfBoundsArrayAccess);
            }
            let ty = store.heap.obj(dr).ok_or(TrapCode::NullArrayReference)?.ty;
            let p = elem_packing(store, ty)?;
            // The source first (it may be the destination, overlapping).
            let src: Vec<(u64, u64)> = {
                let o = store.heap.obj(sr).ok_or(TrapCode::NullArrayReference)?;
                (soff..soff + n).map(|k| o.elem(p, k)).collect()
            };
            let o = store.heap.obj_mut(dr).ok_or(TrapCode::NullArrayReference)?;
            for (k, (lo, hi)) in src.into_iter().enumerate() {
                o.set_elem(p, doff + k, lo, hi);
            }
        }
        GcCode::RefTest | GcCode::RefCast => {
            let r = get(a);
            let ok = if r == 0 { y != 0 } else { is_of(store, inst, r, x) };
            if code == GcCode::RefTest {
                set(d, u64::from(ok));
            } else if ok {
                set(d, r);
            } else {
                return Err(TrapCode::CastFailure);
            }
        }
        GcCode::RefI31 => set(d, i31_ref(get(a) as u32)),
        GcCode::I31GetS | GcCode::I31GetU => {
            let r = get(a);
            if r & REF_I31 == 0 {
                return Err(TrapCode::NullI31Reference);
            }
            let v = r as u32 & 0x7fff_ffff;
            set(d, u64::from(if code == GcCode::I31GetS { ((v << 1) as i32 >> 1) as u32 } else { v }));
        }
        GcCode::RefEq => set(d, u64::from(get(a) == get(b))),
    }
    Ok(())
}

/// A packed field's value extended to i32 (with sign if `signed`).
fn extend(p: Packing, v: u64, signed: bool) -> u64 {
    match (p, signed) {
        (Packing::I8, true) => u64::from(v as u8 as i8 as i32 as u32),
        (Packing::I16, true) => u64::from(v as u16 as i16 as i32 as u32),
        _ => v,
    }
}

/// How array type `sid`'s elements are kept.
fn elem_packing(store: &Store, sid: u32) -> Result<Packing, TrapCode> {
    store.layouts.get(sid as usize).and_then(|l| l.first()).map(|f| f.packing).ok_or(TrapCode::Unreachable)
}

/// The length of the array `r` references.
fn array_len(store: &Store, r: u64) -> Result<usize, TrapCode> {
    let o = store.heap.obj(r).ok_or(TrapCode::NullArrayReference)?;
    Ok(o.array_len(elem_packing(store, o.ty)?))
}

/// A new array of type `sid` with `len` zero (or null) elements kept as `p`.
fn new_array(store: &mut Store, sid: u32, p: Packing, len: usize, top: &dyn Fn() -> usize) -> Result<u64, TrapCode> {
    let n = crate::runtime::gc::array_slots(p, len).ok_or(TrapCode::OutOfMemory)?;
    let r = store.gc_alloc(sid, n, top)?;
    if let Some(o) = store.heap.obj_mut(r) {
        o.init_array(p, len);
    }
    Ok(r)
}
