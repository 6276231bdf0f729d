//! The canonical ABI (component model `CanonicalABI.md`): how component
//! values are laid out in linear memory and flattened to core values, and
//! the lifting and lowering between the two. Every read and write is
//! bounds-checked against the memory's current size, every pointer a
//! component hands over (`realloc`'s result included) is checked for
//! alignment and range, and malformed data (a bad discriminant, a
//! surrogate `char`, invalid UTF-8/UTF-16) traps with a message.

use std::sync::Arc;

use super::ast::StringEncoding;
use super::instance::InstState;
use super::types::*;
use crate::{Func, Memory, Store, Trap, ValType, Value};

/// Flattened parameters past this many go through memory.
pub const MAX_FLAT_PARAMS: usize = 16;
/// Flattened results past this many go through memory.
pub const MAX_FLAT_RESULTS: usize = 1;
/// The longest string or list, in bytes (the spec's bound).
const MAX_BYTES: u64 = (1 << 31) - 1;
/// latin1+utf16: a length with this bit set counts UTF-16 code units.
const UTF16_TAG: u32 = 1 << 31;

pub(crate) fn trap(msg: impl Into<String>) -> Trap {
    Trap::host(msg)
}

fn discriminant_size(n: usize) -> u32 {
    if n <= 1 << 8 {
        1
    } else if n <= 1 << 16 {
        2
    } else {
        4
    }
}

fn flags_size(n: usize) -> u32 {
    match n {
        0 => 0,
        1..=8 => 1,
        9..=16 => 2,
        _ => 4 * n.div_ceil(32) as u32,
    }
}

fn align_to(x: u32, a: u32) -> u32 {
    x.div_ceil(a) * a
}

/// Alignment in memory.
pub fn alignment(t: &Type) -> u32 {
    match t {
        Type::Prim(p) => match p {
            Prim::Bool | Prim::S8 | Prim::U8 => 1,
            Prim::S16 | Prim::U16 => 2,
            Prim::S32 | Prim::U32 | Prim::F32 | Prim::Char | Prim::String => 4,
            Prim::S64 | Prim::U64 | Prim::F64 => 8,
        },
        Type::List(_) | Type::Own(_) | Type::Borrow(_) => 4,
        Type::Record(r) => r.fields.iter().map(|(_, t)| alignment(t)).max().unwrap_or(1),
        Type::Tuple(ts) => ts.iter().map(alignment).max().unwrap_or(1),
        Type::Variant(v) => variant_align(v.cases.len(), v.cases.iter().map(|(_, t)| t.as_ref())),
        Type::Enum(e) => discriminant_size(e.names.len()),
        Type::Flags(f) => flags_size(f.names.len()).clamp(1, 4),
        Type::Option(t) => variant_align(2, [None, Some(&**t)].into_iter()),
        Type::Result(r) => variant_align(2, [r.ok.as_ref(), r.err.as_ref()].into_iter()),
    }
}

fn variant_align<'a>(n: usize, cases: impl Iterator<Item = Option<&'a Type>>) -> u32 {
    cases.flatten().map(alignment).max().unwrap_or(1).max(discriminant_size(n))
}

/// Size in memory (a multiple of the alignment).
pub fn size(t: &Type) -> u32 {
    match t {
        Type::Prim(p) => match p {
            Prim::Bool | Prim::S8 | Prim::U8 => 1,
            Prim::S16 | Prim::U16 => 2,
            Prim::S32 | Prim::U32 | Prim::F32 | Prim::Char => 4,
            Prim::S64 | Prim::U64 | Prim::F64 | Prim::String => 8,
        },
        Type::List(_) => 8,
        Type::Own(_) | Type::Borrow(_) => 4,
        Type::Record(r) => record_size(r.fields.iter().map(|(_, t)| t)),
        Type::Tuple(ts) => record_size(ts.iter()),
        Type::Variant(v) => variant_size(v.cases.len(), v.cases.iter().map(|(_, t)| t.as_ref())),
        Type::Enum(e) => discriminant_size(e.names.len()),
        Type::Flags(f) => flags_size(f.names.len()),
        Type::Option(t) => variant_size(2, [None, Some(&**t)].into_iter()),
        Type::Result(r) => variant_size(2, [r.ok.as_ref(), r.err.as_ref()].into_iter()),
    }
}

fn record_size<'a>(ts: impl Iterator<Item = &'a Type> + Clone) -> u32 {
    let mut s = 0;
    let mut a = 1;
    for t in ts {
        s = align_to(s, alignment(t)) + size(t);
        a = a.max(alignment(t));
    }
    align_to(s, a)
}

/// Offset of the payload after the discriminant.
fn payload_offset<'a>(n: usize, cases: impl Iterator<Item = Option<&'a Type>>) -> u32 {
    let max_case_align = cases.flatten().map(alignment).max().unwrap_or(1);
    align_to(discriminant_size(n), max_case_align)
}

fn variant_size<'a>(n: usize, cases: impl Iterator<Item = Option<&'a Type>> + Clone) -> u32 {
    let off = payload_offset(n, cases.clone());
    let max = cases.clone().flatten().map(size).max().unwrap_or(0);
    align_to(off + max, variant_align(n, cases))
}

