//! One function per section (spec 5.5). Each reads the section contents from
//! the module reader; the caller checks the declared size afterwards.

use super::instr::InstrDecoder;
use super::reader::{prealloc, Reader};
use crate::error::Result;
use crate::syntax::*;

/// Reads a vector: a length (bounded by the bytes left) and its elements.
fn vec<'a, T>(r: &mut Reader<'a>, mut f: impl FnMut(&mut Reader<'a>) -> Result<T>) -> Result<Vec<T>> {
    let n = r.len()?;
    let mut v = prealloc(n);
    for _ in 0..n {
        v.push(f(r)?);
    }
    Ok(v)
}

// ---- Type section (5.5.4) ----

/// The type section: function signatures, and (when a recursion group,
/// a subtype declaration or a struct or array type occurs, GC) each type's
/// definition and the recursion groups.
pub(crate) struct TypeSection {
    pub types: Vec<FuncType>,
    pub defs: Vec<SubType>,
    pub groups: Vec<(u32, u32)>,
}

pub(crate) fn types(r: &mut Reader<'_>) -> Result<TypeSection> {
    let n = r.len()?;
    let mut s = TypeSection { types: prealloc(n), defs: prealloc(n), groups: prealloc(n) };
    for _ in 0..n {
        let first = s.types.len() as u32;
        let count = if r.features.gc && r.peek() == Some(0x4e) {
            r.u8()?;
            r.len()?
        } else {
            1
        };
        for _ in 0..count {
            let (ft, def) = sub_type(r)?;
            s.types.push(ft);
            s.defs.push(def);
        }
        // An empty group defines nothing (and must not be a group of 0
        // types that later lookups could land on).
        if count > 0 {
            s.groups.push((first, count as u32));
        }
    }
    // Without GC's forms there is nothing the plain list does not say.
    if s.groups.iter().all(|&(_, n)| n == 1) && s.defs.iter().all(|d| *d == SubType::default()) {
        s.defs = Vec::new();
        s.groups = Vec::new();
    }
    Ok(s)
}

/// A subtype declaration (`0x50`, `0x4f` final) or a bare composite type
/// (final, no supertype).
fn sub_type(r: &mut Reader<'_>) -> Result<(FuncType, SubType)> {
    let (is_final, sup) = match r.peek() {
        Some(b @ (0x50 | 0x4f)) if r.features.gc => {
            r.u8()?;
            let start = r.pos();
            let sups = vec(r, Reader::u32)?;
            if sups.len() > 1 {
                return Err(r.error_at(start, "malformed definition type"));
            }
            (b == 0x4f, sups.first().copied())
        }
        _ => (true, None),
    };
    let start = r.pos();
    let (ft, comp) = match r.u8()? {
        0x60 => {
            let params = vec(r, Reader::val_type)?;
            let results = vec(r, Reader::val_type)?;
            (FuncType::new(params, results), CompType::Func)
        }
        0x5f if r.features.gc => (FuncType::default(), CompType::Struct(vec(r, field_type)?.into())),
        0x5e if r.features.gc => (FuncType::default(), CompType::Array(field_type(r)?)),
        // The form is a 7-bit signed LEB128; a continuation bit makes it too long.
        0x80.. => return Err(r.error("integer representation too long")),
        _ => return Err(r.error_at(start, "malformed function type")),
    };
    Ok((ft, SubType { is_final, sup, comp }))
}

/// A struct field or array element: a storage type and its mutability.
fn field_type(r: &mut Reader<'_>) -> Result<FieldType> {
    let storage = match r.peek() {
        Some(0x78) => {
            r.u8()?;
            StorageType::I8
        }
        Some(0x77) => {
            r.u8()?;
            StorageType::I16
        }
        _ => StorageType::Val(r.val_type()?),
    };
    let start = r.pos();
    let mutable = match r.u8()? {
        0 => false,
        1 => true,
        _ => return Err(r.error_at(start, "malformed mutability")),
    };
    Ok(FieldType { storage, mutable })
}

