//! The handlers: one function per opcode (spec 4.4 "Instructions").
//!
//! Threaded code: every handler ends by looking up the handler of the
//! next op in [`HANDLERS`] and calling it in tail position with the same
//! arguments, which the compiler turns into a jump (sibling call). So each
//! op has its own indirect jump, predicted on its own, and the hot state
//! lives in argument registers: `ip` (the current op), `fp` (the frame),
//! `mem`/`len` (memory 0 of the current instance) and `cx` (everything
//! else, see [`Cx`]). A handler returns, ending the chain, only to leave
//! the engine: [`DONE`] after the outermost frame returns, [`TRAP`] with
//! the reason in `cx.trap`.
//!
//! Tail calls need optimisation: an unoptimised build would grow the native
//! stack by one frame per op (Cargo.toml keeps `opt-level >= 1` for dev
//! builds, which is enough).
//!
//! Safety rests on the translator's invariants, which every handler
//! assumes (and debug builds check where cheap):
//! - `ip` points at a whole op of a function's translated code, or of one
//!   of the static trampolines here; every branch offset and the op after
//!   every op that does not end a function lands on such an op.
//! - Every slot an op names lies within its function's frame, and a frame
//!   is entered only after checking that it fits in the value stack.
//! - `mem`/`len` describe memory 0 of the current instance (`len` 0 when
//!   it has none) and are refreshed whenever the instance changes or code
//!   ran that may have grown it.

use super::engine::{self, Cx};
use super::num;
use crate::compile::ops::{num_opcode, op, read, Form, MEM_BASE, MEM_OPS, Misc, OPCODES};
use crate::compile::CODE_HEADER;
use crate::error::TrapCode;
use crate::syntax::NumOp;

/// The current op.
pub(crate) type Ip = *const u16;
/// The current frame.
pub(crate) type Fp = *mut u64;
/// A handler.
pub(crate) type Handler = unsafe extern "C" fn(Ip, Fp, *mut u8, usize, *mut Cx) -> usize;

/// The outermost frame returned.
pub(crate) const DONE: usize = 0;
/// Execution trapped; the trap is in `cx.trap`.
pub(crate) const TRAP: usize = 1;

/// The handler table has a power-of-two size, so indexing with a masked
/// opcode needs no bounds check.
const TABLE_SIZE: usize = OPCODES.next_power_of_two();
const MASK: usize = TABLE_SIZE - 1;

/// Continues with the op at `$ip`.
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let ip: Ip = $ip;
        // SAFETY: `ip` points at an op (module invariant); the masked
        // opcode indexes the table in bounds.
        #[allow(unused_unsafe)]
        return unsafe { HANDLERS[(*ip as usize) & MASK](ip, $fp, $mem, $len, $cx) };
    }};
}

/// Takes a branch of `$off` words from `$ip`, charging fuel for backward
/// ones (loop iterations).
macro_rules! jump {
    ($ip:expr, $off:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let off = $off as isize;
        // `<=`: a loop of one branch jumps to itself.
        if off <= 0 {
            // SAFETY: `cx` is valid while the engine runs.
            if unsafe { engine::tick($cx) } {
                return unsafe { engine::out_of_fuel($cx) };
            }
        }
        // SAFETY: branch targets are ops of the same code (invariant).
        next!(unsafe { $ip.offset(off) }, $fp, $mem, $len, $cx)
    }};
}

