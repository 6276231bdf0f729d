//! The GC heap (spec 3.0 4.2.x "Aggregate instances"): structs and arrays
//! owned by the store, and a mark-and-sweep collector.
//!
//! References of the internal (`any`) and external hierarchies share one
//! slot encoding, so `any.convert_extern` and `extern.convert_any` are
//! free and `ref.eq` compares bits:
//! - `0`: null;
//! - [`REF_I31`] set: an unboxed `i31` in the low 31 bits;
//! - [`REF_OBJ`] set: the heap object with the index in the low 32 bits;
//! - else: a host (`externref`) token + 1.
//!
//! Roots: the value stack up to the running frame's end (scanned
//! conservatively: a slot that looks like a reference to a live object
//! keeps it, as the engine's frames carry no type maps), and, precisely,
//! every global, table, element segment, exception payload and host
//! handle of the store. Objects are traced precisely by their types.
//! Objects never move; an index is reused only once the object is freed.

use crate::syntax::{CompType, StorageType, SubType, ValType};

/// Tag of a heap object reference.
pub const REF_OBJ: u64 = 1 << 62;
/// Tag of an `i31` reference.
pub const REF_I31: u64 = 1 << 63;

/// Bits 32 to 61 of an object reference: the object's generation, so a
/// reference kept (unrooted) past its object's life does not name the
/// object that reuses its index.
const GEN_MASK: u32 = (1 << 30) - 1;

/// The reference to object `i` of generation `gen`.
#[inline]
pub fn obj_ref(i: u32, gen: u32) -> u64 {
    REF_OBJ | u64::from(gen & GEN_MASK) << 32 | u64::from(i)
}

/// The index of the object a reference slot names, if it names one.
#[inline]
pub fn as_obj(r: u64) -> Option<u32> {
    (r >> 62 == 1).then_some(r as u32)
}

/// The `i31` reference of `v` (its low 31 bits).
#[inline]
pub fn i31_ref(v: u32) -> u64 {
    REF_I31 | u64::from(v & 0x7fff_ffff)
}

/// How a field is kept in its object's slots.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Packing {
    /// One slot, as on the operand stack.
    Slot,
    /// A reference in one slot (traced).
    Ref,
    /// The low 8 or 16 bits of an i32, zero-extended.
    I8,
    I16,
    /// Two slots.
    V128,
}

/// A struct field's (or an array element's) place: its first slot.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Field {
    pub(crate) off: u32,
    pub(crate) packing: Packing,
}

impl Packing {
    fn of(s: StorageType) -> Packing {
        match s {
            StorageType::I8 => Packing::I8,
            StorageType::I16 => Packing::I16,
            StorageType::Val(ValType::V128) => Packing::V128,
            StorageType::Val(ValType::Ref(_)) => Packing::Ref,
            StorageType::Val(_) => Packing::Slot,
        }
    }
    /// Slots a value takes.
    pub(crate) fn width(self) -> usize {
        if self == Packing::V128 {
            2
        } else {
            1
        }
    }
    /// The field's bits for an operand slot's value.
    #[inline]
    pub(crate) fn pack(self, v: u64) -> u64 {
        match self {
            Packing::I8 => v & 0xff,
            Packing::I16 => v & 0xffff,
            _ => v,
        }
    }
}

/// The layout of a struct's fields, or of an array's element.
pub(crate) fn layout(c: &CompType) -> Box<[Field]> {
    match c {
        CompType::Func => Box::new([]),
        CompType::Struct(fs) => {
            let mut off = 0;
            fs.iter()
                .map(|f| {
                    let packing = Packing::of(f.storage);
                    let field = Field { off, packing };
                    off += packing.width() as u32;
                    field
                })
                .collect()
        }
        CompType::Array(f) => Box::new([Field { off: 0, packing: Packing::of(f.storage) }]),
    }
}

/// A struct or an array: its store type id and its fields or elements,
/// a slot each (two for a v128; packed values zero-extended).
pub(crate) struct Obj {
    pub(crate) ty: u32,
    gen: u32,
    pub(crate) fields: Box<[u64]>,
}

