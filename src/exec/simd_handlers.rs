//! The SIMD handlers (a part of `exec::handlers`): one generic handler per
//! kind of the table in `crate::isa_simd`, stamped per row with the row's
//! semantics from `exec::simd`. Every operand and result is in frame
//! slots; a v128 takes two, low half first (`compile::ops::simd_fields`).

use super::{effective, field, get, handler_at, set, trap, Cx, Fp, Handler, Ip, Val};
use crate::compile::ops::simd_fields::{self as sf, op_words};
use crate::compile::ops::{op, read, simd_opcode, HW, OPCODES};
use crate::error::TrapCode;
use crate::syntax::SimdOp;

/// Reads the v128 in slots `s` and `s + 1`.
#[inline(always)]
unsafe fn get128(fp: Fp, s: u16) -> u128 {
    // SAFETY: both slots lie in the frame (the verifier checks `V` fields
    // for two slots; the translator gives v128 values two).
    unsafe {
        let p = fp.add(usize::from(s));
        u128::from(*p) | u128::from(*p.add(1)) << 64
    }
}

/// Writes a v128 to slots `s` and `s + 1`.
#[inline(always)]
unsafe fn set128(fp: Fp, s: u16, v: u128) {
    // SAFETY: as for `get128`.
    unsafe {
        let p = fp.add(usize::from(s));
        *p = v as u64;
        *p.add(1) = (v >> 64) as u64;
    }
}

/// The v128 in the 8 words at `p` (two `C64` fields).
#[inline(always)]
unsafe fn imm128(p: Ip) -> u128 {
    // SAFETY: the op has the fields (caller).
    unsafe { u128::from(read::u64(p)) | u128::from(read::u64(p.add(4))) << 64 }
}

// ---------------------------------------------------------------- rows

pub(crate) trait VUn {
    fn eval(a: u128) -> u128;
}
pub(crate) trait VBin {
    fn eval(a: u128, b: u128) -> u128;
}
pub(crate) trait VTern {
    fn eval(a: u128, b: u128, c: u128) -> u128;
}
pub(crate) trait VTest {
    fn eval(a: u128) -> i32;
}
pub(crate) trait VShift {
    fn eval(a: u128, n: i32) -> u128;
}
pub(crate) trait VSplat {
    type T: Val;
    fn eval(x: Self::T) -> u128;
}
pub(crate) trait VExtract {
    type T: Val;
    fn eval(a: u128, l: u8) -> Self::T;
}
pub(crate) trait VReplace {
    type T: Val;
    fn eval(a: u128, l: u8, x: Self::T) -> u128;
}
/// Loads and stores of `N` bytes (`eval` maps the bytes to the value and
/// back).
pub(crate) trait VMem {
    const N: usize;
    fn eval(x: u128) -> u128;
}
pub(crate) trait VLoadLane {
    const N: usize;
    fn eval(v: u128, l: u8, x: u64) -> u128;
}
pub(crate) trait VStoreLane {
    const N: usize;
    fn eval(v: u128, l: u8) -> u64;
}

/// One type per SIMD instruction, implementing its kind's trait.
#[allow(non_camel_case_types)]
mod rows {
    use super::*;
    use crate::exec::simd as sem;

