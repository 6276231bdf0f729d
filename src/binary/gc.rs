//! Decoding of the GC instructions (`0xFB`-prefixed, spec 3.0 5.4.7).

use super::reader::Reader;
use crate::error::Result;
use crate::syntax::{Cast, Ext, GcInstr, Instr, RefType};

/// The instruction after a `0xFB` prefix (at `start`).
pub(crate) fn prefixed_fb(r: &mut Reader<'_>, start: usize) -> Result<Instr> {
    use GcInstr::*;
    let sub = r.u32()?;
    let ty = |r: &mut Reader<'_>| r.u32();
    let rt = |r: &mut Reader<'_>, nullable: bool| -> Result<RefType> { Ok(RefType { nullable, heap: r.heap_type()? }) };
    let i = match sub {
        0 => StructNew(ty(r)?),
        1 => StructNewDefault(ty(r)?),
        2..=4 => {
            let (t, f) = (ty(r)?, r.u32()?);
            StructGet(t, f, [Ext::None, Ext::S, Ext::U][sub as usize - 2])
        }
        5 => StructSet(ty(r)?, r.u32()?),
        6 => ArrayNew(ty(r)?),
        7 => ArrayNewDefault(ty(r)?),
        8 => ArrayNewFixed(ty(r)?, r.u32()?),
        9 => ArrayNewData(ty(r)?, r.u32()?),
        10 => ArrayNewElem(ty(r)?, r.u32()?),
        11..=13 => ArrayGet(ty(r)?, [Ext::None, Ext::S, Ext::U][sub as usize - 11]),
        14 => ArraySet(ty(r)?),
        15 => ArrayLen,
        16 => ArrayFill(ty(r)?),
        17 => ArrayCopy(ty(r)?, ty(r)?),
        18 => ArrayInitData(ty(r)?, r.u32()?),
        19 => ArrayInitElem(ty(r)?, r.u32()?),
        20 | 21 => RefTest(rt(r, sub == 21)?),
        22 | 23 => RefCast(rt(r, sub == 23)?),
        24 | 25 => {
            let at = r.pos();
            let flags = r.u8()?;
            if flags > 3 {
                return Err(r.error_at(at, "malformed br_on_cast flags"));
            }
            let label = r.u32()?;
            let from = RefType { nullable: flags & 1 != 0, heap: r.heap_type()? };
            let to = RefType { nullable: flags & 2 != 0, heap: r.heap_type()? };
            let c = Box::new(Cast { label, from, to });
            if sub == 24 {
                BrOnCast(c)
            } else {
                BrOnCastFail(c)
            }
        }
        26 => AnyConvertExtern,
        27 => ExternConvertAny,
        28 => RefI31,
        29 => I31Get(true),
        30 => I31Get(false),
        _ => return Err(r.error_at(start, format!("illegal opcode fb {sub:02x}"))),
    };
    Ok(Instr::Gc(i))
}
