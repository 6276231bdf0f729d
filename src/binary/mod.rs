//! Binary format decoder (spec chapter 5).
//!
//! - `reader.rs`: bytes, LEB128, names, types (5.1–5.3)
//! - `instr.rs`: instructions, function bodies, constant expressions (5.4)
//! - `simd.rs`: the `0xFD`-prefixed (SIMD) instructions (5.4.8)
//! - `sections.rs`: one function per section (5.5)
//! - `names.rs`: the `name` custom section (7.4)
//!
//! Error messages are the spec test suite's (the reference interpreter's)
//! wording; offsets are byte offsets in the module.

mod gc;
mod instr;
mod names;
pub(crate) mod reader;
mod sections;
mod simd;

pub use instr::{BodyReader, MAX_LOCALS};
// For the validator's loop over a body's bytes.
pub(crate) use instr::{block_type, decode_instr, mem_arg, size_mismatch};
pub(crate) use reader::Reader;

use crate::error::{Error, Result};
use crate::syntax::{Bytes, CustomSection, Features, Module};
use instr::InstrDecoder;

const MAGIC: u32 = 0x6d73_6100; // "\0asm"
const VERSION: u32 = 1;

/// Section ids (spec 5.5.2).
mod id {
    pub const CUSTOM: u8 = 0;
    pub const TYPE: u8 = 1;
    pub const IMPORT: u8 = 2;
    pub const FUNCTION: u8 = 3;
    pub const TABLE: u8 = 4;
    pub const MEMORY: u8 = 5;
    pub const GLOBAL: u8 = 6;
    pub const EXPORT: u8 = 7;
    pub const START: u8 = 8;
    pub const ELEMENT: u8 = 9;
    pub const CODE: u8 = 10;
    pub const DATA: u8 = 11;
    pub const DATA_COUNT: u8 = 12;
    pub const TAG: u8 = 13;
}

/// Position of a non-custom section in the required order: the data count
/// section sits between the element and code sections, the tag section
/// between the memory and global sections.
fn order(id: u8) -> u8 {
    match id {
        id::TAG => 2 * id::MEMORY + 1,
        id::DATA_COUNT => 2 * id::ELEMENT + 1,
        other => 2 * other,
    }
}

/// Decodes a binary module, checking every byte: any malformed byte
/// anywhere is reported here, before validation. Copies `bytes` once (the
/// module keeps them; see [`decode_shared`]).
///
/// # Errors
/// [`Error::Decode`] with the spec suite's wording
/// (e.g. "unexpected end", "integer too large") and the byte offset.
pub fn decode(bytes: &[u8]) -> Result<Module> {
    decode_shared(Bytes::from(bytes.to_vec()))
}

/// [`decode`] of bytes the module then keeps, without copying them.
///
/// # Errors
/// As [`decode`].
pub fn decode_shared(bytes: Bytes) -> Result<Module> {
    decode_with(bytes, Features::default())
}

/// [`decode_shared`] accepting only the encodings of `features`.
///
/// # Errors
/// As [`decode`].
pub fn decode_with(bytes: Bytes, features: Features) -> Result<Module> {
    let m = decode_lazy(bytes, features)?;
    check_code(&m)?;
    Ok(m)
}

/// The error of a module whose bodies use data indices without a data
/// count section.
pub(crate) fn data_count_required(m: &Module) -> Error {
    Error::decode("data count section required", m.bytes.len())
}

/// Checks the instructions of every function body of a module that
/// [`decode_lazy`] made.
///
/// # Errors
/// The first malformed instruction in module order; else "data count
/// section required" if that applies.
pub(crate) fn check_code(m: &Module) -> Result<()> {
    if sections::check_bodies(&m.bytes, &m.codes, m.features)? && m.data_count.is_none() {
        return Err(data_count_required(m));
    }
    Ok(())
}

/// Decodes a module but for the instructions of function bodies, which the
/// validator decodes as it reads them (once, with no `Vec` per body); it
/// keeps the reference's order of errors (see [`crate::validate::validate`]).
/// Any other malformed byte is reported here, unless a malformed body comes
/// before it.
pub(crate) fn decode_lazy(bytes: Bytes, features: Features) -> Result<Module> {
    let mut m = Module { bytes: bytes.clone(), features, ..Module::default() };
    match decode_sections(&bytes, &mut m) {
        Ok(()) => Ok(m),
        // An error after the code section: the bodies come first.
        Err(e) => {
            sections::check_bodies(&bytes, &m.codes, features)?;
            Err(e)
        }
    }
}