/// The core value types a component value flattens to.
pub fn flatten(t: &Type, out: &mut Vec<ValType>) {
    match t {
        Type::Prim(p) => {
            let t = match p {
                Prim::S64 | Prim::U64 => ValType::I64,
                Prim::F32 => ValType::F32,
                Prim::F64 => ValType::F64,
                Prim::String => {
                    out.push(ValType::I32);
                    ValType::I32
                }
                _ => ValType::I32,
            };
            out.push(t)
        }
        Type::List(_) => out.extend([ValType::I32, ValType::I32]),
        Type::Own(_) | Type::Borrow(_) | Type::Enum(_) => out.push(ValType::I32),
        Type::Record(r) => r.fields.iter().for_each(|(_, t)| flatten(t, out)),
        Type::Tuple(ts) => ts.iter().for_each(|t| flatten(t, out)),
        Type::Flags(f) => out.extend(std::iter::repeat_n(ValType::I32, f.names.len().div_ceil(32))),
        Type::Variant(v) => flatten_variant(v.cases.iter().map(|(_, t)| t.as_ref()), out),
        Type::Option(t) => flatten_variant([None, Some(&**t)].into_iter(), out),
        Type::Result(r) => flatten_variant([r.ok.as_ref(), r.err.as_ref()].into_iter(), out),
    }
}

fn join(a: ValType, b: ValType) -> ValType {
    if a == b {
        a
    } else if matches!((a, b), (ValType::I32, ValType::F32) | (ValType::F32, ValType::I32)) {
        ValType::I32
    } else {
        ValType::I64
    }
}

/// The discriminant, then the position-wise join of the cases' flattenings.
fn variant_flat<'a>(cases: impl Iterator<Item = Option<&'a Type>>) -> Vec<ValType> {
    let mut joined: Vec<ValType> = Vec::new();
    for t in cases.flatten() {
        let mut f = Vec::new();
        flatten(t, &mut f);
        for (i, ft) in f.into_iter().enumerate() {
            if i < joined.len() {
                joined[i] = join(joined[i], ft);
            } else {
                joined.push(ft);
            }
        }
    }
    joined
}

fn flatten_variant<'a>(cases: impl Iterator<Item = Option<&'a Type>>, out: &mut Vec<ValType>) {
    out.push(ValType::I32);
    out.extend(variant_flat(cases));
}

pub fn flat_types(ts: &[&Type]) -> Vec<ValType> {
    let mut v = Vec::new();
    for t in ts {
        flatten(t, &mut v);
    }
    v
}

/// The context of one lift or lower: the memory and allocator named by the
/// canonical options, the string encoding, and the instance whose handle
/// table resources go to or come from.
pub(crate) struct Cx<'s> {
    pub(crate) store: &'s mut Store,
    pub(crate) memory: Option<Memory>,
    pub(crate) realloc: Option<Func>,
    pub(crate) encoding: StringEncoding,
    pub(crate) inst: Arc<InstState>,
    /// Borrow handles lent to the callee for this call, removed at its end.
    pub(crate) lent: Vec<u32>,
    /// List elements this lift may still make (see [`MAX_LIFTED`]).
    pub(crate) budget: u64,
}

/// The most list elements one call lifts, in all: a component's `list<bool>`
/// of a 4 GiB memory would otherwise make the host allocate ~100 GiB.
pub(crate) const MAX_LIFTED: u64 = 1 << 24;