/// Elements a packed array keeps per slot.
fn per_slot(p: Packing) -> usize {
    match p {
        Packing::I8 => 8,
        Packing::I16 => 4,
        _ => 1,
    }
}

/// Slots an array of `len` elements kept as `p` takes: a v128 two each,
/// an `i8` an eighth and an `i16` a quarter (after a slot with the length).
pub(crate) fn array_slots(p: Packing, len: usize) -> Option<usize> {
    match p {
        Packing::I8 | Packing::I16 => Some(1 + len.div_ceil(per_slot(p))),
        _ => len.checked_mul(p.width()),
    }
}

impl Obj {
    /// Makes a new array's slots an array of `len` elements (the length
    /// slot of a packed one).
    pub(crate) fn init_array(&mut self, p: Packing, len: usize) {
        if per_slot(p) > 1 {
            if let Some(f) = self.fields.first_mut() {
                *f = len as u64;
            }
        }
    }

    /// The number of elements of this array, kept as `p`.
    pub(crate) fn array_len(&self, p: Packing) -> usize {
        match p {
            Packing::I8 | Packing::I16 => self.fields.first().map_or(0, |&n| n as usize),
            _ => self.fields.len() / p.width(),
        }
    }

    /// Element `k` (in bounds): its slot, and the high half of a v128.
    #[inline]
    pub(crate) fn elem(&self, p: Packing, k: usize) -> (u64, u64) {
        match p {
            Packing::I8 | Packing::I16 => {
                let n = per_slot(p);
                let bits = 64 / n;
                let w = self.fields.get(1 + k / n).copied().unwrap_or(0);
                ((w >> ((k % n) * bits)) & ((1 << bits) - 1), 0)
            }
            Packing::V128 => (self.fields.get(2 * k).copied().unwrap_or(0), self.fields.get(2 * k + 1).copied().unwrap_or(0)),
            _ => (self.fields.get(k).copied().unwrap_or(0), 0),
        }
    }

    /// Sets element `k` (in bounds) to `lo` (packed as `p`) and `hi`.
    #[inline]
    pub(crate) fn set_elem(&mut self, p: Packing, k: usize, lo: u64, hi: u64) {
        match p {
            Packing::I8 | Packing::I16 => {
                let n = per_slot(p);
                let (bits, shift) = (64 / n, (k % n) * (64 / n));
                let mask = ((1u64 << bits) - 1) << shift;
                if let Some(w) = self.fields.get_mut(1 + k / n) {
                    *w = (*w & !mask) | ((lo << shift) & mask);
                }
            }
            Packing::V128 => {
                if let Some(s) = self.fields.get_mut(2 * k..2 * k + 2) {
                    s[0] = lo;
                    s[1] = hi;
                }
            }
            _ => {
                if let Some(s) = self.fields.get_mut(k) {
                    *s = lo;
                }
            }
        }
    }
}

/// Marks a free entry.
const FREE: u32 = u32::MAX;

/// The heap of a store.
#[derive(Default)]
pub(crate) struct Heap {
    pub(crate) objs: Vec<Obj>,
    free: Vec<u32>,
    marks: Vec<u64>,
    /// Bytes of the live objects after the last collection, plus those
    /// allocated since.
    pub(crate) bytes: usize,
    /// Allocated bytes at which the next collection runs.
    next_gc: usize,
    /// Collections run so far.
    pub(crate) collections: u64,
    /// Objects allocated so far (the next one's generation).
    allocated: u64,
    /// Slots of freed small objects, by size, for reuse: most programs
    /// allocate a few sizes over and over, and reusing skips the
    /// allocator both ways.
    spare: Vec<Vec<Box<[u64]>>>,
    /// Bytes of `spare`.
    spare_bytes: usize,
}

/// Objects up to this many slots keep their slots for reuse when freed.
const SPARE_SLOTS: usize = 16;
/// At most this many bytes of spare slots (about what allocation takes
/// again before the next collection).
const SPARE_MAX: usize = MIN_GC_BYTES;