    macro_rules! rows {
        ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
            $(
                #[allow(dead_code)] // `vconst` and `shuffle` have their own handlers.
                pub struct $op;
                rows!(@$kind $op ($($arg)*) $f);
            )*
        };
        (@un $op:ident () $f:ident) => {
            impl VUn for $op { #[inline(always)] fn eval(a: u128) -> u128 { sem::$f(a) } }
        };
        (@bin $op:ident () $f:ident) => {
            impl VBin for $op { #[inline(always)] fn eval(a: u128, b: u128) -> u128 { sem::$f(a, b) } }
        };
        (@tern $op:ident () $f:ident) => {
            impl VTern for $op {
                #[inline(always)]
                fn eval(a: u128, b: u128, c: u128) -> u128 { sem::$f(a, b, c) }
            }
        };
        (@test $op:ident () $f:ident) => {
            impl VTest for $op { #[inline(always)] fn eval(a: u128) -> i32 { sem::$f(a) } }
        };
        (@shift $op:ident () $f:ident) => {
            impl VShift for $op { #[inline(always)] fn eval(a: u128, n: i32) -> u128 { sem::$f(a, n) } }
        };
        (@splat $op:ident ($t:ident) $f:ident) => {
            impl VSplat for $op { type T = $t; #[inline(always)] fn eval(x: $t) -> u128 { sem::$f(x) } }
        };
        (@extract $op:ident ($t:ident, $n:literal) $f:ident) => {
            impl VExtract for $op { type T = $t; #[inline(always)] fn eval(a: u128, l: u8) -> $t { sem::$f(a, l) } }
        };
        (@replace $op:ident ($t:ident, $n:literal) $f:ident) => {
            impl VReplace for $op {
                type T = $t;
                #[inline(always)]
                fn eval(a: u128, l: u8, x: $t) -> u128 { sem::$f(a, l, x) }
            }
        };
        (@load $op:ident ($a:literal) $f:ident) => {
            impl VMem for $op { const N: usize = 1 << $a; #[inline(always)] fn eval(x: u128) -> u128 { sem::$f(x) } }
        };
        (@store $op:ident ($a:literal) $f:ident) => { rows!(@load $op ($a) $f); };
        (@load_lane $op:ident ($a:literal) $f:ident) => {
            impl VLoadLane for $op {
                const N: usize = 1 << $a;
                #[inline(always)]
                fn eval(v: u128, l: u8, x: u64) -> u128 { sem::$f(v, l, x) }
            }
        };
        (@store_lane $op:ident ($a:literal) $f:ident) => {
            impl VStoreLane for $op {
                const N: usize = 1 << $a;
                #[inline(always)]
                fn eval(v: u128, l: u8) -> u64 { sem::$f(v, l) }
            }
        };
        (@vconst $op:ident () $f:ident) => {};
        (@shuffle $op:ident () $f:ident) => {};
    }
    crate::for_each_simd_op!(rows);
}

// ---------------------------------------------------------------- handlers

const UN: usize = op_words(sf::UN);
const BIN: usize = op_words(sf::BIN);
const TERN: usize = op_words(sf::TERN);
const TEST: usize = op_words(sf::TEST);
const SHIFT: usize = op_words(sf::SHIFT);
const SPLAT: usize = op_words(sf::SPLAT);
const EXTRACT: usize = op_words(sf::EXTRACT);
const REPLACE: usize = op_words(sf::REPLACE);
const LOAD: usize = op_words(sf::LOAD);
const STORE: usize = op_words(sf::STORE);
const LOAD_LANE: usize = op_words(sf::LOAD_LANE);
const STORE_LANE: usize = op_words(sf::STORE_LANE);
const VCONST: usize = op_words(sf::VCONST);
const SHUFFLE: usize = op_words(sf::SHUFFLE);

handler!(v_un<O: VUn>(ip, fp, mem, len, cx, ra, rf, rd) {
    set128(fp, field(ip, 0), O::eval(get128(fp, field(ip, 1))));
    next!(ip.add(UN), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_bin<O: VBin>(ip, fp, mem, len, cx, ra, rf, rd) {
    let v = O::eval(get128(fp, field(ip, 1)), get128(fp, field(ip, 2)));
    set128(fp, field(ip, 0), v);
    next!(ip.add(BIN), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_tern<O: VTern>(ip, fp, mem, len, cx, ra, rf, rd) {
    let v = O::eval(get128(fp, field(ip, 1)), get128(fp, field(ip, 2)), get128(fp, field(ip, 3)));
    set128(fp, field(ip, 0), v);
    next!(ip.add(TERN), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_test<O: VTest>(ip, fp, mem, len, cx, ra, rf, rd) {
    set(fp, field(ip, 0), O::eval(get128(fp, field(ip, 1))).to_slot());
    next!(ip.add(TEST), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_shift<O: VShift>(ip, fp, mem, len, cx, ra, rf, rd) {
    let v = O::eval(get128(fp, field(ip, 1)), i32::from_slot(get(fp, field(ip, 2))));
    set128(fp, field(ip, 0), v);
    next!(ip.add(SHIFT), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_splat<O: VSplat>(ip, fp, mem, len, cx, ra, rf, rd) {
    set128(fp, field(ip, 0), O::eval(O::T::from_slot(get(fp, field(ip, 1)))));
    next!(ip.add(SPLAT), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_extract<O: VExtract>(ip, fp, mem, len, cx, ra, rf, rd) {
    let x = O::eval(get128(fp, field(ip, 1)), field(ip, 2) as u8);
    set(fp, field(ip, 0), x.to_slot());
    next!(ip.add(EXTRACT), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_replace<O: VReplace>(ip, fp, mem, len, cx, ra, rf, rd) {
    let x = O::T::from_slot(get(fp, field(ip, 2)));
    let v = O::eval(get128(fp, field(ip, 1)), field(ip, 3) as u8, x);
    set128(fp, field(ip, 0), v);
    next!(ip.add(REPLACE), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_load<O: VMem>(ip, fp, mem, len, cx, ra, rf, rd) {
    let addr = i32::from_slot(get(fp, field(ip, 1)));
    let Some(ea) = effective::<false>(addr, read::u32(ip.add(HW + 2)), O::N as u64, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`: inside the memory.
    let x = read_var(mem.add(ea), O::N);
    set128(fp, field(ip, 0), O::eval(x));
    next!(ip.add(LOAD), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_store<O: VMem>(ip, fp, mem, len, cx, ra, rf, rd) {
    let addr = i32::from_slot(get(fp, field(ip, 0)));
    let v = O::eval(get128(fp, field(ip, 1)));
    let Some(ea) = effective::<false>(addr, read::u32(ip.add(HW + 2)), O::N as u64, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`.
    write_var(mem.add(ea), v, O::N);
    next!(ip.add(STORE), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_load_lane<O: VLoadLane>(ip, fp, mem, len, cx, ra, rf, rd) {
    let addr = i32::from_slot(get(fp, field(ip, 1)));
    let Some(ea) = effective::<false>(addr, read::u32(ip.add(HW + 3)), O::N as u64, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`.
    let x = read_var(mem.add(ea), O::N);
    let v = O::eval(get128(fp, field(ip, 2)), field(ip, 5) as u8, x as u64);
    set128(fp, field(ip, 0), v);
    next!(ip.add(LOAD_LANE), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_store_lane<O: VStoreLane>(ip, fp, mem, len, cx, ra, rf, rd) {
    let addr = i32::from_slot(get(fp, field(ip, 0)));
    let x = u128::from(O::eval(get128(fp, field(ip, 1)), field(ip, 4) as u8));
    let Some(ea) = effective::<false>(addr, read::u32(ip.add(HW + 2)), O::N as u64, len) else {
        return trap(ip.add(1), fp, cx, TrapCode::OutOfBoundsMemoryAccess);
    };
    // SAFETY: `ea + N <= len`.
    write_var(mem.add(ea), x, O::N);
    next!(ip.add(STORE_LANE), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_const(ip, fp, mem, len, cx, ra, rf, rd) {
    set128(fp, field(ip, 0), imm128(ip.add(HW + 1)));
    next!(ip.add(VCONST), fp, mem, len, cx, ra, rf, rd)
});

handler!(v_shuffle(ip, fp, mem, len, cx, ra, rf, rd) {
    let lanes = imm128(ip.add(HW + 3)).to_le_bytes();
    let v = crate::exec::simd::i8x16_shuffle(get128(fp, field(ip, 1)), get128(fp, field(ip, 2)), &lanes);
    set128(fp, field(ip, 0), v);
    next!(ip.add(SHUFFLE), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_get_v(ip, fp, mem, len, cx, ra, rf, rd) {
    let g = (*cx).global(read::u32(ip.add(HW + 1)));
    // SAFETY: a global's `hi` follows its `value` (`GlobalInst`).
    set128(fp, field(ip, 0), u128::from(*g) | u128::from(*g.add(1)) << 64);
    next!(ip.add(op::GlobalGetV::LEN), fp, mem, len, cx, ra, rf, rd)
});

handler!(global_set_v(ip, fp, mem, len, cx, ra, rf, rd) {
    let g = (*cx).global(read::u32(ip.add(HW)));
    let v = get128(fp, field(ip, 2));
    // SAFETY: as above.
    *g = v as u64;
    *g.add(1) = (v >> 64) as u64;
    next!(ip.add(op::GlobalSetV::LEN), fp, mem, len, cx, ra, rf, rd)
});

/// A SIMD load or store of a memory other than 0 (`Misc::SimdMemM`),
/// out of line: `mem` and `len` describe that memory.
///
/// # Safety
/// `mem` must be valid for `len` bytes and the op's slots must lie in the
/// frame `fp`.
pub(crate) unsafe fn simd_mem_k(o: &op::SimdMemM, mem: *mut u8, len: usize, addr: u64, fp: Fp) -> Result<(), TrapCode> {
    let at = |n: usize| super::effective64(addr, o.off, n as u64, len);
    macro_rules! ops {
        ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
            $(ops!(@$kind $op);)*
        };
        (@load $op:ident) => {
            if o.op == SimdOp::$op as u16 {
                let ea = at(<rows::$op as VMem>::N)?;
                // SAFETY: `ea + N <= len`.
                let x = unsafe { read_var(mem.add(ea), <rows::$op as VMem>::N) };
                unsafe { set128(fp, o.d, <rows::$op as VMem>::eval(x)) };
                return Ok(());
            }
        };
        (@store $op:ident) => {
            if o.op == SimdOp::$op as u16 {
                let v = <rows::$op as VMem>::eval(unsafe { get128(fp, o.v) });
                let ea = at(<rows::$op as VMem>::N)?;
                // SAFETY: as above.
                unsafe { write_var(mem.add(ea), v, <rows::$op as VMem>::N) };
                return Ok(());
            }
        };
        (@load_lane $op:ident) => {
            if o.op == SimdOp::$op as u16 {
                let ea = at(<rows::$op as VLoadLane>::N)?;
                // SAFETY: as above.
                let x = unsafe { read_var(mem.add(ea), <rows::$op as VLoadLane>::N) } as u64;
                let v = <rows::$op as VLoadLane>::eval(unsafe { get128(fp, o.v) }, o.lane as u8, x);
                unsafe { set128(fp, o.d, v) };
                return Ok(());
            }
        };
        (@store_lane $op:ident) => {
            if o.op == SimdOp::$op as u16 {
                let x = <rows::$op as VStoreLane>::eval(unsafe { get128(fp, o.v) }, o.lane as u8);
                let ea = at(<rows::$op as VStoreLane>::N)?;
                // SAFETY: as above.
                unsafe { write_var(mem.add(ea), u128::from(x), <rows::$op as VStoreLane>::N) };
                return Ok(());
            }
        };
        (@$kind:ident $op:ident) => {};
    }
    crate::for_each_simd_op!(ops);
    Err(TrapCode::OutOfBoundsMemoryAccess)
}

/// Reads `n <= 16` bytes at `p`, zero-extended. Inlined where `n` is a
/// constant: the copy is then one load, and no stack address reaches a
/// call (see `exec::simd` on tail calls).
#[inline(always)]
unsafe fn read_var(p: *const u8, n: usize) -> u128 {
    let mut b = [0u8; 16];
    // SAFETY: `p` is readable for `n` bytes (caller).
    unsafe { std::ptr::copy_nonoverlapping(p, b.as_mut_ptr(), n.min(16)) };
    u128::from_le_bytes(b)
}

/// Writes the low `n <= 16` bytes of `v` at `p` (inlined as `read_var`).
#[inline(always)]
unsafe fn write_var(p: *mut u8, v: u128, n: usize) {
    // SAFETY: `p` is writable for `n` bytes (caller).
    unsafe { std::ptr::copy_nonoverlapping(v.to_le_bytes().as_ptr(), p, n.min(16)) }
}

/// Puts the SIMD handlers into the opcode table.
pub(super) const fn fill(mut t: [Handler; OPCODES]) -> [Handler; OPCODES] {
    macro_rules! forms {
        ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
            $(t[simd_opcode(SimdOp::$op) as usize] = forms!(@$kind $op);)*
        };
        (@un $op:ident) => { v_un::<rows::$op> };
        (@bin $op:ident) => { v_bin::<rows::$op> };
        (@tern $op:ident) => { v_tern::<rows::$op> };
        (@test $op:ident) => { v_test::<rows::$op> };
        (@shift $op:ident) => { v_shift::<rows::$op> };
        (@splat $op:ident) => { v_splat::<rows::$op> };
        (@extract $op:ident) => { v_extract::<rows::$op> };
        (@replace $op:ident) => { v_replace::<rows::$op> };
        (@load $op:ident) => { v_load::<rows::$op> };
        (@store $op:ident) => { v_store::<rows::$op> };
        (@load_lane $op:ident) => { v_load_lane::<rows::$op> };
        (@store_lane $op:ident) => { v_store_lane::<rows::$op> };
        (@vconst $op:ident) => { v_const };
        (@shuffle $op:ident) => { v_shuffle };
    }
    crate::for_each_simd_op!(forms);
    t
}
