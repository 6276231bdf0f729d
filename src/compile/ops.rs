//! The internal code: opcodes and their operand layouts.
//!
//! Code is a sequence of 16-bit words. Each op is an opcode word followed
//! by its fields: frame slots (`S`, one word, relative to the frame
//! pointer), 16- and 32-bit integers, branch offsets (`Off`: i32 words
//! relative to the op's first word) and constants (`C32`, `C64`).
//! Nothing in the code is an address, so it can be stored and loaded
//! (`Module::serialize`) and checked (`verify`).
//!
//! Opcode space: the hand-written ops of [`misc_ops!`] first, then one
//! block of `NUM_OPS` opcodes per [`Form`] of the numeric instructions
//! (indexed by [`NumOp`], the table of `crate::isa`), then one block per
//! [`MemForm`] of the loads and stores (indexed by [`MemOp`]). A form that
//! does not apply to an instruction (an immediate form of `f32.sqrt`) is an
//! opcode the translator never emits; the engine's table maps it to a
//! handler that reports a corrupt code.

use crate::syntax::{MemOp, NumOp, ValType};

/// The kind of a field, for decoding, disassembly and verification.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// A frame slot.
    S,
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
            Field::S | Field::U16 => 1,
            Field::U32 | Field::Off | Field::C32 => 2,
            Field::C64 => 4,
        }
    }
}

/// Rust types of the fields.
pub type Slot = u16;

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
    (U16) => { u16 };
    (U32) => { u32 };
    (Off) => { i32 };
    (C32) => { u32 };
    (C64) => { u64 };
}

macro_rules! field_read {
    (S, $p:expr) => { read::u16($p) };
    (U16, $p:expr) => { read::u16($p) };
    (U32, $p:expr) => { read::u32($p) };
    (Off, $p:expr) => { read::u32($p) as i32 };
    (C32, $p:expr) => { read::u32($p) };
    (C64, $p:expr) => { read::u64($p) };
}

