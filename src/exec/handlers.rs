//! The handlers: one function per opcode (spec 4.4 "Instructions").
//!
//! Threaded code: every op starts with the address of its handler, and
//! every handler ends by calling the next op's handler in tail position
//! with the same arguments, which the compiler turns into a jump (sibling
//! call). So each op has its own indirect jump, predicted on its own, and
//! the hot state lives in argument registers: `ip` (the current op), `fp`
//! (the frame), `mem`/`len` (memory 0 of the current instance), `cx`
//! (everything else, see [`Cx`]) and the accumulators `ra` (i32 and i64),
//! `rf` (f32) and `rd` (f64), where most results go and the next op finds
//! them (see `compile::translate`). A handler returns, ending the chain,
//! only to leave the engine: [`DONE`] after the outermost frame returns,
//! [`TRAP`] with the reason in `cx.trap`.
//!
//! Tail calls need optimisation: an unoptimised build would grow the native
//! stack by one frame per op (Cargo.toml keeps `opt-level >= 1` for dev
//! builds, which is enough).
//!
//! Safety rests on the translator's invariants, which every handler
//! assumes:
//! - `ip` points at a whole op of a function's linked code, or of one of
//!   the static trampolines here; every branch offset and the op after
//!   every op that does not end a function lands on such an op.
//! - Every slot an op names lies within its function's frame, and a frame
//!   is entered only after checking that it fits in the value stack.
//! - `mem`/`len` describe memory 0 of the current instance (`len` 0 when
//!   it has none) and are refreshed whenever the instance changes or code
//!   ran that may have grown it.

use std::sync::OnceLock;

use super::engine::{self, Cx};
use super::num;
use crate::compile::ops::{mem_opcode_at, num_opcode_at, op, read, Dst, Misc, Src, HW, OPCODES};
use crate::compile::CODE_HEADER;
use crate::error::TrapCode;
use crate::syntax::{MemOp, NumOp};

/// The current op.
pub(crate) type Ip = *const u16;
/// The current frame.
pub(crate) type Fp = *mut u64;
/// A handler.
/// The integer accumulator is the fourth argument (rcx on x86-64): shifts
/// need their count in cl, and a shift writing the accumulator clobbers
/// nothing live there, where `len` would have to be saved and restored.
pub(crate) type Handler = unsafe extern "C" fn(Ip, Fp, *mut u8, u64, *mut Cx, usize, f32, f64) -> usize;

/// The outermost frame returned.
pub(crate) const DONE: usize = 0;
/// Execution trapped; the trap is in `cx.trap`.
pub(crate) const TRAP: usize = 1;

/// The handler of the op at `ip`.
#[cfg(not(feature = "compact-code"))]
#[inline(always)]
pub(crate) unsafe fn handler_at(ip: Ip) -> Handler {
    // SAFETY: `ip` points at a linked op, whose first words hold the
    // address of a handler (`handler_words`).
    unsafe { std::mem::transmute::<usize, Handler>(ip.cast::<usize>().read_unaligned()) }
}

/// The linked handler words of `h`: its address.
#[cfg(not(feature = "compact-code"))]
fn handler_words(h: Handler) -> Option<[u16; HW]> {
    let a = (h as usize as u64).to_le_bytes();
    Some(std::array::from_fn(|k| u16::from_le_bytes([a[2 * k], a[2 * k + 1]])))
}

/// The handler of the op at `ip` (compact code: an offset from `invalid`).
#[cfg(feature = "compact-code")]
#[inline(always)]
pub(crate) unsafe fn handler_at(ip: Ip) -> Handler {
    // SAFETY: `ip` points at a linked op, whose first words hold the
    // offset of a handler from `invalid` (`handler_words`).
    unsafe {
        let off = ip.cast::<i32>().read_unaligned() as isize;
        std::mem::transmute::<usize, Handler>(anchor_addr().wrapping_add_signed(off))
    }
}

/// The address that compact code's handler words are relative to.
#[cfg(feature = "compact-code")]
#[inline(always)]
fn anchor_addr() -> usize {
    invalid as Handler as usize
}

/// The linked handler words of `h` (compact code): its offset from
/// `invalid`. All handlers are functions of this crate, so the offset fits
/// in 32 bits; `None` if it did not (then the code is not linked).
#[cfg(feature = "compact-code")]
fn handler_words(h: Handler) -> Option<[u16; HW]> {
    let off = i32::try_from((h as usize as isize).wrapping_sub(anchor_addr() as isize)).ok()?;
    let b = off.to_le_bytes();
    Some([u16::from_le_bytes([b[0], b[1]]), u16::from_le_bytes([b[2], b[3]])])
}

/// Continues with the op at `$ip`.
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $ra:expr, $rf:expr, $rd:expr) => {{
        let ip: Ip = $ip;
        #[cfg(feature = "opstats")]
        #[allow(unused_unsafe)]
        // SAFETY: as below.
        super::stats::hit(unsafe { handler_at(ip) as usize });
        // SAFETY: `ip` points at a linked op (module invariant).
        #[allow(unused_unsafe)]
        return unsafe { handler_at(ip)(ip, $fp, $mem, $ra, $cx, $len, $rf, $rd) };
    }};
}

/// Takes a branch of `$off` words from `$ip`, charging fuel for backward
/// ones (loop iterations).
macro_rules! jump {
    ($ip:expr, $off:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $ra:expr, $rf:expr, $rd:expr) => {{
        let off = $off as isize;
        // `<=`: a loop of one branch jumps to itself.
        if off <= 0 {
            // SAFETY: `cx` is valid while the engine runs.
            if unsafe { engine::tick($cx) } {
                return unsafe { engine::out_of_fuel($cx, $ip.add(1), $fp) };
            }
        }
        // SAFETY: branch targets are ops of the same code (invariant).
        next!(unsafe { $ip.offset(off) }, $fp, $mem, $len, $cx, $ra, $rf, $rd)
    }};
}