fn decode_sections(bytes: &[u8], m: &mut Module) -> Result<()> {
    // Offsets are stored as u32 in places.
    if bytes.len() > u32::MAX as usize {
        return Err(Error::decode("module too large", 0));
    }
    let mut r = Reader::new(bytes);
    r.features = m.features;
    let header_end = |r: &Reader<'_>| Error::decode("unexpected end", r.offset());
    let magic = r.u32_le().map_err(|_| header_end(&r))?;
    if magic != MAGIC {
        return Err(Error::decode("magic header not detected", 0));
    }
    let version = r.u32_le().map_err(|_| header_end(&r))?;
    if version != VERSION {
        return Err(Error::decode("unknown binary version", 4));
    }

    let mut d = InstrDecoder::default();
    let mut last = 0u8; // order of the last non-custom section

    while !r.at_end() {
        let id_pos = r.pos();
        let id = r.u8()?;
        if id > id::TAG || (id == id::TAG && !r.features.exceptions) {
            return Err(r.error_at(id_pos, "malformed section id"));
        }
        if id != id::CUSTOM {
            // Out of order or repeated: the reference interpreter stops at
            // the first section it cannot place.
            if order(id) <= last {
                return Err(r.error_at(id_pos, "unexpected content after last section"));
            }
            last = order(id);
        }
        let size = r.len()?;
        let start = r.pos();
        match id {
            id::CUSTOM => m.customs.push(custom(&mut r, size)?),
            id::TYPE => {
                let t = sections::types(&mut r)?;
                (m.types, m.defs, m.groups, m.sections.types) = (t.types, t.defs, t.groups, start);
            }
            id::IMPORT => (m.imports, m.sections.imports) = (sections::imports(&mut r)?, start),
            id::FUNCTION => (m.funcs, m.sections.funcs) = (sections::funcs(&mut r)?, start),
            id::TABLE => ((m.tables, m.table_inits), m.sections.tables) = (sections::tables(&mut r, &mut d)?, start),
            id::MEMORY => (m.memories, m.sections.memories) = (sections::memories(&mut r)?, start),
            id::TAG => (m.tags, m.sections.tags) = (sections::tags(&mut r)?, start),
            id::GLOBAL => (m.globals, m.sections.globals) = (sections::globals(&mut r, &mut d)?, start),
            id::EXPORT => (m.exports, m.sections.exports) = (sections::exports(&mut r)?, start),
            id::START => (m.start, m.sections.start) = (Some(sections::start(&mut r)?), start),
            id::ELEMENT => (m.elems, m.sections.elems) = (sections::elems(&mut r, &mut d)?, start),
            id::DATA_COUNT => (m.data_count, m.sections.data_count) = (Some(sections::data_count(&mut r)?), start),
            id::CODE => (m.codes, m.sections.codes) = (sections::codes(&mut r, &mut d, bytes)?, start),
            id::DATA => (m.datas, m.sections.datas) = (sections::datas(&mut r, &mut d)?, start),
            _ => unreachable!("section id checked above"),
        }
        if r.pos() != start + size {
            return Err(r.error_at(start, "section size mismatch"));
        }
    }

    let end = bytes.len();
    if m.funcs.len() != m.codes.len() {
        return Err(Error::decode("function and code section have inconsistent lengths", end));
    }
    if let Some(n) = m.data_count {
        if n as usize != m.datas.len() {
            return Err(Error::decode("data count and data section have inconsistent lengths", end));
        }
    }

    if let Some(c) = m.customs.iter().find(|c| c.name == "name") {
        m.names = names::parse(&c.data, c.offset);
    }
    Ok(())
}

