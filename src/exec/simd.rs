//! SIMD semantics (spec 4.3 "Numerics", vector instructions): one plain
//! function per row of [`for_each_simd_op!`](crate::for_each_simd_op), named
//! by its `semantics_fn`, with the signature its kind gives (see
//! `crate::isa_simd`). A `v128` is a `u128` whose little-endian bytes are the
//! lanes; lane-wise operators split it into an array, map, and join it again
//! (plain loops over arrays the compiler can vectorise). Scalar lane
//! semantics, including the NaN rules of float lanes, are those of
//! [`exec::num`](super::num), written once for both.
//!
//! Relaxed SIMD (Wasm 3.0) leaves some results to the implementation;
//! wasmint picks one, the same on every machine:
//! - `relaxed_swizzle`, `relaxed_trunc*`, `relaxed_laneselect`,
//!   `relaxed_min`/`max`, `relaxed_q15mulr_s`: exactly `swizzle`,
//!   `trunc_sat*`, `bitselect`, `min`/`max`, `q15mulr_sat_s`;
//! - `relaxed_madd`/`nmadd`: unfused, `a * b + c` and `-(a * b) + c` with two
//!   roundings (the `mul` then `add` of the non-relaxed instructions);
//! - `relaxed_dot_i8x16_i7x16_s`: both operands signed, each pair's sum
//!   saturated to i16; `..._add_s` adds two such sums and `c`, wrapping.
//!
//! Lane indices are masked to the lane count: the validator rejects larger
//! ones, and masking keeps these functions total.

use super::num;
use crate::runtime::Value;
use crate::syntax::{Instr, SimdImm, SimdOp};

/// A lane type: its little-endian bytes in a v128.
trait Lane: Copy {
    const SIZE: usize;
    fn from_le(b: &[u8]) -> Self;
    fn to_le(self, b: &mut [u8]);
}

