//! The internal code: opcodes and their operand layouts.
//!
//! Code is a sequence of 16-bit words. Each op starts with [`HW`] words
//! naming its handler, followed by its fields: frame slots (`S`, one
//! word, relative to the frame pointer), 16- and 32-bit integers, branch
//! offsets (`Off`: i32 words relative to the op's first word) and
//! constants (`C32`, `C64`).
//!
//! Code exists in two forms. The translator writes *portable* code, whose
//! handler words hold the opcode (then zeros): nothing in it is an
//! address, so it can be inspected, stored and checked. Before running,
//! it is *linked*: each opcode is replaced by the address of its handler,
//! so the engine jumps to the next handler with one load (`exec::link`).
//!
//! Opcode space: the hand-written ops of [`misc_ops!`] first, then one
//! block of `NUM_OPS` opcodes per [`Form`] of the numeric instructions
//! (indexed by [`NumOp`], the table of `crate::isa`), then one block per
//! [`MemForm`] of the loads and stores (indexed by [`MemOp`]), then one
//! opcode per SIMD instruction (indexed by [`SimdOp`], the table of
//! `crate::isa_simd`: every operand and result in slots). A form that
//! does not apply to an instruction (an immediate form of `f32.sqrt`) is an
//! opcode the translator never emits; the engine's table maps it to a
//! handler that reports a corrupt code.

use crate::syntax::{MemOp, NumOp, SimdOp, ValType};

/// The kind of a field, for decoding, disassembly and verification.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// A frame slot.
    S,
    /// A v128 in two frame slots: this one (low half) and the next.
    V,
    /// A 16-bit count or index.
    U16,
    /// A 32-bit index.
    U32,
    /// A branch offset in words, relative to the op's opcode word.
    Off,
    /// A 32-bit constant.
    C32,
    /// A 64-bit constant.
    C64,
}

impl Field {
    /// Words the field takes.
    pub const fn words(self) -> usize {
        match self {
            Field::S | Field::V | Field::U16 => 1,
            Field::U32 | Field::Off | Field::C32 => 2,
            Field::C64 => 4,
        }
    }
}

/// Rust types of the fields.
pub type Slot = u16;

/// Words naming an op's handler: its opcode in portable code, the
/// handler's address in linked code. With the feature `compact-code`, two
/// words: a 32-bit offset from a fixed handler (`exec::handlers`). That
/// makes a big module's code about a quarter smaller, but every dispatch
/// computes its target (4 instructions, not one memory-indirect jump), and
/// programs take about 9% more time (benches/README.md).
pub const HW: usize = if cfg!(feature = "compact-code") { 2 } else { 4 };

/// Appends the handler words of an op with `opcode` (portable form).
pub fn emit_opcode(code: &mut Vec<u16>, opcode: u16) {
    code.push(opcode);
    code.extend_from_slice(&[0; HW - 1]);
}

/// Reads fields from code. The engine reads its own ops with the unchecked
/// `ptr` forms; the translator and verifier use the checked ones.
pub mod read {
    /// Reads a u16 at `p`.
    ///
    /// # Safety
    /// `p` must be readable for one word.
    #[inline(always)]
    pub unsafe fn u16(p: *const u16) -> u16 {
        // SAFETY: by the caller's contract.
        unsafe { p.read() }
    }
    /// Reads a u32 (two words, low first) at `p`.
    ///
    /// # Safety
    /// `p` must be readable for two words.
    #[inline(always)]
    pub unsafe fn u32(p: *const u16) -> u32 {
        // SAFETY: by the caller's contract; code words are only 2-aligned.
        unsafe { p.cast::<u32>().read_unaligned() }
    }
    /// Reads a u64 (four words, low first) at `p`.
    ///
    /// # Safety
    /// `p` must be readable for four words.
    #[inline(always)]
    pub unsafe fn u64(p: *const u16) -> u64 {
        // SAFETY: as above.
        unsafe { p.cast::<u64>().read_unaligned() }
    }
}

/// Appends fields to code.
pub trait Emit {
    /// Appends one word.
    fn w(&mut self, x: u16);
    /// Appends a 32-bit value (low word first, as `read::u32` reads it on
    /// a little-endian host; the engine only runs on such hosts).
    fn w32(&mut self, x: u32) {
        let b = x.to_le_bytes();
        self.w(u16::from_le_bytes([b[0], b[1]]));
        self.w(u16::from_le_bytes([b[2], b[3]]));
    }
    /// Appends a 64-bit value.
    fn w64(&mut self, x: u64) {
        self.w32(x as u32);
        self.w32((x >> 32) as u32);
    }
}

impl Emit for Vec<u16> {
    #[inline]
    fn w(&mut self, x: u16) {
        self.push(x);
    }
}

const _: () = assert!(cfg!(target_endian = "little"), "the internal code assumes a little-endian host");

macro_rules! field_ty {
    (S) => { u16 };
    (V) => { u16 };
    (U16) => { u16 };
    (U32) => { u32 };
    (Off) => { i32 };
    (C32) => { u32 };
    (C64) => { u64 };
}

macro_rules! field_read {
    (S, $p:expr) => { read::u16($p) };
    (V, $p:expr) => { read::u16($p) };
    (U16, $p:expr) => { read::u16($p) };
    (U32, $p:expr) => { read::u32($p) };
    (Off, $p:expr) => { read::u32($p) as i32 };
    (C32, $p:expr) => { read::u32($p) };
    (C64, $p:expr) => { read::u64($p) };
}