// ---- Import section (5.5.5) ----

pub(crate) fn imports(r: &mut Reader<'_>) -> Result<Vec<Import>> {
    vec(r, |r| {
        let module = r.name()?.to_owned();
        let name = r.name()?.to_owned();
        let start = r.pos();
        let desc = match r.u8()? {
            0x00 => ImportDesc::Func(r.u32()?),
            0x01 => ImportDesc::Table(r.table_type()?),
            0x02 => ImportDesc::Memory(r.mem_type()?),
            0x03 => ImportDesc::Global(r.global_type()?),
            0x04 if r.features.exceptions => ImportDesc::Tag(tag_type(r)?),
            _ => return Err(r.error_at(start, "malformed import kind")),
        };
        Ok(Import { module, name, desc })
    })
}

// ---- Tag section (3.0 5.5.10, exception handling) ----

/// A tag type: the attribute 0 (an exception), then a type index.
fn tag_type(r: &mut Reader<'_>) -> Result<u32> {
    let start = r.pos();
    if r.u8()? != 0 {
        return Err(r.error_at(start, "malformed tag attribute"));
    }
    r.u32()
}

pub(crate) fn tags(r: &mut Reader<'_>) -> Result<Vec<u32>> {
    vec(r, tag_type)
}

// ---- Function section (5.5.6) ----

pub(crate) fn funcs(r: &mut Reader<'_>) -> Result<Vec<u32>> {
    vec(r, Reader::u32)
}

// ---- Table section (5.5.7) ----

/// The tables and the initialisers of those that have one.
pub(crate) fn tables(r: &mut Reader<'_>, d: &mut InstrDecoder) -> Result<(Vec<TableType>, Vec<(u32, ConstExpr)>)> {
    let mut inits = Vec::new();
    let mut i = 0;
    let tables = vec(r, |r| {
        let t = if r.peek() == Some(0x40) && r.features.function_references {
            r.u8()?;
            let start = r.pos();
            if r.u8()? != 0 {
                return Err(r.error_at(start, "malformed table"));
            }
            let t = r.table_type()?;
            inits.push((i, d.const_expr(r)?));
            t
        } else {
            r.table_type()?
        };
        i += 1;
        Ok(t)
    })?;
    Ok((tables, inits))
}

// ---- Memory section (5.5.8) ----

pub(crate) fn memories(r: &mut Reader<'_>) -> Result<Vec<MemType>> {
    vec(r, Reader::mem_type)
}

// ---- Global section (5.5.9) ----

pub(crate) fn globals(r: &mut Reader<'_>, d: &mut InstrDecoder) -> Result<Vec<Global>> {
    vec(r, |r| {
        let ty = r.global_type()?;
        let init = d.const_expr(r)?;
        Ok(Global { ty, init })
    })
}

// ---- Export section (5.5.10) ----

pub(crate) fn exports(r: &mut Reader<'_>) -> Result<Vec<Export>> {
    vec(r, |r| {
        let name = r.name()?.to_owned();
        let start = r.pos();
        let desc = match r.u8()? {
            0x00 => ExportDesc::Func(r.u32()?),
            0x01 => ExportDesc::Table(r.u32()?),
            0x02 => ExportDesc::Memory(r.u32()?),
            0x03 => ExportDesc::Global(r.u32()?),
            0x04 if r.features.exceptions => ExportDesc::Tag(r.u32()?),
            _ => return Err(r.error_at(start, "malformed export kind")),
        };
        Ok(Export { name, desc })
    })
}

// ---- Start section (5.5.11) ----

pub(crate) fn start(r: &mut Reader<'_>) -> Result<u32> {
    r.u32()
}

// ---- Element section (5.5.12) ----