/// A custom section: its name, then uninterpreted bytes up to `size`.
fn custom(r: &mut Reader<'_>, size: usize) -> Result<CustomSection> {
    let start = r.pos();
    let name = r.name()?.to_owned();
    let used = r.pos() - start;
    if used > size {
        // The name runs past the section's end.
        return Err(r.error_at(start + size, reader::UNEXPECTED_END));
    }
    let offset = r.offset();
    let data = r.bytes(size - used)?.to_vec();
    Ok(CustomSection { name, data, offset })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::*;

    const HEADER: &[u8] = b"\0asm\x01\0\0\0";

    fn module(sections: &[&[u8]]) -> Vec<u8> {
        let mut m = HEADER.to_vec();
        for s in sections {
            m.extend_from_slice(s);
        }
        m
    }

    /// The instructions of defined function `i`.
    fn instrs(m: &Module, i: usize) -> Vec<Instr> {
        m.codes[i].instrs(m).map(|i| i.unwrap().1).collect()
    }

    fn err(bytes: &[u8]) -> (String, usize) {
        match decode(bytes).unwrap_err() {
            Error::Decode { message, offset } => (message, offset),
            e => panic!("not a decode error: {e}"),
        }
    }

    #[test]
    fn header() {
        assert_eq!(err(b"").0, "unexpected end");
        assert_eq!(err(b"\0asm\x01\0").0, "unexpected end");
        assert_eq!(err(b"\0asn\x01\0\0\0"), ("magic header not detected".into(), 0));
        assert_eq!(err(b"\0asm\x02\0\0\0"), ("unknown binary version".into(), 4));
        let m = decode(HEADER).unwrap();
        assert!(m.types.is_empty() && m.codes.is_empty() && m.names.is_none());
    }

    #[test]
    fn section_order_and_sizes() {
        // type section twice
        let twice = module(&[b"\x01\x01\x00", b"\x01\x01\x00"]);
        assert_eq!(err(&twice), ("unexpected content after last section".into(), 11));
        // data count (12) must come before code (10)
        let late = module(&[b"\x0a\x01\x00", b"\x0c\x01\x00"]);
        assert_eq!(err(&late).0, "unexpected content after last section");
        let ok = module(&[b"\x0c\x01\x00", b"\x0a\x01\x00", b"\x0b\x01\x00"]);
        assert_eq!(decode(&ok).unwrap().data_count, Some(0));
        assert_eq!(err(&module(&[b"\x0e\x00"])), ("malformed section id".into(), 8));
        // The tag section (13) is 3.0's, between memory and global.
        assert_eq!(decode(&module(&[b"\x05\x01\x00", b"\x0d\x01\x00", b"\x06\x01\x00"])).unwrap().tags, Vec::<u32>::new());
        assert_eq!(err(&module(&[b"\x06\x01\x00", b"\x0d\x01\x00"])).0, "unexpected content after last section");
        let tag = module(&[b"\x0d\x01\x00"]);
        let e = decode_with(tag.into(), Features::WASM2).unwrap_err();
        assert!(e.to_string().starts_with("malformed section id"), "{e}");
        assert_eq!(err(&module(&[b"\x01\x02\x00\x00"])).0, "section size mismatch");
        assert_eq!(err(&module(&[b"\x01\x05\x00"])).0, "length out of bounds");
    }

    #[test]
    fn customs_and_names() {
        let m = module(&[
            b"\x00\x05\x03abc\xff",          // custom "abc", payload ff
            b"\x00\x08\x04name\x00\x01\x00", // name section: module name ""
            b"\x00\x03\x02zz",               // custom "zz" with empty payload
        ]);
        let m = decode(&m).unwrap();
        let names: Vec<&str> = m.customs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["abc", "name", "zz"]);
        assert_eq!(m.customs[0].data, [0xff]);
        assert_eq!(m.customs[0].offset, 8 + 2 + 4);
        assert_eq!(m.names.unwrap().module.as_deref(), Some(""));
        // A malformed name section is not an error.
        let bad = module(&[b"\x00\x07\x04name\x01\x05"]);
        assert!(decode(&bad).unwrap().names.is_none());
        // A malformed custom section name is.
        assert_eq!(err(&module(&[b"\x00\x02\x01\xff"])).0, "malformed UTF-8 encoding");
        // Name longer than the section.
        assert_eq!(err(&module(&[b"\x00\x01\x02ab"])).0, reader::UNEXPECTED_END);
    }

    #[test]
    fn element_segment_encodings() {
        let wasm = wat::parse_str(
            r#"(module
                (table $t 1 funcref) (table $u 1 externref)
                (func $f)
                (elem (i32.const 0) $f)                       ;; 0
                (elem func $f)                                ;; 1
                (elem (table $t) (i32.const 0) func $f)       ;; 2
                (elem declare func $f)                        ;; 3
                (elem (i32.const 0) funcref (ref.func $f))    ;; 4
                (elem externref (ref.null extern))            ;; 5
                (elem (table $u) (i32.const 0) externref (ref.null extern)) ;; 6
                (elem declare funcref (ref.func $f))          ;; 7
            )"#,
        )
        .unwrap();
        let m = decode(&wasm).unwrap();
        assert_eq!(m.elems.len(), 8);
        let e = &m.elems;
        assert!(matches!(e[0].mode, ElemMode::Active { table: 0, .. }));
        assert_eq!(e[0].items, ElemItems::Funcs(vec![0]));
        assert_eq!(e[1].mode, ElemMode::Passive);
        assert!(matches!(e[2].mode, ElemMode::Active { table: 0, .. }));
        assert_eq!(e[3].mode, ElemMode::Declarative);
        assert_eq!(e[4].ty, RefType::FUNCREF);
        assert!(matches!(&e[4].items, ElemItems::Exprs(x) if x[0].instrs == [Instr::RefFunc(0)]));
        assert_eq!(e[5].ty, RefType::EXTERNREF);
        assert!(matches!(e[6].mode, ElemMode::Active { table: 1, .. }));
        assert_eq!(e[7].mode, ElemMode::Declarative);
        // Flags above 7 are malformed.
        let bad = module(&[b"\x09\x02\x01\x08"]);
        assert_eq!(err(&bad).0, "malformed elements segment kind");
    }

    #[test]
    fn data_segments_and_count() {
        let wasm = wat::parse_str(
            r#"(module (memory 1)
                (data (i32.const 8) "ab") (data "c") (data (memory 0) (i32.const 1) "")
                (func (data.drop 1)))"#,
        )
        .unwrap();
        let m = decode(&wasm).unwrap();
        assert_eq!(m.data_count, Some(3));
        assert_eq!(m.datas[0].bytes(&m), b"ab");
        assert!(matches!(&m.datas[0].mode, DataMode::Active { memory: 0, offset }
            if offset.instrs == [Instr::I32Const(8)]));
        assert_eq!(m.datas[1].mode, DataMode::Passive);
        assert_eq!(instrs(&m, 0), [Instr::DataDrop(1), Instr::End]);

        // data.drop without a data count section
        let no_count = module(&[
            b"\x01\x04\x01\x60\x00\x00",
            b"\x03\x02\x01\x00",
            b"\x0a\x07\x01\x05\x00\xfc\x09\x00\x0b",
            b"\x0b\x03\x01\x01\x00",
        ]);
        assert_eq!(err(&no_count).0, "data count section required");
        let mismatch = module(&[b"\x0c\x01\x01"]);
        assert_eq!(err(&mismatch).0, "data count and data section have inconsistent lengths");
    }

    #[test]
    fn functions_imports_exports() {
        let wasm = wat::parse_str(
            r#"(module
                (import "m" "f" (func (param i32) (result i64)))
                (import "m" "g" (global (mut f32)))
                (import "m" "t" (table 1 2 funcref))
                (import "m" "mem" (memory 1))
                (global $g i64 (i64.const -5))
                (func $h (export "h") (local i32 i32 f64) (i32.const 1) (drop))
                (start $h))"#,
        )
        .unwrap();
        let m = decode(&wasm).unwrap();
        assert_eq!(m.types[0], FuncType::new([ValType::I32], [ValType::I64]));
        assert_eq!(m.imports.len(), 4);
        assert_eq!(m.imports[1].desc, ImportDesc::Global(GlobalType { val: ValType::F32, mutable: true }));
        assert_eq!(
            m.imports[2].desc,
            ImportDesc::Table(TableType::new(RefType::FUNCREF, Limits { min: 1, max: Some(2) }))
        );
        assert_eq!(m.globals[0].init.instrs, [Instr::I64Const(-5)]);
        assert_eq!(m.exports[0].desc, ExportDesc::Func(1));
        assert_eq!(m.start, Some(1));
        let body = &m.codes[0];
        assert_eq!(body.locals, [(2, ValType::I32), (1, ValType::F64)]);
        assert_eq!(instrs(&m, 0), [Instr::I32Const(1), Instr::Drop, Instr::End]);
        // Offsets are module offsets, increasing, inside the body.
        let offsets: Vec<usize> = body.instrs(&m).map(|i| i.unwrap().0).collect();
        assert_eq!(offsets.len(), 3);
        assert!(offsets[0] > body.offset);
        assert_eq!(wasm[offsets[1]], 0x1a);
        assert_eq!(wasm[offsets[2]], 0x0b);
    }

    #[test]
    fn table64_limits() {
        // Flags 5: a 64-bit table with a maximum past u32; flags 0: a
        // 32-bit one, whose limits are read as u64 too (validation bounds them).
        let m = module(&[b"\x04\x10\x02\x70\x05\x01\x80\x80\x80\x80\x20\x6f\x00\x80\x80\x80\x80\x10"]);
        let m = decode(&m).unwrap();
        assert_eq!(m.tables[0], TableType { elem: RefType::FUNCREF, limits: Limits { min: 1, max: Some(1 << 33) }, is64: true });
        assert_eq!(m.tables[1], TableType::new(RefType::EXTERNREF, Limits { min: 1 << 32, max: None }));
        // 2.0 knows flags 0 and 1 only, and u32 limits.
        let wasm2 = |b: &[u8]| decode_with(Bytes::from(module(&[b])), Features::WASM2).unwrap_err().to_string();
        assert!(wasm2(b"\x04\x04\x01\x70\x04\x00").contains("integer too large"));
        assert!(wasm2(b"\x04\x08\x01\x70\x00\x80\x80\x80\x80\x10").contains("integer too large"));
        // Shared tables (bit 1) do not exist.
        assert_eq!(err(&module(&[b"\x04\x04\x01\x70\x06\x00"])), ("malformed limits flags".into(), 12));
    }

    #[test]
    fn function_code_mismatch() {
        let m = module(&[b"\x01\x04\x01\x60\x00\x00", b"\x03\x02\x01\x00"]);
        assert_eq!(err(&m).0, "function and code section have inconsistent lengths");
    }
}