macro_rules! field_emit {
    (S, $c:expr, $v:expr) => { $c.w($v) };
    (V, $c:expr, $v:expr) => { $c.w($v) };
    (U16, $c:expr, $v:expr) => { $c.w($v) };
    (U32, $c:expr, $v:expr) => { $c.w32($v) };
    (Off, $c:expr, $v:expr) => { $c.w32($v as u32) };
    (C32, $c:expr, $v:expr) => { $c.w32($v) };
    (C64, $c:expr, $v:expr) => { $c.w64($v) };
}

/// Defines the hand-written ops: for each, an opcode ([`Misc`]), a struct
/// of its fields in `op` with `LEN` (words), `read` and `emit`, and its
/// layout for disassembly.
macro_rules! misc_ops {
    ($( $(#[doc = $doc:literal])* $name:ident { $($f:ident : $k:ident),* } )*) => {
        /// The opcodes of the hand-written ops.
        #[repr(u16)]
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Misc { $($name,)* }

        /// Number of hand-written ops.
        pub const MISC_COUNT: usize = [$(Misc::$name),*].len();

        impl Misc {
            /// Every hand-written op, in opcode order.
            pub const ALL: [Misc; MISC_COUNT] = [$(Misc::$name),*];
            /// The op's name in disassembly.
            pub fn name(self) -> &'static str {
                match self { $(Misc::$name => stringify!($name),)* }
            }
            /// The op's fields.
            pub fn layout(self) -> &'static [Field] {
                match self { $(Misc::$name => &[$(Field::$k),*],)* }
            }
        }

        /// One struct per hand-written op: its fields, decoded.
        #[allow(missing_docs)]
        pub mod op {
            use super::{read, Emit, Misc};
            #[allow(unused_imports)]
            use super::HW;
            $(
                $(#[doc = $doc])*
                #[derive(Copy, Clone, Debug, PartialEq, Eq)]
                pub struct $name { $(pub $f: field_ty!($k)),* }

                impl $name {
                    /// Words of the op, handler included.
                    pub const LEN: usize = super::HW $(+ super::Field::$k.words())*;

                    /// Decodes the fields of the op at `ip`.
                    ///
                    /// # Safety
                    /// `ip` must point at such an op, `LEN` words long.
                    #[inline(always)]
                    #[allow(unused_mut, unused_variables, unused_assignments, clippy::unused_unit)]
                    pub unsafe fn read(ip: *const u16) -> $name {
                        let mut at = super::HW;
                        $(
                            // SAFETY: the field lies within the op.
                            let $f = unsafe { field_read!($k, ip.add(at)) };
                            at += super::Field::$k.words();
                        )*
                        $name { $($f),* }
                    }

                    /// Appends the op to `code`.
                    #[allow(unused_variables)]
                    pub fn emit(&self, code: &mut Vec<u16>) {
                        super::emit_opcode(code, Misc::$name as u16);
                        $(field_emit!($k, code, self.$f);)*
                    }
                }
            )*
        }
    };
}

misc_ops! {
    /// Traps with `unreachable`.
    Unreachable {}
    /// Jumps.
    Br { off: Off }
    /// Jumps when the i32 in the accumulator is not zero.
    BrIfNzR { off: Off }
    /// Jumps when the i32 in slot `c` is not zero.
    BrIfNzS { c: S, off: Off }
    BrIfZR { off: Off }
    BrIfZS { c: S, off: Off }
    /// `fp[d] = fp[s] + k` (i32), then jumps when the i32 in slot `c` is
    /// not zero: a loop's `n -= 1; if n` as one op.
    AddBrIfNzS { d: S, s: S, k: C32, c: S, off: Off }
    /// `fp[d] = fp[s] + k` (i32), then jumps when the i32 in slot `c` is
    /// zero.
    AddBrIfZS { d: S, s: S, k: C32, c: S, off: Off }
    /// The same for an i64 (or reference).
    BrIfNz64R { off: Off }
    BrIfNz64S { c: S, off: Off }
    BrIfZ64R { off: Off }
    BrIfZ64S { c: S, off: Off }
    /// `n + 1` offsets follow; jumps to the `min(i, n)`-th, `i` the i32
    /// in the accumulator.
    BrTableR { n: U32 }
    /// The same with `i` in slot `i`.
    BrTableS { i: S, n: U32 }
    /// Returns without results; `np`: the function's parameter count (its
    /// frame header follows the parameters).
    Return { np: U16 }
    /// Returns the value in slot `s`.
    ReturnS { np: U16, s: S }
    /// Returns the integer accumulator.
    ReturnR { np: U16 }
    /// Returns the f32 accumulator.
    ReturnRF32 { np: U16 }
    /// Returns the f64 accumulator.
    ReturnRF64 { np: U16 }
    /// Returns a 32-bit constant.
    ReturnC32 { np: U16, c: C32 }
    /// Returns a 64-bit constant.
    ReturnC64 { np: U16, c: C64 }
    /// Returns the `n` values in slots `s..s + n`.
    ReturnSpan { np: U16, s: S, n: U16 }
    /// Calls defined function `f` of this module; its frame starts at slot
    /// `base`, where the arguments are.
    Call { f: U32, base: S }
    /// Calls function `f` of the instance's index space (an import).
    CallImport { f: U32, base: S }
    /// Calls the function in entry `i` (the accumulator) of table `table`,
    /// which must have the module's type `ty`.
    CallIndirectR { ty: U32, table: U32, base: S }
    /// The same with the entry in slot `i`.
    CallIndirectS { ty: U32, table: U32, i: S, base: S }
    /// Tail-calls defined function `f` of this module (`return_call`):
    /// moves its arguments from slot `base` on down to slot 0, then enters
    /// it in place of this frame (`np`: this function's parameter slots,
    /// where its header is), returning where this function would.
    ReturnCall { np: U16, f: U32, base: S }
    /// Tail-calls function `f` of the instance's index space (an import):
    /// in place if it is a wasm function of this instance; any other is
    /// called as by `CallImport`, and the next op returns its results.
    ReturnCallImport { np: U16, f: U32, base: S }
    /// `return_call_indirect` through entry `i` (the accumulator) of table
    /// `table`, which must have type `ty`: in place or, for a function of
    /// another instance or the host, a call and the next op's return, as
    /// `ReturnCallImport`.
    ReturnCallIndirectR { np: U16, ty: U32, table: U32, base: S }
    /// The same with the entry in slot `i`.
    ReturnCallIndirectS { np: U16, ty: U32, table: U32, i: S, base: S }
    /// `call_ref $ty`: calls the function that slot `i` references, of
    /// the module's type `ty` (the verifier's); null traps.
    CallRef { ty: U32, i: S, base: S }
    /// `return_call_ref $ty`, as `ReturnCallIndirectS`.
    ReturnCallRef { np: U16, ty: U32, i: S, base: S }
    /// Ends the outermost frame: execution returns to the host.
    Exit {}
    /// Returns into a caller of another instance (see `exec`).
    RestoreInstance {}
    /// `fp[d] = fp[s]`.
    Copy { d: S, s: S }
    /// `fp[d] = fp[s]`, then `fp[d2] = fp[s2]`: two copies in a row.
    Copy2 { d: S, s: S, d2: S, s2: S }
    /// `fp[d..d + n] = fp[s..s + n]` (overlap allowed).
    CopySpan { d: S, s: S, n: U16 }
    /// `fp[d] = c` (zero-extended).
    Const32 { d: S, c: C32 }
    /// `fp[d] = c`, then `fp[d2] = c2` (zero-extended): two in a row.
    Const32x2 { d: S, c: C32, d2: S, c2: C32 }
    /// `fp[d] = fp[s] + c`, then `fp[d2] = fp[s2] + c2` (i32): two
    /// `i32.add`s of a constant into locals in a row (`i++; p += 4`).
    AddSI2 { d: S, s: S, c: C32, d2: S, s2: S, c2: C32 }
    /// The accumulator `= fp[b] + (fp[x] << k)` (i32; `d` unused until
    /// redirected): an indexed address, `base + i * size`, as one op.
    ShlAddR { d: S, x: S, k: C32, b: S }
    /// `fp[d] = fp[b] + (fp[x] << k)` (i32).
    ShlAddS { d: S, x: S, k: C32, b: S }
    /// `fp[d] = c`.
    Const64 { d: S, c: C64 }
    /// `fp[d] =` the integer accumulator.
    SpillR { d: S }
    /// `fp[d] =` the f32 accumulator.
    SpillRF32 { d: S }
    /// `fp[d] =` the f64 accumulator.
    SpillRF64 { d: S }
    /// `fp[d] = if acc as i32 != 0 { fp[a] } else { fp[b] }`.
    SelectR { d: S, a: S, b: S }
    /// `fp[d] = if fp[c] as i32 != 0 { fp[a] } else { fp[b] }`.
    SelectS { d: S, c: S, a: S, b: S }
    /// The accumulator `= global g` (an integer; `d` is reserved: the
    /// translator may turn this op into the next).
    GlobalGetR { d: S, g: U32 }
    /// `fp[d] = global g`.
    GlobalGetS { d: S, g: U32 }
    /// `global g =` the integer accumulator.
    GlobalSetR { g: U32 }
    /// `global g = fp[s]`.
    GlobalSetS { g: U32, s: S }
    /// `fp[d..d + 2] =` v128 global `g`.
    GlobalGetV { d: V, g: U32 }
    /// v128 global `g = fp[s..s + 2]`.
    GlobalSetV { g: U32, s: V }
    /// `fp[d] = ref.func f`.
    RefFunc { d: S, f: U32 }
    /// `fp[d] = fp[a]`, trapping if it is null (`ref.as_non_null`).
    RefAsNonNull { d: S, a: S }
    /// `throw t`: throws a new exception of the module's tag `t` with the
    /// payload in the slots from `base` on (exception handling).
    Throw { t: U32, base: S }
    /// `throw_ref`: throws the exception slot `s` references; null traps.
    ThrowRef { s: S }
    /// `fp[d] = table[fp[i]]`.
    TableGet { d: S, t: U32, i: S }
    /// `table[fp[i]] = fp[v]`.
    TableSet { t: U32, i: S, v: S }
    /// `fp[d] = table.size`.
    TableSize { d: S, t: U32 }
    /// `fp[d] = table.grow(init = fp[v], delta = fp[n])`.
    TableGrow { d: S, t: U32, v: S, n: S }
    /// `table.fill(i, v, n)`.
    TableFill { t: U32, i: S, v: S, n: S }
    /// `table.copy dst src (d, s, n)`.
    TableCopy { dst: U32, src: U32, d: S, s: S, n: S }
    /// `table.init elem table (d, s, n)`.
    TableInit { elem: U32, t: U32, d: S, s: S, n: S }
    /// `elem.drop e`.
    ElemDrop { e: U32 }
    /// `fp[d] = memory.size` of memory `m`.
    MemorySize { d: S, m: U32 }
    /// `fp[d] = memory.grow(fp[n])` of memory `m`.
    MemoryGrow { d: S, n: S, m: U32 }
    /// `memory.fill(d, v, n)` of memory `m`.
    MemoryFill { d: S, v: S, n: S, m: U32 }
    /// `memory.copy(d, s, n)` from memory `sm` to memory `dm`.
    MemoryCopy { d: S, s: S, n: S, dm: U32, sm: U32 }
    /// `memory.init seg (d, s, n)` into memory `m`.
    MemoryInit { seg: U32, d: S, s: S, n: S, m: U32 }
    /// `fp[d] =` load `op` (a `MemOp`) of memory `m` at `fp[a] + off`:
    /// accesses to memories other than 0, which run out of line.
    /// Also every access to a 64-bit memory (`a` holds an i64 then).
    LoadM { d: S, a: S, off: C64, m: U32, op: U16 }
    /// Store `op` of `fp[v]` to memory `m` at `fp[a] + off`.
    StoreM { a: S, v: S, off: C64, m: U32, op: U16 }
    /// SIMD load or store `op` (a `SimdOp`) of memory `m` at `fp[a] + off`:
    /// loads (and lane loads, of `fp[v]`) write `fp[d]`, stores write `fp[v]`
    /// (or its lane `lane`) to memory; unused slot fields are `a`.
    SimdMemM { d: V, a: S, v: V, off: C64, m: U32, op: U16, lane: U16 }
    /// `data.drop seg`.
    DataDrop { seg: U32 }
    /// Wide-arithmetic `op` (a `WideOp`) of `fp[a], fp[b]` (and `fp[c],
    /// fp[e]` for add/sub; else they repeat `a`): the low half of the result
    /// to `fp[d]`, the high half to `fp[d + 1]`.
    Wide { d: V, a: S, b: S, c: S, e: S, op: U16 }
    /// A GC instruction (`code`, a `GcCode`), run out of line
    /// (`exec::gc`): result to `fp[d]` (for v128 results, `fp[d..d + 2]`),
    /// operands in `a`, `b`, `c`, `e`, immediates `x` (a type index) and
    /// `y`; see `compile::translate::gc` for each code's fields.
    Gc { d: S, a: S, b: S, c: S, e: S, x: U32, y: U32, code: U16 }
    /// `fp[d] =` slot `off` of the struct `fp[a]` references: `struct.get`
    /// of a field of one slot that needs no extension (the common case,
    /// inline); null traps.
    StructGetF { d: S, a: S, off: U32 }
    /// Slot `off` of the struct `fp[a]` references `= fp[v]`.
    StructSetF { a: S, v: S, off: U32 }
    /// `fp[d] =` element `fp[i]` of the array `fp[a]` references, of
    /// elements of one slot each.
    ArrayGetF { d: S, a: S, i: S }
    /// Element `fp[i]` of the array `fp[a]` references `= fp[v]`.
    ArraySetF { a: S, i: S, v: S }
}

/// Where an operand comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Src {
    /// The accumulator of the operand's type: integers (i32, i64) share
    /// one, f32 and f64 have one each.
    R,
    /// A slot (one word).
    S,
    /// An immediate of the operand's width (two or four words).
    I,
}