impl Cx<'_> {
    fn mem(&self) -> Result<&[u8], Trap> {
        match self.memory {
            Some(m) => Ok(self.store.memory_data(m)),
            None => Err(trap("canonical ABI: a value that needs linear memory, but no `memory` option was given")),
        }
    }
    fn range(&self, ptr: u32, len: u64) -> Result<std::ops::Range<usize>, Trap> {
        let mem_len = self.mem()?.len() as u64;
        let end = u64::from(ptr) + len;
        if end > mem_len {
            return Err(trap(format!("canonical ABI: pointer {ptr:#x} + {len} bytes is out of bounds of memory ({mem_len} bytes)")));
        }
        Ok(ptr as usize..end as usize)
    }
    fn read(&self, ptr: u32, len: u32) -> Result<&[u8], Trap> {
        let r = self.range(ptr, u64::from(len))?;
        Ok(&self.mem()?[r])
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Trap> {
        let r = self.range(ptr, bytes.len() as u64)?;
        let m = self.memory.expect("checked by range");
        self.store.memory_data_mut(m)[r].copy_from_slice(bytes);
        Ok(())
    }
    fn load_int(&self, ptr: u32, n: u32) -> Result<u64, Trap> {
        let b = self.read(ptr, n)?;
        let mut x = [0u8; 8];
        x[..n as usize].copy_from_slice(b);
        Ok(u64::from_le_bytes(x))
    }
    fn store_int(&mut self, ptr: u32, v: u64, n: u32) -> Result<(), Trap> {
        self.write(ptr, &v.to_le_bytes()[..n as usize])
    }

    /// `realloc(0, 0, align, size)`: a block of the component's memory.
    pub(crate) fn alloc(&mut self, align: u32, size: u64) -> Result<u32, Trap> {
        if size > MAX_BYTES {
            return Err(trap(format!("canonical ABI: {size} bytes is more than a string or list may have")));
        }
        let Some(realloc) = self.realloc else {
            return Err(trap("canonical ABI: a value that needs memory allocated, but no `realloc` option was given"));
        };
        let args = [Value::I32(0), Value::I32(0), Value::I32(align as i32), Value::I32(size as i32)];
        let mut out = [Value::I32(0)];
        self.store.call_into(realloc, &args, &mut out).map_err(into_trap)?;
        let Value::I32(p) = out[0] else {
            return Err(trap("canonical ABI: realloc must return an i32"));
        };
        let p = p as u32;
        if p % align != 0 {
            return Err(trap(format!("canonical ABI: realloc returned {p:#x}, not aligned to {align}")));
        }
        self.range(p, size)?;
        Ok(p)
    }

    // ---- Lowering: component values into memory ----

    pub(crate) fn store_val(&mut self, v: &Val, t: &Type, ptr: u32) -> Result<(), Trap> {
        match (t, v) {
            (Type::Prim(p), _) => match (p, v) {
                (Prim::Bool, Val::Bool(b)) => self.store_int(ptr, u64::from(*b), 1),
                (Prim::S8, Val::S8(x)) => self.store_int(ptr, *x as u8 as u64, 1),
                (Prim::U8, Val::U8(x)) => self.store_int(ptr, u64::from(*x), 1),
                (Prim::S16, Val::S16(x)) => self.store_int(ptr, *x as u16 as u64, 2),
                (Prim::U16, Val::U16(x)) => self.store_int(ptr, u64::from(*x), 2),
                (Prim::S32, Val::S32(x)) => self.store_int(ptr, *x as u32 as u64, 4),
                (Prim::U32, Val::U32(x)) => self.store_int(ptr, u64::from(*x), 4),
                (Prim::S64, Val::S64(x)) => self.store_int(ptr, *x as u64, 8),
                (Prim::U64, Val::U64(x)) => self.store_int(ptr, *x, 8),
                (Prim::F32, Val::F32(x)) => self.store_int(ptr, u64::from(canon_f32(*x).to_bits()), 4),
                (Prim::F64, Val::F64(x)) => self.store_int(ptr, canon_f64(*x).to_bits(), 8),
                (Prim::Char, Val::Char(c)) => self.store_int(ptr, u64::from(*c as u32), 4),
                (Prim::String, Val::String(s)) => {
                    let (p, n) = self.lower_string(s)?;
                    self.store_int(ptr, u64::from(p), 4)?;
                    self.store_int(ptr + 4, u64::from(n), 4)
                }
                _ => Err(mismatch(v, t)),
            },
            (Type::List(_), Val::List(_) | Val::Bytes(_)) => {
                let (p, n) = self.lower_list(v, t)?;
                self.store_int(ptr, u64::from(p), 4)?;
                self.store_int(ptr + 4, u64::from(n), 4)
            }
            (Type::Record(r), Val::Record(vs)) if vs.len() == r.fields.len() => {
                self.store_fields(vs.iter().zip(r.fields.iter().map(|(_, t)| t)), ptr)
            }
            (Type::Tuple(ts), Val::Tuple(vs)) if vs.len() == ts.len() => self.store_fields(vs.iter().zip(ts.iter()), ptr),
            (Type::Variant(var), Val::Variant(i, payload)) => {
                let cases: Vec<Option<&Type>> = var.cases.iter().map(|(_, t)| t.as_ref()).collect();
                self.store_case(&cases, *i, payload.as_deref(), ptr, v, t)
            }
            (Type::Option(inner), Val::Option(o)) => {
                let cases = [None, Some(&**inner)];
                self.store_case(&cases, u32::from(o.is_some()), o.as_deref(), ptr, v, t)
            }
            (Type::Result(r), Val::Result(res)) => {
                let cases = [r.ok.as_ref(), r.err.as_ref()];
                let (i, p) = match res {
                    Ok(p) => (0, p.as_deref()),
                    Err(p) => (1, p.as_deref()),
                };
                self.store_case(&cases, i, p, ptr, v, t)
            }
            (Type::Enum(e), Val::Enum(i)) if (*i as usize) < e.names.len() => {
                self.store_int(ptr, u64::from(*i), discriminant_size(e.names.len()))
            }
            (Type::Flags(f), Val::Flags(set)) => {
                let words = flag_words(set, f.names.len())?;
                let n = flags_size(f.names.len());
                if n < 4 {
                    return self.store_int(ptr, u64::from(words.first().copied().unwrap_or(0)), n);
                }
                for (k, w) in words.iter().enumerate() {
                    self.store_int(ptr + 4 * k as u32, u64::from(*w), 4)?;
                }
                Ok(())
            }
            (Type::Own(rt), Val::Resource(r)) => {
                let h = self.lower_own(rt, r)?;
                self.store_int(ptr, u64::from(h), 4)
            }
            (Type::Borrow(rt), Val::Resource(r)) => {
                let h = self.lower_borrow(rt, r)?;
                self.store_int(ptr, u64::from(h), 4)
            }
            _ => Err(mismatch(v, t)),
        }
    }

    fn store_fields<'v>(&mut self, fields: impl Iterator<Item = (&'v Val, &'v Type)>, ptr: u32) -> Result<(), Trap> {
        let mut off = 0;
        for (v, t) in fields {
            off = align_to(off, alignment(t));
            self.store_val(v, t, ptr + off)?;
            off += size(t);
        }
        Ok(())
    }

    fn store_case(&mut self, cases: &[Option<&Type>], i: u32, payload: Option<&Val>, ptr: u32, v: &Val, t: &Type) -> Result<(), Trap> {
        let Some(case) = cases.get(i as usize) else {
            return Err(mismatch(v, t));
        };
        self.store_int(ptr, u64::from(i), discriminant_size(cases.len()))?;
        let off = payload_offset(cases.len(), cases.iter().copied());
        match (case, payload) {
            (Some(ct), Some(p)) => self.store_val(p, ct, ptr + off),
            (None, None) => Ok(()),
            _ => Err(mismatch(v, t)),
        }
    }

    fn lower_string(&mut self, s: &str) -> Result<(u32, u32), Trap> {
        match self.encoding {
            StringEncoding::Utf8 => {
                let p = self.alloc(1, s.len() as u64)?;
                self.write(p, s.as_bytes())?;
                Ok((p, s.len() as u32))
            }
            StringEncoding::Utf16 => self.lower_utf16(s, 0),
            StringEncoding::Latin1Utf16 => {
                if s.chars().all(|c| (c as u32) < 256) {
                    let bytes: Vec<u8> = s.chars().map(|c| c as u8).collect();
                    let p = self.alloc(2, bytes.len() as u64)?;
                    self.write(p, &bytes)?;
                    Ok((p, bytes.len() as u32))
                } else {
                    self.lower_utf16(s, UTF16_TAG)
                }
            }
        }
    }

    fn lower_utf16(&mut self, s: &str, tag: u32) -> Result<(u32, u32), Trap> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        let p = self.alloc(2, bytes.len() as u64)?;
        self.write(p, &bytes)?;
        Ok((p, units.len() as u32 | tag))
    }

    fn lower_list(&mut self, v: &Val, t: &Type) -> Result<(u32, u32), Trap> {
        let Type::List(elem) = t else { return Err(mismatch(v, t)) };
        match v {
            Val::Bytes(b) if matches!(**elem, Type::Prim(Prim::U8)) => {
                let p = self.alloc(1, b.len() as u64)?;
                self.write(p, b)?;
                Ok((p, b.len() as u32))
            }
            Val::List(vs) => {
                let (sz, al) = (size(elem), alignment(elem));
                let p = self.alloc(al, vs.len() as u64 * u64::from(sz))?;
                for (k, x) in vs.iter().enumerate() {
                    self.store_val(x, elem, p + k as u32 * sz)?;
                }
                Ok((p, vs.len() as u32))
            }
            _ => Err(mismatch(v, t)),
        }
    }

    fn lower_own(&mut self, rt: &ResourceType, r: &Resource) -> Result<u32, Trap> {
        if r.ty != *rt {
            return Err(trap(format!("resource type mismatch: expected {rt:?}, got {:?}", r.ty)));
        }
        if !r.own {
            return Err(trap("canonical ABI: a borrowed resource cannot be passed as `own`"));
        }
        Ok(self.inst.handles_insert(Handle { ty: rt.clone(), rep: r.rep, own: true, lends: 0 }))
    }

    fn lower_borrow(&mut self, rt: &ResourceType, r: &Resource) -> Result<u32, Trap> {
        if r.ty != *rt {
            return Err(trap(format!("resource type mismatch: expected {rt:?}, got {:?}", r.ty)));
        }
        // The defining instance sees its own representation.
        if rt.0.owner == Some(self.inst.id) {
            return Ok(r.rep);
        }
        let h = self.inst.handles_insert(Handle { ty: rt.clone(), rep: r.rep, own: false, lends: 0 });
        self.lent.push(h);
        Ok(h)
    }

    /// Lowers `v` to flat core values, appended to `out`.
    pub(crate) fn lower_flat(&mut self, v: &Val, t: &Type, out: &mut Vec<Value>) -> Result<(), Trap> {
        match (t, v) {
            (Type::Prim(p), _) => {
                let x = match (p, v) {
                (Prim::Bool, Val::Bool(b)) => Value::I32(i32::from(*b)),
                (Prim::S8, Val::S8(x)) => Value::I32(i32::from(*x)),
                (Prim::U8, Val::U8(x)) => Value::I32(i32::from(*x)),
                (Prim::S16, Val::S16(x)) => Value::I32(i32::from(*x)),
                (Prim::U16, Val::U16(x)) => Value::I32(i32::from(*x)),
                (Prim::S32, Val::S32(x)) => Value::I32(*x),
                (Prim::U32, Val::U32(x)) => Value::I32(*x as i32),
                (Prim::S64, Val::S64(x)) => Value::I64(*x),
                (Prim::U64, Val::U64(x)) => Value::I64(*x as i64),
                (Prim::F32, Val::F32(x)) => Value::F32(canon_f32(*x)),
                (Prim::F64, Val::F64(x)) => Value::F64(canon_f64(*x)),
                (Prim::Char, Val::Char(c)) => Value::I32(*c as i32),
                (Prim::String, Val::String(s)) => {
                    let (p, n) = self.lower_string(s)?;
                    out.push(Value::I32(p as i32));
                    Value::I32(n as i32)
                }
                _ => return Err(mismatch(v, t)),
                };
                out.push(x)
            }
            (Type::List(_), _) => {
                let (p, n) = self.lower_list(v, t)?;
                out.extend([Value::I32(p as i32), Value::I32(n as i32)]);
            }
            (Type::Record(r), Val::Record(vs)) if vs.len() == r.fields.len() => {
                for (x, (_, ft)) in vs.iter().zip(&r.fields) {
                    self.lower_flat(x, ft, out)?;
                }
            }
            (Type::Tuple(ts), Val::Tuple(vs)) if vs.len() == ts.len() => {
                for (x, ft) in vs.iter().zip(ts.iter()) {
                    self.lower_flat(x, ft, out)?;
                }
            }
            (Type::Variant(var), Val::Variant(i, p)) => {
                let cases: Vec<Option<&Type>> = var.cases.iter().map(|(_, t)| t.as_ref()).collect();
                self.lower_case_flat(&cases, *i, p.as_deref(), out, v, t)?;
            }
            (Type::Option(inner), Val::Option(o)) => {
                self.lower_case_flat(&[None, Some(&**inner)], u32::from(o.is_some()), o.as_deref(), out, v, t)?
            }
            (Type::Result(r), Val::Result(res)) => {
                let (i, p) = match res {
                    Ok(p) => (0, p.as_deref()),
                    Err(p) => (1, p.as_deref()),
                };
                self.lower_case_flat(&[r.ok.as_ref(), r.err.as_ref()], i, p, out, v, t)?
            }
            (Type::Enum(e), Val::Enum(i)) if (*i as usize) < e.names.len() => out.push(Value::I32(*i as i32)),
            (Type::Flags(f), Val::Flags(set)) => {
                out.extend(flag_words(set, f.names.len())?.into_iter().map(|w| Value::I32(w as i32)))
            }
            (Type::Own(rt), Val::Resource(r)) => {
                let h = self.lower_own(rt, r)?;
                out.push(Value::I32(h as i32))
            }
            (Type::Borrow(rt), Val::Resource(r)) => {
                let h = self.lower_borrow(rt, r)?;
                out.push(Value::I32(h as i32))
            }
            _ => return Err(mismatch(v, t)),
        }
        Ok(())
    }

    fn lower_case_flat(&mut self, cases: &[Option<&Type>], i: u32, payload: Option<&Val>, out: &mut Vec<Value>, v: &Val, t: &Type) -> Result<(), Trap> {
        let joined = variant_flat(cases.iter().copied());
        let Some(case) = cases.get(i as usize) else {
            return Err(mismatch(v, t));
        };
        out.push(Value::I32(i as i32));
        let mut flat = Vec::new();
        match (case, payload) {
            (Some(ct), Some(p)) => self.lower_flat(p, ct, &mut flat)?,
            (None, None) => {}
            _ => return Err(mismatch(v, t)),
        }
        for (k, want) in joined.iter().enumerate() {
            out.push(match flat.get(k) {
                None => zero(*want),
                Some(x) => coerce_up(*x, *want),
            });
        }
        Ok(())
    }

    // ---- Lifting: component values out of memory ----

    pub(crate) fn load_val(&mut self, t: &Type, ptr: u32) -> Result<Val, Trap> {
        Ok(match t {
            Type::Prim(p) => match p {
                Prim::Bool => Val::Bool(self.load_int(ptr, 1)? != 0),
                Prim::S8 => Val::S8(self.load_int(ptr, 1)? as u8 as i8),
                Prim::U8 => Val::U8(self.load_int(ptr, 1)? as u8),
                Prim::S16 => Val::S16(self.load_int(ptr, 2)? as u16 as i16),
                Prim::U16 => Val::U16(self.load_int(ptr, 2)? as u16),
                Prim::S32 => Val::S32(self.load_int(ptr, 4)? as u32 as i32),
                Prim::U32 => Val::U32(self.load_int(ptr, 4)? as u32),
                Prim::S64 => Val::S64(self.load_int(ptr, 8)? as i64),
                Prim::U64 => Val::U64(self.load_int(ptr, 8)?),
                Prim::F32 => Val::F32(canon_f32(f32::from_bits(self.load_int(ptr, 4)? as u32))),
                Prim::F64 => Val::F64(canon_f64(f64::from_bits(self.load_int(ptr, 8)?))),
                Prim::Char => Val::Char(to_char(self.load_int(ptr, 4)? as u32)?),
                Prim::String => {
                    let p = self.load_int(ptr, 4)? as u32;
                    let n = self.load_int(ptr + 4, 4)? as u32;
                    Val::String(self.lift_string(p, n)?)
                }
            },
            Type::List(elem) => {
                let p = self.load_int(ptr, 4)? as u32;
                let n = self.load_int(ptr + 4, 4)? as u32;
                self.lift_list(elem, p, n)?
            }
            Type::Record(r) => Val::Record(self.load_fields(r.fields.iter().map(|(_, t)| t), ptr)?),
            Type::Tuple(ts) => Val::Tuple(self.load_fields(ts.iter(), ptr)?),
            Type::Variant(v) => {
                let cases: Vec<Option<&Type>> = v.cases.iter().map(|(_, t)| t.as_ref()).collect();
                let (i, p) = self.load_case(&cases, ptr)?;
                Val::Variant(i, p)
            }
            Type::Option(inner) => {
                let (i, p) = self.load_case(&[None, Some(&**inner)], ptr)?;
                Val::Option(if i == 0 { None } else { p })
            }
            Type::Result(r) => {
                let (i, p) = self.load_case(&[r.ok.as_ref(), r.err.as_ref()], ptr)?;
                Val::Result(if i == 0 { Ok(p) } else { Err(p) })
            }
            Type::Enum(e) => {
                let i = self.load_int(ptr, discriminant_size(e.names.len()))? as u32;
                if i as usize >= e.names.len() {
                    return Err(trap(format!("canonical ABI: enum case {i} out of range")));
                }
                Val::Enum(i)
            }
            Type::Flags(f) => {
                let n = flags_size(f.names.len());
                let words: Vec<u32> = if n < 4 {
                    vec![self.load_int(ptr, n)? as u32]
                } else {
                    (0..n / 4).map(|k| self.load_int(ptr + 4 * k, 4).map(|w| w as u32)).collect::<Result<_, _>>()?
                };
                Val::Flags(flags_from_words(&words, f.names.len()))
            }
            Type::Own(rt) => Val::Resource(self.lift_own(rt, self.load_int(ptr, 4)? as u32)?),
            Type::Borrow(rt) => Val::Resource(self.lift_borrow(rt, self.load_int(ptr, 4)? as u32)?),
        })
    }

    fn load_fields<'t>(&mut self, ts: impl Iterator<Item = &'t Type>, ptr: u32) -> Result<Vec<Val>, Trap> {
        let mut off = 0;
        let mut out = Vec::new();
        for t in ts {
            off = align_to(off, alignment(t));
            out.push(self.load_val(t, ptr + off)?);
            off += size(t);
        }
        Ok(out)
    }

    fn load_case(&mut self, cases: &[Option<&Type>], ptr: u32) -> Result<(u32, Option<Box<Val>>), Trap> {
        let i = self.load_int(ptr, discriminant_size(cases.len()))? as u32;
        let Some(case) = cases.get(i as usize) else {
            return Err(trap(format!("canonical ABI: variant case {i} out of range")));
        };
        let off = payload_offset(cases.len(), cases.iter().copied());
        Ok((i, match case {
            Some(t) => Some(Box::new(self.load_val(t, ptr + off)?)),
            None => None,
        }))
    }

    fn lift_string(&self, ptr: u32, len: u32) -> Result<String, Trap> {
        let (utf16, n) = match self.encoding {
            StringEncoding::Utf8 => (false, len),
            StringEncoding::Utf16 => (true, len),
            StringEncoding::Latin1Utf16 if len & UTF16_TAG != 0 => (true, len & !UTF16_TAG),
            StringEncoding::Latin1Utf16 => {
                return Ok(self.read(ptr, len)?.iter().map(|&b| char::from(b)).collect());
            }
        };
        if utf16 {
            if ptr % 2 != 0 {
                return Err(trap(format!("canonical ABI: UTF-16 string pointer {ptr:#x} is not aligned to 2")));
            }
            let bytes = self.read(ptr, n.checked_mul(2).ok_or_else(|| trap("canonical ABI: string too long"))?)?;
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            return String::from_utf16(&units).map_err(|_| trap("canonical ABI: invalid UTF-16 string"));
        }
        let bytes = self.read(ptr, n)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
            trap(format!("canonical ABI: invalid UTF-8 string (at byte {} of {n})", e.valid_up_to()))
        })
    }

    fn lift_list(&mut self, elem: &Type, ptr: u32, n: u32) -> Result<Val, Trap> {
        let (sz, al) = (size(elem), alignment(elem));
        if ptr % al != 0 {
            return Err(trap(format!("canonical ABI: list pointer {ptr:#x} is not aligned to {al}")));
        }
        let bytes = u64::from(n) * u64::from(sz);
        self.range(ptr, bytes)?;
        if matches!(elem, Type::Prim(Prim::U8)) {
            return Ok(Val::Bytes(self.read(ptr, n)?.to_vec()));
        }
        if u64::from(n) > self.budget {
            return Err(trap(format!("canonical ABI: a list of {n} elements is more than the {MAX_LIFTED} one call may lift")));
        }
        self.budget -= u64::from(n);
        let mut out = Vec::with_capacity(n.min(1 << 16) as usize);
        for k in 0..n {
            out.push(self.load_val(elem, ptr + k * sz)?);
        }
        Ok(Val::List(out))
    }

    fn lift_own(&mut self, rt: &ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.inst.handles_remove(h, rt, true)?;
        Ok(Resource { ty: rt.clone(), rep: handle.rep, own: true })
    }

    fn lift_borrow(&mut self, rt: &ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.inst.handles_get(h, rt)?;
        Ok(Resource { ty: rt.clone(), rep: handle.rep, own: false })
    }

    /// Lifts a value from flat core values (advancing `it`).
    pub(crate) fn lift_flat(&mut self, t: &Type, it: &mut FlatIter<'_>) -> Result<Val, Trap> {
        Ok(match t {
            Type::Prim(p) => match p {
                Prim::Bool => Val::Bool(it.i32()? != 0),
                Prim::S8 => Val::S8(it.i32()? as i8),
                Prim::U8 => Val::U8(it.i32()? as u8),
                Prim::S16 => Val::S16(it.i32()? as i16),
                Prim::U16 => Val::U16(it.i32()? as u16),
                Prim::S32 => Val::S32(it.i32()?),
                Prim::U32 => Val::U32(it.i32()? as u32),
                Prim::S64 => Val::S64(it.i64()?),
                Prim::U64 => Val::U64(it.i64()? as u64),
                Prim::F32 => Val::F32(canon_f32(it.f32()?)),
                Prim::F64 => Val::F64(canon_f64(it.f64()?)),
                Prim::Char => Val::Char(to_char(it.i32()? as u32)?),
                Prim::String => {
                    let p = it.i32()? as u32;
                    let n = it.i32()? as u32;
                    Val::String(self.lift_string(p, n)?)
                }
            },
            Type::List(elem) => {
                let p = it.i32()? as u32;
                let n = it.i32()? as u32;
                self.lift_list(elem, p, n)?
            }
            Type::Record(r) => Val::Record(r.fields.iter().map(|(_, t)| self.lift_flat(t, it)).collect::<Result<_, _>>()?),
            Type::Tuple(ts) => Val::Tuple(ts.iter().map(|t| self.lift_flat(t, it)).collect::<Result<_, _>>()?),
            Type::Variant(v) => {
                let cases: Vec<Option<&Type>> = v.cases.iter().map(|(_, t)| t.as_ref()).collect();
                let (i, p) = self.lift_case_flat(&cases, it)?;
                Val::Variant(i, p)
            }
            Type::Option(inner) => {
                let (i, p) = self.lift_case_flat(&[None, Some(&**inner)], it)?;
                Val::Option(if i == 0 { None } else { p })
            }
            Type::Result(r) => {
                let (i, p) = self.lift_case_flat(&[r.ok.as_ref(), r.err.as_ref()], it)?;
                Val::Result(if i == 0 { Ok(p) } else { Err(p) })
            }
            Type::Enum(e) => {
                let i = it.i32()? as u32;
                if i as usize >= e.names.len() {
                    return Err(trap(format!("canonical ABI: enum case {i} out of range")));
                }
                Val::Enum(i)
            }
            Type::Flags(f) => {
                let words: Vec<u32> = (0..f.names.len().div_ceil(32)).map(|_| it.i32().map(|w| w as u32)).collect::<Result<_, _>>()?;
                Val::Flags(flags_from_words(&words, f.names.len()))
            }
            Type::Own(rt) => Val::Resource(self.lift_own(rt, it.i32()? as u32)?),
            Type::Borrow(rt) => Val::Resource(self.lift_borrow(rt, it.i32()? as u32)?),
        })
    }

    fn lift_case_flat(&mut self, cases: &[Option<&Type>], it: &mut FlatIter<'_>) -> Result<(u32, Option<Box<Val>>), Trap> {
        let joined = variant_flat(cases.iter().copied());
        let i = it.i32()? as u32;
        let Some(case) = cases.get(i as usize) else {
            return Err(trap(format!("canonical ABI: variant case {i} out of range")));
        };
        let payload: Vec<Value> = (0..joined.len()).map(|_| it.next()).collect::<Result<_, _>>()?;
        let Some(ct) = case else { return Ok((i, None)) };
        let mut want = Vec::new();
        flatten(ct, &mut want);
        let narrowed: Vec<Value> = want.iter().zip(&payload).map(|(w, v)| coerce_down(*v, *w)).collect();
        let mut sub = FlatIter::new(&narrowed);
        Ok((i, Some(Box::new(self.lift_flat(ct, &mut sub)?))))
    }
}