/// Bytes an object of `n` slots costs (its slots and its entry).
fn cost(n: usize) -> usize {
    n * 8 + std::mem::size_of::<Obj>()
}

/// Collections run once this many bytes are allocated, at least.
const MIN_GC_BYTES: usize = 4 << 20;

impl Heap {
    /// The live object reference `r` names.
    #[inline]
    pub(crate) fn obj(&self, r: u64) -> Option<&Obj> {
        let i = as_obj(r)?;
        self.objs.get(i as usize).filter(|o| o.ty != FREE && obj_ref(i, o.gen) == r)
    }

    #[inline]
    pub(crate) fn obj_mut(&mut self, r: u64) -> Option<&mut Obj> {
        let i = as_obj(r)?;
        self.objs.get_mut(i as usize).filter(|o| o.ty != FREE && obj_ref(i, o.gen) == r)
    }

    /// Whether an allocation of `n` slots should collect first.
    #[inline]
    pub(crate) fn wants_gc(&self, n: usize) -> bool {
        self.bytes + cost(n) > self.next_gc.max(MIN_GC_BYTES)
    }

    /// Whether `n` more slots fit under `limit` bytes.
    pub(crate) fn fits(&self, n: usize, limit: usize) -> bool {
        n.checked_mul(8).and_then(|b| b.checked_add(self.bytes)).is_some_and(|b| b <= limit)
    }

    /// Stores a new object of `n` zero slots; its reference (`None` if the
    /// host cannot provide the memory).
    pub(crate) fn alloc_zeroed(&mut self, ty: u32, n: usize) -> Option<u64> {
        let fields = match self.spare.get_mut(n).and_then(Vec::pop) {
            Some(mut f) => {
                self.spare_bytes -= n * 8;
                f.fill(0);
                f
            }
            None => {
                let mut v = Vec::new();
                v.try_reserve_exact(n).ok()?;
                v.resize(n, 0u64);
                v.into_boxed_slice()
            }
        };
        Some(self.alloc(ty, fields))
    }

    /// Stores a new object; its reference.
    pub(crate) fn alloc(&mut self, ty: u32, fields: Box<[u64]>) -> u64 {
        self.bytes += cost(fields.len());
        let gen = self.allocated as u32 & GEN_MASK;
        self.allocated += 1;
        let obj = Obj { ty, gen, fields };
        let i = match self.free.pop() {
            Some(i) => {
                self.objs[i as usize] = obj;
                i
            }
            None => {
                self.objs.push(obj);
                (self.objs.len() - 1) as u32
            }
        };
        obj_ref(i, gen)
    }

    /// Live objects.
    pub(crate) fn len(&self) -> usize {
        self.objs.len() - self.free.len()
    }