macro_rules! lane {
    ($($t:ty)*) => {$(
        impl Lane for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn from_le(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_le_bytes(a)
            }
            #[inline(always)]
            fn to_le(self, b: &mut [u8]) {
                b[..Self::SIZE].copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
lane!(i8 u8 i16 u16 i32 u32 i64 u64 f32 f64);

// Lane arrays are built and walked with plain index loops, not
// `std::array::from_fn` or `array::map`: those are not always inlined, and
// a handler that passes the address of a local array to a call cannot end
// in a tail call (the engine's dispatch), so it would grow the native stack
// at every op. `every_simd_handler_ends_in_a_tail_call` checks.

/// The array of `f(i)` for `i < N`.
#[inline(always)]
fn build<T: Copy, const N: usize>(f: impl Fn(usize) -> T) -> [T; N] {
    let mut out = [f(0); N];
    let mut i = 1;
    while i < N {
        out[i] = f(i);
        i += 1;
    }
    out
}

/// The `N` lanes of type `T` of `v`.
#[inline(always)]
fn lanes<T: Lane, const N: usize>(v: u128) -> [T; N] {
    let b = v.to_le_bytes();
    build(|i| T::from_le(&b[i * T::SIZE..]))
}

/// The v128 of lanes `a`.
#[inline(always)]
fn pack<T: Lane, const N: usize>(a: [T; N]) -> u128 {
    let mut b = [0u8; 16];
    let mut i = 0;
    while i < N {
        a[i].to_le(&mut b[i * T::SIZE..]);
        i += 1;
    }
    u128::from_le_bytes(b)
}

#[inline(always)]
fn map<T: Lane, const N: usize>(v: u128, f: impl Fn(T) -> T) -> u128 {
    let a = lanes::<T, N>(v);
    pack::<T, N>(build(|i| f(a[i])))
}

#[inline(always)]
fn zip<T: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(T, T) -> T) -> u128 {
    let (a, b) = (lanes::<T, N>(a), lanes::<T, N>(b));
    pack::<T, N>(build(|i| f(a[i], b[i])))
}

/// A comparison: all ones in the lanes where `f` holds.
#[inline(always)]
fn cmp<T: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(T, T) -> bool) -> u128 {
    let (a, b) = (lanes::<T, N>(a), lanes::<T, N>(b));
    let mut out = [0u8; 16];
    for i in 0..N {
        if f(a[i], b[i]) {
            out[i * T::SIZE..(i + 1) * T::SIZE].fill(0xff);
        }
    }
    u128::from_le_bytes(out)
}

/// Lanes `from..from + M` of `v` (type `F`), converted to `M` lanes of `T`.
#[inline(always)]
fn convert<F: Lane, T: Lane, const N: usize, const M: usize>(v: u128, from: usize, f: impl Fn(F) -> T) -> u128 {
    let a = lanes::<F, N>(v);
    let mut out = [0u8; 16];
    for i in 0..M {
        f(a[from + i]).to_le(&mut out[i * T::SIZE..]);
    }
    u128::from_le_bytes(out)
}

/// `f` of lanes `2i` and `2i + 1` of `a` and `b` (type `F`), as lane `i` of `T`.
#[inline(always)]
fn pairs<F: Lane, T: Lane, const N: usize, const M: usize>(a: u128, b: u128, f: impl Fn(F, F, F, F) -> T) -> u128 {
    let (a, b) = (lanes::<F, N>(a), lanes::<F, N>(b));
    pack::<T, M>(build(|i| f(a[2 * i], a[2 * i + 1], b[2 * i], b[2 * i + 1])))
}

/// The lanes of `a` then `b` (type `F`), each narrowed by `f`.
#[inline(always)]
fn narrow<F: Lane, T: Lane, const N: usize, const M: usize>(a: u128, b: u128, f: impl Fn(F) -> T) -> u128 {
    let (a, b) = (lanes::<F, N>(a), lanes::<F, N>(b));
    pack::<T, M>(build(|i| f(if i < N { a[i] } else { b[i - N] })))
}

// ------------------------------------------------------- memory, constants

/// Lane `l` (of `16 / W` lanes of `W` bytes) of `v` replaced by the low
/// bytes of `x`.
#[inline(always)]
fn set_lane<const W: usize>(v: u128, l: u8, x: u64) -> u128 {
    let mut b = v.to_le_bytes();
    let i = usize::from(l) % (16 / W) * W;
    b[i..i + W].copy_from_slice(&x.to_le_bytes()[..W]);
    u128::from_le_bytes(b)
}

/// Lane `l` of `v`, as in [`set_lane`], zero-extended.
#[inline(always)]
fn get_lane<const W: usize>(v: u128, l: u8) -> u64 {
    let b = v.to_le_bytes();
    let i = usize::from(l) % (16 / W) * W;
    let mut x = [0u8; 8];
    x[..W].copy_from_slice(&b[i..i + W]);
    u64::from_le_bytes(x)
}

#[inline]
pub fn v128_load(x: u128) -> u128 {
    x
}
#[inline]
pub fn v128_store(x: u128) -> u128 {
    x
}
#[inline]
pub fn v128_load32_zero(x: u128) -> u128 {
    x as u32 as u128
}
#[inline]
pub fn v128_load64_zero(x: u128) -> u128 {
    x as u64 as u128
}
#[inline]
pub fn v128_const(b: [u8; 16]) -> u128 {
    u128::from_le_bytes(b)
}

macro_rules! load_extend {
    ($($name:ident $f:ty => $t:ty, $n:literal $m:literal;)*) => {$(
        #[inline]
        pub fn $name(x: u128) -> u128 {
            convert::<$f, $t, $n, $m>(x, 0, <$t>::from)
        }
    )*};
}
load_extend! {
    v128_load8x8_s i8 => i16, 16 8;
    v128_load8x8_u u8 => u16, 16 8;
    v128_load16x4_s i16 => i32, 8 4;
    v128_load16x4_u u16 => u32, 8 4;
    v128_load32x2_s i32 => i64, 4 2;
    v128_load32x2_u u32 => u64, 4 2;
}

macro_rules! lane_access {
    ($($load_splat:ident $load:ident $store:ident $w:literal;)*) => {$(
        #[inline]
        pub fn $load_splat(x: u128) -> u128 {
            (0..16 / $w).fold(0, |v, l| set_lane::<$w>(v, l, x as u64))
        }
        #[inline]
        pub fn $load(v: u128, l: u8, x: u64) -> u128 {
            set_lane::<$w>(v, l, x)
        }
        #[inline]
        pub fn $store(v: u128, l: u8) -> u64 {
            get_lane::<$w>(v, l)
        }
    )*};
}
lane_access! {
    v128_load8_splat v128_load8_lane v128_store8_lane 1;
    v128_load16_splat v128_load16_lane v128_store16_lane 2;
    v128_load32_splat v128_load32_lane v128_store32_lane 4;
    v128_load64_splat v128_load64_lane v128_store64_lane 8;
}

// ------------------------------------------------- splat, extract, replace

macro_rules! lane_ops {
    ($($splat:ident $extract:ident $replace:ident: $t:ty, $lane:ty, $n:literal, $w:literal,
       |$x:ident| $to_bits:expr, |$b:ident| $from_bits:expr;)*) => {$(
        #[inline]
        pub fn $splat($x: $t) -> u128 {
            pack::<$lane, $n>([$to_bits; $n])
        }
        #[inline]
        pub fn $extract(v: u128, l: u8) -> $t {
            let $b = lanes::<$lane, $n>(v)[usize::from(l) % $n];
            $from_bits
        }
        #[inline]
        pub fn $replace(v: u128, l: u8, $x: $t) -> u128 {
            let mut a = lanes::<$lane, $n>(v);
            a[usize::from(l) % $n] = $to_bits;
            pack(a)
        }
    )*};
}
lane_ops! {
    i8x16_splat i8x16_extract_lane_s i8x16_replace_lane: i32, i8, 16, 1, |x| x as i8, |b| i32::from(b);
    i16x8_splat i16x8_extract_lane_s i16x8_replace_lane: i32, i16, 8, 2, |x| x as i16, |b| i32::from(b);
    i32x4_splat i32x4_extract_lane i32x4_replace_lane: i32, i32, 4, 4, |x| x, |b| b;
    i64x2_splat i64x2_extract_lane i64x2_replace_lane: i64, i64, 2, 8, |x| x, |b| b;
    f32x4_splat f32x4_extract_lane f32x4_replace_lane: f32, f32, 4, 4, |x| x, |b| b;
    f64x2_splat f64x2_extract_lane f64x2_replace_lane: f64, f64, 2, 8, |x| x, |b| b;
}

#[inline]
pub fn i8x16_extract_lane_u(v: u128, l: u8) -> i32 {
    i32::from(lanes::<u8, 16>(v)[usize::from(l) % 16])
}
#[inline]
pub fn i16x8_extract_lane_u(v: u128, l: u8) -> i32 {
    i32::from(lanes::<u16, 8>(v)[usize::from(l) % 8])
}

// -------------------------------------------------------- shuffle, bitwise

/// Lane `i` of the result is byte `lanes[i]` of `a` then `b` (indices are
/// below 32 in valid code; masked here). Always inlined: a handler that
/// passed the address of its `lanes` to a call could not end in a tail call.
#[inline(always)]
pub fn i8x16_shuffle(a: u128, b: u128, lanes: &[u8; 16]) -> u128 {
    let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
    let mut out = [0u8; 16];
    for (o, &l) in out.iter_mut().zip(lanes) {
        *o = if l & 16 == 0 { a[usize::from(l & 15)] } else { b[usize::from(l & 15)] };
    }
    u128::from_le_bytes(out)
}

/// Lane `i` is byte `s[i]` of `a`, or 0 for indices of 16 and more.
#[inline]
pub fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let a = a.to_le_bytes();
    let s = s.to_le_bytes();
    u128::from_le_bytes(build(|k| a.get(usize::from(s[k])).copied().unwrap_or(0)))
}

#[inline]
pub fn v128_not(a: u128) -> u128 {
    !a
}
#[inline]
pub fn v128_and(a: u128, b: u128) -> u128 {
    a & b
}
#[inline]
pub fn v128_andnot(a: u128, b: u128) -> u128 {
    a & !b
}
#[inline]
pub fn v128_or(a: u128, b: u128) -> u128 {
    a | b
}
#[inline]
pub fn v128_xor(a: u128, b: u128) -> u128 {
    a ^ b
}
/// Bits of `a` where `c` is 1, of `b` where it is 0.
#[inline]
pub fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}
#[inline]
pub fn v128_any_true(a: u128) -> i32 {
    i32::from(a != 0)
}

// ---------------------------------------------------------------- integers