macro_rules! field_emit {
    (S, $c:expr, $v:expr) => { $c.w($v) };
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
            $(
                $(#[doc = $doc])*
                #[derive(Copy, Clone, Debug, PartialEq, Eq)]
                pub struct $name { $(pub $f: field_ty!($k)),* }

                impl $name {
                    /// Words of the op, opcode included.
                    pub const LEN: usize = 1 $(+ super::Field::$k.words())*;

                    /// Decodes the fields of the op at `ip`.
                    ///
                    /// # Safety
                    /// `ip` must point at such an op, `LEN` words long.
                    #[inline(always)]
                    #[allow(unused_mut, unused_variables, unused_assignments, clippy::unused_unit)]
                    pub unsafe fn read(ip: *const u16) -> $name {
                        let mut at = 1usize;
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
                        code.w(Misc::$name as u16);
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
    /// Jumps when the i32 in `c` is not zero.
    BrIfNz { c: S, off: Off }
    /// Jumps when the i32 in `c` is zero.
    BrIfZ { c: S, off: Off }
    /// Jumps when the i64 (or reference) in `c` is not zero.
    BrIfNz64 { c: S, off: Off }
    /// Jumps when the i64 (or reference) in `c` is zero.
    BrIfZ64 { c: S, off: Off }
    /// `n + 1` offsets follow; jumps to the `min(fp[i], n)`-th.
    BrTable { i: S, n: U32 }
    /// Returns without results; `np`: the function's parameter count (its
    /// frame header follows the parameters).
    Return { np: U16 }
    /// Returns the value in slot `s`.
    ReturnS { np: U16, s: S }
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
    /// Calls the function in entry `fp[i]` of table `table`, which must
    /// have the module's type `ty`.
    CallIndirect { ty: U32, table: U32, i: S, base: S }
    /// Ends the outermost frame: execution returns to the host.
    Exit {}
    /// Returns into a caller of another instance (see `exec`).
    RestoreInstance {}
    /// `fp[d] = fp[s]`.
    Copy { d: S, s: S }
    /// Two copies.
    Copy2 { d0: S, s0: S, d1: S, s1: S }
    /// `fp[d..d + n] = fp[s..s + n]` (overlap allowed).
    CopySpan { d: S, s: S, n: U16 }
    /// `fp[d] = c` (zero-extended).
    Const32 { d: S, c: C32 }
    /// `fp[d] = c`.
    Const64 { d: S, c: C64 }
    /// `fp[d] = if fp[c] as i32 != 0 { fp[a] } else { fp[b] }`.
    Select { d: S, c: S, a: S, b: S }
    /// `fp[d] = global g`.
    GlobalGet { d: S, g: U32 }
    /// `global g = fp[s]`.
    GlobalSet { g: U32, s: S }
    /// `fp[d] = ref.func f`.
    RefFunc { d: S, f: U32 }
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
    /// `fp[d] = memory.size`.
    MemorySize { d: S }
    /// `fp[d] = memory.grow(fp[n])`.
    MemoryGrow { d: S, n: S }
    /// `memory.fill(d, v, n)`.
    MemoryFill { d: S, v: S, n: S }
    /// `memory.copy(d, s, n)`.
    MemoryCopy { d: S, s: S, n: S }
    /// `memory.init seg (d, s, n)`.
    MemoryInit { seg: U32, d: S, s: S, n: S }
    /// `data.drop seg`.
    DataDrop { seg: U32 }
}

/// Operand forms of a numeric instruction. `S`: a slot, `I`: an immediate
/// of the operand type. The branch forms exist for comparisons (and jump
/// when the comparison holds, or for `Brn*`, when it fails).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u16)]
#[allow(missing_docs)]
pub enum Form {
    /// `d, a`: `fp[d] = op(fp[a])`.
    Un,
    /// `d, a, b`.
    BinSS,
    /// `d, a, imm`.
    BinSI,
    /// `d, imm, a`: the immediate is the left operand.
    BinIS,
    /// `a, b, off`.
    BrSS,
    BrSI,
    BrIS,
    BrnSS,
    BrnSI,
    BrnIS,
}

impl Form {
    /// Every form, in opcode order.
    pub const ALL: [Form; 10] = [
        Form::Un,
        Form::BinSS,
        Form::BinSI,
        Form::BinIS,
        Form::BrSS,
        Form::BrSI,
        Form::BrIS,
        Form::BrnSS,
        Form::BrnSI,
        Form::BrnIS,
    ];

    /// The negated branch form.
    pub fn negate(self) -> Form {
        match self {
            Form::BrSS => Form::BrnSS,
            Form::BrSI => Form::BrnSI,
            Form::BrIS => Form::BrnIS,
            Form::BrnSS => Form::BrSS,
            Form::BrnSI => Form::BrSI,
            Form::BrnIS => Form::BrIS,
            f => f,
        }
    }

    /// The branch form with the operands of binary form `self`.
    pub fn branch(self) -> Option<Form> {
        Some(match self {
            Form::BinSS => Form::BrSS,
            Form::BinSI => Form::BrSI,
            Form::BinIS => Form::BrIS,
            _ => return None,
        })
    }

    /// The fields of this form for an instruction whose operands have type
    /// `ty` (immediates have its width).
    pub fn layout(self, ty: ValType) -> &'static [Field] {
        use Field::*;
        let wide = matches!(ty, ValType::I64 | ValType::F64);
        match (self, wide) {
            (Form::Un, _) => &[S, S],
            (Form::BinSS, _) => &[S, S, S],
            (Form::BinSI, false) => &[S, S, C32],
            (Form::BinSI, true) => &[S, S, C64],
            (Form::BinIS, false) => &[S, C32, S],
            (Form::BinIS, true) => &[S, C64, S],
            (Form::BrSS | Form::BrnSS, _) => &[S, S, Off],
            (Form::BrSI | Form::BrnSI, false) => &[S, C32, Off],
            (Form::BrSI | Form::BrnSI, true) => &[S, C64, Off],
            (Form::BrIS | Form::BrnIS, false) => &[C32, S, Off],
            (Form::BrIS | Form::BrnIS, true) => &[C64, S, Off],
        }
    }

    /// Does this form apply to `op`?
    pub fn applies(self, op: NumOp) -> bool {
        let (ins, _) = op.signature();
        match self {
            Form::Un => ins.len() == 1,
            Form::BinSS | Form::BinSI | Form::BinIS => ins.len() == 2,
            _ => op.is_compare(),
        }
    }
}

/// Forms of loads and stores.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum MemForm {
    /// `d, a, offset`: `fp[d] = load(fp[a] + offset)`.
    Load,
    /// `a, v, offset`: `store(fp[a] + offset, fp[v])`.
    Store,
}

impl MemForm {
    /// The fields of the form.
    pub fn layout(self) -> &'static [Field] {
        &[Field::S, Field::S, Field::U32]
    }
}

/// Number of numeric instructions (rows of `for_each_num_op!`).
pub const NUM_OPS: usize = NumOp::ALL.len();
/// Number of loads and stores.
pub const MEM_OPS: usize = MemOp::ALL.len();
/// First opcode of the numeric forms.
pub const NUM_BASE: usize = MISC_COUNT;
/// First opcode of the memory forms.
pub const MEM_BASE: usize = NUM_BASE + Form::ALL.len() * NUM_OPS;
/// One past the last opcode.
pub const OPCODES: usize = MEM_BASE + 2 * MEM_OPS;

/// The opcode of numeric instruction `op` in form `form`.
#[inline]
pub const fn num_opcode(form: Form, op: NumOp) -> u16 {
    (NUM_BASE + form as usize * NUM_OPS + op as usize) as u16
}

/// The opcode of load or store `op`.
#[inline]
pub fn mem_opcode(op: MemOp) -> u16 {
    let form = if op.is_store() { MemForm::Store } else { MemForm::Load };
    (MEM_BASE + form as usize * MEM_OPS + op as usize) as u16
}

/// What an opcode is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Opcode {
    /// A hand-written op.
    Misc(Misc),
    /// A numeric instruction in one of its forms.
    Num(Form, NumOp),
    /// A load or store.
    Mem(MemForm, MemOp),
}

