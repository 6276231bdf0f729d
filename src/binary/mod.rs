//! Binary format decoder (spec chapter 5).
//!
//! - [`reader`]: bytes, LEB128, names, types (5.1–5.3)
//! - [`instr`]: instructions, function bodies, constant expressions (5.4)
//! - [`sections`]: one function per section (5.5)
//! - [`names`]: the `name` custom section (7.4)
//!
//! Error messages are the spec test suite's (the reference interpreter's)
//! wording; offsets are byte offsets in the module.

mod instr;
mod names;
mod reader;
mod sections;

pub use instr::MAX_LOCALS;

use crate::error::{Error, Result};
use crate::syntax::{CustomSection, Module};
use instr::InstrDecoder;
use reader::Reader;

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
}

/// Position of a non-custom section in the required order: the data count
/// section sits between the element and code sections.
fn order(id: u8) -> u8 {
    match id {
        id::DATA_COUNT => 10,
        id::CODE => 11,
        id::DATA => 12,
        other => other,
    }
}

/// Decodes a binary module. Function bodies are decoded completely, so any
/// malformed byte anywhere is reported here, before validation.
///
/// # Errors
/// [`Error::Decode`](crate::Error::Decode) with the spec suite's wording
/// (e.g. "unexpected end", "integer too large") and the byte offset.
pub fn decode(bytes: &[u8]) -> Result<Module> {
    // Instruction offsets are stored as u32.
    if bytes.len() > u32::MAX as usize {
        return Err(Error::decode("module too large", 0));
    }
    let mut r = Reader::new(bytes);
    let header_end = |r: &Reader<'_>| Error::decode("unexpected end", r.offset());
    let magic = r.u32_le().map_err(|_| header_end(&r))?;
    if magic != MAGIC {
        return Err(Error::decode("magic header not detected", 0));
    }
    let version = r.u32_le().map_err(|_| header_end(&r))?;
    if version != VERSION {
        return Err(Error::decode("unknown binary version", 4));
    }

    let mut m = Module::default();
    let mut d = InstrDecoder::default();
    let mut last = 0u8; // order of the last non-custom section

    while !r.at_end() {
        let id_pos = r.pos();
        let id = r.u8()?;
        if id > id::DATA_COUNT {
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
            id::TYPE => m.types = sections::types(&mut r)?,
            id::IMPORT => m.imports = sections::imports(&mut r)?,
            id::FUNCTION => m.funcs = sections::funcs(&mut r)?,
            id::TABLE => m.tables = sections::tables(&mut r)?,
            id::MEMORY => m.memories = sections::memories(&mut r)?,
            id::GLOBAL => m.globals = sections::globals(&mut r, &mut d)?,
            id::EXPORT => m.exports = sections::exports(&mut r)?,
            id::START => m.start = Some(sections::start(&mut r)?),
            id::ELEMENT => m.elems = sections::elems(&mut r, &mut d)?,
            id::DATA_COUNT => m.data_count = Some(sections::data_count(&mut r)?),
            id::CODE => m.codes = sections::codes(&mut r, &mut d)?,
            id::DATA => m.datas = sections::datas(&mut r, &mut d)?,
            _ => unreachable!("section id checked above"),
        }
        if r.pos() != start + size {
            return Err(r.error_at(start, "section size mismatch"));
        }
    }

    let end = bytes.len();
    if m.funcs.len() != m.codes.len() {
        return Err(Error::decode(
            "function and code section have inconsistent lengths",
            end,
        ));
    }
    if let Some(n) = m.data_count {
        if n as usize != m.datas.len() {
            return Err(Error::decode(
                "data count and data section have inconsistent lengths",
                end,
            ));
        }
    } else if d.uses_data_index {
        return Err(Error::decode("data count section required", end));
    }

    if let Some(c) = m.customs.iter().find(|c| c.name == "name") {
        m.names = names::parse(&c.data, c.offset);
    }
    Ok(m)
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