/// The operators every integer shape has; `$s`/`$u` are its signed and
/// unsigned lane types, `$n` the lane count.
#[rustfmt::skip]
macro_rules! int_shape {
    ($s:ty, $u:ty, $n:literal,
     $eq:ident $ne:ident $lt_s:ident $gt_s:ident $le_s:ident $ge_s:ident
     $abs:ident $neg:ident $all_true:ident $bitmask:ident $shl:ident $shr_s:ident $shr_u:ident
     $add:ident $sub:ident) => {
        #[inline] pub fn $eq(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x == y) }
        #[inline] pub fn $ne(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x != y) }
        #[inline] pub fn $lt_s(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x < y) }
        #[inline] pub fn $gt_s(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x > y) }
        #[inline] pub fn $le_s(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x <= y) }
        #[inline] pub fn $ge_s(a: u128, b: u128) -> u128 { cmp::<$s, $n>(a, b, |x, y| x >= y) }
        #[inline] pub fn $abs(a: u128) -> u128 { map::<$s, $n>(a, <$s>::wrapping_abs) }
        #[inline] pub fn $neg(a: u128) -> u128 { map::<$s, $n>(a, <$s>::wrapping_neg) }
        #[inline] pub fn $all_true(a: u128) -> i32 { i32::from(lanes::<$s, $n>(a).iter().all(|&x| x != 0)) }
        /// Bit `i` is the sign of lane `i`.
        #[inline]
        pub fn $bitmask(a: u128) -> i32 {
            lanes::<$s, $n>(a).iter().enumerate().fold(0, |m, (i, &x)| m | (i32::from(x < 0) << i))
        }
        // The count is taken modulo the lane width (`wrapping_sh*` does).
        #[inline] pub fn $shl(a: u128, c: i32) -> u128 { map::<$s, $n>(a, |x| x.wrapping_shl(c as u32)) }
        #[inline] pub fn $shr_s(a: u128, c: i32) -> u128 { map::<$s, $n>(a, |x| x.wrapping_shr(c as u32)) }
        #[inline] pub fn $shr_u(a: u128, c: i32) -> u128 { map::<$u, $n>(a, |x| x.wrapping_shr(c as u32)) }
        #[inline] pub fn $add(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::wrapping_add) }
        #[inline] pub fn $sub(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::wrapping_sub) }
    };
}

#[rustfmt::skip]
int_shape!(i8, u8, 16, i8x16_eq i8x16_ne i8x16_lt_s i8x16_gt_s i8x16_le_s i8x16_ge_s
    i8x16_abs i8x16_neg i8x16_all_true i8x16_bitmask i8x16_shl i8x16_shr_s i8x16_shr_u i8x16_add i8x16_sub);
#[rustfmt::skip]
int_shape!(i16, u16, 8, i16x8_eq i16x8_ne i16x8_lt_s i16x8_gt_s i16x8_le_s i16x8_ge_s
    i16x8_abs i16x8_neg i16x8_all_true i16x8_bitmask i16x8_shl i16x8_shr_s i16x8_shr_u i16x8_add i16x8_sub);
#[rustfmt::skip]
int_shape!(i32, u32, 4, i32x4_eq i32x4_ne i32x4_lt_s i32x4_gt_s i32x4_le_s i32x4_ge_s
    i32x4_abs i32x4_neg i32x4_all_true i32x4_bitmask i32x4_shl i32x4_shr_s i32x4_shr_u i32x4_add i32x4_sub);
#[rustfmt::skip]
int_shape!(i64, u64, 2, i64x2_eq i64x2_ne i64x2_lt_s i64x2_gt_s i64x2_le_s i64x2_ge_s
    i64x2_abs i64x2_neg i64x2_all_true i64x2_bitmask i64x2_shl i64x2_shr_s i64x2_shr_u i64x2_add i64x2_sub);

/// The operators of the 8-, 16- and 32-bit shapes only: unsigned compares,
/// min and max (i64x2 has none of these).
#[rustfmt::skip]
macro_rules! int_shape_small {
    ($s:ty, $u:ty, $n:literal,
     $lt_u:ident $gt_u:ident $le_u:ident $ge_u:ident $min_s:ident $min_u:ident $max_s:ident $max_u:ident) => {
        #[inline] pub fn $lt_u(a: u128, b: u128) -> u128 { cmp::<$u, $n>(a, b, |x, y| x < y) }
        #[inline] pub fn $gt_u(a: u128, b: u128) -> u128 { cmp::<$u, $n>(a, b, |x, y| x > y) }
        #[inline] pub fn $le_u(a: u128, b: u128) -> u128 { cmp::<$u, $n>(a, b, |x, y| x <= y) }
        #[inline] pub fn $ge_u(a: u128, b: u128) -> u128 { cmp::<$u, $n>(a, b, |x, y| x >= y) }
        #[inline] pub fn $min_s(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::min) }
        #[inline] pub fn $min_u(a: u128, b: u128) -> u128 { zip::<$u, $n>(a, b, <$u>::min) }
        #[inline] pub fn $max_s(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::max) }
        #[inline] pub fn $max_u(a: u128, b: u128) -> u128 { zip::<$u, $n>(a, b, <$u>::max) }
    };
}
#[rustfmt::skip]
int_shape_small!(i8, u8, 16, i8x16_lt_u i8x16_gt_u i8x16_le_u i8x16_ge_u i8x16_min_s i8x16_min_u i8x16_max_s i8x16_max_u);
#[rustfmt::skip]
int_shape_small!(i16, u16, 8, i16x8_lt_u i16x8_gt_u i16x8_le_u i16x8_ge_u i16x8_min_s i16x8_min_u i16x8_max_s i16x8_max_u);
#[rustfmt::skip]
int_shape_small!(i32, u32, 4, i32x4_lt_u i32x4_gt_u i32x4_le_u i32x4_ge_u i32x4_min_s i32x4_min_u i32x4_max_s i32x4_max_u);

/// Saturating add/sub and rounding average (8- and 16-bit shapes).
#[rustfmt::skip]
macro_rules! int_shape_sat {
    ($s:ty, $u:ty, $n:literal, $add_s:ident $add_u:ident $sub_s:ident $sub_u:ident $avgr_u:ident) => {
        #[inline] pub fn $add_s(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::saturating_add) }
        #[inline] pub fn $add_u(a: u128, b: u128) -> u128 { zip::<$u, $n>(a, b, <$u>::saturating_add) }
        #[inline] pub fn $sub_s(a: u128, b: u128) -> u128 { zip::<$s, $n>(a, b, <$s>::saturating_sub) }
        #[inline] pub fn $sub_u(a: u128, b: u128) -> u128 { zip::<$u, $n>(a, b, <$u>::saturating_sub) }
        /// `(a + b + 1) / 2` without overflow.
        #[inline] pub fn $avgr_u(a: u128, b: u128) -> u128 { zip::<$u, $n>(a, b, |x, y| (x >> 1) + (y >> 1) + ((x | y) & 1)) }
    };
}
int_shape_sat!(i8, u8, 16, i8x16_add_sat_s i8x16_add_sat_u i8x16_sub_sat_s i8x16_sub_sat_u i8x16_avgr_u);
int_shape_sat!(i16, u16, 8, i16x8_add_sat_s i16x8_add_sat_u i16x8_sub_sat_s i16x8_sub_sat_u i16x8_avgr_u);

#[inline]
pub fn i8x16_popcnt(a: u128) -> u128 {
    map::<u8, 16>(a, |x| x.count_ones() as u8)
}
#[inline]
pub fn i16x8_mul(a: u128, b: u128) -> u128 {
    zip::<i16, 8>(a, b, i16::wrapping_mul)
}
#[inline]
pub fn i32x4_mul(a: u128, b: u128) -> u128 {
    zip::<i32, 4>(a, b, i32::wrapping_mul)
}
#[inline]
pub fn i64x2_mul(a: u128, b: u128) -> u128 {
    zip::<i64, 2>(a, b, i64::wrapping_mul)
}