/// Where a result goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Dst {
    /// The accumulator of the result's type. The op still has its
    /// destination word (unused), so the translator can turn it into the
    /// `S` form in place.
    R,
    /// The slot in the destination word.
    S,
}

/// The operand pairs of binary forms (`RR` cannot occur: both operands
/// have one type, so one accumulator).
pub const PAIRS: [(Src, Src); 7] =
    [(Src::R, Src::S), (Src::S, Src::R), (Src::S, Src::S), (Src::R, Src::I), (Src::I, Src::R), (Src::S, Src::I), (Src::I, Src::S)];

/// The form of a numeric instruction: where its operands and result are.
/// `Br` forms exist for comparisons and jump when the comparison holds
/// (`neg`: when it fails).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// `[d] [a]`: `d = op(a)`, `a` in `R` or `S`.
    Un { a: Src, d: Dst },
    /// `[d] [a] [b]`: `d = a op b`.
    Bin { a: Src, b: Src, d: Dst },
    /// `[a] [b] off`: jumps when `a op b` holds (or fails). With `add`,
    /// `d s c` first: `fp[d] = fp[s] + c` (i32) before the test, a
    /// loop's `i += 1; if i != n` as one op.
    Br { a: Src, b: Src, neg: bool, add: bool },
}

/// Forms per numeric instruction: 4 unary, 14 binary, 14 branch, 14
/// branch after an add.
pub const FORMS: usize = 46;