impl Opcode {
    /// Decodes an opcode word; `None` for words that are no valid opcode.
    pub fn decode(w: u16) -> Option<Opcode> {
        let w = w as usize;
        if w < NUM_BASE {
            return Some(Opcode::Misc(Misc::ALL[w]));
        }
        if w < MEM_BASE {
            let (f, i) = ((w - NUM_BASE) / NUM_OPS, (w - NUM_BASE) % NUM_OPS);
            let (form, op) = (Form::ALL[f], NumOp::ALL[i]);
            return form.applies(op).then_some(Opcode::Num(form, op));
        }
        if w < OPCODES {
            let (f, i) = ((w - MEM_BASE) / MEM_OPS, (w - MEM_BASE) % MEM_OPS);
            let op = MemOp::ALL[i];
            let form = if f == 0 { MemForm::Load } else { MemForm::Store };
            return (op.is_store() == (form == MemForm::Store)).then_some(Opcode::Mem(form, op));
        }
        None
    }

    /// The fields that follow the opcode word (for `BrTable`, without its
    /// offsets).
    pub fn layout(self) -> &'static [Field] {
        match self {
            Opcode::Misc(m) => m.layout(),
            Opcode::Num(form, op) => form.layout(op.signature().0[0]),
            Opcode::Mem(form, _) => form.layout(),
        }
    }

    /// The name in disassembly, e.g. `i32.add/ss`.
    pub fn name(self) -> String {
        match self {
            Opcode::Misc(m) => m.name().to_string(),
            Opcode::Num(form, op) => format!("{}/{form:?}", op.name()),
            Opcode::Mem(_, op) => op.name().to_string(),
        }
    }
}

/// Words of the op at `code[pc..]`, or `None` if `code` does not hold a
/// whole valid op there.
pub fn op_len(code: &[u16], pc: usize) -> Option<usize> {
    let op = Opcode::decode(*code.get(pc)?)?;
    let mut len = 1 + op.layout().iter().map(|f| f.words()).sum::<usize>();
    if op == Opcode::Misc(Misc::BrTable) {
        let n = u32::from(*code.get(pc + 3)?) << 16 | u32::from(*code.get(pc + 2)?);
        len = len.checked_add((n as usize).checked_add(1)?.checked_mul(2)?)?;
    }
    (pc + len <= code.len()).then_some(len)
}

/// One decoded field value, for disassembly and verification.
fn field_value(code: &[u16], at: usize, f: Field) -> u64 {
    let w = |k: usize| u64::from(code[at + k]);
    match f {
        Field::S | Field::U16 => w(0),
        Field::U32 | Field::C32 => w(0) | w(1) << 16,
        Field::Off => (w(0) | w(1) << 16) as u32 as i32 as i64 as u64,
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
        let mut at = pc + 1;
        let mut fields = Vec::new();
        let branch = |at: usize| (pc as i64 + field_value(code, at, Field::Off) as i64) as u64;
        for &f in op.layout() {
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
        for form in Form::ALL {
            for op in NumOp::ALL {
                let d = Opcode::decode(num_opcode(form, op));
                assert_eq!(d, form.applies(op).then_some(Opcode::Num(form, op)));
            }
        }
        for op in MemOp::ALL {
            let form = if op.is_store() { MemForm::Store } else { MemForm::Load };
            assert_eq!(Opcode::decode(mem_opcode(op)), Some(Opcode::Mem(form, op)));
        }
        assert_eq!(Opcode::decode(OPCODES as u16), None);
    }

    #[test]
    fn fields_encode_and_decode() {
        let mut code = Vec::new();
        op::CallIndirect { ty: 70_000, table: 1, i: 3, base: 9 }.emit(&mut code);
        op::Const64 { d: 2, c: 0x0123_4567_89ab_cdef }.emit(&mut code);
        op::Br { off: -5 }.emit(&mut code);
        assert_eq!(code.len(), op::CallIndirect::LEN + op::Const64::LEN + op::Br::LEN);
        // SAFETY: the ops were just emitted, whole.
        unsafe {
            assert_eq!(op::CallIndirect::read(code.as_ptr()), op::CallIndirect { ty: 70_000, table: 1, i: 3, base: 9 });
            let c = op::Const64::read(code.as_ptr().add(op::CallIndirect::LEN));
            assert_eq!(c.c, 0x0123_4567_89ab_cdef);
        }
        let ops = decode_all(&code).unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[2].fields, vec![(ops[2].pc as i64 - 5) as u64]);
        // Truncated code is not whole ops.
        assert!(decode_all(&code[..code.len() - 1]).is_none());
    }
}