    /// A collection: marks what `roots` reaches (through the objects, by
    /// their types `defs`), frees the rest.
    pub(crate) fn collect(&mut self, defs: &[SubType], layouts: &[Box<[Field]>], roots: impl Iterator<Item = u64>) {
        self.collections += 1;
        self.marks.clear();
        self.marks.resize(self.objs.len().div_ceil(64), 0);
        let mut work: Vec<u32> = Vec::new();
        let objs = &self.objs;
        let marks = &mut self.marks;
        let mut mark = |r: u64, work: &mut Vec<u32>| {
            if let Some(i) = as_obj(r) {
                if objs.get(i as usize).is_some_and(|o| o.ty != FREE && obj_ref(i, o.gen) == r) {
                    let (w, b) = (i as usize / 64, 1u64 << (i % 64));
                    if marks[w] & b == 0 {
                        marks[w] |= b;
                        work.push(i);
                    }
                }
            }
        };
        for r in roots {
            mark(r, &mut work);
        }
        while let Some(i) = work.pop() {
            let o = &objs[i as usize];
            match (defs.get(o.ty as usize).map(|d| &d.comp), layouts.get(o.ty as usize)) {
                (Some(CompType::Struct(_)), Some(l)) => {
                    for f in l.iter().filter(|f| f.packing == Packing::Ref) {
                        if let Some(&r) = o.fields.get(f.off as usize) {
                            mark(r, &mut work);
                        }
                    }
                }
                (Some(CompType::Array(_)), Some(l)) if l.first().is_some_and(|f| f.packing == Packing::Ref) => {
                    for &r in o.fields.iter() {
                        mark(r, &mut work);
                    }
                }
                _ => {}
            }
        }
        let mut bytes = 0;
        for (i, o) in self.objs.iter_mut().enumerate() {
            if o.ty == FREE {
                continue;
            }
            if self.marks[i / 64] & (1 << (i % 64)) != 0 {
                bytes += cost(o.fields.len());
            } else {
                let fields = std::mem::take(&mut o.fields);
                *o = Obj { ty: FREE, gen: 0, fields: Box::new([]) };
                self.free.push(i as u32);
                let n = fields.len();
                if n < SPARE_SLOTS {
                    if self.spare.len() <= n {
                        self.spare.resize_with(SPARE_SLOTS, Vec::new);
                    }
                    if self.spare_bytes + n * 8 <= SPARE_MAX {
                        self.spare_bytes += n * 8;
                        self.spare[n].push(fields);
                    }
                }
            }
        }
        // Trailing free entries go, so a heap that empties shrinks.
        while self.objs.last().is_some_and(|o| o.ty == FREE) {
            self.objs.pop();
        }
        let n = self.objs.len() as u32;
        self.free.retain(|&i| i < n);
        if self.objs.capacity() > 4 * self.objs.len().max(1024) {
            self.objs.shrink_to(2 * self.objs.len());
        }
        self.bytes = bytes;
        self.next_gc = 2 * bytes;
    }
}

impl super::Store {
    /// Collects garbage; the value stack's first `stack_top` slots hold
    /// the frames of the active calls.
    pub(crate) fn collect_garbage(&mut self, stack_top: usize) {
        let n = stack_top.min(self.stack.len());
        // SAFETY: the stack's first `len` slots are its own zeroed or
        // written memory; nothing writes it during the collection.
        let stack: &[u64] = if n == 0 { &[] } else { unsafe { std::slice::from_raw_parts(self.stack.base(), n) } };
        let globals = self.globals.iter().map(|g| g.value);
        let tables = self.tables.iter().flat_map(|t| t.elems.iter().copied());
        let elems = self.elems.iter().flat_map(|e| e.iter().copied());
        let exns = self.exns.iter().flat_map(|x| x.vals.iter().copied());
        let host = self.gc_roots.keys().copied();
        let roots = stack.iter().copied().chain(globals).chain(tables).chain(elems).chain(exns).chain(host);
        self.heap.collect(&self.defs, &self.layouts, roots);
    }

    /// Allocates an object of type `ty` (a store id) of `n` zero slots,
    /// collecting first when due (`stack_top()` as for
    /// [`collect_garbage`](Self::collect_garbage)).
    pub(crate) fn gc_alloc(&mut self, ty: u32, n: usize, stack_top: &dyn Fn() -> usize) -> Result<u64, crate::error::TrapCode> {
        let limit = self.config().max_gc_heap;
        if self.heap.wants_gc(n) || !self.heap.fits(n, limit) {
            self.collect_garbage(stack_top());
            if !self.heap.fits(n, limit) {
                return Err(crate::error::TrapCode::OutOfMemory);
            }
        }
        self.heap.alloc_zeroed(ty, n).ok_or(crate::error::TrapCode::OutOfMemory)
    }

    /// Keeps the object `r` references alive while the host holds it.
    pub(crate) fn gc_root(&mut self, r: u64) {
        if as_obj(r).is_some() {
            *self.gc_roots.entry(r).or_insert(0) += 1;
        }
    }

    /// Releases a hold taken with [`gc_root`](Self::gc_root).
    pub(crate) fn gc_unroot(&mut self, r: u64) {
        if let Some(c) = self.gc_roots.get_mut(&r) {
            *c -= 1;
            if *c == 0 {
                self.gc_roots.remove(&r);
            }
        }
    }