/// Rounding Q15 multiplication, saturated (only `-1 * -1` overflows).
#[inline]
pub fn i16x8_q15mulr_sat_s(a: u128, b: u128) -> u128 {
    zip::<i16, 8>(a, b, |x, y| ((i32::from(x) * i32::from(y) + 0x4000) >> 15).clamp(-0x8000, 0x7fff) as i16)
}

/// Sums of adjacent signed products, wrapping (only all `-0x8000` overflows).
#[inline]
pub fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
    pairs::<i16, i32, 8, 4>(a, b, |a0, a1, b0, b1| {
        (i32::from(a0) * i32::from(b0)).wrapping_add(i32::from(a1) * i32::from(b1))
    })
}

macro_rules! narrow {
    ($($name:ident $f:ty => $t:ty, $n:literal $m:literal;)*) => {$(
        /// The lanes of `a` then `b`, saturated.
        #[inline]
        pub fn $name(a: u128, b: u128) -> u128 {
            narrow::<$f, $t, $n, $m>(a, b, |x| x.clamp(<$t>::MIN.into(), <$t>::MAX.into()) as $t)
        }
    )*};
}
narrow! {
    i8x16_narrow_i16x8_s i16 => i8, 8 16;
    i8x16_narrow_i16x8_u i16 => u8, 8 16;
    i16x8_narrow_i32x4_s i32 => i16, 4 8;
    i16x8_narrow_i32x4_u i32 => u16, 4 8;
}

macro_rules! extend {
    ($($low:ident $high:ident $f:ty => $t:ty, $n:literal $m:literal;)*) => {$(
        #[inline]
        pub fn $low(a: u128) -> u128 {
            convert::<$f, $t, $n, $m>(a, 0, <$t>::from)
        }
        #[inline]
        pub fn $high(a: u128) -> u128 {
            convert::<$f, $t, $n, $m>(a, $m, <$t>::from)
        }
    )*};
}
extend! {
    i16x8_extend_low_i8x16_s i16x8_extend_high_i8x16_s i8 => i16, 16 8;
    i16x8_extend_low_i8x16_u i16x8_extend_high_i8x16_u u8 => u16, 16 8;
    i32x4_extend_low_i16x8_s i32x4_extend_high_i16x8_s i16 => i32, 8 4;
    i32x4_extend_low_i16x8_u i32x4_extend_high_i16x8_u u16 => u32, 8 4;
    i64x2_extend_low_i32x4_s i64x2_extend_high_i32x4_s i32 => i64, 4 2;
    i64x2_extend_low_i32x4_u i64x2_extend_high_i32x4_u u32 => u64, 4 2;
}

macro_rules! extmul {
    ($($low:ident $high:ident $f:ty => $t:ty, $n:literal $m:literal;)*) => {$(
        /// Products of the low (high) lanes, in lanes twice as wide (they
        /// cannot overflow).
        #[inline]
        pub fn $low(a: u128, b: u128) -> u128 {
            let (a, b) = (lanes::<$f, $n>(a), lanes::<$f, $n>(b));
            pack::<$t, $m>(build(|i| <$t>::from(a[i]) * <$t>::from(b[i])))
        }
        #[inline]
        pub fn $high(a: u128, b: u128) -> u128 {
            let (a, b) = (lanes::<$f, $n>(a), lanes::<$f, $n>(b));
            pack::<$t, $m>(build(|i| <$t>::from(a[i + $m]) * <$t>::from(b[i + $m])))
        }
    )*};
}
extmul! {
    i16x8_extmul_low_i8x16_s i16x8_extmul_high_i8x16_s i8 => i16, 16 8;
    i16x8_extmul_low_i8x16_u i16x8_extmul_high_i8x16_u u8 => u16, 16 8;
    i32x4_extmul_low_i16x8_s i32x4_extmul_high_i16x8_s i16 => i32, 8 4;
    i32x4_extmul_low_i16x8_u i32x4_extmul_high_i16x8_u u16 => u32, 8 4;
    i64x2_extmul_low_i32x4_s i64x2_extmul_high_i32x4_s i32 => i64, 4 2;
    i64x2_extmul_low_i32x4_u i64x2_extmul_high_i32x4_u u32 => u64, 4 2;
}

macro_rules! extadd_pairwise {
    ($($name:ident $f:ty => $t:ty, $n:literal $m:literal;)*) => {$(
        /// Sums of adjacent lanes, in lanes twice as wide.
        #[inline]
        pub fn $name(a: u128) -> u128 {
            pairs::<$f, $t, $n, $m>(a, 0, |x0, x1, _, _| <$t>::from(x0) + <$t>::from(x1))
        }
    )*};
}
extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s i8 => i16, 16 8;
    i16x8_extadd_pairwise_i8x16_u u8 => u16, 16 8;
    i32x4_extadd_pairwise_i16x8_s i16 => i32, 8 4;
    i32x4_extadd_pairwise_i16x8_u u16 => u32, 8 4;
}

// ------------------------------------------------------------------ floats

/// Lane-wise operators of one float shape: `name un|bin|cmp f`, `f` a
/// scalar function (from `exec::num`, for the NaN rules) or a closure.
macro_rules! float_lanewise {
    ($f:ty, $n:literal; $($name:ident $kind:ident $op:expr;)*) => {$(
        float_lanewise!(@fn $kind $name $f, $n, $op);
    )*};
    (@fn un $name:ident $f:ty, $n:literal, $op:expr) => {
        #[inline] pub fn $name(a: u128) -> u128 { map::<$f, $n>(a, $op) }
    };
    (@fn bin $name:ident $f:ty, $n:literal, $op:expr) => {
        #[inline] pub fn $name(a: u128, b: u128) -> u128 { zip::<$f, $n>(a, b, $op) }
    };
    (@fn cmp $name:ident $f:ty, $n:literal, $op:expr) => {
        #[inline] pub fn $name(a: u128, b: u128) -> u128 { cmp::<$f, $n>(a, b, $op) }
    };
}

