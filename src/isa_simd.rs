//! The SIMD instruction table (spec 2.4.1 vector instructions, 5.4.8 their
//! encoding; relaxed SIMD of Wasm 3.0): each `0xFD`-prefixed instruction is
//! listed once. `for_each_simd_op!` generates [`SimdOp`](crate::syntax::SimdOp)
//! (decoder sub-opcode match, immediates, validator signature, text name);
//! the semantics are the plain functions of `exec::simd` named in the last
//! column, which the engine's handlers will be stamped from.
//!
//! Row: `Variant sub_opcode "name" kind(args) semantics_fn`. Kinds, with the
//! operand and result types they imply and the semantics' signature:
//!
//! | kind | immediates | type | semantics |
//! | --- | --- | --- | --- |
//! | `load(a)` | memarg | `[i32] -> [v128]` | `fn(u128) -> u128` of the `2^a` bytes read |
//! | `store(a)` | memarg | `[i32 v128] -> []` | `fn(u128) -> u128`, the bytes written |
//! | `load_lane(a)` | memarg, lane | `[i32 v128] -> [v128]` | `fn(u128, u8, u64) -> u128` |
//! | `store_lane(a)` | memarg, lane | `[i32 v128] -> []` | `fn(u128, u8) -> u64`, the bytes written |
//! | `vconst()` | 16 bytes | `[] -> [v128]` | `fn([u8; 16]) -> u128` |
//! | `shuffle()` | 16 lane indices < 32 | `[v128 v128] -> [v128]` | `fn(u128, u128, &[u8; 16]) -> u128` |
//! | `extract(t, n)` | lane < n | `[v128] -> [t]` | `fn(u128, u8) -> t` |
//! | `replace(t, n)` | lane < n | `[v128 t] -> [v128]` | `fn(u128, u8, t) -> u128` |
//! | `splat(t)` | | `[t] -> [v128]` | `fn(t) -> u128` |
//! | `un()` | | `[v128] -> [v128]` | `fn(u128) -> u128` |
//! | `bin()` | | `[v128 v128] -> [v128]` | `fn(u128, u128) -> u128` |
//! | `tern()` | | `[v128 v128 v128] -> [v128]` | `fn(u128, u128, u128) -> u128` |
//! | `test()` | | `[v128] -> [i32]` | `fn(u128) -> i32` |
//! | `shift()` | | `[v128 i32] -> [v128]` | `fn(u128, i32) -> u128` |
//!
//! `a` is the log2 of the access width in bytes, also the largest valid
//! alignment; lane forms have `16 >> a` lanes. Scalars `t` are the Rust types
//! of `exec::num` (`i32`, `i64`, `f32`, `f64`).
//!
//! The engine does not run SIMD yet: `Module::new` rejects valid modules
//! using `v128` (`Error::Unsupported`). What it needs: `v128` entries in two
//! consecutive frame slots (locals, parameters, operands; the validator's
//! frame size check counting them twice), one op per row stamped from this
//! table by kind (the semantics' signatures are pinned by a test in
//! `exec::simd`), 16-byte immediates for `v128.const` and `i8x16.shuffle`,
//! and two-slot moves for calls, branches, `select`, globals (`value` and
//! `hi` of a global are adjacent) and host calls.