pub(crate) fn elems(r: &mut Reader<'_>, d: &mut InstrDecoder) -> Result<Vec<ElemSegment>> {
    vec(r, |r| elem(r, d))
}

/// One element segment. The flags' bits: 0 = passive/declarative (else
/// active), 1 = declarative if passive, or explicit table index if active,
/// 2 = expressions (else function indices) with an explicit type.
fn elem(r: &mut Reader<'_>, d: &mut InstrDecoder) -> Result<ElemSegment> {
    let start = r.pos();
    let flags = r.u32()?;
    if flags > 7 {
        return Err(r.error_at(start, "malformed elements segment kind"));
    }
    let mode = match flags & 0b011 {
        0b000 => ElemMode::Active { table: 0, offset: d.const_expr(r)? },
        0b010 => {
            let table = r.u32()?;
            ElemMode::Active { table, offset: d.const_expr(r)? }
        }
        0b001 => ElemMode::Passive,
        _ => ElemMode::Declarative,
    };
    let exprs = flags & 0b100 != 0;
    // Function indices are of type `(ref func)` in 3.0 (`funcref` in 2.0);
    // flags 4 imply funcref; the others spell out the elemkind/reftype.
    let func_indices =
        if r.features.function_references { RefType { nullable: false, heap: HeapType::Func } } else { RefType::FUNCREF };
    let ty = if flags == 0 {
        func_indices
    } else if flags == 4 {
        RefType::FUNCREF
    } else if exprs {
        r.ref_type()?
    } else {
        let start = r.pos();
        if r.u8()? != 0x00 {
            return Err(r.error_at(start, "malformed element kind"));
        }
        func_indices
    };
    let items =
        if exprs { ElemItems::Exprs(vec(r, |r| d.const_expr(r))?) } else { ElemItems::Funcs(vec(r, Reader::u32)?) };
    Ok(ElemSegment { ty, items, mode })
}

// ---- Code section (5.5.13) ----

/// The bodies' locals and the ranges of their instructions (see
/// [`InstrDecoder::func_body`]). An error in one body is reported only if
/// the bodies before it are well-formed: their instructions come first.
pub(crate) fn codes(r: &mut Reader<'_>, d: &mut InstrDecoder, bytes: &[u8]) -> Result<Vec<FuncBody>> {
    let n = r.len()?;
    let mut v = prealloc(n);
    for _ in 0..n {
        match d.func_body(r, bytes) {
            Ok(b) => v.push(b),
            Err(e) => {
                check_bodies(bytes, &v, r.features)?;
                return Err(e);
            }
        }
    }
    Ok(v)
}

/// Checks the instructions of `bodies` (of the module `bytes`) in order.
/// Returns whether any uses a data index (which needs the data count
/// section).
///
/// # Errors
/// The first malformed instruction.
pub(crate) fn check_bodies(bytes: &[u8], bodies: &[FuncBody], features: crate::syntax::Features) -> Result<bool> {
    let mut data = false;
    for b in bodies {
        data |= super::instr::check_body(bytes, b, features)?;
    }
    Ok(data)
}

// ---- Data section (5.5.14) ----

pub(crate) fn datas(r: &mut Reader<'_>, d: &mut InstrDecoder) -> Result<Vec<DataSegment>> {
    vec(r, |r| {
        let start = r.pos();
        let mode = match r.u32()? {
            0 => DataMode::Active { memory: 0, offset: d.const_expr(r)? },
            1 => DataMode::Passive,
            2 => {
                let memory = r.u32()?;
                DataMode::Active { memory, offset: d.const_expr(r)? }
            }
            _ => return Err(r.error_at(start, "malformed data segment kind")),
        };
        let n = r.len()?;
        let at = r.pos();
        r.bytes(n)?;
        Ok(DataSegment { init: at..at + n, mode })
    })
}

// ---- Data count section (5.5.15) ----

pub(crate) fn data_count(r: &mut Reader<'_>) -> Result<u32> {
    r.u32()
}