/// Declares a handler: `handler!(name(ip, fp, mem, len, cx) { body })`.
/// The body is unsafe code relying on the module's invariants.
macro_rules! handler {
    ($(#[$a:meta])* $name:ident $(<$($g:ident : $b:path),* $(; const $c:ident : $ct:ty)?>)? ($ip:ident, $fp:ident, $mem:ident, $len:ident, $cx:ident) $body:block) => {
        $(#[$a])*
        #[allow(unused_variables, unused_mut, unused_unsafe, clippy::missing_safety_doc)]
        pub(crate) unsafe extern "C" fn $name $(<$($g : $b),* $(, const $c : $ct)?>)? (
            $ip: Ip, $fp: Fp, mut $mem: *mut u8, mut $len: usize, $cx: *mut Cx,
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

#[inline(always)]
unsafe fn field(ip: Ip, k: usize) -> u16 {
    // SAFETY: the op has at least `k + 1` words (caller).
    unsafe { read::u16(ip.add(k)) }
}

/// Stops with trap `code`. The status is hidden from the optimiser so
/// that callers end in a tail call, not a call that needs a stack frame
/// in their hot path.
#[cold]
#[inline(never)]
unsafe extern "C" fn trap(cx: *mut Cx, code: TrapCode) -> usize {
    // SAFETY: `cx` is valid while the engine runs.
    unsafe { (*cx).trap = Some(code.into()) };
    std::hint::black_box(TRAP)
}

// ---------------------------------------------------------------- values

/// A wasm value type's representation in a 64-bit slot.
pub(crate) trait Val: Copy {
    /// Words of an immediate of this type in the code.
    const WORDS: usize;
    fn from_slot(s: u64) -> Self;
    fn to_slot(self) -> u64;
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

impl Val for i32 {
    const WORDS: usize = 2;
    #[inline(always)]
    fn from_slot(s: u64) -> i32 {
        s as u32 as i32
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        u64::from(self as u32)
    }
}
impl Val for i64 {
    const WORDS: usize = 4;
    #[inline(always)]
    fn from_slot(s: u64) -> i64 {
        s as i64
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}
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

handler!(un<R: Un>(ip, fp, mem, len, cx) {
    let (d, a) = (field(ip, 1), field(ip, 2));
    match R::eval(R::In::from_slot(get(fp, a))) {
        Ok(v) => set(fp, d, v.to_slot()),
        Err(t) => return trap(cx, t),
    }
    next!(ip.add(3), fp, mem, len, cx)
});

handler!(bin_ss<R: Bin>(ip, fp, mem, len, cx) {
    let (d, a, b) = (field(ip, 1), field(ip, 2), field(ip, 3));
    match R::eval(R::In::from_slot(get(fp, a)), R::In::from_slot(get(fp, b))) {
        Ok(v) => set(fp, d, v.to_slot()),
        Err(t) => return trap(cx, t),
    }
    next!(ip.add(4), fp, mem, len, cx)
});

handler!(bin_si<R: Bin>(ip, fp, mem, len, cx) {
    let (d, a) = (field(ip, 1), field(ip, 2));
    let b = R::In::imm(ip.add(3));
    match R::eval(R::In::from_slot(get(fp, a)), b) {
        Ok(v) => set(fp, d, v.to_slot()),
        Err(t) => return trap(cx, t),
    }
    next!(ip.add(3 + R::In::WORDS), fp, mem, len, cx)
});

handler!(bin_is<R: Bin>(ip, fp, mem, len, cx) {
    let d = field(ip, 1);
    let a = R::In::imm(ip.add(2));
    let b = field(ip, 2 + R::In::WORDS);
    match R::eval(a, R::In::from_slot(get(fp, b))) {
        Ok(v) => set(fp, d, v.to_slot()),
        Err(t) => return trap(cx, t),
    }
    next!(ip.add(3 + R::In::WORDS), fp, mem, len, cx)
});

/// Whether comparison `R` holds (comparisons never trap).
#[inline(always)]
fn holds<R: Bin>(a: R::In, b: R::In) -> bool {
    matches!(R::eval(a, b), Ok(v) if v.to_slot() != 0)
}

handler!(br_ss<R: Bin; const NEG: bool>(ip, fp, mem, len, cx) {
    let (a, b) = (field(ip, 1), field(ip, 2));
    if holds::<R>(R::In::from_slot(get(fp, a)), R::In::from_slot(get(fp, b))) != NEG {
        jump!(ip, read::u32(ip.add(3)) as i32, fp, mem, len, cx)
    }
    next!(ip.add(5), fp, mem, len, cx)
});

handler!(br_si<R: Bin; const NEG: bool>(ip, fp, mem, len, cx) {
    let a = field(ip, 1);
    let b = R::In::imm(ip.add(2));
    let at = 2 + R::In::WORDS;
    if holds::<R>(R::In::from_slot(get(fp, a)), b) != NEG {
        jump!(ip, read::u32(ip.add(at)) as i32, fp, mem, len, cx)
    }
    next!(ip.add(at + 2), fp, mem, len, cx)
});

handler!(br_is<R: Bin; const NEG: bool>(ip, fp, mem, len, cx) {
    let a = R::In::imm(ip.add(1));
    let b = field(ip, 1 + R::In::WORDS);
    let at = 2 + R::In::WORDS;
    if holds::<R>(a, R::In::from_slot(get(fp, b))) != NEG {
        jump!(ip, read::u32(ip.add(at)) as i32, fp, mem, len, cx)
    }
    next!(ip.add(at + 2), fp, mem, len, cx)
});

// ---------------------------------------------------------------- loads and stores

/// A load or store row of the memory table.
pub(crate) trait Access {
    /// Bytes accessed.
    const N: u64;
    /// Reads `N` bytes at `p` and converts them to a slot.
    ///
    /// # Safety
    /// `p` must be readable for `N` bytes.
    unsafe fn load(p: *const u8) -> u64;
    /// Converts slot `v` and writes it as `N` bytes at `p`.
    ///
    /// # Safety
    /// `p` must be writable for `N` bytes.
    unsafe fn store(p: *mut u8, v: u64);
}

#[allow(non_camel_case_types)]
mod access {
    use super::{Access, Val};

    macro_rules! rows {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(
                pub struct $op;
                impl Access for $op {
                    const N: u64 = std::mem::size_of::<$m>() as u64;
                    #[inline(always)]
                    unsafe fn load(p: *const u8) -> u64 {
                        // SAFETY: by the caller's contract.
                        let b: [u8; std::mem::size_of::<$m>()] = unsafe { p.cast::<[u8; std::mem::size_of::<$m>()]>().read_unaligned() };
                        (<$m>::from_le_bytes(b) as $reg).to_slot()
                    }
                    #[inline(always)]
                    unsafe fn store(p: *mut u8, v: u64) {
                        let b = (<$reg as Val>::from_slot(v) as $m).to_le_bytes();
                        // SAFETY: by the caller's contract.
                        unsafe { p.cast::<[u8; std::mem::size_of::<$m>()]>().write_unaligned(b) }
                    }
                }
            )*
        };
    }
    crate::for_each_mem_op!(rows);
}

/// The effective address of an access of `N` bytes at `addr + off`, if it
/// lies in a memory of `len` bytes.
#[inline(always)]
fn effective(addr: u64, off: u32, n: u64, len: usize) -> Option<usize> {
    let ea = u64::from(addr as u32) + u64::from(off);
    (ea + n <= len as u64).then_some(ea as usize)
}

handler!(load<A: Access>(ip, fp, mem, len, cx) {
    let (d, a) = (field(ip, 1), field(ip, 2));
    let Some(ea) = effective(get(fp, a), read::u32(ip.add(3)), A::N, len) else {
        return trap(cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`: inside the memory.
    set(fp, d, A::load(mem.add(ea)));
    next!(ip.add(5), fp, mem, len, cx)
});

handler!(store<A: Access>(ip, fp, mem, len, cx) {
    let (a, v) = (field(ip, 1), field(ip, 2));
    let Some(ea) = effective(get(fp, a), read::u32(ip.add(3)), A::N, len) else {
        return trap(cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: as for loads.
    A::store(mem.add(ea), get(fp, v));
    next!(ip.add(5), fp, mem, len, cx)
});

// ---------------------------------------------------------------- control

handler!(unreachable(ip, fp, mem, len, cx) {
    trap(cx, TrapCode::Unreachable)
});

handler!(invalid(ip, fp, mem, len, cx) {
    // Never emitted by the translator.
    (*cx).trap = Some(crate::error::Trap::host("internal error: invalid opcode in translated code"));
    TRAP
});

handler!(br(ip, fp, mem, len, cx) {
    let op::Br { off } = op::Br::read(ip);
    jump!(ip, off, fp, mem, len, cx)
});

handler!(br_if_nz(ip, fp, mem, len, cx) {
    let op::BrIfNz { c, off } = op::BrIfNz::read(ip);
    if get(fp, c) as u32 != 0 {
        jump!(ip, off, fp, mem, len, cx)
    }
    next!(ip.add(op::BrIfNz::LEN), fp, mem, len, cx)
});

handler!(br_if_z(ip, fp, mem, len, cx) {
    let op::BrIfZ { c, off } = op::BrIfZ::read(ip);
    if get(fp, c) as u32 == 0 {
        jump!(ip, off, fp, mem, len, cx)
    }
    next!(ip.add(op::BrIfZ::LEN), fp, mem, len, cx)
});

handler!(br_if_nz64(ip, fp, mem, len, cx) {
    let op::BrIfNz64 { c, off } = op::BrIfNz64::read(ip);
    if get(fp, c) != 0 {
        jump!(ip, off, fp, mem, len, cx)
    }
    next!(ip.add(op::BrIfNz64::LEN), fp, mem, len, cx)
});

handler!(br_if_z64(ip, fp, mem, len, cx) {
    let op::BrIfZ64 { c, off } = op::BrIfZ64::read(ip);
    if get(fp, c) == 0 {
        jump!(ip, off, fp, mem, len, cx)
    }
    next!(ip.add(op::BrIfZ64::LEN), fp, mem, len, cx)
});

handler!(br_table(ip, fp, mem, len, cx) {
    let op::BrTable { i, n } = op::BrTable::read(ip);
    let k = (get(fp, i) as u32).min(n) as usize;
    let off = read::u32(ip.add(op::BrTable::LEN + 2 * k)) as i32;
    jump!(ip, off, fp, mem, len, cx)
});

/// Leaves frame `fp` (`np` parameters, so its header is at `np`).
macro_rules! leave {
    ($fp:expr, $np:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let h = $fp.add(usize::from($np));
        let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
        next!(ret, caller, $mem, $len, $cx)
    }};
}

handler!(ret(ip, fp, mem, len, cx) {
    let op::Return { np } = op::Return::read(ip);
    leave!(fp, np, mem, len, cx)
});

handler!(ret_s(ip, fp, mem, len, cx) {
    let op::ReturnS { np, s } = op::ReturnS::read(ip);
    let v = get(fp, s);
    let h = fp.add(usize::from(np));
    let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
    *fp = v;
    next!(ret, caller, mem, len, cx)
});

handler!(ret_c32(ip, fp, mem, len, cx) {
    let op::ReturnC32 { np, c } = op::ReturnC32::read(ip);
    let h = fp.add(usize::from(np));
    let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
    *fp = u64::from(c);
    next!(ret, caller, mem, len, cx)
});

handler!(ret_c64(ip, fp, mem, len, cx) {
    let op::ReturnC64 { np, c } = op::ReturnC64::read(ip);
    let h = fp.add(usize::from(np));
    let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
    *fp = c;
    next!(ret, caller, mem, len, cx)
});

handler!(ret_span(ip, fp, mem, len, cx) {
    let op::ReturnSpan { np, s, n } = op::ReturnSpan::read(ip);
    let h = fp.add(usize::from(np));
    let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
    // The values move down (or stay): `s >= 0`, overlap allowed.
    std::ptr::copy(fp.add(usize::from(s)), fp, usize::from(n));
    next!(ret, caller, mem, len, cx)
});

/// Enters function `code` with its frame at `nfp`, returning to `ret` in
/// frame `fp`: checks that the frame fits, charges fuel, writes the
/// header, zeroes the declared locals.
#[inline(always)]
unsafe fn enter(code: Ip, nfp: Fp, ret: Ip, fp: Fp, mem: *mut u8, len: usize, cx: *mut Cx) -> usize {
    // SAFETY: `code` is a function's translated code (header first); the
    // frame is checked to fit before it is touched.
    unsafe {
        let (frame, np, nl) = (*code as usize, *code.add(1) as usize, *code.add(2) as usize);
        if nfp as usize + frame * 8 > (*cx).stack_end {
            return trap(cx, TrapCode::CallStackExhausted);
        }
        if engine::tick(cx) {
            return engine::out_of_fuel(cx);
        }
        let h = nfp.add(np);
        *h = ret as u64;
        *h.add(1) = fp as u64;
        // Volatile stores: a plain loop becomes a call to `memset`, which
        // costs more than the few locals most functions have, and a stack
        // frame in this hot path.
        let mut p = h.add(2);
        let end = p.add(nl);
        while p < end {
            p.write_volatile(0);
            p = p.add(1);
        }
        next!(code.add(CODE_HEADER), nfp, mem, len, cx)
    }
}

handler!(call(ip, fp, mem, len, cx) {
    let op::Call { f, base } = op::Call::read(ip);
    let code = (*cx).func_code(f);
    enter(code, fp.add(usize::from(base)), ip.add(op::Call::LEN), fp, mem, len, cx)
});

/// Calls store function `fa` with its frame (arguments) at `nfp`.
#[inline(always)]
unsafe fn call_addr(fa: u32, nfp: Fp, ret: Ip, fp: Fp, mem: *mut u8, len: usize, cx: *mut Cx) -> usize {
    // SAFETY: the handler contract.
    unsafe {
        match engine::resolve(cx, fa) {
            engine::Callee::Same(code) => enter(code, nfp, ret, fp, mem, len, cx),
            engine::Callee::Other => {
                let (code, mem, len) = engine::switch_instance(cx, fa, ret);
                enter(code, nfp, RESTORE_INSTANCE.as_ptr(), fp, mem, len, cx)
            }
            engine::Callee::Host => {
                if !engine::call_host(cx, fa, nfp) {
                    return TRAP;
                }
                let (mem, len) = (*cx).mem_view();
                next!(ret, fp, mem, len, cx)
            }
        }
    }
}

handler!(call_import(ip, fp, mem, len, cx) {
    let op::CallImport { f, base } = op::CallImport::read(ip);
    let fa = (*cx).func_addr(f);
    call_addr(fa, fp.add(usize::from(base)), ip.add(op::CallImport::LEN), fp, mem, len, cx)
});

handler!(call_indirect(ip, fp, mem, len, cx) {
    let op::CallIndirect { ty, table, i, base } = op::CallIndirect::read(ip);
    let fa = match engine::indirect_target(cx, ty, table, get(fp, i) as u32) {
        Ok(fa) => fa,
        Err(t) => return trap(cx, t),
    };
    call_addr(fa, fp.add(usize::from(base)), ip.add(op::CallIndirect::LEN), fp, mem, len, cx)
});

handler!(exit(ip, fp, mem, len, cx) {
    DONE
});

handler!(restore_instance(ip, fp, mem, len, cx) {
    let (ret, mem, len) = engine::restore_instance(cx);
    next!(ret, fp, mem, len, cx)
});

/// The return address of the outermost frame.
pub(crate) static EXIT: [u16; 1] = [Misc::Exit as u16];
/// The return address of a frame called from another instance.
pub(crate) static RESTORE_INSTANCE: [u16; 1] = [Misc::RestoreInstance as u16];

// ---------------------------------------------------------------- copies

handler!(copy(ip, fp, mem, len, cx) {
    let op::Copy { d, s } = op::Copy::read(ip);
    set(fp, d, get(fp, s));
    next!(ip.add(op::Copy::LEN), fp, mem, len, cx)
});

handler!(copy2(ip, fp, mem, len, cx) {
    let op::Copy2 { d0, s0, d1, s1 } = op::Copy2::read(ip);
    set(fp, d0, get(fp, s0));
    set(fp, d1, get(fp, s1));
    next!(ip.add(op::Copy2::LEN), fp, mem, len, cx)
});

handler!(copy_span(ip, fp, mem, len, cx) {
    let op::CopySpan { d, s, n } = op::CopySpan::read(ip);
    std::ptr::copy(fp.add(usize::from(s)), fp.add(usize::from(d)), usize::from(n));
    next!(ip.add(op::CopySpan::LEN), fp, mem, len, cx)
});

handler!(const32(ip, fp, mem, len, cx) {
    let op::Const32 { d, c } = op::Const32::read(ip);
    set(fp, d, u64::from(c));
    next!(ip.add(op::Const32::LEN), fp, mem, len, cx)
});

handler!(const64(ip, fp, mem, len, cx) {
    let op::Const64 { d, c } = op::Const64::read(ip);
    set(fp, d, c);
    next!(ip.add(op::Const64::LEN), fp, mem, len, cx)
});

handler!(select(ip, fp, mem, len, cx) {
    let op::Select { d, c, a, b } = op::Select::read(ip);
    let v = if get(fp, c) as u32 != 0 { get(fp, a) } else { get(fp, b) };
    set(fp, d, v);
    next!(ip.add(op::Select::LEN), fp, mem, len, cx)
});

handler!(global_get(ip, fp, mem, len, cx) {
    let op::GlobalGet { d, g } = op::GlobalGet::read(ip);
    set(fp, d, *(*cx).global(g));
    next!(ip.add(op::GlobalGet::LEN), fp, mem, len, cx)
});

handler!(global_set(ip, fp, mem, len, cx) {
    let op::GlobalSet { g, s } = op::GlobalSet::read(ip);
    *(*cx).global(g) = get(fp, s);
    next!(ip.add(op::GlobalSet::LEN), fp, mem, len, cx)
});

handler!(ref_func(ip, fp, mem, len, cx) {
    let op::RefFunc { d, f } = op::RefFunc::read(ip);
    set(fp, d, u64::from((*cx).func_addr(f)) + 1);
    next!(ip.add(op::RefFunc::LEN), fp, mem, len, cx)
});

// ---------------------------------------------------------------- tables, bulk memory

/// Ops that run out of line in `engine::rare` (tables, bulk memory,
/// `memory.grow`): after them, memory 0 is looked up again.
macro_rules! rare {
    ($name:ident, $op:ident) => {
        handler!($name(ip, fp, mem, len, cx) {
            if let Err(t) = engine::rare(cx, fp, ip, Misc::$op) {
                return trap(cx, t);
            }
            let (mem, len) = (*cx).mem_view();
            next!(ip.add(op::$op::LEN), fp, mem, len, cx)
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
rare!(data_drop, DataDrop);

// ---------------------------------------------------------------- the table

const fn misc_handler(m: Misc) -> Handler {
    match m {
        Misc::Unreachable => unreachable,
        Misc::Br => br,
        Misc::BrIfNz => br_if_nz,
        Misc::BrIfZ => br_if_z,
        Misc::BrIfNz64 => br_if_nz64,
        Misc::BrIfZ64 => br_if_z64,
        Misc::BrTable => br_table,
        Misc::Return => ret,
        Misc::ReturnS => ret_s,
        Misc::ReturnC32 => ret_c32,
        Misc::ReturnC64 => ret_c64,
        Misc::ReturnSpan => ret_span,
        Misc::Call => call,
        Misc::CallImport => call_import,
        Misc::CallIndirect => call_indirect,
        Misc::Exit => exit,
        Misc::RestoreInstance => restore_instance,
        Misc::Copy => copy,
        Misc::Copy2 => copy2,
        Misc::CopySpan => copy_span,
        Misc::Const32 => const32,
        Misc::Const64 => const64,
        Misc::Select => select,
        Misc::GlobalGet => global_get,
        Misc::GlobalSet => global_set,
        Misc::RefFunc => ref_func,
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
    }
}

/// Every opcode's handler; opcodes no op uses map to `invalid`.
pub(crate) static HANDLERS: [Handler; TABLE_SIZE] = build_table();

const fn build_table() -> [Handler; TABLE_SIZE] {
    let mut t: [Handler; TABLE_SIZE] = [invalid; TABLE_SIZE];
    let mut i = 0;
    while i < Misc::ALL.len() {
        t[i] = misc_handler(Misc::ALL[i]);
        i += 1;
    }
    macro_rules! num_forms {
        ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
            $(num_forms!(@$shape $op);)*
        };
        (@un $op:ident) => {
            t[num_opcode(Form::Un, NumOp::$op) as usize] = un::<rows::$op>;
        };
        (@un_trap $op:ident) => { num_forms!(@un $op); };
        (@bin $op:ident) => {
            t[num_opcode(Form::BinSS, NumOp::$op) as usize] = bin_ss::<rows::$op>;
            t[num_opcode(Form::BinSI, NumOp::$op) as usize] = bin_si::<rows::$op>;
            t[num_opcode(Form::BinIS, NumOp::$op) as usize] = bin_is::<rows::$op>;
        };
        (@bin_trap $op:ident) => { num_forms!(@bin $op); };
        (@cmp $op:ident) => {
            num_forms!(@bin $op);
            t[num_opcode(Form::BrSS, NumOp::$op) as usize] = br_ss::<rows::$op, false>;
            t[num_opcode(Form::BrSI, NumOp::$op) as usize] = br_si::<rows::$op, false>;
            t[num_opcode(Form::BrIS, NumOp::$op) as usize] = br_is::<rows::$op, false>;
            t[num_opcode(Form::BrnSS, NumOp::$op) as usize] = br_ss::<rows::$op, true>;
            t[num_opcode(Form::BrnSI, NumOp::$op) as usize] = br_si::<rows::$op, true>;
            t[num_opcode(Form::BrnIS, NumOp::$op) as usize] = br_is::<rows::$op, true>;
        };
    }
    crate::for_each_num_op!(num_forms);
    macro_rules! mem_forms {
        ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
            $(mem_forms!(@$kind $op);)*
        };
        (@load $op:ident) => {
            t[MEM_BASE + crate::syntax::MemOp::$op as usize] = load::<access::$op>;
        };
        (@store $op:ident) => {
            t[MEM_BASE + MEM_OPS + crate::syntax::MemOp::$op as usize] = store::<access::$op>;
        };
    }
    crate::for_each_mem_op!(mem_forms);
    t
}