fn pair_index(a: Src, b: Src) -> Option<usize> {
    PAIRS.iter().position(|&p| p == (a, b))
}

impl Form {
    /// The form's index among the `FORMS` of an instruction.
    pub fn index(self) -> Option<usize> {
        Some(match self {
            Form::Un { a: Src::I, .. } => return None,
            Form::Un { a, d } => (a as usize) * 2 + d as usize,
            Form::Bin { a, b, d } => 4 + pair_index(a, b)? * 2 + d as usize,
            Form::Br { a, b, neg, add } => 18 + 14 * add as usize + pair_index(a, b)? * 2 + neg as usize,
        })
    }

    /// The form of index `i`.
    pub fn from_index(i: usize) -> Option<Form> {
        let dst = |x: usize| if x & 1 == 0 { Dst::R } else { Dst::S };
        Some(match i {
            0..=3 => Form::Un { a: if i < 2 { Src::R } else { Src::S }, d: dst(i) },
            4..=17 => {
                let (a, b) = PAIRS[(i - 4) / 2];
                Form::Bin { a, b, d: dst(i) }
            }
            18..=45 => {
                let (a, b) = PAIRS[(i - 18) % 14 / 2];
                Form::Br { a, b, neg: i & 1 == 1, add: i >= 32 }
            }
            _ => return None,
        })
    }