// `pmin` is `b < a ? b : a` and `pmax` `a < b ? b : a`: the first operand
// unless the comparison holds, so NaNs and zeros pass through unchanged.
float_lanewise! { f32, 4;
    f32x4_eq cmp |x, y| x == y;
    f32x4_ne cmp |x, y| x != y;
    f32x4_lt cmp |x, y| x < y;
    f32x4_gt cmp |x, y| x > y;
    f32x4_le cmp |x, y| x <= y;
    f32x4_ge cmp |x, y| x >= y;
    f32x4_abs un num::f32_abs;
    f32x4_neg un num::f32_neg;
    f32x4_sqrt un num::f32_sqrt;
    f32x4_ceil un num::f32_ceil;
    f32x4_floor un num::f32_floor;
    f32x4_trunc un num::f32_trunc;
    f32x4_nearest un num::f32_nearest;
    f32x4_add bin num::f32_add;
    f32x4_sub bin num::f32_sub;
    f32x4_mul bin num::f32_mul;
    f32x4_div bin num::f32_div;
    f32x4_min bin num::f32_min;
    f32x4_max bin num::f32_max;
    f32x4_pmin bin |x, y| if y < x { y } else { x };
    f32x4_pmax bin |x, y| if x < y { y } else { x };
    f32x4_relaxed_min bin num::f32_min;
    f32x4_relaxed_max bin num::f32_max;
}
float_lanewise! { f64, 2;
    f64x2_eq cmp |x, y| x == y;
    f64x2_ne cmp |x, y| x != y;
    f64x2_lt cmp |x, y| x < y;
    f64x2_gt cmp |x, y| x > y;
    f64x2_le cmp |x, y| x <= y;
    f64x2_ge cmp |x, y| x >= y;
    f64x2_abs un num::f64_abs;
    f64x2_neg un num::f64_neg;
    f64x2_sqrt un num::f64_sqrt;
    f64x2_ceil un num::f64_ceil;
    f64x2_floor un num::f64_floor;
    f64x2_trunc un num::f64_trunc;
    f64x2_nearest un num::f64_nearest;
    f64x2_add bin num::f64_add;
    f64x2_sub bin num::f64_sub;
    f64x2_mul bin num::f64_mul;
    f64x2_div bin num::f64_div;
    f64x2_min bin num::f64_min;
    f64x2_max bin num::f64_max;
    f64x2_pmin bin |x, y| if y < x { y } else { x };
    f64x2_pmax bin |x, y| if x < y { y } else { x };
    f64x2_relaxed_min bin num::f64_min;
    f64x2_relaxed_max bin num::f64_max;
}

// ------------------------------------------------------------- conversions

/// `f32x4` lanes to `i32x4`, or `i32x4` to `f32x4`, lane by lane.
macro_rules! convert4 {
    ($($name:ident $f:ty => $t:ty, $op:path;)*) => {$(
        #[inline]
        pub fn $name(a: u128) -> u128 {
            convert::<$f, $t, 4, 4>(a, 0, $op)
        }
    )*};
}
convert4! {
    i32x4_trunc_sat_f32x4_s f32 => i32, num::i32_trunc_sat_f32_s;
    i32x4_trunc_sat_f32x4_u f32 => i32, num::i32_trunc_sat_f32_u;
    f32x4_convert_i32x4_s i32 => f32, num::f32_convert_i32_s;
    f32x4_convert_i32x4_u i32 => f32, num::f32_convert_i32_u;
    i32x4_relaxed_trunc_f32x4_s f32 => i32, num::i32_trunc_sat_f32_s;
    i32x4_relaxed_trunc_f32x4_u f32 => i32, num::i32_trunc_sat_f32_u;
}

/// The two lanes of an `f64x2` to the low lanes of the result (the high
/// ones zero), or the low two lanes of `a` to an `f64x2`.
macro_rules! convert2 {
    ($($name:ident $f:ty => $t:ty, $n:literal, $op:path;)*) => {$(
        #[inline]
        pub fn $name(a: u128) -> u128 {
            convert::<$f, $t, $n, 2>(a, 0, $op)
        }
    )*};
}
convert2! {
    i32x4_trunc_sat_f64x2_s_zero f64 => i32, 2, num::i32_trunc_sat_f64_s;
    i32x4_trunc_sat_f64x2_u_zero f64 => i32, 2, num::i32_trunc_sat_f64_u;
    i32x4_relaxed_trunc_f64x2_s_zero f64 => i32, 2, num::i32_trunc_sat_f64_s;
    i32x4_relaxed_trunc_f64x2_u_zero f64 => i32, 2, num::i32_trunc_sat_f64_u;
    f32x4_demote_f64x2_zero f64 => f32, 2, num::f32_demote_f64;
    f64x2_promote_low_f32x4 f32 => f64, 4, num::f64_promote_f32;
    f64x2_convert_low_i32x4_s i32 => f64, 4, num::f64_convert_i32_s;
    f64x2_convert_low_i32x4_u i32 => f64, 4, num::f64_convert_i32_u;
}

// ---------------------------------------------------------- relaxed SIMD
// The choices are listed in the module documentation.

#[inline]
pub fn i8x16_relaxed_swizzle(a: u128, s: u128) -> u128 {
    i8x16_swizzle(a, s)
}

macro_rules! madd {
    ($($madd:ident $nmadd:ident $f:ident $n:literal;)*) => {$(
        /// `a * b + c`, rounded twice.
        #[inline]
        pub fn $madd(a: u128, b: u128, c: u128) -> u128 {
            let (a, b, c) = (lanes::<$f, $n>(a), lanes::<$f, $n>(b), lanes::<$f, $n>(c));
            pack::<$f, $n>(build(|i| a[i] * b[i] + c[i]))
        }
        /// `-(a * b) + c`, rounded twice.
        #[inline]
        pub fn $nmadd(a: u128, b: u128, c: u128) -> u128 {
            let (a, b, c) = (lanes::<$f, $n>(a), lanes::<$f, $n>(b), lanes::<$f, $n>(c));
            pack::<$f, $n>(build(|i| -(a[i] * b[i]) + c[i]))
        }
    )*};
}
madd! {
    f32x4_relaxed_madd f32x4_relaxed_nmadd f32 4;
    f64x2_relaxed_madd f64x2_relaxed_nmadd f64 2;
}

/// `bitselect` whatever the shape.
macro_rules! laneselect {
    ($($name:ident)*) => {$(
        #[inline]
        pub fn $name(a: u128, b: u128, m: u128) -> u128 {
            v128_bitselect(a, b, m)
        }
    )*};
}
laneselect!(i8x16_relaxed_laneselect i16x8_relaxed_laneselect i32x4_relaxed_laneselect i64x2_relaxed_laneselect);

#[inline]
pub fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 {
    i16x8_q15mulr_sat_s(a, b)
}

/// Sum of the signed products of lanes `2i` and `2i + 1`, saturated.
#[inline]
pub fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 {
    pairs::<i8, i16, 16, 8>(a, b, |a0, a1, b0, b1| {
        (i16::from(a0) * i16::from(b0)).saturating_add(i16::from(a1) * i16::from(b1))
    })
}

/// Lane `i`: the sum of lanes `2i` and `2i + 1` of the i16x8 dot product,
/// plus lane `i` of `c` (wrapping).
#[inline]
pub fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    let d = i16x8_relaxed_dot_i8x16_i7x16_s(a, b);
    let d = pairs::<i16, i32, 8, 4>(d, 0, |d0, d1, _, _| i32::from(d0) + i32::from(d1));
    zip::<i32, 4>(d, c, i32::wrapping_add)
}