    /// The value of type `ty` (its types named by store id) in `slot`:
    /// [`Value::from_slot`], but a concrete struct or array type's null is
    /// an internal one, and objects know whether they are structs.
    pub(crate) fn slot_value(&self, slot: u64, ty: ValType) -> super::Value {
        use crate::syntax::{HeapType, Kind, RefType, TypeLookup};
        let ty = match ty {
            ValType::Ref(RefType { nullable, heap: HeapType::Concrete(id) }) if self.kind(id).is_some_and(|k| k != Kind::Func) => {
                ValType::Ref(RefType { nullable, heap: HeapType::Any })
            }
            t => t,
        };
        let mut v = super::Value::from_slot(slot, ty);
        if let super::Value::AnyRef(Some(a)) = &mut v {
            a.kind = self.heap.obj(a.bits).and_then(|o| self.kind(o.ty));
        }
        v
    }

    /// Live GC objects, and collections run so far.
    pub fn gc_stats(&self) -> (usize, u64) {
        (self.heap.len(), self.heap.collections)
    }
}

/// The embedder's view of the heap: holding references, collecting, and
/// reading structs and arrays.
impl super::Store {
    /// Keeps `r`'s object alive (across collections) until as many
    /// [`gc_release`](Self::gc_release)s: a reference the host keeps
    /// between calls must be held, or a collection may free its object
    /// (the reference then names nothing: using it fails cleanly).
    pub fn gc_hold(&mut self, r: super::AnyRef) {
        self.gc_root(r.bits);
    }

    /// Releases one [`gc_hold`](Self::gc_hold) of `r`.
    pub fn gc_release(&mut self, r: super::AnyRef) {
        self.gc_unroot(r.bits);
    }

    /// Collects garbage now: frees every struct and array that no global,
    /// table, element segment, exception, held reference or active call
    /// reaches.
    pub fn gc_collect(&mut self) {
        self.collect_garbage(self.stack_top);
    }

    /// Field `i` of the struct `r` references (`None`: not a live struct
    /// of this store, or no such field).
    pub fn struct_field(&self, r: super::AnyRef, i: u32) -> Option<super::Value> {
        let o = self.heap.obj(r.bits)?;
        let CompType::Struct(fs) = &self.defs.get(o.ty as usize)?.comp else { return None };
        let f = self.layouts.get(o.ty as usize)?.get(i as usize)?;
        self.field_value(o, fs.get(i as usize)?.storage, f.off as usize)
    }

    /// The length of the array `r` references.
    pub fn array_len(&self, r: super::AnyRef) -> Option<u32> {
        let o = self.heap.obj(r.bits)?;
        let CompType::Array(_) = &self.defs.get(o.ty as usize)?.comp else { return None };
        let p = self.layouts.get(o.ty as usize)?.first()?.packing;
        u32::try_from(o.array_len(p)).ok()
    }

    /// Element `i` of the array `r` references.
    pub fn array_get(&self, r: super::AnyRef, i: u32) -> Option<super::Value> {
        let o = self.heap.obj(r.bits)?;
        let CompType::Array(f) = &self.defs.get(o.ty as usize)?.comp else { return None };
        let p = self.layouts.get(o.ty as usize)?.first()?.packing;
        if (i as usize) >= o.array_len(p) {
            return None;
        }
        let (lo, hi) = o.elem(p, i as usize);
        Some(match f.storage {
            StorageType::Val(ValType::V128) => super::Value::V128(u128::from(lo) | u128::from(hi) << 64),
            StorageType::Val(t) => self.slot_value(lo, t),
            _ => super::Value::I32(lo as u32 as i32),
        })
    }

    fn field_value(&self, o: &Obj, s: StorageType, at: usize) -> Option<super::Value> {
        let lo = *o.fields.get(at)?;
        Some(match s {
            StorageType::Val(ValType::V128) => super::Value::V128(u128::from(lo) | u128::from(*o.fields.get(at + 1)?) << 64),
            StorageType::Val(t) => self.slot_value(lo, t),
            // Packed fields read as i32, zero-extended.
            _ => super::Value::I32(lo as u32 as i32),
        })
    }
}