    /// Does this form apply to `op`?
    pub fn applies(self, op: NumOp) -> bool {
        let (ins, _) = op.signature();
        match self {
            Form::Un { .. } => ins.len() == 1,
            Form::Bin { .. } => ins.len() == 2,
            Form::Br { .. } => op.is_compare(),
        }
    }

    /// The fields of this form for `op` (immediates have the operand
    /// type's width).
    pub fn layout(self, op: NumOp) -> Vec<Field> {
        let ty = op.signature().0[0];
        let mut f = Vec::new();
        let src = |f: &mut Vec<Field>, s: Src| match s {
            Src::R => {}
            Src::S => f.push(Field::S),
            Src::I => f.push(imm_field(ty)),
        };
        match self {
            Form::Un { a, .. } => {
                f.push(Field::S);
                src(&mut f, a);
            }
            Form::Bin { a, b, .. } => {
                f.push(Field::S);
                src(&mut f, a);
                src(&mut f, b);
            }
            Form::Br { a, b, add, .. } => {
                if add {
                    f.extend([Field::S, Field::S, Field::C32]);
                }
                src(&mut f, a);
                src(&mut f, b);
                f.push(Field::Off);
            }
        }
        f
    }
}

/// The immediate field of a value type.
pub fn imm_field(ty: ValType) -> Field {
    if matches!(ty, ValType::I32 | ValType::F32) {
        Field::C32
    } else {
        Field::C64
    }
}

/// Forms of loads (`[d] [a] offset`, the address `a` in `R`, `S` or `I`)
/// and stores (`[a] [v] offset`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum MemForm {
    /// `d = load(a + offset)`; with `w`, `d = load((a + offset) mod 2^32)`.
    Load { a: Src, d: Dst, w: bool },
    /// `store(a + offset, v)`; with `w`, `store((a + offset) mod 2^32, v)`.
    Store { a: Src, v: Src, w: bool },
}

/// Forms per load or store opcode block: 6 loads, 9 stores, then the
/// wrapping forms (4 loads, 6 stores). A wrapping form is an `i32.add` of
/// a constant folded into the access that uses its result with offset 0:
/// the sum wraps at 2^32 where a memarg offset would not.
pub const MEM_FORMS: usize = 25;

impl MemForm {
    /// The form's index in its instruction's block.
    pub fn index(self) -> usize {
        match self {
            MemForm::Load { a, d, w: false } => a as usize * 2 + d as usize,
            MemForm::Store { a, v, w: false } => 6 + a as usize * 3 + v as usize,
            MemForm::Load { a, d, w: true } => 15 + a as usize * 2 + d as usize,
            MemForm::Store { a, v, w: true } => 19 + a as usize * 3 + v as usize,
        }
    }

    /// The form of index `i`.
    pub fn from_index(i: usize) -> Option<MemForm> {
        const SRC: [Src; 3] = [Src::R, Src::S, Src::I];
        let dst = |i: usize| if i & 1 == 0 { Dst::R } else { Dst::S };
        Some(match i {
            0..=5 => MemForm::Load { a: SRC[i / 2], d: dst(i), w: false },
            6..=14 => MemForm::Store { a: SRC[(i - 6) / 3], v: SRC[(i - 6) % 3], w: false },
            15..=18 => MemForm::Load { a: SRC[(i - 15) / 2], d: dst(i - 15), w: true },
            19..=24 => MemForm::Store { a: SRC[(i - 19) / 3], v: SRC[(i - 19) % 3], w: true },
            _ => return None,
        })
    }

    /// The fields of this form for `op`.
    pub fn layout(self, op: MemOp) -> Vec<Field> {
        let src = |f: &mut Vec<Field>, s: Src, ty: ValType| match s {
            Src::R => {}
            Src::S => f.push(Field::S),
            Src::I => f.push(imm_field(ty)),
        };
        let mut f = Vec::new();
        match self {
            MemForm::Load { a, .. } => {
                f.push(Field::S);
                src(&mut f, a, ValType::I32);
            }
            MemForm::Store { a, v, .. } => {
                src(&mut f, a, ValType::I32);
                src(&mut f, v, op.val_type());
            }
        }
        f.push(Field::U32);
        f
    }