/// Calls `$m! { rows }` with the SIMD instruction table.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_simd_op {
    ($m:ident) => {
        $crate::for_each_simd_op! { @rows $m [] }
    };
    // `$m! { extra ; rows }`, as `for_each_num_op!`.
    ($m:ident ; $($extra:tt)*) => {
        $crate::for_each_simd_op! { @rows $m [$($extra)* ;] }
    };
    (@rows $m:ident [$($extra:tt)*]) => {
        $m! { $($extra)*
            V128Load 0x00 "v128.load" load(4) v128_load
            V128Load8x8S 0x01 "v128.load8x8_s" load(3) v128_load8x8_s
            V128Load8x8U 0x02 "v128.load8x8_u" load(3) v128_load8x8_u
            V128Load16x4S 0x03 "v128.load16x4_s" load(3) v128_load16x4_s
            V128Load16x4U 0x04 "v128.load16x4_u" load(3) v128_load16x4_u
            V128Load32x2S 0x05 "v128.load32x2_s" load(3) v128_load32x2_s
            V128Load32x2U 0x06 "v128.load32x2_u" load(3) v128_load32x2_u
            V128Load8Splat 0x07 "v128.load8_splat" load(0) v128_load8_splat
            V128Load16Splat 0x08 "v128.load16_splat" load(1) v128_load16_splat
            V128Load32Splat 0x09 "v128.load32_splat" load(2) v128_load32_splat
            V128Load64Splat 0x0A "v128.load64_splat" load(3) v128_load64_splat
            V128Store 0x0B "v128.store" store(4) v128_store
            V128Const 0x0C "v128.const" vconst() v128_const
            I8x16Shuffle 0x0D "i8x16.shuffle" shuffle() i8x16_shuffle
            I8x16Swizzle 0x0E "i8x16.swizzle" bin() i8x16_swizzle
            I8x16Splat 0x0F "i8x16.splat" splat(i32) i8x16_splat
            I16x8Splat 0x10 "i16x8.splat" splat(i32) i16x8_splat
            I32x4Splat 0x11 "i32x4.splat" splat(i32) i32x4_splat
            I64x2Splat 0x12 "i64x2.splat" splat(i64) i64x2_splat
            F32x4Splat 0x13 "f32x4.splat" splat(f32) f32x4_splat
            F64x2Splat 0x14 "f64x2.splat" splat(f64) f64x2_splat
            I8x16ExtractLaneS 0x15 "i8x16.extract_lane_s" extract(i32, 16) i8x16_extract_lane_s
            I8x16ExtractLaneU 0x16 "i8x16.extract_lane_u" extract(i32, 16) i8x16_extract_lane_u
            I8x16ReplaceLane 0x17 "i8x16.replace_lane" replace(i32, 16) i8x16_replace_lane
            I16x8ExtractLaneS 0x18 "i16x8.extract_lane_s" extract(i32, 8) i16x8_extract_lane_s
            I16x8ExtractLaneU 0x19 "i16x8.extract_lane_u" extract(i32, 8) i16x8_extract_lane_u
            I16x8ReplaceLane 0x1A "i16x8.replace_lane" replace(i32, 8) i16x8_replace_lane
            I32x4ExtractLane 0x1B "i32x4.extract_lane" extract(i32, 4) i32x4_extract_lane
            I32x4ReplaceLane 0x1C "i32x4.replace_lane" replace(i32, 4) i32x4_replace_lane
            I64x2ExtractLane 0x1D "i64x2.extract_lane" extract(i64, 2) i64x2_extract_lane
            I64x2ReplaceLane 0x1E "i64x2.replace_lane" replace(i64, 2) i64x2_replace_lane
            F32x4ExtractLane 0x1F "f32x4.extract_lane" extract(f32, 4) f32x4_extract_lane
            F32x4ReplaceLane 0x20 "f32x4.replace_lane" replace(f32, 4) f32x4_replace_lane
            F64x2ExtractLane 0x21 "f64x2.extract_lane" extract(f64, 2) f64x2_extract_lane
            F64x2ReplaceLane 0x22 "f64x2.replace_lane" replace(f64, 2) f64x2_replace_lane
            I8x16Eq 0x23 "i8x16.eq" bin() i8x16_eq
            I8x16Ne 0x24 "i8x16.ne" bin() i8x16_ne
            I8x16LtS 0x25 "i8x16.lt_s" bin() i8x16_lt_s
            I8x16LtU 0x26 "i8x16.lt_u" bin() i8x16_lt_u
            I8x16GtS 0x27 "i8x16.gt_s" bin() i8x16_gt_s
            I8x16GtU 0x28 "i8x16.gt_u" bin() i8x16_gt_u
            I8x16LeS 0x29 "i8x16.le_s" bin() i8x16_le_s
            I8x16LeU 0x2A "i8x16.le_u" bin() i8x16_le_u
            I8x16GeS 0x2B "i8x16.ge_s" bin() i8x16_ge_s
            I8x16GeU 0x2C "i8x16.ge_u" bin() i8x16_ge_u
            I16x8Eq 0x2D "i16x8.eq" bin() i16x8_eq
            I16x8Ne 0x2E "i16x8.ne" bin() i16x8_ne
            I16x8LtS 0x2F "i16x8.lt_s" bin() i16x8_lt_s
            I16x8LtU 0x30 "i16x8.lt_u" bin() i16x8_lt_u
            I16x8GtS 0x31 "i16x8.gt_s" bin() i16x8_gt_s
            I16x8GtU 0x32 "i16x8.gt_u" bin() i16x8_gt_u
            I16x8LeS 0x33 "i16x8.le_s" bin() i16x8_le_s
            I16x8LeU 0x34 "i16x8.le_u" bin() i16x8_le_u
            I16x8GeS 0x35 "i16x8.ge_s" bin() i16x8_ge_s
            I16x8GeU 0x36 "i16x8.ge_u" bin() i16x8_ge_u
            I32x4Eq 0x37 "i32x4.eq" bin() i32x4_eq
            I32x4Ne 0x38 "i32x4.ne" bin() i32x4_ne
            I32x4LtS 0x39 "i32x4.lt_s" bin() i32x4_lt_s
            I32x4LtU 0x3A "i32x4.lt_u" bin() i32x4_lt_u
            I32x4GtS 0x3B "i32x4.gt_s" bin() i32x4_gt_s
            I32x4GtU 0x3C "i32x4.gt_u" bin() i32x4_gt_u
            I32x4LeS 0x3D "i32x4.le_s" bin() i32x4_le_s
            I32x4LeU 0x3E "i32x4.le_u" bin() i32x4_le_u
            I32x4GeS 0x3F "i32x4.ge_s" bin() i32x4_ge_s
            I32x4GeU 0x40 "i32x4.ge_u" bin() i32x4_ge_u
            F32x4Eq 0x41 "f32x4.eq" bin() f32x4_eq
            F32x4Ne 0x42 "f32x4.ne" bin() f32x4_ne
            F32x4Lt 0x43 "f32x4.lt" bin() f32x4_lt
            F32x4Gt 0x44 "f32x4.gt" bin() f32x4_gt
            F32x4Le 0x45 "f32x4.le" bin() f32x4_le
            F32x4Ge 0x46 "f32x4.ge" bin() f32x4_ge
            F64x2Eq 0x47 "f64x2.eq" bin() f64x2_eq
            F64x2Ne 0x48 "f64x2.ne" bin() f64x2_ne
            F64x2Lt 0x49 "f64x2.lt" bin() f64x2_lt
            F64x2Gt 0x4A "f64x2.gt" bin() f64x2_gt
            F64x2Le 0x4B "f64x2.le" bin() f64x2_le
            F64x2Ge 0x4C "f64x2.ge" bin() f64x2_ge
            V128Not 0x4D "v128.not" un() v128_not
            V128And 0x4E "v128.and" bin() v128_and
            V128AndNot 0x4F "v128.andnot" bin() v128_andnot
            V128Or 0x50 "v128.or" bin() v128_or
            V128Xor 0x51 "v128.xor" bin() v128_xor
            V128Bitselect 0x52 "v128.bitselect" tern() v128_bitselect
            V128AnyTrue 0x53 "v128.any_true" test() v128_any_true
            V128Load8Lane 0x54 "v128.load8_lane" load_lane(0) v128_load8_lane
            V128Load16Lane 0x55 "v128.load16_lane" load_lane(1) v128_load16_lane
            V128Load32Lane 0x56 "v128.load32_lane" load_lane(2) v128_load32_lane
            V128Load64Lane 0x57 "v128.load64_lane" load_lane(3) v128_load64_lane
            V128Store8Lane 0x58 "v128.store8_lane" store_lane(0) v128_store8_lane
            V128Store16Lane 0x59 "v128.store16_lane" store_lane(1) v128_store16_lane
            V128Store32Lane 0x5A "v128.store32_lane" store_lane(2) v128_store32_lane
            V128Store64Lane 0x5B "v128.store64_lane" store_lane(3) v128_store64_lane
            V128Load32Zero 0x5C "v128.load32_zero" load(2) v128_load32_zero
            V128Load64Zero 0x5D "v128.load64_zero" load(3) v128_load64_zero
            F32x4DemoteF64x2Zero 0x5E "f32x4.demote_f64x2_zero" un() f32x4_demote_f64x2_zero
            F64x2PromoteLowF32x4 0x5F "f64x2.promote_low_f32x4" un() f64x2_promote_low_f32x4
            I8x16Abs 0x60 "i8x16.abs" un() i8x16_abs
            I8x16Neg 0x61 "i8x16.neg" un() i8x16_neg
            I8x16Popcnt 0x62 "i8x16.popcnt" un() i8x16_popcnt
            I8x16AllTrue 0x63 "i8x16.all_true" test() i8x16_all_true
            I8x16Bitmask 0x64 "i8x16.bitmask" test() i8x16_bitmask
            I8x16NarrowI16x8S 0x65 "i8x16.narrow_i16x8_s" bin() i8x16_narrow_i16x8_s
            I8x16NarrowI16x8U 0x66 "i8x16.narrow_i16x8_u" bin() i8x16_narrow_i16x8_u
            F32x4Ceil 0x67 "f32x4.ceil" un() f32x4_ceil
            F32x4Floor 0x68 "f32x4.floor" un() f32x4_floor
            F32x4Trunc 0x69 "f32x4.trunc" un() f32x4_trunc
            F32x4Nearest 0x6A "f32x4.nearest" un() f32x4_nearest
            I8x16Shl 0x6B "i8x16.shl" shift() i8x16_shl
            I8x16ShrS 0x6C "i8x16.shr_s" shift() i8x16_shr_s
            I8x16ShrU 0x6D "i8x16.shr_u" shift() i8x16_shr_u
            I8x16Add 0x6E "i8x16.add" bin() i8x16_add
            I8x16AddSatS 0x6F "i8x16.add_sat_s" bin() i8x16_add_sat_s
            I8x16AddSatU 0x70 "i8x16.add_sat_u" bin() i8x16_add_sat_u
            I8x16Sub 0x71 "i8x16.sub" bin() i8x16_sub
            I8x16SubSatS 0x72 "i8x16.sub_sat_s" bin() i8x16_sub_sat_s
            I8x16SubSatU 0x73 "i8x16.sub_sat_u" bin() i8x16_sub_sat_u
            F64x2Ceil 0x74 "f64x2.ceil" un() f64x2_ceil
            F64x2Floor 0x75 "f64x2.floor" un() f64x2_floor
            I8x16MinS 0x76 "i8x16.min_s" bin() i8x16_min_s
            I8x16MinU 0x77 "i8x16.min_u" bin() i8x16_min_u
            I8x16MaxS 0x78 "i8x16.max_s" bin() i8x16_max_s
            I8x16MaxU 0x79 "i8x16.max_u" bin() i8x16_max_u
            F64x2Trunc 0x7A "f64x2.trunc" un() f64x2_trunc
            I8x16AvgrU 0x7B "i8x16.avgr_u" bin() i8x16_avgr_u
            I16x8ExtaddPairwiseI8x16S 0x7C "i16x8.extadd_pairwise_i8x16_s" un() i16x8_extadd_pairwise_i8x16_s
            I16x8ExtaddPairwiseI8x16U 0x7D "i16x8.extadd_pairwise_i8x16_u" un() i16x8_extadd_pairwise_i8x16_u
            I32x4ExtaddPairwiseI16x8S 0x7E "i32x4.extadd_pairwise_i16x8_s" un() i32x4_extadd_pairwise_i16x8_s
            I32x4ExtaddPairwiseI16x8U 0x7F "i32x4.extadd_pairwise_i16x8_u" un() i32x4_extadd_pairwise_i16x8_u
            I16x8Abs 0x80 "i16x8.abs" un() i16x8_abs
            I16x8Neg 0x81 "i16x8.neg" un() i16x8_neg
            I16x8Q15mulrSatS 0x82 "i16x8.q15mulr_sat_s" bin() i16x8_q15mulr_sat_s
            I16x8AllTrue 0x83 "i16x8.all_true" test() i16x8_all_true
            I16x8Bitmask 0x84 "i16x8.bitmask" test() i16x8_bitmask
            I16x8NarrowI32x4S 0x85 "i16x8.narrow_i32x4_s" bin() i16x8_narrow_i32x4_s
            I16x8NarrowI32x4U 0x86 "i16x8.narrow_i32x4_u" bin() i16x8_narrow_i32x4_u
            I16x8ExtendLowI8x16S 0x87 "i16x8.extend_low_i8x16_s" un() i16x8_extend_low_i8x16_s
            I16x8ExtendHighI8x16S 0x88 "i16x8.extend_high_i8x16_s" un() i16x8_extend_high_i8x16_s
            I16x8ExtendLowI8x16U 0x89 "i16x8.extend_low_i8x16_u" un() i16x8_extend_low_i8x16_u
            I16x8ExtendHighI8x16U 0x8A "i16x8.extend_high_i8x16_u" un() i16x8_extend_high_i8x16_u
            I16x8Shl 0x8B "i16x8.shl" shift() i16x8_shl
            I16x8ShrS 0x8C "i16x8.shr_s" shift() i16x8_shr_s
            I16x8ShrU 0x8D "i16x8.shr_u" shift() i16x8_shr_u
            I16x8Add 0x8E "i16x8.add" bin() i16x8_add
            I16x8AddSatS 0x8F "i16x8.add_sat_s" bin() i16x8_add_sat_s
            I16x8AddSatU 0x90 "i16x8.add_sat_u" bin() i16x8_add_sat_u
            I16x8Sub 0x91 "i16x8.sub" bin() i16x8_sub
            I16x8SubSatS 0x92 "i16x8.sub_sat_s" bin() i16x8_sub_sat_s
            I16x8SubSatU 0x93 "i16x8.sub_sat_u" bin() i16x8_sub_sat_u
            F64x2Nearest 0x94 "f64x2.nearest" un() f64x2_nearest
            I16x8Mul 0x95 "i16x8.mul" bin() i16x8_mul
            I16x8MinS 0x96 "i16x8.min_s" bin() i16x8_min_s
            I16x8MinU 0x97 "i16x8.min_u" bin() i16x8_min_u
            I16x8MaxS 0x98 "i16x8.max_s" bin() i16x8_max_s
            I16x8MaxU 0x99 "i16x8.max_u" bin() i16x8_max_u
            I16x8AvgrU 0x9B "i16x8.avgr_u" bin() i16x8_avgr_u
            I16x8ExtmulLowI8x16S 0x9C "i16x8.extmul_low_i8x16_s" bin() i16x8_extmul_low_i8x16_s
            I16x8ExtmulHighI8x16S 0x9D "i16x8.extmul_high_i8x16_s" bin() i16x8_extmul_high_i8x16_s
            I16x8ExtmulLowI8x16U 0x9E "i16x8.extmul_low_i8x16_u" bin() i16x8_extmul_low_i8x16_u
            I16x8ExtmulHighI8x16U 0x9F "i16x8.extmul_high_i8x16_u" bin() i16x8_extmul_high_i8x16_u
            I32x4Abs 0xA0 "i32x4.abs" un() i32x4_abs
            I32x4Neg 0xA1 "i32x4.neg" un() i32x4_neg
            I32x4AllTrue 0xA3 "i32x4.all_true" test() i32x4_all_true
            I32x4Bitmask 0xA4 "i32x4.bitmask" test() i32x4_bitmask
            I32x4ExtendLowI16x8S 0xA7 "i32x4.extend_low_i16x8_s" un() i32x4_extend_low_i16x8_s
            I32x4ExtendHighI16x8S 0xA8 "i32x4.extend_high_i16x8_s" un() i32x4_extend_high_i16x8_s
            I32x4ExtendLowI16x8U 0xA9 "i32x4.extend_low_i16x8_u" un() i32x4_extend_low_i16x8_u
            I32x4ExtendHighI16x8U 0xAA "i32x4.extend_high_i16x8_u" un() i32x4_extend_high_i16x8_u
            I32x4Shl 0xAB "i32x4.shl" shift() i32x4_shl
            I32x4ShrS 0xAC "i32x4.shr_s" shift() i32x4_shr_s
            I32x4ShrU 0xAD "i32x4.shr_u" shift() i32x4_shr_u
            I32x4Add 0xAE "i32x4.add" bin() i32x4_add
            I32x4Sub 0xB1 "i32x4.sub" bin() i32x4_sub
            I32x4Mul 0xB5 "i32x4.mul" bin() i32x4_mul
            I32x4MinS 0xB6 "i32x4.min_s" bin() i32x4_min_s
            I32x4MinU 0xB7 "i32x4.min_u" bin() i32x4_min_u
            I32x4MaxS 0xB8 "i32x4.max_s" bin() i32x4_max_s
            I32x4MaxU 0xB9 "i32x4.max_u" bin() i32x4_max_u
            I32x4DotI16x8S 0xBA "i32x4.dot_i16x8_s" bin() i32x4_dot_i16x8_s
            I32x4ExtmulLowI16x8S 0xBC "i32x4.extmul_low_i16x8_s" bin() i32x4_extmul_low_i16x8_s
            I32x4ExtmulHighI16x8S 0xBD "i32x4.extmul_high_i16x8_s" bin() i32x4_extmul_high_i16x8_s
            I32x4ExtmulLowI16x8U 0xBE "i32x4.extmul_low_i16x8_u" bin() i32x4_extmul_low_i16x8_u
            I32x4ExtmulHighI16x8U 0xBF "i32x4.extmul_high_i16x8_u" bin() i32x4_extmul_high_i16x8_u
            I64x2Abs 0xC0 "i64x2.abs" un() i64x2_abs
            I64x2Neg 0xC1 "i64x2.neg" un() i64x2_neg
            I64x2AllTrue 0xC3 "i64x2.all_true" test() i64x2_all_true
            I64x2Bitmask 0xC4 "i64x2.bitmask" test() i64x2_bitmask
            I64x2ExtendLowI32x4S 0xC7 "i64x2.extend_low_i32x4_s" un() i64x2_extend_low_i32x4_s
            I64x2ExtendHighI32x4S 0xC8 "i64x2.extend_high_i32x4_s" un() i64x2_extend_high_i32x4_s
            I64x2ExtendLowI32x4U 0xC9 "i64x2.extend_low_i32x4_u" un() i64x2_extend_low_i32x4_u
            I64x2ExtendHighI32x4U 0xCA "i64x2.extend_high_i32x4_u" un() i64x2_extend_high_i32x4_u
            I64x2Shl 0xCB "i64x2.shl" shift() i64x2_shl
            I64x2ShrS 0xCC "i64x2.shr_s" shift() i64x2_shr_s
            I64x2ShrU 0xCD "i64x2.shr_u" shift() i64x2_shr_u
            I64x2Add 0xCE "i64x2.add" bin() i64x2_add
            I64x2Sub 0xD1 "i64x2.sub" bin() i64x2_sub
            I64x2Mul 0xD5 "i64x2.mul" bin() i64x2_mul
            I64x2Eq 0xD6 "i64x2.eq" bin() i64x2_eq
            I64x2Ne 0xD7 "i64x2.ne" bin() i64x2_ne
            I64x2LtS 0xD8 "i64x2.lt_s" bin() i64x2_lt_s
            I64x2GtS 0xD9 "i64x2.gt_s" bin() i64x2_gt_s
            I64x2LeS 0xDA "i64x2.le_s" bin() i64x2_le_s
            I64x2GeS 0xDB "i64x2.ge_s" bin() i64x2_ge_s
            I64x2ExtmulLowI32x4S 0xDC "i64x2.extmul_low_i32x4_s" bin() i64x2_extmul_low_i32x4_s
            I64x2ExtmulHighI32x4S 0xDD "i64x2.extmul_high_i32x4_s" bin() i64x2_extmul_high_i32x4_s
            I64x2ExtmulLowI32x4U 0xDE "i64x2.extmul_low_i32x4_u" bin() i64x2_extmul_low_i32x4_u
            I64x2ExtmulHighI32x4U 0xDF "i64x2.extmul_high_i32x4_u" bin() i64x2_extmul_high_i32x4_u
            F32x4Abs 0xE0 "f32x4.abs" un() f32x4_abs
            F32x4Neg 0xE1 "f32x4.neg" un() f32x4_neg
            F32x4Sqrt 0xE3 "f32x4.sqrt" un() f32x4_sqrt
            F32x4Add 0xE4 "f32x4.add" bin() f32x4_add
            F32x4Sub 0xE5 "f32x4.sub" bin() f32x4_sub
            F32x4Mul 0xE6 "f32x4.mul" bin() f32x4_mul
            F32x4Div 0xE7 "f32x4.div" bin() f32x4_div
            F32x4Min 0xE8 "f32x4.min" bin() f32x4_min
            F32x4Max 0xE9 "f32x4.max" bin() f32x4_max
            F32x4Pmin 0xEA "f32x4.pmin" bin() f32x4_pmin
            F32x4Pmax 0xEB "f32x4.pmax" bin() f32x4_pmax
            F64x2Abs 0xEC "f64x2.abs" un() f64x2_abs
            F64x2Neg 0xED "f64x2.neg" un() f64x2_neg
            F64x2Sqrt 0xEF "f64x2.sqrt" un() f64x2_sqrt
            F64x2Add 0xF0 "f64x2.add" bin() f64x2_add
            F64x2Sub 0xF1 "f64x2.sub" bin() f64x2_sub
            F64x2Mul 0xF2 "f64x2.mul" bin() f64x2_mul
            F64x2Div 0xF3 "f64x2.div" bin() f64x2_div
            F64x2Min 0xF4 "f64x2.min" bin() f64x2_min
            F64x2Max 0xF5 "f64x2.max" bin() f64x2_max
            F64x2Pmin 0xF6 "f64x2.pmin" bin() f64x2_pmin
            F64x2Pmax 0xF7 "f64x2.pmax" bin() f64x2_pmax
            I32x4TruncSatF32x4S 0xF8 "i32x4.trunc_sat_f32x4_s" un() i32x4_trunc_sat_f32x4_s
            I32x4TruncSatF32x4U 0xF9 "i32x4.trunc_sat_f32x4_u" un() i32x4_trunc_sat_f32x4_u
            F32x4ConvertI32x4S 0xFA "f32x4.convert_i32x4_s" un() f32x4_convert_i32x4_s
            F32x4ConvertI32x4U 0xFB "f32x4.convert_i32x4_u" un() f32x4_convert_i32x4_u
            I32x4TruncSatF64x2SZero 0xFC "i32x4.trunc_sat_f64x2_s_zero" un() i32x4_trunc_sat_f64x2_s_zero
            I32x4TruncSatF64x2UZero 0xFD "i32x4.trunc_sat_f64x2_u_zero" un() i32x4_trunc_sat_f64x2_u_zero
            F64x2ConvertLowI32x4S 0xFE "f64x2.convert_low_i32x4_s" un() f64x2_convert_low_i32x4_s
            F64x2ConvertLowI32x4U 0xFF "f64x2.convert_low_i32x4_u" un() f64x2_convert_low_i32x4_u
            // Relaxed SIMD (Wasm 3.0); the deterministic choices are
            // documented in `exec::simd`.
            I8x16RelaxedSwizzle 0x100 "i8x16.relaxed_swizzle" bin() i8x16_relaxed_swizzle
            I32x4RelaxedTruncF32x4S 0x101 "i32x4.relaxed_trunc_f32x4_s" un() i32x4_relaxed_trunc_f32x4_s
            I32x4RelaxedTruncF32x4U 0x102 "i32x4.relaxed_trunc_f32x4_u" un() i32x4_relaxed_trunc_f32x4_u
            I32x4RelaxedTruncF64x2SZero 0x103 "i32x4.relaxed_trunc_f64x2_s_zero" un() i32x4_relaxed_trunc_f64x2_s_zero
            I32x4RelaxedTruncF64x2UZero 0x104 "i32x4.relaxed_trunc_f64x2_u_zero" un() i32x4_relaxed_trunc_f64x2_u_zero
            F32x4RelaxedMadd 0x105 "f32x4.relaxed_madd" tern() f32x4_relaxed_madd
            F32x4RelaxedNmadd 0x106 "f32x4.relaxed_nmadd" tern() f32x4_relaxed_nmadd
            F64x2RelaxedMadd 0x107 "f64x2.relaxed_madd" tern() f64x2_relaxed_madd
            F64x2RelaxedNmadd 0x108 "f64x2.relaxed_nmadd" tern() f64x2_relaxed_nmadd
            I8x16RelaxedLaneselect 0x109 "i8x16.relaxed_laneselect" tern() i8x16_relaxed_laneselect
            I16x8RelaxedLaneselect 0x10A "i16x8.relaxed_laneselect" tern() i16x8_relaxed_laneselect
            I32x4RelaxedLaneselect 0x10B "i32x4.relaxed_laneselect" tern() i32x4_relaxed_laneselect
            I64x2RelaxedLaneselect 0x10C "i64x2.relaxed_laneselect" tern() i64x2_relaxed_laneselect
            F32x4RelaxedMin 0x10D "f32x4.relaxed_min" bin() f32x4_relaxed_min
            F32x4RelaxedMax 0x10E "f32x4.relaxed_max" bin() f32x4_relaxed_max
            F64x2RelaxedMin 0x10F "f64x2.relaxed_min" bin() f64x2_relaxed_min
            F64x2RelaxedMax 0x110 "f64x2.relaxed_max" bin() f64x2_relaxed_max
            I16x8RelaxedQ15mulrS 0x111 "i16x8.relaxed_q15mulr_s" bin() i16x8_relaxed_q15mulr_s
            I16x8RelaxedDotI8x16I7x16S 0x112 "i16x8.relaxed_dot_i8x16_i7x16_s" bin() i16x8_relaxed_dot_i8x16_i7x16_s
            I32x4RelaxedDotI8x16I7x16AddS 0x113 "i32x4.relaxed_dot_i8x16_i7x16_add_s" tern() i32x4_relaxed_dot_i8x16_i7x16_add_s
        }
    };
}