fn zero(t: ValType) -> Value {
    match t {
        ValType::I64 => Value::I64(0),
        ValType::F32 => Value::F32(0.0),
        ValType::F64 => Value::F64(0.0),
        _ => Value::I32(0),
    }
}

/// A case's flat value widened to the joined type of its position.
fn coerce_up(v: Value, want: ValType) -> Value {
    match (v, want) {
        (Value::F32(f), ValType::I32) => Value::I32(f.to_bits() as i32),
        (Value::I32(x), ValType::I64) => Value::I64(i64::from(x as u32)),
        (Value::F32(f), ValType::I64) => Value::I64(i64::from(f.to_bits())),
        (Value::F64(f), ValType::I64) => Value::I64(f.to_bits() as i64),
        (v, _) => v,
    }
}

/// The inverse of [`coerce_up`]: a joined slot read as the case's type.
fn coerce_down(v: Value, want: ValType) -> Value {
    match (v, want) {
        (Value::I32(x), ValType::F32) => Value::F32(f32::from_bits(x as u32)),
        (Value::I64(x), ValType::I32) => Value::I32(x as i32),
        (Value::I64(x), ValType::F32) => Value::F32(f32::from_bits(x as u32)),
        (Value::I64(x), ValType::F64) => Value::F64(f64::from_bits(x as u64)),
        (v, _) => v,
    }
}