    /// Does this form apply to `op`? (Stores with both operands in the
    /// integer accumulator cannot occur.)
    pub fn applies(self, op: MemOp) -> bool {
        match self {
            MemForm::Load { a: Src::I, w: true, .. } | MemForm::Store { a: Src::I, w: true, .. } => false,
            MemForm::Load { .. } => !op.is_store(),
            MemForm::Store { a, v, .. } => {
                op.is_store() && !(a == Src::R && v == Src::R && matches!(op.val_type(), ValType::I32 | ValType::I64))
            }
        }
    }
}

/// Number of numeric instructions (rows of `for_each_num_op!`).
pub const NUM_OPS: usize = NumOp::ALL.len();
/// Number of loads and stores.
pub const MEM_OPS: usize = MemOp::ALL.len();
/// First opcode of the numeric forms.
pub const NUM_BASE: usize = MISC_COUNT;
/// First opcode of the memory forms.
pub const MEM_BASE: usize = NUM_BASE + FORMS * NUM_OPS;
/// Number of SIMD instructions.
pub const SIMD_OPS: usize = SimdOp::ALL.len();
/// First opcode of the SIMD instructions.
pub const SIMD_BASE: usize = MEM_BASE + MEM_FORMS * MEM_OPS;
/// One past the last opcode.
pub const OPCODES: usize = SIMD_BASE + SIMD_OPS;

/// The opcode of SIMD instruction `op`.
#[inline]
pub const fn simd_opcode(op: SimdOp) -> u16 {
    (SIMD_BASE + op as usize) as u16
}

/// The fields of the SIMD ops, by kind (the kinds of `crate::isa_simd`):
/// the destination first (as every op with a result has it), then the
/// operands in stack order, then the memarg offset and the lane index.
/// `v128.const` and `i8x16.shuffle` carry their 16 bytes as two `C64`.
pub mod simd_fields {
    use super::Field::{self, C64, S, U16, U32, V};
    pub const LOAD: &[Field] = &[V, S, U32];
    pub const STORE: &[Field] = &[S, V, U32];
    pub const LOAD_LANE: &[Field] = &[V, S, V, U32, U16];
    pub const STORE_LANE: &[Field] = &[S, V, U32, U16];
    pub const VCONST: &[Field] = &[V, C64, C64];
    pub const SHUFFLE: &[Field] = &[V, V, V, C64, C64];
    pub const EXTRACT: &[Field] = &[S, V, U16];
    pub const REPLACE: &[Field] = &[V, V, S, U16];
    pub const SPLAT: &[Field] = &[V, S];
    pub const UN: &[Field] = &[V, V];
    pub const BIN: &[Field] = &[V, V, V];
    pub const TERN: &[Field] = &[V, V, V, V];
    pub const TEST: &[Field] = &[S, V];
    pub const SHIFT: &[Field] = &[V, V, S];

    /// Words of an op with these fields, handler included.
    pub const fn op_words(f: &[Field]) -> usize {
        let (mut n, mut i) = (super::HW, 0);
        while i < f.len() {
            n += f[i].words();
            i += 1;
        }
        n
    }
}

macro_rules! simd_layouts {
    ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
        /// The fields of SIMD instruction `op` ([`simd_fields`]).
        pub fn simd_layout(op: SimdOp) -> &'static [Field] {
            match op { $(SimdOp::$op => simd_layouts!(@$kind),)* }
        }
    };
    (@load) => { simd_fields::LOAD };
    (@store) => { simd_fields::STORE };
    (@load_lane) => { simd_fields::LOAD_LANE };
    (@store_lane) => { simd_fields::STORE_LANE };
    (@vconst) => { simd_fields::VCONST };
    (@shuffle) => { simd_fields::SHUFFLE };
    (@extract) => { simd_fields::EXTRACT };
    (@replace) => { simd_fields::REPLACE };
    (@splat) => { simd_fields::SPLAT };
    (@un) => { simd_fields::UN };
    (@bin) => { simd_fields::BIN };
    (@tern) => { simd_fields::TERN };
    (@test) => { simd_fields::TEST };
    (@shift) => { simd_fields::SHIFT };
}
crate::for_each_simd_op!(simd_layouts);

/// The opcode of numeric instruction `op` in `form` (index from
/// [`Form::index`]).
#[inline]
pub const fn num_opcode_at(op: NumOp, form: usize) -> u16 {
    (NUM_BASE + op as usize * FORMS + form) as u16
}

/// The opcode of numeric instruction `op` in `form`.
pub fn num_opcode(op: NumOp, form: Form) -> u16 {
    num_opcode_at(op, form.index().expect("a form with an opcode"))
}

/// The opcode of load or store `op` in form `form` (index from
/// [`MemForm::index`]).
#[inline]
pub const fn mem_opcode_at(op: MemOp, form: usize) -> u16 {
    (MEM_BASE + op as usize * MEM_FORMS + form) as u16
}

/// The opcode of load or store `op` in `form`.
pub fn mem_opcode(op: MemOp, form: MemForm) -> u16 {
    mem_opcode_at(op, form.index())
}

/// What an opcode is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Opcode {
    /// A hand-written op.
    Misc(Misc),
    /// A numeric instruction in one of its forms.
    Num(NumOp, Form),
    /// A load or store.
    Mem(MemOp, MemForm),
    /// A SIMD instruction.
    Simd(SimdOp),
}