/// Declares a handler: `handler!(name(ip, fp, mem, len, cx, ra, rf, rd)
/// { body })`. The body is unsafe code relying on the module's invariants.
macro_rules! handler {
    ($(#[$a:meta])* $name:ident $(<$($g:ident : $b:path),* $(; $(const $c:ident : $ct:ty),*)?>)?
     ($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident, $ra:ident, $rf:ident, $rd:ident) $body:block) => {
        $(#[$a])*
        #[allow(unused_variables, unused_mut, unused_unsafe, unused_assignments, clippy::missing_safety_doc, clippy::too_many_arguments)]
        pub(crate) unsafe extern "C" fn $name $(<$($g : $b),* $($(, const $c : $ct)*)?>)? (
            $ip: Ip, $fp: Fp, mut $mem: *mut u8, mut $ra: u64, $cx: *mut Cx,
            mut $len: usize, mut $rf: f32, mut $rd: f64,
        ) -> usize {
            // SAFETY: the handler contract (module documentation).
            unsafe { $body }
        }
    };
}

/// Reads slot `s` of frame `fp`.
#[inline(always)]
unsafe fn get(fp: Fp, s: u16) -> u64 {
    // SAFETY: `s` lies in the frame (invariant).
    unsafe { *fp.add(usize::from(s)) }
}

/// Writes slot `s` of frame `fp`.
#[inline(always)]
unsafe fn set(fp: Fp, s: u16, v: u64) {
    // SAFETY: as for `get`.
    unsafe { *fp.add(usize::from(s)) = v }
}

/// The field word `k` words after the handler words.
#[inline(always)]
unsafe fn field(ip: Ip, k: usize) -> u16 {
    // SAFETY: the op has at least `HW + k + 1` words (caller).
    unsafe { read::u16(ip.add(HW + k)) }
}

/// Stops with trap `code` at `at`, a word after the op's first (one past
/// its start, or a return address) in frame `fp`. The status is hidden from
/// the optimiser so that callers end in a tail call, not a call that needs
/// a stack frame in their hot path. `ip` and `fp` come first: handlers
/// have them in those registers already.
#[cold]
#[inline(never)]
unsafe extern "C" fn trap(at: Ip, fp: Fp, cx: *mut Cx, code: TrapCode) -> usize {
    // SAFETY: `cx` is valid while the engine runs.
    unsafe {
        (*cx).trap = Some(code.into());
        engine::trapped_at(cx, at, fp)
    }
}

// ---------------------------------------------------------------- values

/// A wasm value type's representation in a 64-bit slot and in its
/// accumulator.
pub(crate) trait Val: Copy {
    /// Words of an immediate of this type in the code.
    const WORDS: usize;
    fn from_slot(s: u64) -> Self;
    fn to_slot(self) -> u64;
    /// The value in this type's accumulator.
    fn from_reg(ra: u64, rf: f32, rd: f64) -> Self;
    /// Puts the value in this type's accumulator.
    fn to_reg(self, ra: &mut u64, rf: &mut f32, rd: &mut f64);
    /// Reads an immediate.
    ///
    /// # Safety
    /// `p` must be readable for `WORDS` words.
    #[inline(always)]
    unsafe fn imm(p: Ip) -> Self {
        // SAFETY: by the caller's contract.
        unsafe {
            if Self::WORDS == 2 {
                Self::from_slot(u64::from(read::u32(p)))
            } else {
                Self::from_slot(read::u64(p))
            }
        }
    }
}

macro_rules! int_val {
    ($t:ty, $words:literal, $from:expr, $to:expr) => {
        impl Val for $t {
            const WORDS: usize = $words;
            #[inline(always)]
            fn from_slot(s: u64) -> $t {
                $from(s)
            }
            #[inline(always)]
            fn to_slot(self) -> u64 {
                $to(self)
            }
            #[inline(always)]
            fn from_reg(ra: u64, _: f32, _: f64) -> $t {
                $from(ra)
            }
            #[inline(always)]
            fn to_reg(self, ra: &mut u64, _: &mut f32, _: &mut f64) {
                *ra = $to(self)
            }
        }
    };
}
int_val!(i32, 2, |s: u64| s as u32 as i32, |v: i32| u64::from(v as u32));
int_val!(i64, 4, |s: u64| s as i64, |v: i64| v as u64);

impl Val for f32 {
    const WORDS: usize = 2;
    #[inline(always)]
    fn from_slot(s: u64) -> f32 {
        f32::from_bits(s as u32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        u64::from(self.to_bits())
    }
    #[inline(always)]
    fn from_reg(_: u64, rf: f32, _: f64) -> f32 {
        rf
    }
    #[inline(always)]
    fn to_reg(self, _: &mut u64, rf: &mut f32, _: &mut f64) {
        *rf = self
    }
}
impl Val for f64 {
    const WORDS: usize = 4;
    #[inline(always)]
    fn from_slot(s: u64) -> f64 {
        f64::from_bits(s)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_reg(_: u64, _: f32, rd: f64) -> f64 {
        rd
    }
    #[inline(always)]
    fn to_reg(self, _: &mut u64, _: &mut f32, rd: &mut f64) {
        *rd = self
    }
}

// ---------------------------------------------------------------- operand places

/// Where an operand comes from, as a type (so handlers are generic over it).
pub(crate) trait SrcK {
    const K: Src;
}
/// Where a result goes, as a type.
pub(crate) trait DstK {
    const K: Dst;
}
pub(crate) struct R;
pub(crate) struct S;
pub(crate) struct I;
impl SrcK for R {
    const K: Src = Src::R;
}
impl SrcK for S {
    const K: Src = Src::S;
}
impl SrcK for I {
    const K: Src = Src::I;
}
impl DstK for R {
    const K: Dst = Dst::R;
}
impl DstK for S {
    const K: Dst = Dst::S;
}

/// Words an operand of type `T` from `A` takes.
const fn words<T: Val, A: SrcK>() -> usize {
    match A::K {
        Src::R => 0,
        Src::S => 1,
        Src::I => T::WORDS,
    }
}

/// Reads an operand of type `T` from `A`, whose fields are at `p`.
#[inline(always)]
unsafe fn load_src<T: Val, A: SrcK>(p: Ip, fp: Fp, ra: u64, rf: f32, rd: f64) -> T {
    // SAFETY: the fields lie in the op (caller).
    unsafe {
        match A::K {
            Src::R => T::from_reg(ra, rf, rd),
            Src::S => T::from_slot(get(fp, read::u16(p))),
            Src::I => T::imm(p),
        }
    }
}

/// Writes a result to `D` (the slot in destination word `d`).
#[inline(always)]
unsafe fn store_dst<T: Val, D: DstK>(v: T, d: u16, fp: Fp, ra: &mut u64, rf: &mut f32, rd: &mut f64) {
    match D::K {
        Dst::R => v.to_reg(ra, rf, rd),
        // SAFETY: `d` lies in the frame.
        Dst::S => unsafe { set(fp, d, v.to_slot()) },
    }
}

// ---------------------------------------------------------------- numeric rows

/// A unary row of the instruction table.
pub(crate) trait Un {
    type In: Val;
    type Out: Val;
    fn eval(a: Self::In) -> Result<Self::Out, TrapCode>;
}

/// A binary row (or comparison) of the instruction table.
pub(crate) trait Bin {
    type In: Val;
    type Out: Val;
    fn eval(a: Self::In, b: Self::In) -> Result<Self::Out, TrapCode>;
}

/// One type per numeric instruction, implementing [`Un`] or [`Bin`] with
/// its semantics from `exec::num`.
#[allow(non_camel_case_types)]
mod rows {
    use super::{num, Bin, TrapCode, Un};

    macro_rules! row {
        (un $op:ident $in:ident $out:ident $f:ident) => {
            impl Un for $op {
                type In = $in;
                type Out = $out;
                #[inline(always)]
                fn eval(a: $in) -> Result<$out, TrapCode> {
                    Ok(num::$f(a))
                }
            }
        };
        (un_trap $op:ident $in:ident $out:ident $f:ident) => {
            impl Un for $op {
                type In = $in;
                type Out = $out;
                #[inline(always)]
                fn eval(a: $in) -> Result<$out, TrapCode> {
                    num::$f(a)
                }
            }
        };
        (bin $op:ident $in:ident $out:ident $f:ident) => {
            impl Bin for $op {
                type In = $in;
                type Out = $out;
                #[inline(always)]
                fn eval(a: $in, b: $in) -> Result<$out, TrapCode> {
                    Ok(num::$f(a, b))
                }
            }
        };
        (cmp $op:ident $in:ident $out:ident $f:ident) => {
            row!(bin $op $in $out $f);
        };
        (bin_trap $op:ident $in:ident $out:ident $f:ident) => {
            impl Bin for $op {
                type In = $in;
                type Out = $out;
                #[inline(always)]
                fn eval(a: $in, b: $in) -> Result<$out, TrapCode> {
                    num::$f(a, b)
                }
            }
        };
    }

    macro_rules! rows {
        ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
            $(
                pub struct $op;
                row!($shape $op $in $out $f);
            )*
        };
    }
    crate::for_each_num_op!(rows);
}

/// Evaluates unary instruction `op` on a constant slot, for the
/// translator; `None` if it traps (or `op` is not unary).
pub fn fold_un(op: NumOp, a: u64) -> Option<u64> {
    macro_rules! fold {
        ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
            match op {
                $(NumOp::$op => fold!(@$shape $op),)*
            }
        };
        (@un $op:ident) => { <rows::$op as Un>::eval(Val::from_slot(a)).ok().map(Val::to_slot) };
        (@un_trap $op:ident) => { fold!(@un $op) };
        (@bin $op:ident) => { None };
        (@bin_trap $op:ident) => { None };
        (@cmp $op:ident) => { None };
    }
    crate::for_each_num_op!(fold)
}

/// Evaluates binary instruction `op` on constant slots; `None` if it traps
/// (or `op` is not binary).
pub fn fold_bin(op: NumOp, a: u64, b: u64) -> Option<u64> {
    macro_rules! fold {
        ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
            match op {
                $(NumOp::$op => fold!(@$shape $op),)*
            }
        };
        (@bin $op:ident) => {
            <rows::$op as Bin>::eval(Val::from_slot(a), Val::from_slot(b)).ok().map(Val::to_slot)
        };
        (@bin_trap $op:ident) => { fold!(@bin $op) };
        (@cmp $op:ident) => { fold!(@bin $op) };
        (@un $op:ident) => { None };
        (@un_trap $op:ident) => { None };
    }
    crate::for_each_num_op!(fold)
}

// ---------------------------------------------------------------- numeric forms

handler!(un<O: Un, A: SrcK, D: DstK>(ip, fp, mem, len, cx, ra, rf, rd) {
    let d = field(ip, 0);
    let a: O::In = load_src::<O::In, A>(ip.add(HW + 1), fp, ra, rf, rd);
    match O::eval(a) {
        Ok(v) => store_dst::<O::Out, D>(v, d, fp, &mut ra, &mut rf, &mut rd),
        Err(t) => return trap(ip.add(1), fp, cx, t),
    }
    next!(ip.add(HW + 1 + words::<O::In, A>()), fp, mem, len, cx, ra, rf, rd)
});

handler!(bin<O: Bin, A: SrcK, B: SrcK, D: DstK>(ip, fp, mem, len, cx, ra, rf, rd) {
    let d = field(ip, 0);
    let pa = ip.add(HW + 1);
    let pb = pa.add(words::<O::In, A>());
    let a: O::In = load_src::<O::In, A>(pa, fp, ra, rf, rd);
    let b: O::In = load_src::<O::In, B>(pb, fp, ra, rf, rd);
    match O::eval(a, b) {
        Ok(v) => store_dst::<O::Out, D>(v, d, fp, &mut ra, &mut rf, &mut rd),
        Err(t) => return trap(ip.add(1), fp, cx, t),
    }
    next!(pb.add(words::<O::In, B>()), fp, mem, len, cx, ra, rf, rd)
});

/// Whether comparison `O` holds (comparisons never trap).
#[inline(always)]
fn holds<O: Bin>(a: O::In, b: O::In) -> bool {
    matches!(O::eval(a, b), Ok(v) if v.to_slot() != 0)
}

handler!(br_cmp<O: Bin, A: SrcK, B: SrcK; const NEG: bool, const ADD: bool>(ip, fp, mem, len, cx, ra, rf, rd) {
    let pa = if ADD {
        let (d, s, c) = (field(ip, 0), field(ip, 1), read::u32(ip.add(HW + 2)));
        set(fp, d, u64::from((get(fp, s) as u32).wrapping_add(c)));
        ip.add(HW + 4)
    } else {
        ip.add(HW)
    };
    let pb = pa.add(words::<O::In, A>());
    let po = pb.add(words::<O::In, B>());
    let a: O::In = load_src::<O::In, A>(pa, fp, ra, rf, rd);
    let b: O::In = load_src::<O::In, B>(pb, fp, ra, rf, rd);
    if holds::<O>(a, b) != NEG {
        jump!(ip, read::u32(po) as i32, fp, mem, len, cx, ra, rf, rd)
    }
    next!(po.add(2), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- loads and stores

/// A load or store row of the memory table.
pub(crate) trait Access {
    /// The value type loaded or stored.
    type V: Val;
    /// Bytes accessed.
    const N: u64;
    /// Reads `N` bytes at `p` and converts them to a value.
    ///
    /// # Safety
    /// `p` must be readable for `N` bytes.
    unsafe fn load(p: *const u8) -> Self::V;
    /// Converts `v` and writes it as `N` bytes at `p`.
    ///
    /// # Safety
    /// `p` must be writable for `N` bytes.
    unsafe fn store(p: *mut u8, v: Self::V);
}

#[allow(non_camel_case_types)]
mod access {
    use super::Access;

    macro_rules! rows {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(
                pub struct $op;
                impl Access for $op {
                    type V = $reg;
                    const N: u64 = std::mem::size_of::<$m>() as u64;
                    #[inline(always)]
                    unsafe fn load(p: *const u8) -> $reg {
                        // SAFETY: by the caller's contract.
                        let b = unsafe { p.cast::<[u8; std::mem::size_of::<$m>()]>().read_unaligned() };
                        <$m>::from_le_bytes(b) as $reg
                    }
                    #[inline(always)]
                    unsafe fn store(p: *mut u8, v: $reg) {
                        let b = (v as $m).to_le_bytes();
                        // SAFETY: by the caller's contract.
                        unsafe { p.cast::<[u8; std::mem::size_of::<$m>()]>().write_unaligned(b) }
                    }
                }
            )*
        };
    }
    crate::for_each_mem_op!(rows);
}

/// The effective address of an access of `n` bytes at `addr + off`, if it
/// lies in a memory of `len` bytes.
#[inline(always)]
fn effective<const W: bool>(addr: i32, off: u32, n: u64, len: usize) -> Option<usize> {
    // `W`: a folded `i32.add`, which wraps (`MemForm`).
    let ea = if W { u64::from((addr as u32).wrapping_add(off)) } else { u64::from(addr as u32) + u64::from(off) };
    (ea + n <= len as u64).then_some(ea as usize)
}

handler!(load<M: Access, A: SrcK, D: DstK; const W: bool>(ip, fp, mem, len, cx, ra, rf, rd) {
    let d = field(ip, 0);
    let pa = ip.add(HW + 1);
    let po = pa.add(words::<i32, A>());
    let addr: i32 = load_src::<i32, A>(pa, fp, ra, rf, rd);
    let Some(ea) = effective::<W>(addr, read::u32(po), M::N, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`: inside the memory.
    store_dst::<M::V, D>(M::load(mem.add(ea)), d, fp, &mut ra, &mut rf, &mut rd);
    next!(po.add(2), fp, mem, len, cx, ra, rf, rd)
});

handler!(store<M: Access, A: SrcK, V: SrcK; const W: bool>(ip, fp, mem, len, cx, ra, rf, rd) {
    let pa = ip.add(HW);
    let pv = pa.add(words::<i32, A>());
    let po = pv.add(words::<M::V, V>());
    let addr: i32 = load_src::<i32, A>(pa, fp, ra, rf, rd);
    let v: M::V = load_src::<M::V, V>(pv, fp, ra, rf, rd);
    let Some(ea) = effective::<W>(addr, read::u32(po), M::N, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: as for loads.
    M::store(mem.add(ea), v);
    next!(po.add(2), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- control

handler!(unreachable(ip, fp, mem, len, cx, ra, rf, rd) {
    trap(ip.add(1), fp, cx, TrapCode::Unreachable)
});

handler!(invalid(ip, fp, mem, len, cx, ra, rf, rd) {
    // Never emitted by the translator.
    (*cx).trap = Some(crate::error::Trap::host("internal error: invalid opcode in translated code"));
    TRAP
});

handler!(br(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Br { off } = op::Br::read(ip);
    jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
});

/// Conditional branches on an i32/i64 in the accumulator or a slot.
macro_rules! br_test {
    ($name:ident, $op:ident, R, $t:ty, $test:expr) => {
        handler!($name(ip, fp, mem, len, cx, ra, rf, rd) {
            let op::$op { off } = op::$op::read(ip);
            if $test(ra as $t) {
                jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
            }
            next!(ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
        });
    };
    ($name:ident, $op:ident, S, $t:ty, $test:expr) => {
        handler!($name(ip, fp, mem, len, cx, ra, rf, rd) {
            let op::$op { c, off } = op::$op::read(ip);
            if $test(get(fp, c) as $t) {
                jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
            }
            next!(ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
        });
    };
}
/// Conditional branches on an i32 in a slot after an `i32.add` of a
/// constant.
macro_rules! add_br_test {
    ($name:ident, $op:ident, $test:expr) => {
        handler!($name(ip, fp, mem, len, cx, ra, rf, rd) {
            let (d, s, k) = (field(ip, 0), field(ip, 1), read::u32(ip.add(HW + 2)));
            set(fp, d, u64::from((get(fp, s) as u32).wrapping_add(k)));
            let op::$op { c, off, .. } = op::$op::read(ip);
            if $test(get(fp, c) as u32) {
                jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
            }
            next!(ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
        });
    };
}
add_br_test!(add_br_if_nz_s, AddBrIfNzS, |v| v != 0);
add_br_test!(add_br_if_z_s, AddBrIfZS, |v| v == 0);

br_test!(br_if_nz_r, BrIfNzR, R, u32, |v| v != 0);
br_test!(br_if_nz_s, BrIfNzS, S, u32, |v| v != 0);
br_test!(br_if_z_r, BrIfZR, R, u32, |v| v == 0);
br_test!(br_if_z_s, BrIfZS, S, u32, |v| v == 0);
br_test!(br_if_nz64_r, BrIfNz64R, R, u64, |v| v != 0);
br_test!(br_if_nz64_s, BrIfNz64S, S, u64, |v| v != 0);
br_test!(br_if_z64_r, BrIfZ64R, R, u64, |v| v == 0);
br_test!(br_if_z64_s, BrIfZ64S, S, u64, |v| v == 0);

handler!(br_table_r(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::BrTableR { n } = op::BrTableR::read(ip);
    let k = (ra as u32).min(n) as usize;
    let off = read::u32(ip.add(op::BrTableR::LEN + 2 * k)) as i32;
    jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
});

handler!(br_table_s(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::BrTableS { i, n } = op::BrTableS::read(ip);
    let k = (get(fp, i) as u32).min(n) as usize;
    let off = read::u32(ip.add(op::BrTableS::LEN + 2 * k)) as i32;
    jump!(ip, off, fp, mem, len, cx, ra, rf, rd)
});

/// Leaves frame `fp` (`np` parameters, so its header is at `np`), after
/// `$result` wrote the results.
macro_rules! ret {
    ($name:ident, $op:ident { $($f:ident),* }, |$fp:ident, $ra:ident, $rf:ident, $rd:ident| $result:expr) => {
        handler!($name(ip, $fp, mem, len, cx, $ra, $rf, $rd) {
            let op::$op { np, $($f),* } = op::$op::read(ip);
            let h = $fp.add(usize::from(np));
            let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
            $(let _ = $f;)*
            $result;
            next!(ret, caller, mem, len, cx, $ra, $rf, $rd)
        });
    };
}
ret!(ret, Return {}, |fp, ra, rf, rd| ());
ret!(ret_s, ReturnS { s }, |fp, ra, rf, rd| *fp = get(fp, s));
ret!(ret_r, ReturnR {}, |fp, ra, rf, rd| *fp = ra);
ret!(ret_rf32, ReturnRF32 {}, |fp, ra, rf, rd| *fp = u64::from(rf.to_bits()));
ret!(ret_rf64, ReturnRF64 {}, |fp, ra, rf, rd| *fp = rd.to_bits());
ret!(ret_c32, ReturnC32 { c }, |fp, ra, rf, rd| *fp = u64::from(c));
ret!(ret_c64, ReturnC64 { c }, |fp, ra, rf, rd| *fp = c);
// The values move down (or stay): overlap allowed.
ret!(ret_span, ReturnSpan { s, n }, |fp, ra, rf, rd| std::ptr::copy(fp.add(usize::from(s)), fp, usize::from(n)));

/// Enters function `code` (defined function `f` of the current instance;
/// null until translated) with its frame at `nfp`, returning to `ret` in
/// frame `fp`: checks that the frame fits, charges fuel, writes the
/// header, zeroes the declared locals that need it (see `compile`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn enter(
    mut code: Ip,
    f: u32,
    nfp: Fp,
    ret: Ip,
    fp: Fp,
    mem: *mut u8,
    len: usize,
    cx: *mut Cx,
    ra: u64,
    rf: f32,
    rd: f64,
) -> usize {
    // SAFETY: `code` is a function's linked code (header first); the frame
    // is checked to fit before it is touched.
    unsafe {
        if code.is_null() {
            code = engine::translate(cx, (*cx).inst_id(), f);
            if code.is_null() {
                return TRAP;
            }
        }
        let (frame, np, nl, z) = (*code as usize, *code.add(1) as usize, *code.add(2) as usize, *code.add(3) as usize);
        if nfp as usize + frame * 8 > (*cx).stack_end {
            return trap(ret, fp, cx, TrapCode::CallStackExhausted);
        }
        if engine::tick(cx) {
            return engine::out_of_fuel(cx, ret, fp);
        }
        let h = nfp.add(np);
        *h = ret as u64;
        *h.add(1) = fp as u64;
        // Volatile stores: a plain loop becomes a call to `memset`, which
        // costs more than the few locals most functions have, and a stack
        // frame in this hot path.
        let mut p = h.add(2 + z);
        let end = p.add(nl);
        while p < end {
            p.write_volatile(0);
            p = p.add(1);
        }
        next!(code.add(CODE_HEADER), nfp, mem, len, cx, ra, rf, rd)
    }
}

handler!(call(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Call { f, base } = op::Call::read(ip);
    let code = (*cx).func_code(f);
    if code.is_null() {
        return translate_retry(ip, fp, mem, ra, cx, len, rf, rd);
    }
    enter(code, f, fp.add(usize::from(base)), ip.add(op::Call::LEN), fp, mem, len, cx, ra, rf, rd)
});

// A first call translates out of line, in a handler reached by a tail
// call, and then runs the call op again: a translation (a real call) in
// the call handler itself made it save and restore six registers on
// every call.
handler!(
    #[cold]
    translate_retry(ip, fp, mem, len, cx, ra, rf, rd) {
        let op::Call { f, .. } = op::Call::read(ip);
        if engine::translate(cx, (*cx).inst_id(), f).is_null() {
            return TRAP;
        }
        next!(ip, fp, mem, len, cx, ra, rf, rd)
    }
);

/// Calls store function `fa` with its frame (arguments) at `nfp`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn call_addr(
    fa: u32,
    nfp: Fp,
    ret: Ip,
    fp: Fp,
    mem: *mut u8,
    len: usize,
    cx: *mut Cx,
    ra: u64,
    rf: f32,
    rd: f64,
) -> usize {
    // SAFETY: the handler contract.
    unsafe {
        match engine::resolve(cx, fa) {
            engine::Callee::Same(code, f) => enter(code, f, nfp, ret, fp, mem, len, cx, ra, rf, rd),
            engine::Callee::Other => {
                let (code, f) = engine::switch_instance(cx, fa, ret);
                let (mem, len) = (*cx).mem_view();
                enter(code, f, nfp, restore_ip(), fp, mem, len, cx, ra, rf, rd)
            }
            engine::Callee::Host => {
                if !engine::call_host(cx, fa, nfp) {
                    // A null address: no handler caught it.
                    let (ip, hfp) = engine::host_failed(cx, ret, fp);
                    return if ip.is_null() { engine::trapped_at(cx, ret, fp) } else { resume(ip, hfp, cx, ra, rf, rd) };
                }
                let (mem, len) = (*cx).mem_view();
                next!(ret, fp, mem, len, cx, ra, rf, rd)
            }
        }
    }
}

handler!(call_import(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::CallImport { f, base } = op::CallImport::read(ip);
    let fa = (*cx).func_addr(f);
    call_addr(fa, fp.add(usize::from(base)), ip.add(op::CallImport::LEN), fp, mem, len, cx, ra, rf, rd)
});

// `call_indirect` handles a translated function of the same instance
// itself and leaves every other callee to a cold handler that runs the op
// again (the lookup has no effects), for the reason given at
// `translate_retry`.

/// `call_indirect` with the table index in the accumulator or a slot: a
/// fast handler and its cold twin (see above).
macro_rules! call_indirect {
    ($fast:ident, $slow:ident, $op:ident, |$o:ident, $fp:ident, $ra:ident| $index:expr) => {
        call_indirect!($fast, $slow, $op, |$o, $fp, $ra, cx2| target engine::indirect_target(cx2, $o.ty, $o.table, $index));
    };
    ($fast:ident, $slow:ident, $op:ident, |$o:ident, $fp:ident, $ra:ident, $cx:ident| target $target:expr) => {
        handler!($fast(ip, fp, mem, len, cx, ra, rf, rd) {
            let $o = op::$op::read(ip);
            let ($fp, $ra, $cx) = (fp, ra, cx);
            let fa = match $target {
                Ok(fa) => fa,
                Err(t) => return trap(ip.add(1), fp, cx, t),
            };
            match engine::resolve(cx, fa) {
                engine::Callee::Same(code, f) if !code.is_null() => {
                    enter(code, f, fp.add(usize::from($o.base)), ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
                }
                _ => $slow(ip, fp, mem, ra, cx, len, rf, rd),
            }
        });

        handler!(
            #[cold]
            $slow(ip, fp, mem, len, cx, ra, rf, rd) {
                let $o = op::$op::read(ip);
                let ($fp, $ra, $cx) = (fp, ra, cx);
                let fa = match $target {
                    Ok(fa) => fa,
                    Err(t) => return trap(ip.add(1), fp, cx, t),
                };
                call_addr(fa, fp.add(usize::from($o.base)), ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
            }
        );
    };
}
call_indirect!(call_indirect_r, call_indirect_r_slow, CallIndirectR, |o, fp, ra| ra);
call_indirect!(call_indirect_s, call_indirect_s_slow, CallIndirectS, |o, fp, ra| get(fp, o.i));
// `call_ref`: the same with the callee from a reference, typed statically.
call_indirect!(call_ref, call_ref_slow, CallRef, |o, fp, ra, cx| target ref_target(get(fp, o.i)));

/// The function address a function reference holds (address + 1, 0 for
/// null).
#[inline(always)]
fn ref_target(r: u64) -> Result<u32, TrapCode> {
    r.checked_sub(1).map(|a| a as u32).ok_or(TrapCode::NullFunctionReference)
}

// ---------------------------------------------------------------- tail calls

// A tail call reuses the caller's frame: the arguments, in the caller's
// canonical slots from `base` on, move down to slot 0 (over the caller's
// parameters and header, once the header is read) and the callee is
// entered at the same `fp`, returning where the caller would have. So a
// chain of tail calls runs in a constant stack. `enter` checks that the
// callee's frame fits from `fp` and charges the fuel of a call. A callee
// of another instance, or a host function, is called as by `call` (one
// frame more, for the length of that call): the translator follows such
// an op with the return of the callee's results.

/// Enters `code` (defined function `f` of the current instance, translated)
/// in place of frame `fp`, whose header is at slot `np`, with the
/// arguments at slot `base` on.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tail_enter(
    code: Ip,
    f: u32,
    np: u16,
    base: u16,
    fp: Fp,
    mem: *mut u8,
    len: usize,
    cx: *mut Cx,
    ra: u64,
    rf: f32,
    rd: f64,
) -> usize {
    // SAFETY: the header lies in the frame, and so do the arguments, whose
    // slots the callee's code header gives (its parameter slots); slot 0
    // on is the start of the same frame.
    unsafe {
        let h = fp.add(usize::from(np));
        let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
        std::ptr::copy(fp.add(usize::from(base)), fp, *code.add(1) as usize);
        enter(code, f, fp, ret, caller, mem, len, cx, ra, rf, rd)
    }
}

/// Tail-calls store function `fa` (see above): in place if it is a wasm
/// function of the current instance, else a call returning to `ret`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tail_call_addr(
    fa: u32,
    np: u16,
    base: u16,
    ret: Ip,
    fp: Fp,
    mem: *mut u8,
    len: usize,
    cx: *mut Cx,
    ra: u64,
    rf: f32,
    rd: f64,
) -> usize {
    // SAFETY: the handler contract.
    unsafe {
        match engine::resolve(cx, fa) {
            engine::Callee::Same(mut code, f) => {
                if code.is_null() {
                    code = engine::translate(cx, (*cx).inst_id(), f);
                    if code.is_null() {
                        return TRAP;
                    }
                }
                tail_enter(code, f, np, base, fp, mem, len, cx, ra, rf, rd)
            }
            _ => call_addr(fa, fp.add(usize::from(base)), ret, fp, mem, len, cx, ra, rf, rd),
        }
    }
}

handler!(return_call(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::ReturnCall { np, f, base } = op::ReturnCall::read(ip);
    let code = (*cx).func_code(f);
    if code.is_null() {
        return return_call_translate(ip, fp, mem, ra, cx, len, rf, rd);
    }
    tail_enter(code, f, np, base, fp, mem, len, cx, ra, rf, rd)
});

// As `translate_retry`, for `ReturnCall`.
handler!(
    #[cold]
    return_call_translate(ip, fp, mem, len, cx, ra, rf, rd) {
        let op::ReturnCall { f, .. } = op::ReturnCall::read(ip);
        if engine::translate(cx, (*cx).inst_id(), f).is_null() {
            return TRAP;
        }
        next!(ip, fp, mem, len, cx, ra, rf, rd)
    }
);

handler!(return_call_import(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::ReturnCallImport { np, f, base } = op::ReturnCallImport::read(ip);
    let fa = (*cx).func_addr(f);
    tail_call_addr(fa, np, base, ip.add(op::ReturnCallImport::LEN), fp, mem, len, cx, ra, rf, rd)
});

/// `return_call_indirect` with the table index in the accumulator or a
/// slot: a fast handler and its cold twin, as for `call_indirect`.
macro_rules! return_call_indirect {
    ($fast:ident, $slow:ident, $op:ident, |$o:ident, $fp:ident, $ra:ident| $index:expr) => {
        return_call_indirect!($fast, $slow, $op, |$o, $fp, $ra, cx2| target engine::indirect_target(cx2, $o.ty, $o.table, $index));
    };
    ($fast:ident, $slow:ident, $op:ident, |$o:ident, $fp:ident, $ra:ident, $cx:ident| target $target:expr) => {
        handler!($fast(ip, fp, mem, len, cx, ra, rf, rd) {
            let $o = op::$op::read(ip);
            let ($fp, $ra, $cx) = (fp, ra, cx);
            let fa = match $target {
                Ok(fa) => fa,
                Err(t) => return trap(ip.add(1), fp, cx, t),
            };
            match engine::resolve(cx, fa) {
                engine::Callee::Same(code, f) if !code.is_null() => {
                    tail_enter(code, f, $o.np, $o.base, fp, mem, len, cx, ra, rf, rd)
                }
                _ => $slow(ip, fp, mem, ra, cx, len, rf, rd),
            }
        });

        handler!(
            #[cold]
            $slow(ip, fp, mem, len, cx, ra, rf, rd) {
                let $o = op::$op::read(ip);
                let ($fp, $ra, $cx) = (fp, ra, cx);
                let fa = match $target {
                    Ok(fa) => fa,
                    Err(t) => return trap(ip.add(1), fp, cx, t),
                };
                tail_call_addr(fa, $o.np, $o.base, ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
            }
        );
    };
}
return_call_indirect!(return_call_indirect_r, return_call_indirect_r_slow, ReturnCallIndirectR, |o, fp, ra| ra);
return_call_indirect!(return_call_indirect_s, return_call_indirect_s_slow, ReturnCallIndirectS, |o, fp, ra| get(fp, o.i));
return_call_indirect!(return_call_ref, return_call_ref_slow, ReturnCallRef, |o, fp, ra, cx| target ref_target(get(fp, o.i)));

handler!(exit(ip, fp, mem, len, cx, ra, rf, rd) {
    DONE
});

handler!(restore_instance(ip, fp, mem, len, cx, ra, rf, rd) {
    let ret = engine::restore_instance(cx);
    let (mem, len) = (*cx).mem_view();
    next!(ret, fp, mem, len, cx, ra, rf, rd)
});

/// A static op: linked once, at first use.
pub(crate) struct Trampoline(pub(crate) OnceLock<[u16; HW]>);

impl Trampoline {
    /// The linked op. The first use links it out of line: `get_or_init`
    /// takes its closure by address, and a handler holding such an
    /// escaping stack slot no longer gets its next call turned into a
    /// jump (each cross-instance call then left a native frame behind).
    #[inline(always)]
    pub(crate) fn ptr(&self, m: Misc) -> Ip {
        match self.0.get() {
            Some(w) => w.as_ptr(),
            None => self.init(m),
        }
    }

    #[cold]
    #[inline(never)]
    fn init(&self, m: Misc) -> Ip {
        self.0
            .get_or_init(|| {
                // A handler of this crate: its offset fits (`handler_words`).
                linked_words(m as u16).unwrap_or([0; HW])
            })
            .as_ptr()
    }
}

/// The return address of the outermost frame.
pub(crate) fn exit_ip() -> Ip {
    static EXIT: Trampoline = Trampoline(OnceLock::new());
    EXIT.ptr(Misc::Exit)
}

/// The return address of a frame called from another instance.
pub(crate) fn restore_ip() -> Ip {
    static RESTORE: Trampoline = Trampoline(OnceLock::new());
    RESTORE.ptr(Misc::RestoreInstance)
}

// ---------------------------------------------------------------- copies

handler!(copy(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Copy { d, s } = op::Copy::read(ip);
    set(fp, d, get(fp, s));
    next!(ip.add(op::Copy::LEN), fp, mem, len, cx, ra, rf, rd)
});

// The merged ops run as two halves, each reading its own fields (as the
// single op does, shifted): the second half's reads stay after the first
// half's store, so no more than the three free scratch registers are live.
// Reading all fields first made the compiler save and restore a
// callee-saved register, which cost what the merge saved.

handler!(copy2(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Copy { d, s } = op::Copy::read(ip);
    set(fp, d, get(fp, s));
    let op::Copy { d, s } = op::Copy::read(ip.add(2));
    set(fp, d, get(fp, s));
    next!(ip.add(op::Copy2::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(add_si2(ip, fp, mem, len, cx, ra, rf, rd) {
    let add = |ip: Ip| {
        let (d, s, c) = (field(ip, 0), field(ip, 1), read::u32(ip.add(HW + 2)));
        set(fp, d, u64::from((get(fp, s) as u32).wrapping_add(c)));
    };
    // In order: the second may read what the first wrote.
    add(ip);
    add(ip.add(4));
    next!(ip.add(op::AddSI2::LEN), fp, mem, len, cx, ra, rf, rd)
});

/// `fp[b] + (fp[x] << k)` of a `ShlAdd` op at `ip`.
#[inline(always)]
unsafe fn shl_add(ip: Ip, fp: Fp) -> u64 {
    // SAFETY: the handler contract.
    unsafe {
        let op::ShlAddS { x, k, b, .. } = op::ShlAddS::read(ip);
        u64::from((get(fp, b) as u32).wrapping_add((get(fp, x) as u32) << (k & 31)))
    }
}

handler!(shl_add_r(ip, fp, mem, len, cx, ra, rf, rd) {
    ra = shl_add(ip, fp);
    next!(ip.add(op::ShlAddR::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(shl_add_s(ip, fp, mem, len, cx, ra, rf, rd) {
    set(fp, field(ip, 0), shl_add(ip, fp));
    next!(ip.add(op::ShlAddS::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(const32x2(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Const32 { d, c } = op::Const32::read(ip);
    set(fp, d, u64::from(c));
    let op::Const32 { d, c } = op::Const32::read(ip.add(3));
    set(fp, d, u64::from(c));
    next!(ip.add(op::Const32x2::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(copy_span(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::CopySpan { d, s, n } = op::CopySpan::read(ip);
    std::ptr::copy(fp.add(usize::from(s)), fp.add(usize::from(d)), usize::from(n));
    next!(ip.add(op::CopySpan::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(const32(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Const32 { d, c } = op::Const32::read(ip);
    set(fp, d, u64::from(c));
    next!(ip.add(op::Const32::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(const64(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Const64 { d, c } = op::Const64::read(ip);
    set(fp, d, c);
    next!(ip.add(op::Const64::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(spill_r(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::SpillR { d } = op::SpillR::read(ip);
    set(fp, d, ra);
    next!(ip.add(op::SpillR::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(spill_rf32(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::SpillRF32 { d } = op::SpillRF32::read(ip);
    set(fp, d, u64::from(rf.to_bits()));
    next!(ip.add(op::SpillRF32::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(spill_rf64(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::SpillRF64 { d } = op::SpillRF64::read(ip);
    set(fp, d, rd.to_bits());
    next!(ip.add(op::SpillRF64::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(select_r(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::SelectR { d, a, b } = op::SelectR::read(ip);
    let v = if ra as u32 != 0 { get(fp, a) } else { get(fp, b) };
    set(fp, d, v);
    next!(ip.add(op::SelectR::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(select_s(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::SelectS { d, c, a, b } = op::SelectS::read(ip);
    let v = if get(fp, c) as u32 != 0 { get(fp, a) } else { get(fp, b) };
    set(fp, d, v);
    next!(ip.add(op::SelectS::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_get_r(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::GlobalGetR { d, g } = op::GlobalGetR::read(ip);
    ra = *(*cx).global(g);
    next!(ip.add(op::GlobalGetR::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_get_s(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::GlobalGetS { d, g } = op::GlobalGetS::read(ip);
    set(fp, d, *(*cx).global(g));
    next!(ip.add(op::GlobalGetS::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_set_r(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::GlobalSetR { g } = op::GlobalSetR::read(ip);
    *(*cx).global(g) = ra;
    next!(ip.add(op::GlobalSetR::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_set_s(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::GlobalSetS { g, s } = op::GlobalSetS::read(ip);
    *(*cx).global(g) = get(fp, s);
    next!(ip.add(op::GlobalSetS::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(ref_as_non_null(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::RefAsNonNull { d, a } = op::RefAsNonNull::read(ip);
    let r = get(fp, a);
    if r == 0 {
        return trap(ip.add(1), fp, cx, TrapCode::NullReference);
    }
    set(fp, d, r);
    next!(ip.add(op::RefAsNonNull::LEN), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- GC fast paths

// Field and element accesses of one slot, inline; everything else of GC
// runs out of line (`exec::gc`). `Heap::obj` checks the reference (null,
// another kind, a freed object), and the slot is bounds-checked.
handler!(struct_get_f(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::StructGetF { d, a, off } = op::StructGetF::read(ip);
    let store = &*(*cx).store_ptr();
    match store.heap.obj(get(fp, a)).and_then(|o| o.fields.get(off as usize)) {
        Some(&v) => set(fp, d, v),
        None => return trap(ip.add(1), fp, cx, TrapCode::NullStructReference),
    }
    next!(ip.add(op::StructGetF::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(struct_set_f(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::StructSetF { a, v, off } = op::StructSetF::read(ip);
    let store = &mut *(*cx).store_ptr();
    match store.heap.obj_mut(get(fp, a)).and_then(|o| o.fields.get_mut(off as usize)) {
        Some(slot) => *slot = get(fp, v),
        None => return trap(ip.add(1), fp, cx, TrapCode::NullStructReference),
    }
    next!(ip.add(op::StructSetF::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(array_get_f(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::ArrayGetF { d, a, i } = op::ArrayGetF::read(ip);
    let store = &*(*cx).store_ptr();
    let Some(o) = store.heap.obj(get(fp, a)) else { return trap(ip.add(1), fp, cx, TrapCode::NullArrayReference) };
    match o.fields.get(get(fp, i) as u32 as usize) {
        Some(&v) => set(fp, d, v),
        None => return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsArrayAccess),
    }
    next!(ip.add(op::ArrayGetF::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(array_set_f(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::ArraySetF { a, i, v } = op::ArraySetF::read(ip);
    let store = &mut *(*cx).store_ptr();
    let Some(o) = store.heap.obj_mut(get(fp, a)) else { return trap(ip.add(1), fp, cx, TrapCode::NullArrayReference) };
    match o.fields.get_mut(get(fp, i) as u32 as usize) {
        Some(slot) => *slot = get(fp, v),
        None => return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsArrayAccess),
    }
    next!(ip.add(op::ArraySetF::LEN), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- exceptions

/// Continues at `ip` in frame `fp` after an exception was caught (the
/// instance may have changed, and with it memory 0).
#[inline(always)]
unsafe fn resume(ip: Ip, fp: Fp, cx: *mut Cx, ra: u64, rf: f32, rd: f64) -> usize {
    // SAFETY: the unwinder returns an op of a function whose frame is `fp`.
    unsafe {
        let (mem, len) = (*cx).mem_view();
        next!(ip, fp, mem, len, cx, ra, rf, rd)
    }
}

handler!(throw(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Throw { t, base } = op::Throw::read(ip);
    let exn = engine::new_exn(cx, t, fp.add(usize::from(base)));
    let (ip, fp) = engine::unwind_to(cx, exn, ip, fp);
    if ip.is_null() {
        return TRAP;
    }
    resume(ip, fp, cx, ra, rf, rd)
});

handler!(throw_ref(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::ThrowRef { s } = op::ThrowRef::read(ip);
    let r = get(fp, s);
    // A reference is the address + 1 (0: null) of a stored exception.
    if r == 0 || r > (*(*cx).store_ptr()).exns.len() as u64 {
        return trap(ip.add(1), fp, cx, TrapCode::NullExceptionReference);
    }
    let (ip, fp) = engine::unwind_to(cx, (r - 1) as u32, ip, fp);
    if ip.is_null() {
        return TRAP;
    }
    resume(ip, fp, cx, ra, rf, rd)
});

handler!(ref_func(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::RefFunc { d, f } = op::RefFunc::read(ip);
    set(fp, d, u64::from((*cx).func_addr(f)) + 1);
    next!(ip.add(op::RefFunc::LEN), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- tables, bulk memory

/// Ops that run out of line in `engine::rare` (tables, bulk memory,
/// `memory.grow`): after them, memory 0 is looked up again.
macro_rules! rare {
    ($name:ident, $op:ident) => {
        handler!($name(ip, fp, mem, len, cx, ra, rf, rd) {
            if let Err(t) = engine::rare(cx, fp, ip, Misc::$op) {
                return trap(ip.add(1), fp, cx, t);
            }
            let (mem, len) = (*cx).mem_view();
            next!(ip.add(op::$op::LEN), fp, mem, len, cx, ra, rf, rd)
        });
    };
}
rare!(table_get, TableGet);
rare!(table_set, TableSet);
rare!(table_size, TableSize);
rare!(table_grow, TableGrow);
rare!(table_fill, TableFill);
rare!(table_copy, TableCopy);
rare!(table_init, TableInit);
rare!(elem_drop, ElemDrop);
rare!(memory_size, MemorySize);
rare!(memory_grow, MemoryGrow);
rare!(memory_fill, MemoryFill);
rare!(memory_copy, MemoryCopy);
rare!(memory_init, MemoryInit);
rare!(load_m, LoadM);
rare!(store_m, StoreM);
rare!(simd_mem_m, SimdMemM);
rare!(gc, Gc);

/// The effective address of an access of `n` bytes at `addr + off` (a
/// 64-bit address, or a 32-bit one zero-extended), if it lies in a memory of
/// `len` bytes.
#[inline]
pub(crate) fn effective64(addr: u64, off: u64, n: u64, len: usize) -> Result<usize, TrapCode> {
    match addr.checked_add(off).and_then(|a| a.checked_add(n)) {
        Some(end) if end <= len as u64 => Ok((end - n) as usize),
        _ => Err(TrapCode::OutOfBoundsMemoryAccess),
    }
}

/// Load `op` (a `MemOp`) of `addr + off` from the memory at `mem` of `len`
/// bytes, as a slot: for memories other than 0.
///
/// # Safety
/// `mem` must be valid for `len` bytes.
pub(crate) unsafe fn load_k(op: u16, mem: *mut u8, len: usize, addr: u64, off: u64) -> Result<u64, TrapCode> {
    macro_rules! loads {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(if op == MemOp::$op as u16 {
                let ea = effective64(addr, off, access::$op::N, len)?;
                // SAFETY: `ea + N <= len`.
                return Ok(unsafe { <access::$op as Access>::load(mem.add(ea)) }.to_slot());
            })*
        };
    }
    crate::for_each_mem_op!(loads);
    Err(TrapCode::OutOfBoundsMemoryAccess)
}

/// Store `op` of slot value `v` at `addr + off` (see [`load_k`]).
///
/// # Safety
/// As for [`load_k`].
pub(crate) unsafe fn store_k(op: u16, mem: *mut u8, len: usize, addr: u64, off: u64, v: u64) -> Result<(), TrapCode> {
    macro_rules! stores {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(if op == MemOp::$op as u16 {
                let ea = effective64(addr, off, access::$op::N, len)?;
                // SAFETY: `ea + N <= len`.
                unsafe { <access::$op as Access>::store(mem.add(ea), Val::from_slot(v)) };
                return Ok(());
            })*
        };
    }
    crate::for_each_mem_op!(stores);
    Err(TrapCode::OutOfBoundsMemoryAccess)
}
rare!(data_drop, DataDrop);

handler!(wide(ip, fp, mem, len, cx, ra, rf, rd) {
    let op::Wide { d, a, b, c, e, op } = op::Wide::read(ip);
    // All operands are read before the results are written (they may share
    // slots).
    let args = [get(fp, a), get(fp, b), get(fp, c), get(fp, e)];
    let w = crate::syntax::WideOp::ALL[usize::from(op) & 3];
    let (lo, hi) = w.eval(&args[..w.arity()]);
    set(fp, d, lo);
    set(fp, d + 1, hi);
    next!(ip.add(op::Wide::LEN), fp, mem, len, cx, ra, rf, rd)
});

// ---------------------------------------------------------------- SIMD

#[path = "simd_handlers.rs"]
mod simd_handlers;
pub(crate) use simd_handlers::simd_mem_k;

// ---------------------------------------------------------------- the table

const fn misc_handler(m: Misc) -> Handler {
    match m {
        Misc::Unreachable => unreachable,
        Misc::Br => br,
        Misc::BrIfNzR => br_if_nz_r,
        Misc::BrIfNzS => br_if_nz_s,
        Misc::BrIfZR => br_if_z_r,
        Misc::BrIfZS => br_if_z_s,
        Misc::AddBrIfNzS => add_br_if_nz_s,
        Misc::AddBrIfZS => add_br_if_z_s,
        Misc::BrIfNz64R => br_if_nz64_r,
        Misc::BrIfNz64S => br_if_nz64_s,
        Misc::BrIfZ64R => br_if_z64_r,
        Misc::BrIfZ64S => br_if_z64_s,
        Misc::BrTableR => br_table_r,
        Misc::BrTableS => br_table_s,
        Misc::Return => ret,
        Misc::ReturnS => ret_s,
        Misc::ReturnR => ret_r,
        Misc::ReturnRF32 => ret_rf32,
        Misc::ReturnRF64 => ret_rf64,
        Misc::ReturnC32 => ret_c32,
        Misc::ReturnC64 => ret_c64,
        Misc::ReturnSpan => ret_span,
        Misc::Call => call,
        Misc::CallImport => call_import,
        Misc::CallIndirectR => call_indirect_r,
        Misc::CallIndirectS => call_indirect_s,
        Misc::ReturnCall => return_call,
        Misc::ReturnCallImport => return_call_import,
        Misc::ReturnCallIndirectR => return_call_indirect_r,
        Misc::ReturnCallIndirectS => return_call_indirect_s,
        Misc::CallRef => call_ref,
        Misc::ReturnCallRef => return_call_ref,
        Misc::Exit => exit,
        Misc::RestoreInstance => restore_instance,
        Misc::Copy => copy,
        Misc::Copy2 => copy2,
        Misc::Const32x2 => const32x2,
        Misc::AddSI2 => add_si2,
        Misc::ShlAddR => shl_add_r,
        Misc::ShlAddS => shl_add_s,
        Misc::CopySpan => copy_span,
        Misc::Const32 => const32,
        Misc::Const64 => const64,
        Misc::SpillR => spill_r,
        Misc::SpillRF32 => spill_rf32,
        Misc::SpillRF64 => spill_rf64,
        Misc::SelectR => select_r,
        Misc::SelectS => select_s,
        Misc::GlobalGetR => global_get_r,
        Misc::GlobalGetS => global_get_s,
        Misc::GlobalSetR => global_set_r,
        Misc::GlobalSetS => global_set_s,
        Misc::GlobalGetV => simd_handlers::global_get_v,
        Misc::GlobalSetV => simd_handlers::global_set_v,
        Misc::RefFunc => ref_func,
        Misc::RefAsNonNull => ref_as_non_null,
        Misc::Throw => throw,
        Misc::ThrowRef => throw_ref,
        Misc::TableGet => table_get,
        Misc::TableSet => table_set,
        Misc::TableSize => table_size,
        Misc::TableGrow => table_grow,
        Misc::TableFill => table_fill,
        Misc::TableCopy => table_copy,
        Misc::TableInit => table_init,
        Misc::ElemDrop => elem_drop,
        Misc::MemorySize => memory_size,
        Misc::MemoryGrow => memory_grow,
        Misc::MemoryFill => memory_fill,
        Misc::MemoryCopy => memory_copy,
        Misc::MemoryInit => memory_init,
        Misc::DataDrop => data_drop,
        Misc::Wide => wide,
        Misc::LoadM => load_m,
        Misc::StoreM => store_m,
        Misc::SimdMemM => simd_mem_m,
        Misc::Gc => gc,
        Misc::StructGetF => struct_get_f,
        Misc::StructSetF => struct_set_f,
        Misc::ArrayGetF => array_get_f,
        Misc::ArraySetF => array_set_f,
    }
}

/// Every opcode's handler; opcodes no op uses map to `invalid`. Only the
/// linker reads it: linked code holds the handlers' addresses.
pub(super) static HANDLERS: [Handler; OPCODES] = build_table();

/// Index of a binary form with operands `p` (see `ops::PAIRS`) and
/// destination `d` (0: R, 1: S).
const fn bin_form(p: usize, d: usize) -> usize {
    4 + p * 2 + d
}

const fn br_form(p: usize, neg: bool, add: bool) -> usize {
    18 + 14 * add as usize + p * 2 + neg as usize
}

const fn build_table() -> [Handler; OPCODES] {
    let mut t: [Handler; OPCODES] = [invalid; OPCODES];
    let mut i = 0;
    while i < Misc::ALL.len() {
        t[i] = misc_handler(Misc::ALL[i]);
        i += 1;
    }
    macro_rules! at {
        ($op:ident, $form:expr) => {
            t[num_opcode_at(NumOp::$op, $form) as usize]
        };
    }
    // The operand pairs, in the order of `ops::PAIRS`.
    macro_rules! pairs {
        ($m:ident, $op:ident) => {
            $m!($op, 0, R, S);
            $m!($op, 1, S, R);
            $m!($op, 2, S, S);
            $m!($op, 3, R, I);
            $m!($op, 4, I, R);
            $m!($op, 5, S, I);
            $m!($op, 6, I, S);
        };
    }
    macro_rules! bin_pair {
        ($op:ident, $p:literal, $a:ident, $b:ident) => {
            at!($op, bin_form($p, 0)) = bin::<rows::$op, $a, $b, R>;
            at!($op, bin_form($p, 1)) = bin::<rows::$op, $a, $b, S>;
        };
    }
    macro_rules! br_pair {
        ($op:ident, $p:literal, $a:ident, $b:ident) => {
            at!($op, br_form($p, false, false)) = br_cmp::<rows::$op, $a, $b, false, false>;
            at!($op, br_form($p, true, false)) = br_cmp::<rows::$op, $a, $b, true, false>;
            at!($op, br_form($p, false, true)) = br_cmp::<rows::$op, $a, $b, false, true>;
            at!($op, br_form($p, true, true)) = br_cmp::<rows::$op, $a, $b, true, true>;
        };
    }
    macro_rules! num_forms {
        ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
            $(num_forms!(@$shape $op);)*
        };
        (@un $op:ident) => {
            at!($op, 0) = un::<rows::$op, R, R>;
            at!($op, 1) = un::<rows::$op, R, S>;
            at!($op, 2) = un::<rows::$op, S, R>;
            at!($op, 3) = un::<rows::$op, S, S>;
        };
        (@un_trap $op:ident) => { num_forms!(@un $op); };
        (@bin $op:ident) => { pairs!(bin_pair, $op); };
        (@bin_trap $op:ident) => { num_forms!(@bin $op); };
        (@cmp $op:ident) => {
            num_forms!(@bin $op);
            pairs!(br_pair, $op);
        };
    }
    crate::for_each_num_op!(num_forms);
    macro_rules! mem_at {
        ($op:ident, $form:expr) => {
            t[mem_opcode_at(MemOp::$op, $form) as usize]
        };
    }
    macro_rules! mem_forms {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(mem_forms!(@$kind $op $reg);)*
        };
        (@load $op:ident $reg:ident) => {
            mem_at!($op, 0) = load::<access::$op, R, R, false>;
            mem_at!($op, 1) = load::<access::$op, R, S, false>;
            mem_at!($op, 2) = load::<access::$op, S, R, false>;
            mem_at!($op, 3) = load::<access::$op, S, S, false>;
            mem_at!($op, 4) = load::<access::$op, I, R, false>;
            mem_at!($op, 5) = load::<access::$op, I, S, false>;
            mem_at!($op, 15) = load::<access::$op, R, R, true>;
            mem_at!($op, 16) = load::<access::$op, R, S, true>;
            mem_at!($op, 17) = load::<access::$op, S, R, true>;
            mem_at!($op, 18) = load::<access::$op, S, S, true>;
        };
        (@store $op:ident i32) => { mem_forms!(@store_common $op); };
        (@store $op:ident i64) => { mem_forms!(@store_common $op); };
        (@store $op:ident $reg:ident) => {
            mem_forms!(@store_common $op);
            // A float value and an integer address: two accumulators.
            mem_at!($op, 6) = store::<access::$op, R, R, false>;
            mem_at!($op, 19) = store::<access::$op, R, R, true>;
        };
        (@store_common $op:ident) => {
            mem_at!($op, 7) = store::<access::$op, R, S, false>;
            mem_at!($op, 8) = store::<access::$op, R, I, false>;
            mem_at!($op, 9) = store::<access::$op, S, R, false>;
            mem_at!($op, 10) = store::<access::$op, S, S, false>;
            mem_at!($op, 11) = store::<access::$op, S, I, false>;
            mem_at!($op, 12) = store::<access::$op, I, R, false>;
            mem_at!($op, 13) = store::<access::$op, I, S, false>;
            mem_at!($op, 14) = store::<access::$op, I, I, false>;
            mem_at!($op, 20) = store::<access::$op, R, S, true>;
            mem_at!($op, 21) = store::<access::$op, R, I, true>;
            mem_at!($op, 22) = store::<access::$op, S, R, true>;
            mem_at!($op, 23) = store::<access::$op, S, S, true>;
            mem_at!($op, 24) = store::<access::$op, S, I, true>;
        };
    }
    crate::for_each_mem_op!(mem_forms);
    simd_handlers::fill(t)
}

/// The handler of `opcode`.
pub(crate) fn handler_of(opcode: u16) -> Handler {
    HANDLERS.get(opcode as usize).copied().unwrap_or(invalid)
}

/// The linked handler words of `opcode`.
pub(crate) fn linked_words(opcode: u16) -> Option<[u16; HW]> {
    handler_words(handler_of(opcode))
}

/// Links portable code in place: the handler words of every op get its
/// handler's address. `None` if the code is not whole valid ops.
pub(crate) fn link(code: &mut [u16]) -> Option<()> {
    let mut pc = 0;
    while pc < code.len() {
        let len = crate::compile::ops::op_len(code, pc)?;
        let w = linked_words(code[pc])?;
        code[pc..pc + HW].copy_from_slice(&w);
        pc += len;
    }
    Some(())
}