fn to_char(c: u32) -> Result<char, Trap> {
    char::from_u32(c).ok_or_else(|| trap(format!("canonical ABI: {c:#x} is not a Unicode scalar value")))
}

/// NaNs cross the boundary as the canonical NaN (deterministic profile).
fn canon_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(0x7fc0_0000)
    } else {
        x
    }
}

fn canon_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        x
    }
}

fn flag_words(set: &[u32], n: usize) -> Result<Vec<u32>, Trap> {
    let mut words = vec![0u32; n.div_ceil(32)];
    for &i in set {
        if i as usize >= n {
            return Err(trap(format!("flag {i} out of range")));
        }
        words[i as usize / 32] |= 1 << (i % 32);
    }
    Ok(words)
}

fn flags_from_words(words: &[u32], n: usize) -> Vec<u32> {
    (0..n as u32).filter(|&i| words.get(i as usize / 32).is_some_and(|w| w & (1 << (i % 32)) != 0)).collect()
}

fn mismatch(v: &Val, t: &Type) -> Trap {
    trap(format!("type mismatch: expected {}, got {}", t.wit(), describe(v)))
}

pub(crate) fn describe(v: &Val) -> &'static str {
    match v {
        Val::Bool(_) => "bool",
        Val::S8(_) => "s8",
        Val::U8(_) => "u8",
        Val::S16(_) => "s16",
        Val::U16(_) => "u16",
        Val::S32(_) => "s32",
        Val::U32(_) => "u32",
        Val::S64(_) => "s64",
        Val::U64(_) => "u64",
        Val::F32(_) => "f32",
        Val::F64(_) => "f64",
        Val::Char(_) => "char",
        Val::String(_) => "string",
        Val::List(_) | Val::Bytes(_) => "list",
        Val::Record(_) => "record",
        Val::Tuple(_) => "tuple",
        Val::Variant(..) => "variant",
        Val::Enum(_) => "enum",
        Val::Flags(_) => "flags",
        Val::Option(_) => "option",
        Val::Result(_) => "result",
        Val::Resource(_) => "resource",
    }
}