impl Opcode {
    /// Decodes an opcode; `None` for numbers that are no valid opcode.
    pub fn decode(w: u16) -> Option<Opcode> {
        let w = w as usize;
        if w < NUM_BASE {
            return Some(Opcode::Misc(Misc::ALL[w]));
        }
        if w < MEM_BASE {
            let (i, f) = ((w - NUM_BASE) / FORMS, (w - NUM_BASE) % FORMS);
            let (op, form) = (NumOp::ALL[i], Form::from_index(f)?);
            return form.applies(op).then_some(Opcode::Num(op, form));
        }
        if w < SIMD_BASE {
            let (i, f) = ((w - MEM_BASE) / MEM_FORMS, (w - MEM_BASE) % MEM_FORMS);
            let (op, form) = (MemOp::ALL[i], MemForm::from_index(f)?);
            return form.applies(op).then_some(Opcode::Mem(op, form));
        }
        SimdOp::ALL.get(w - SIMD_BASE).map(|&op| Opcode::Simd(op))
    }

    /// The opcode number.
    pub fn encode(self) -> u16 {
        match self {
            Opcode::Misc(m) => m as u16,
            Opcode::Num(op, form) => num_opcode(op, form),
            Opcode::Mem(op, form) => mem_opcode(op, form),
            Opcode::Simd(op) => simd_opcode(op),
        }
    }

    /// The fields that follow the handler words (for `BrTable*`, without
    /// the offsets).
    pub fn layout(self) -> Vec<Field> {
        match self {
            Opcode::Misc(m) => m.layout().to_vec(),
            Opcode::Num(op, form) => form.layout(op),
            Opcode::Mem(op, form) => form.layout(op),
            Opcode::Simd(op) => simd_layout(op).to_vec(),
        }
    }

    /// The same op writing its result to the slot of its destination word,
    /// if this op writes the accumulator and has such a form.
    pub fn to_slot_dst(self) -> Option<Opcode> {
        Some(match self {
            Opcode::Num(op, Form::Un { a, d: Dst::R }) => Opcode::Num(op, Form::Un { a, d: Dst::S }),
            Opcode::Num(op, Form::Bin { a, b, d: Dst::R }) => Opcode::Num(op, Form::Bin { a, b, d: Dst::S }),
            Opcode::Mem(op, MemForm::Load { a, d: Dst::R, w }) => Opcode::Mem(op, MemForm::Load { a, d: Dst::S, w }),
            Opcode::Misc(Misc::GlobalGetR) => Opcode::Misc(Misc::GlobalGetS),
            Opcode::Misc(Misc::ShlAddR) => Opcode::Misc(Misc::ShlAddS),
            _ => return None,
        })
    }

    /// The name in disassembly, e.g. `i32.add/rs>s`.
    pub fn name(self) -> String {
        let s = |x: Src| match x {
            Src::R => "r",
            Src::S => "s",
            Src::I => "i",
        };
        let d = |x: Dst| match x {
            Dst::R => "r",
            Dst::S => "s",
        };
        match self {
            Opcode::Misc(m) => m.name().to_string(),
            Opcode::Num(op, Form::Un { a, d: t }) => format!("{}/{}>{}", op.name(), s(a), d(t)),
            Opcode::Num(op, Form::Bin { a, b, d: t }) => format!("{}/{}{}>{}", op.name(), s(a), s(b), d(t)),
            Opcode::Num(op, Form::Br { a, b, neg, add }) => {
                let add = if add { "add+" } else { "" };
                format!("{add}br_{}{}/{}{}", if neg { "not_" } else { "" }, op.name(), s(a), s(b))
            }
            Opcode::Mem(op, MemForm::Load { a, d: t, w }) => {
                format!("{}/{}{}>{}", op.name(), s(a), if w { "w" } else { "" }, d(t))
            }
            Opcode::Mem(op, MemForm::Store { a, v, w }) => {
                format!("{}/{}{}{}", op.name(), s(a), if w { "w" } else { "" }, s(v))
            }
            Opcode::Simd(op) => op.name().to_string(),
        }
    }
}

/// Words of the op at `code[pc..]` (portable code), or `None` if `code`
/// does not hold a whole valid op there.
pub fn op_len(code: &[u16], pc: usize) -> Option<usize> {
    let w = *code.get(pc)?;
    // The translator asks this after every op it emits and the linker for
    // every op: a table, not `layout()` (which allocates).
    static LENS: std::sync::OnceLock<Box<[u8]>> = std::sync::OnceLock::new();
    let lens = LENS.get_or_init(|| {
        let len = |w: u16| Opcode::decode(w).map_or(0, |op| HW + op.layout().iter().map(|f| f.words()).sum::<usize>());
        (0..OPCODES as u16).map(|w| u8::try_from(len(w)).expect("ops are short")).collect()
    });
    let mut len = usize::from(*lens.get(usize::from(w))?);
    if len == 0 {
        return None;
    }
    let n_at = if w == Misc::BrTableR as u16 {
        Some(pc + HW)
    } else if w == Misc::BrTableS as u16 {
        Some(pc + HW + 1)
    } else {
        None
    };
    if let Some(at) = n_at {
        let n = u32::from(*code.get(at + 1)?) << 16 | u32::from(*code.get(at)?);
        len = len.checked_add((n as usize).checked_add(1)?.checked_mul(2)?)?;
    }
    (pc + len <= code.len()).then_some(len)
}