// ------------------------------------------------------ reference dispatch

/// `Value::T(x)` for a scalar type `T` of the table (pattern or expression).
macro_rules! simd_value {
    (i32, $x:tt) => {
        Value::I32($x)
    };
    (i64, $x:tt) => {
        Value::I64($x)
    };
    (f32, $x:tt) => {
        Value::F32($x)
    };
    (f64, $x:tt) => {
        Value::F64($x)
    };
}

macro_rules! define_apply {
    ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
        /// Runs a SIMD instruction other than a memory access on its operands
        /// (bottom of the stack first), by its row of the table: a slow
        /// reference path (constant folding, tests), not the engine's.
        /// `None` for memory accesses, immediates that do not fit the
        /// instruction, or operands of the wrong types.
        pub fn apply(op: SimdOp, imm: &SimdImm, args: &[Value]) -> Option<Value> {
            let lane = match imm {
                SimdImm::Lane(l) => *l,
                _ => 0,
            };
            match op {
                $(SimdOp::$op => define_apply!(@row $kind ($($arg)*) $f, lane, imm, args),)*
            }
        }
    };
    (@row un () $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [Value::V128(a)] => Some(Value::V128($f(*a))), _ => None }
    };
    (@row bin () $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [Value::V128(a), Value::V128(b)] => Some(Value::V128($f(*a, *b))), _ => None }
    };
    (@row tern () $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args {
            [Value::V128(a), Value::V128(b), Value::V128(c)] => Some(Value::V128($f(*a, *b, *c))),
            _ => None,
        }
    };
    (@row test () $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [Value::V128(a)] => Some(Value::I32($f(*a))), _ => None }
    };
    (@row shift () $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [Value::V128(a), Value::I32(c)] => Some(Value::V128($f(*a, *c))), _ => None }
    };
    (@row splat ($t:ident) $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [simd_value!($t, x)] => Some(Value::V128($f(*x))), _ => None }
    };
    (@row extract ($t:ident, $n:literal) $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args { [Value::V128(a)] if $l < $n => Some(simd_value!($t, ($f(*a, $l)))), _ => None }
    };
    (@row replace ($t:ident, $n:literal) $f:ident, $l:ident, $imm:ident, $args:ident) => {
        match $args {
            [Value::V128(a), simd_value!($t, x)] if $l < $n => Some(Value::V128($f(*a, $l, *x))),
            _ => None,
        }
    };
    // `v128.const` and `i8x16.shuffle` carry their immediates in their own
    // `Instr` variants: see [`apply_instr`].
    (@row $kind:ident ($($arg:tt)*) $f:ident, $l:ident, $imm:ident, $args:ident) => {
        None
    };
}
crate::for_each_simd_op!(define_apply);