pub(crate) fn into_trap(e: crate::Error) -> Trap {
    match e {
        crate::Error::Trap(t) => t,
        other => trap(other.to_string()),
    }
}

/// Reads flat core values in order, checking each one's type.
pub(crate) struct FlatIter<'a> {
    vals: &'a [Value],
    pos: usize,
}

impl<'a> FlatIter<'a> {
    pub(crate) fn new(vals: &'a [Value]) -> Self {
        FlatIter { vals, pos: 0 }
    }
    fn next(&mut self) -> Result<Value, Trap> {
        let v = self.vals.get(self.pos).copied().ok_or_else(|| trap("canonical ABI: too few core values"))?;
        self.pos += 1;
        Ok(v)
    }
    fn i32(&mut self) -> Result<i32, Trap> {
        match self.next()? {
            Value::I32(x) => Ok(x),
            _ => Err(trap("canonical ABI: expected an i32 core value")),
        }
    }
    fn i64(&mut self) -> Result<i64, Trap> {
        match self.next()? {
            Value::I64(x) => Ok(x),
            _ => Err(trap("canonical ABI: expected an i64 core value")),
        }
    }
    fn f32(&mut self) -> Result<f32, Trap> {
        match self.next()? {
            Value::F32(x) => Ok(x),
            _ => Err(trap("canonical ABI: expected an f32 core value")),
        }
    }
    fn f64(&mut self) -> Result<f64, Trap> {
        match self.next()? {
            Value::F64(x) => Ok(x),
            _ => Err(trap("canonical ABI: expected an f64 core value")),
        }
    }
}

/// A handle table entry (spec `ResourceHandle`).
#[derive(Clone, Debug)]
pub(crate) struct Handle {
    pub(crate) ty: ResourceType,
    pub(crate) rep: u32,
    pub(crate) own: bool,
    /// Borrows of this handle lent out and not yet ended.
    pub(crate) lends: u32,
}