/// The 32-bit value at `code[at..at + 2]` (low word first, as `Emit::w32`
/// writes it).
pub fn u32_at(code: &[u16], at: usize) -> u32 {
    u32::from(code[at]) | u32::from(code[at + 1]) << 16
}

/// One decoded field value, for disassembly and verification.
fn field_value(code: &[u16], at: usize, f: Field) -> u64 {
    let w = |k: usize| u64::from(code[at + k]);
    match f {
        Field::S | Field::V | Field::U16 => w(0),
        Field::U32 | Field::C32 => u64::from(u32_at(code, at)),
        Field::Off => u32_at(code, at) as i32 as i64 as u64,
        Field::C64 => w(0) | w(1) << 16 | w(2) << 32 | w(3) << 48,
    }
}

/// An op decoded for inspection: its position, opcode and field values
/// (branch offsets as absolute word positions).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// Word position.
    pub pc: usize,
    /// The opcode.
    pub op: Opcode,
    /// Field values in layout order; then, for `BrTable`, the targets.
    pub fields: Vec<u64>,
}

/// Decodes `code` (the ops of one function) for inspection; `None` if it
/// is not a sequence of whole valid ops.
pub fn decode_all(code: &[u16]) -> Option<Vec<Decoded>> {
    let mut out = Vec::new();
    let mut pc = 0;
    while pc < code.len() {
        let len = op_len(code, pc)?;
        let op = Opcode::decode(code[pc])?;
        let mut at = pc + HW;
        let mut fields = Vec::new();
        let branch = |at: usize| (pc as i64 + field_value(code, at, Field::Off) as i64) as u64;
        for f in op.layout() {
            fields.push(if f == Field::Off { branch(at) } else { field_value(code, at, f) });
            at += f.words();
        }
        while at < pc + len {
            fields.push(branch(at));
            at += 2;
        }
        out.push(Decoded { pc, op, fields });
        pc += len;
    }
    Some(out)
}

/// A readable listing of `code`, one op per line.
pub fn disassemble(code: &[u16]) -> String {
    let Some(ops) = decode_all(code) else { return "<corrupt code>".into() };
    let mut s = String::new();
    for d in ops {
        let f: Vec<String> = d.fields.iter().map(|v| (*v as i64).to_string()).collect();
        s += &format!("{:5}: {} {}\n", d.pc, d.op.name(), f.join(" "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_round_trip() {
        for (i, m) in Misc::ALL.iter().enumerate() {
            assert_eq!(Opcode::decode(i as u16), Some(Opcode::Misc(*m)));
        }
        let mut forms = 0;
        for i in 0..FORMS {
            let form = Form::from_index(i).unwrap();
            assert_eq!(form.index(), Some(i));
            for op in NumOp::ALL {
                let d = Opcode::decode(num_opcode_at(op, i));
                assert_eq!(d, form.applies(op).then_some(Opcode::Num(op, form)));
                if let Some(d) = d {
                    assert_eq!(d.encode(), num_opcode_at(op, i));
                    forms += 1;
                }
            }
        }
        assert!(forms > 1000, "{forms}");
        for i in 0..MEM_FORMS {
            let Some(form) = MemForm::from_index(i) else { continue };
            assert_eq!(form.index(), i);
            for op in MemOp::ALL {
                let d = Opcode::decode(mem_opcode_at(op, i));
                assert_eq!(d, form.applies(op).then_some(Opcode::Mem(op, form)));
            }
        }
        assert_eq!(Opcode::decode(OPCODES as u16), None);
        // The accumulator forms have slot forms, the same layout.
        let add = Opcode::Num(NumOp::I32Add, Form::Bin { a: Src::R, b: Src::I, d: Dst::R });
        let to_s = add.to_slot_dst().unwrap();
        assert_eq!(to_s, Opcode::Num(NumOp::I32Add, Form::Bin { a: Src::R, b: Src::I, d: Dst::S }));
        assert_eq!(add.layout(), to_s.layout());
        assert_eq!(Opcode::Misc(Misc::GlobalGetR).to_slot_dst(), Some(Opcode::Misc(Misc::GlobalGetS)));
    }

    #[test]
    fn fields_encode_and_decode() {
        let mut code = Vec::new();
        op::CallIndirectS { ty: 70_000, table: 1, i: 3, base: 9 }.emit(&mut code);
        op::Const64 { d: 2, c: 0x0123_4567_89ab_cdef }.emit(&mut code);
        op::Br { off: -5 }.emit(&mut code);
        assert_eq!(code.len(), op::CallIndirectS::LEN + op::Const64::LEN + op::Br::LEN);
        // SAFETY: the ops were just emitted, whole.
        unsafe {
            let c = op::CallIndirectS::read(code.as_ptr());
            assert_eq!(c, op::CallIndirectS { ty: 70_000, table: 1, i: 3, base: 9 });
            let c = op::Const64::read(code.as_ptr().add(op::CallIndirectS::LEN));
            assert_eq!(c.c, 0x0123_4567_89ab_cdef);
        }
        let ops = decode_all(&code).unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[2].fields, vec![(ops[2].pc as i64 - 5) as u64]);
        // Truncated code is not whole ops.
        assert!(decode_all(&code[..code.len() - 1]).is_none());
    }
}