/// [`apply`] for any SIMD instruction other than a memory access.
pub fn apply_instr(instr: &Instr, args: &[Value]) -> Option<Value> {
    match (instr, args) {
        (Instr::V128Const(b), []) => Some(Value::V128(v128_const(*b))),
        (Instr::I8x16Shuffle(l), [Value::V128(a), Value::V128(b)]) if l.iter().all(|&l| l < 32) => {
            Some(Value::V128(i8x16_shuffle(*a, *b, l)))
        }
        (Instr::Simd(op, imm), args) => apply(*op, imm, args),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The semantics' signature for a kind of the table.
    macro_rules! sem_type {
        (load ($a:literal)) => { fn(u128) -> u128 };
        (store ($a:literal)) => { fn(u128) -> u128 };
        (load_lane ($a:literal)) => { fn(u128, u8, u64) -> u128 };
        (store_lane ($a:literal)) => { fn(u128, u8) -> u64 };
        (vconst ()) => { fn([u8; 16]) -> u128 };
        (shuffle ()) => { fn(u128, u128, &[u8; 16]) -> u128 };
        (extract ($t:ty, $n:literal)) => { fn(u128, u8) -> $t };
        (replace ($t:ty, $n:literal)) => { fn(u128, u8, $t) -> u128 };
        (splat ($t:ty)) => { fn($t) -> u128 };
        (un ()) => { fn(u128) -> u128 };
        (bin ()) => { fn(u128, u128) -> u128 };
        (tern ()) => { fn(u128, u128, u128) -> u128 };
        (test ()) => { fn(u128) -> i32 };
        (shift ()) => { fn(u128, i32) -> u128 };
    }

    macro_rules! check_rows {
        ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
            /// Every row names a function of the signature its kind says.
            #[test]
            fn every_row_has_its_semantics() {
                let mut n = 0;
                $( let _: sem_type!($kind ($($arg)*)) = $f; n += 1; )*
                assert_eq!(n, crate::syntax::SimdOp::ALL.len());
            }
        };
    }
    crate::for_each_simd_op!(check_rows);

    fn i8s(l: [i8; 16]) -> u128 {
        pack(l)
    }
    fn i16s(l: [i16; 8]) -> u128 {
        pack(l)
    }
    fn i32s(l: [i32; 4]) -> u128 {
        pack(l)
    }
    fn i64s(l: [i64; 2]) -> u128 {
        pack(l)
    }
    fn f32s(l: [f32; 4]) -> u128 {
        pack(l)
    }
    fn f64s(l: [f64; 2]) -> u128 {
        pack(l)
    }
    fn bits32(v: u128) -> [u32; 4] {
        lanes(v)
    }

    #[test]
    fn lanes_are_little_endian() {
        assert_eq!(i32s([1, 2, 3, 4]), 0x00000004_00000003_00000002_00000001);
        assert_eq!(i8x16_extract_lane_s(i8s([0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1), -1);
        assert_eq!(i8x16_extract_lane_u(i8s([0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1), 255);
        assert_eq!(i16x8_extract_lane_u(i16x8_splat(-2), 7), 0xfffe);
        assert_eq!(i64x2_replace_lane(0, 1, -1), u128::MAX << 64);
        assert_eq!(f64x2_extract_lane(f64s([1.5, -2.5]), 1), -2.5);
        assert_eq!(i32x4_splat(7), i32s([7; 4]));
        assert_eq!(f32x4_replace_lane(f32x4_splat(1.0), 2, 3.0), f32s([1.0, 1.0, 3.0, 1.0]));
    }

    #[test]
    fn memory_forms() {
        assert_eq!(v128_load8x8_s(0x80_7f), i16s([127, -128, 0, 0, 0, 0, 0, 0]));
        assert_eq!(v128_load8x8_u(0x80_7f), i16s([127, 128, 0, 0, 0, 0, 0, 0]));
        assert_eq!(v128_load32x2_s(0xffff_ffff), i64s([-1, 0]));
        assert_eq!(v128_load16_splat(0xabcd), i16x8_splat(0xabcd));
        assert_eq!(v128_load64_splat(5), i64s([5, 5]));
        assert_eq!(v128_load32_zero(u128::MAX), 0xffff_ffff);
        assert_eq!(v128_load16_lane(0, 7, 0x1234), 0x1234 << 112);
        assert_eq!(v128_store32_lane(i32s([1, 2, 3, 4]), 2), 3);
    }

    #[test]
    fn shuffles() {
        let a = i8s(build(|i| i as i8));
        let b = i8s(build(|i| 16 + i as i8));
        let rev: [u8; 16] = build(|i| 31 - i as u8);
        assert_eq!(i8x16_shuffle(a, b, &rev), i8s(build(|i| 31 - i as i8)));
        let s = i8s([0, 15, 16, -1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 127]);
        assert_eq!(i8x16_swizzle(a, s), i8s([0, 15, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0]));
        assert_eq!(i8x16_relaxed_swizzle(a, s), i8x16_swizzle(a, s));
    }

    #[test]
    fn bitwise_and_tests() {
        assert_eq!(v128_bitselect(0xff00, 0x0ff0, 0xf0f0), 0xf000 | 0x0f00);
        assert_eq!(v128_bitselect(u128::MAX, 0, 0x1234), 0x1234);
        assert_eq!(v128_andnot(0b1100, 0b1010), 0b0100);
        assert_eq!((v128_any_true(0), v128_any_true(1 << 127)), (0, 1));
        assert_eq!(i32x4_all_true(i32s([1, -1, 5, 0])), 0);
        assert_eq!(i32x4_all_true(i32s([1, -1, 5, 9])), 1);
        assert_eq!(i8x16_bitmask(i8s([-1, 0, -128, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5])), 0b1000_0000_0000_0101);
        assert_eq!(i64x2_bitmask(i64s([1, -1])), 0b10);
    }

    #[test]
    fn integer_arithmetic() {
        assert_eq!(i8x16_add_sat_s(i8x16_splat(100), i8x16_splat(100)), i8x16_splat(127));
        assert_eq!(i8x16_add_sat_u(i8x16_splat(200), i8x16_splat(100)), i8x16_splat(255));
        assert_eq!(i16x8_sub_sat_u(i16x8_splat(1), i16x8_splat(2)), 0);
        assert_eq!(i16x8_sub_sat_s(i16x8_splat(-30000), i16x8_splat(30000)), i16x8_splat(-32768));
        assert_eq!(i8x16_add(i8x16_splat(127), i8x16_splat(1)), i8x16_splat(-128));
        assert_eq!(i8x16_abs(i8x16_splat(-128)), i8x16_splat(-128));
        assert_eq!(i8x16_popcnt(i8x16_splat(-1)), i8x16_splat(8));
        assert_eq!(i8x16_avgr_u(i8x16_splat(255), i8x16_splat(254)), i8x16_splat(255));
        assert_eq!(i16x8_avgr_u(i16x8_splat(1), i16x8_splat(2)), i16x8_splat(2));
        assert_eq!(i32x4_min_u(i32s([-1, 0, 5, 6]), i32s([1, 1, 5, -6])), i32s([1, 0, 5, 6]));
        assert_eq!(i32x4_max_s(i32s([-1, 0, 5, 6]), i32s([1, 1, 5, -6])), i32s([1, 1, 5, 6]));
        assert_eq!(i64x2_mul(i64s([i64::MAX, 3]), i64s([2, -3])), i64s([-2, -9]));
        assert_eq!(i8x16_lt_u(i8x16_splat(-1), i8x16_splat(1)), 0);
        assert_eq!(i8x16_lt_s(i8x16_splat(-1), i8x16_splat(1)), u128::MAX);
        assert_eq!(i64x2_ge_s(i64s([1, 2]), i64s([1, 3])), i64s([-1, 0]));
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        assert_eq!(i8x16_shl(i8x16_splat(1), 9), i8x16_splat(2));
        assert_eq!(i16x8_shr_s(i16x8_splat(-32768), 15 + 16), i16x8_splat(-1));
        assert_eq!(i16x8_shr_u(i16x8_splat(-32768), 15), i16x8_splat(1));
        assert_eq!(i32x4_shl(i32x4_splat(1), -1), i32x4_splat(i32::MIN));
        assert_eq!(i64x2_shr_u(i64s([-1, 4]), 64 + 2), i64s([i64::MAX >> 1, 1]));
    }

    #[test]
    fn widening_and_narrowing() {
        let a = i8s([-1, 2, -3, 4, 5, 6, 7, 8, -128, -128, 127, 127, 0, 0, 0, 0]);
        assert_eq!(i16x8_extend_low_i8x16_s(a), i16s([-1, 2, -3, 4, 5, 6, 7, 8]));
        assert_eq!(i16x8_extend_high_i8x16_u(a), i16s([128, 128, 127, 127, 0, 0, 0, 0]));
        assert_eq!(i16x8_extadd_pairwise_i8x16_s(a), i16s([1, 1, 11, 15, -256, 254, 0, 0]));
        assert_eq!(i16x8_extadd_pairwise_i8x16_u(a), i16s([257, 257, 11, 15, 256, 254, 0, 0]));
        assert_eq!(i16x8_extmul_high_i8x16_s(a, a), i16s([16384, 16384, 16129, 16129, 0, 0, 0, 0]));
        assert_eq!(
            i64x2_extmul_low_i32x4_u(i32x4_splat(-1), i32x4_splat(-1)),
            i64x2_splat(0xffff_fffe_0000_0001_u64 as i64)
        );
        let w = i16s([300, -300, 127, -128, 255, 256, -1, 0]);
        assert_eq!(i8x16_narrow_i16x8_s(w, 0), i8s([127, -128, 127, -128, 127, 127, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i8x16_narrow_i16x8_u(0, w), i8s([0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 127, 0, -1, -1, 0, 0]));
        assert_eq!(i16x8_narrow_i32x4_u(i32s([70000, -5, 65535, 1]), 0), i16s([-1, 0, -1, 1, 0, 0, 0, 0]));
        assert_eq!(i32x4_extadd_pairwise_i16x8_u(i16x8_splat(-1)), i32x4_splat(0x1fffe));
    }

    #[test]
    fn q15_and_dot() {
        let m = i16x8_splat(-32768);
        assert_eq!(i16x8_q15mulr_sat_s(m, m), i16x8_splat(32767));
        assert_eq!(i16x8_q15mulr_sat_s(i16x8_splat(16384), i16x8_splat(16384)), i16x8_splat(8192));
        // (-1 * 16384 + 0x4000) >> 15 = 0; the rounding goes up.
        assert_eq!(i16x8_q15mulr_sat_s(i16x8_splat(-1), i16x8_splat(16384)), 0);
        assert_eq!(
            i32x4_dot_i16x8_s(i16s([1, 2, 3, 4, 5, 6, 7, 8]), i16s([1, 1, 1, 1, -1, -1, 2, 0])),
            i32s([3, 7, -11, 14])
        );
        assert_eq!(i32x4_dot_i16x8_s(m, m), i32x4_splat(i32::MIN));
    }

    #[test]
    fn floats_follow_the_scalar_rules() {
        let nan = f32::from_bits(0x7fc0_0000);
        assert_eq!(
            f32x4_add(f32s([1.0, 2.0, -0.0, 3e38]), f32s([0.5, -2.0, -0.0, 3e38])),
            f32s([1.5, 0.0, -0.0, f32::INFINITY])
        );
        assert_eq!(
            bits32(f32x4_min(f32s([0.0, nan, 1.0, -0.0]), f32s([-0.0, 1.0, 2.0, 0.0]))),
            [0x8000_0000, 0x7fc0_0000, 0x3f80_0000, 0x8000_0000]
        );
        assert_eq!(
            bits32(f32x4_max(f32s([0.0, 1.0, 1.0, -0.0]), f32s([-0.0, nan, 2.0, 0.0]))),
            [0, 0x7fc0_0000, 0x4000_0000, 0]
        );
        // pmin/pmax: the first operand unless the second compares less/greater.
        assert_eq!(
            bits32(f32x4_pmin(f32s([0.0, nan, 1.0, 3.0]), f32s([-0.0, 1.0, nan, 2.0]))),
            [0, 0x7fc0_0000, 0x3f80_0000, 0x4000_0000]
        );
        assert_eq!(
            bits32(f32x4_pmax(f32s([-0.0, nan, 1.0, 3.0]), f32s([0.0, 1.0, nan, 2.0]))),
            [0x8000_0000, 0x7fc0_0000, 0x3f80_0000, 0x4040_0000]
        );
        assert_eq!(f32x4_nearest(f32s([0.5, 1.5, -2.5, -0.4])), f32s([0.0, 2.0, -2.0, -0.0]));
        assert_eq!(f64x2_floor(f64s([-1.5, 1.5])), f64s([-2.0, 1.0]));
        assert_eq!(f64x2_ceil(f64s([-1.5, 1.5])), f64s([-1.0, 2.0]));
        assert_eq!(f32x4_trunc(f32s([-1.5, 1.5, 0.0, -0.0])), f32s([-1.0, 1.0, 0.0, -0.0]));
        assert_eq!(f32x4_abs(f32s([-0.0, -1.0, 1.0, -nan])), f32s([0.0, 1.0, 1.0, nan]));
        assert_eq!(f64x2_neg(f64s([1.0, -0.0])), f64s([-1.0, 0.0]));
        assert_eq!(f32x4_eq(f32s([nan, 1.0, 0.0, 2.0]), f32s([nan, 1.0, -0.0, 3.0])), i32s([0, -1, -1, 0]));
        assert_eq!(f64x2_ne(f64s([f64::NAN, 1.0]), f64s([f64::NAN, 1.0])), i64s([-1, 0]));
        assert_eq!(f64x2_lt(f64s([1.0, 2.0]), f64s([2.0, 2.0])), i64s([-1, 0]));
    }

    #[test]
    fn conversions() {
        let nan = f32::NAN;
        assert_eq!(i32x4_trunc_sat_f32x4_s(f32s([nan, 3e9, -3e9, -1.9])), i32s([0, i32::MAX, i32::MIN, -1]));
        assert_eq!(i32x4_trunc_sat_f32x4_u(f32s([nan, 5e9, -1.0, 1.9])), i32s([0, -1, 0, 1]));
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(f64s([-1e10, 2.5])), i32s([i32::MIN, 2, 0, 0]));
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(f64s([1e10, 2.5])), i32s([-1, 2, 0, 0]));
        assert_eq!(f32x4_convert_i32x4_u(i32s([-1, 1, 0, 16777217])), f32s([4294967296.0, 1.0, 0.0, 16777216.0]));
        assert_eq!(f32x4_convert_i32x4_s(i32s([-1, 1, 0, 16777217])), f32s([-1.0, 1.0, 0.0, 16777216.0]));
        assert_eq!(f64x2_convert_low_i32x4_s(i32s([-1, 2, 3, 4])), f64s([-1.0, 2.0]));
        assert_eq!(f64x2_convert_low_i32x4_u(i32s([-1, 2, 3, 4])), f64s([4294967295.0, 2.0]));
        assert_eq!(f32x4_demote_f64x2_zero(f64s([1.5, 1e300])), f32s([1.5, f32::INFINITY, 0.0, 0.0]));
        assert_eq!(f64x2_promote_low_f32x4(f32s([1.5, -0.0, 9.0, 9.0])), f64s([1.5, -0.0]));
        let n = f64x2_promote_low_f32x4(f32s([nan, nan, 0.0, 0.0]));
        assert!(lanes::<f64, 2>(n).iter().all(|x| x.to_bits() & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000));
    }

    #[test]
    fn relaxed_choices() {
        let (a, b, c) = (f32x4_splat(1.0 + f32::EPSILON), f32x4_splat(1.0 - f32::EPSILON), f32x4_splat(-1.0));
        // Unfused: the product rounds to 1.0 first, so the sum is 0.
        assert_eq!(f32x4_relaxed_madd(a, b, c), 0);
        assert_eq!(f32x4_relaxed_nmadd(a, b, f32x4_splat(1.0)), 0);
        assert_eq!(f64x2_relaxed_madd(f64x2_splat(2.0), f64x2_splat(3.0), f64x2_splat(1.0)), f64x2_splat(7.0));
        assert_eq!(i16x8_relaxed_laneselect(1, 2, 3), v128_bitselect(1, 2, 3));
        assert_eq!(i32x4_relaxed_trunc_f32x4_u(f32s([f32::NAN, -1.0, 5e9, 2.0])), i32s([0, 0, -1, 2]));
        // The suite's examples (relaxed_dot_product.wast).
        let x = i8s(build(|i| i as i8));
        assert_eq!(i16x8_relaxed_dot_i8x16_i7x16_s(x, x), i16s([1, 13, 41, 85, 145, 221, 313, 421]));
        assert_eq!(i32x4_relaxed_dot_i8x16_i7x16_add_s(x, x, i32s([0, 1, 2, 3])), i32s([14, 127, 368, 737]));
        let m = i8s([-128, -128, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let n = i8s([-127, -127, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i16x8_relaxed_dot_i8x16_i7x16_s(m, n), i16s([32512, 32512, 0, 0, 0, 0, 0, 0]));
        assert_eq!(i32x4_relaxed_dot_i8x16_i7x16_add_s(m, n, i32s([1, 2, 3, 4])), i32s([65025, 2, 3, 4]));
        assert_eq!(i16x8_relaxed_dot_i8x16_i7x16_s(i8x16_splat(-128), i8x16_splat(-128)), i16x8_splat(32767));
    }
}
