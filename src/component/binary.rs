//! The component binary format (component model `Binary.md`): decodes
//! every section into [`ast`](super::ast), checking each byte. Embedded
//! core modules go through the core decoder and validator. The async
//! parts of the model (streams, futures, error contexts, async canon
//! built-ins) and value/start sections are refused with a clear error.

use std::sync::Arc;

use super::ast::*;
use crate::binary::reader::Reader;
use crate::{Error, Result};

const MAGIC: [u8; 4] = *b"\0asm";
/// Version 0x0d and layer 1: a component, not a core module.
const COMPONENT_VERSION: [u8; 4] = [0x0d, 0x00, 0x01, 0x00];

/// Whether `bytes` start like a component (rather than a core module).
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == MAGIC && bytes[4..8] == COMPONENT_VERSION
}

/// Decodes a component binary.
///
/// # Errors
/// [`Error::Decode`] with the offset of the first malformed byte (an
/// embedded core module's errors name their offset in the component).
pub fn decode(bytes: &[u8]) -> Result<Component> {
    decode_at(bytes, 0, 0)
}

/// Nesting bound: a component inside a component ... (each level costs
/// native stack while decoding and instantiating).
const MAX_DEPTH: u32 = 100;

fn decode_at(bytes: &[u8], base: usize, depth: u32) -> Result<Component> {
    let mut r = Reader::with_base(bytes, base);
    if depth > MAX_DEPTH {
        return Err(r.error("components nested too deeply"));
    }
    if r.bytes(4).ok() != Some(&MAGIC[..]) {
        return Err(r.error_at(0, "magic header not detected"));
    }
    let version = r.bytes(4).map_err(|_| r.error_at(4, "unexpected end"))?;
    if version != COMPONENT_VERSION {
        return Err(r.error_at(4, "not a component: unknown binary version or layer (a component has version 0x0d, layer 1)"));
    }
    let mut c = Component::default();
    while !r.at_end() {
        let id = r.u8()?;
        let size = r.len()?;
        let start = r.pos();
        let payload = r.bytes(size)?;
        let mut s = Reader::with_base(payload, base + start);
        let at = base + start;
        match id {
            0 => {
                s.name()?;
                s.seek(payload.len());
            }
            1 => {
                let module = crate::Module::new(payload).map_err(|e| nested_error(e, at, "core module"))?;
                c.push(Def::CoreModule(module), at);
                s.seek(payload.len());
            }
            2 => vec_of(&mut s, &mut c, |s| core_instance(s).map(Def::CoreInstance))?,
            3 => vec_of(&mut s, &mut c, |s| core_type(s).map(Def::CoreType))?,
            4 => {
                let nested = decode_at(payload, at, depth + 1)?;
                c.push(Def::Component(Arc::new(nested)), at);
                s.seek(payload.len());
            }
            5 => vec_of(&mut s, &mut c, |s| instance(s).map(Def::Instance))?,
            6 => vec_of(&mut s, &mut c, |s| alias(s).map(Def::Alias))?,
            7 => vec_of(&mut s, &mut c, |s| type_def(s, depth).map(Def::Type))?,
            8 => vec_of(&mut s, &mut c, |s| canon(s).map(Def::Canon))?,
            9 => return Err(s.error("component start functions are not supported (they take component values)")),
            10 => vec_of(&mut s, &mut c, |s| {
                let name = extern_name(s)?;
                let desc = extern_desc(s)?;
                Ok(Def::Import(Import { name, desc }))
            })?,
            11 => vec_of(&mut s, &mut c, |s| {
                let name = extern_name(s)?;
                let (sort, index) = sort_idx(s)?;
                let desc = if flag(s)? { Some(extern_desc(s)?) } else { None };
                Ok(Def::Export(Export { name, sort, index, desc }))
            })?,
            12 => return Err(s.error("component value sections are not supported")),
            _ => return Err(r.error_at(start - 1, format!("unknown component section id {id}"))),
        }
        if !s.at_end() {
            return Err(s.error("section size mismatch"));
        }
    }
    Ok(c)
}

/// An error of an embedded module or component, at its component offset.
fn nested_error(e: Error, at: usize, what: &str) -> Error {
    match e {
        Error::Decode { message, offset } => Error::decode(format!("{what}: {message}"), at + offset),
        Error::Validate { message, offset } => Error::Validate { message: format!("{what}: {message}"), offset: at + offset },
        other => other,
    }
}

impl Component {
    fn push(&mut self, def: Def, at: usize) {
        self.defs.push(def);
        self.offsets.push(at);
    }
}

fn vec_of(s: &mut Reader<'_>, c: &mut Component, mut f: impl FnMut(&mut Reader<'_>) -> Result<Def>) -> Result<()> {
    let n = s.len()?;
    for _ in 0..n {
        let at = s.offset();
        let def = f(s)?;
        c.push(def, at);
    }
    Ok(())
}

fn vec<T>(s: &mut Reader<'_>, mut f: impl FnMut(&mut Reader<'_>) -> Result<T>) -> Result<Vec<T>> {
    let n = s.len()?;
    let mut v = crate::binary::reader::prealloc(n);
    for _ in 0..n {
        v.push(f(s)?);
    }
    Ok(v)
}

fn string(s: &mut Reader<'_>) -> Result<String> {
    Ok(s.name()?.to_owned())
}

/// `0x00` or `0x01` (an option's presence, a name's form).
fn flag(s: &mut Reader<'_>) -> Result<bool> {
    match s.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        b => Err(s.error_at(s.pos() - 1, format!("invalid leading byte 0x{b:x}: expected 0x00 or 0x01"))),
    }
}

fn extern_name(s: &mut Reader<'_>) -> Result<String> {
    flag(s)?;
    let name = string(s)?;
    if name.is_empty() {
        return Err(s.error("empty import or export name"));
    }
    Ok(name)
}

fn core_sort(s: &mut Reader<'_>) -> Result<CoreSort> {
    Ok(match s.u8()? {
        0x00 => CoreSort::Func,
        0x01 => CoreSort::Table,
        0x02 => CoreSort::Memory,
        0x03 => CoreSort::Global,
        0x04 => CoreSort::Tag,
        0x10 => CoreSort::Type,
        0x11 => CoreSort::Module,
        0x12 => CoreSort::Instance,
        b => return Err(s.error_at(s.pos() - 1, format!("invalid core sort 0x{b:x}"))),
    })
}

fn sort(s: &mut Reader<'_>) -> Result<Sort> {
    Ok(match s.u8()? {
        0x00 => Sort::Core(core_sort(s)?),
        0x01 => Sort::Func,
        0x02 => Sort::Value,
        0x03 => Sort::Type,
        0x04 => Sort::Component,
        0x05 => Sort::Instance,
        b => return Err(s.error_at(s.pos() - 1, format!("invalid sort 0x{b:x}"))),
    })
}

fn sort_idx(s: &mut Reader<'_>) -> Result<(Sort, u32)> {
    let sort = sort(s)?;
    Ok((sort, s.u32()?))
}

fn core_instance(s: &mut Reader<'_>) -> Result<CoreInstance> {
    match s.u8()? {
        0x00 => {
            let module = s.u32()?;
            let args = vec(s, |s| {
                let name = string(s)?;
                if s.u8()? != 0x12 {
                    return Err(s.error_at(s.pos() - 1, "a core instantiation argument must be an instance"));
                }
                Ok((name, s.u32()?))
            })?;
            Ok(CoreInstance::Instantiate { module, args })
        }
        0x01 => Ok(CoreInstance::FromExports(vec(s, |s| {
            let name = string(s)?;
            let sort = core_sort(s)?;
            Ok((name, sort, s.u32()?))
        })?)),
        b => Err(s.error_at(s.pos() - 1, format!("invalid core instance form 0x{b:x}"))),
    }
}

fn instance(s: &mut Reader<'_>) -> Result<Instance> {
    match s.u8()? {
        0x00 => {
            let component = s.u32()?;
            let args = vec(s, |s| {
                let name = string(s)?;
                let (sort, idx) = sort_idx(s)?;
                Ok((name, sort, idx))
            })?;
            Ok(Instance::Instantiate { component, args })
        }
        0x01 => Ok(Instance::FromExports(vec(s, |s| {
            let name = extern_name(s)?;
            let (sort, idx) = sort_idx(s)?;
            Ok((name, sort, idx))
        })?)),
        b => Err(s.error_at(s.pos() - 1, format!("invalid instance form 0x{b:x}"))),
    }
}

fn alias(s: &mut Reader<'_>) -> Result<Alias> {
    let sort = sort(s)?;
    match s.u8()? {
        0x00 => Ok(Alias::InstanceExport { sort, instance: s.u32()?, name: string(s)? }),
        0x01 => {
            let Sort::Core(sort) = sort else {
                return Err(s.error("an alias of a core instance's export must have a core sort"));
            };
            Ok(Alias::CoreInstanceExport { sort, instance: s.u32()?, name: string(s)? })
        }
        0x02 => {
            let count = s.u32()?;
            let index = s.u32()?;
            match sort {
                Sort::Type | Sort::Component | Sort::Core(CoreSort::Module | CoreSort::Type) => {}
                other => return Err(s.error(format!("an outer alias cannot refer to a {other}"))),
            }
            Ok(Alias::Outer { sort, count, index })
        }
        b => Err(s.error_at(s.pos() - 1, format!("invalid alias target 0x{b:x}"))),
    }
}

fn core_type(s: &mut Reader<'_>) -> Result<CoreType> {
    match s.u8()? {
        0x60 => {
            let params = vec(s, |s| s.val_type())?;
            let results = vec(s, |s| s.val_type())?;
            Ok(CoreType::Func(crate::FuncType::new(params, results)))
        }
        0x50 => {
            vec(s, |s| {
                match s.u8()? {
                    0x00 => {
                        s.name()?;
                        s.name()?;
                        core_import_desc(s)
                    }
                    0x01 => core_type(s).map(drop),
                    0x02 => {
                        core_sort(s)?;
                        if s.u8()? != 0x01 {
                            return Err(s.error_at(s.pos() - 1, "only outer aliases may appear in a module type"));
                        }
                        s.u32()?;
                        s.u32()?;
                        Ok(())
                    }
                    0x03 => {
                        s.name()?;
                        core_import_desc(s)
                    }
                    b => Err(s.error_at(s.pos() - 1, format!("invalid module type declaration 0x{b:x}"))),
                }
            })?;
            Ok(CoreType::Module)
        }
        b => Err(s.error_at(s.pos() - 1, format!("unsupported core type form 0x{b:x}"))),
    }
}

fn core_import_desc(s: &mut Reader<'_>) -> Result<()> {
    match s.u8()? {
        0x00 => drop(s.u32()?),
        0x01 => drop(s.table_type()?),
        0x02 => drop(s.mem_type()?),
        0x03 => drop(s.global_type()?),
        0x04 => {
            if s.u8()? != 0 {
                return Err(s.error_at(s.pos() - 1, "invalid tag attribute"));
            }
            s.u32()?;
        }
        b => return Err(s.error_at(s.pos() - 1, format!("invalid core import kind 0x{b:x}"))),
    }
    Ok(())
}

fn prim(b: u8) -> Option<Prim> {
    Some(match b {
        0x7f => Prim::Bool,
        0x7e => Prim::S8,
        0x7d => Prim::U8,
        0x7c => Prim::S16,
        0x7b => Prim::U16,
        0x7a => Prim::S32,
        0x79 => Prim::U32,
        0x78 => Prim::S64,
        0x77 => Prim::U64,
        0x76 => Prim::F32,
        0x75 => Prim::F64,
        0x74 => Prim::Char,
        0x73 => Prim::String,
        _ => return None,
    })
}

/// `valtype`: an s33, negative for a primitive (one byte), else an index.
fn val_type(s: &mut Reader<'_>) -> Result<ValType> {
    let at = s.pos();
    if let Some(b) = s.peek() {
        if let Some(p) = prim(b) {
            s.u8()?;
            return Ok(ValType::Prim(p));
        }
        if b == 0x64 {
            return Err(s.error("error-context types are not supported"));
        }
    }
    let v = s.s33()?;
    if v < 0 || v > i64::from(u32::MAX) {
        return Err(s.error_at(at, "invalid value type"));
    }
    Ok(ValType::Index(v as u32))
}

fn label(s: &mut Reader<'_>) -> Result<String> {
    let at = s.pos();
    let l = string(s)?;
    if !is_label(&l) {
        return Err(s.error_at(at, format!("`{l}` is not a valid kebab-case label")));
    }
    Ok(l)
}

/// A label: kebab-case words, each all lower or all upper case, starting
/// with a letter (an optional leading `%` escapes keywords).
pub fn is_label(l: &str) -> bool {
    let l = l.strip_prefix('%').unwrap_or(l);
    !l.is_empty()
        && l.split('-').all(|w| {
            let mut cs = w.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic())
                && (w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    || w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        })
}

fn def_val_type(s: &mut Reader<'_>, b: u8) -> Result<DefValType> {
    let at = s.pos() - 1;
    Ok(match b {
        0x72 => {
            let fields = vec(s, |s| Ok((label(s)?, val_type(s)?)))?;
            if fields.is_empty() {
                return Err(s.error_at(at, "record type must have at least one field"));
            }
            DefValType::Record(fields)
        }
        0x71 => {
            let cases = vec(s, |s| {
                let l = label(s)?;
                let t = if flag(s)? { Some(val_type(s)?) } else { None };
                if s.u8()? != 0 {
                    return Err(s.error_at(s.pos() - 1, "variant case refinements are not supported"));
                }
                Ok((l, t))
            })?;
            if cases.is_empty() {
                return Err(s.error_at(at, "variant type must have at least one case"));
            }
            DefValType::Variant(cases)
        }
        0x70 => DefValType::List(val_type(s)?),
        0x6f => {
            let ts = vec(s, val_type)?;
            if ts.is_empty() {
                return Err(s.error_at(at, "tuple type must have at least one type"));
            }
            DefValType::Tuple(ts)
        }
        0x6e => {
            let names = vec(s, label)?;
            if names.is_empty() {
                return Err(s.error_at(at, "flags must have at least one entry"));
            }
            if names.len() > 32 * 1024 {
                return Err(s.error_at(at, "too many flags"));
            }
            DefValType::Flags(names)
        }
        0x6d => {
            let names = vec(s, label)?;
            if names.is_empty() {
                return Err(s.error_at(at, "enum type must have at least one variant"));
            }
            DefValType::Enum(names)
        }
        0x6b => DefValType::Option(val_type(s)?),
        0x6a => {
            let ok = if flag(s)? { Some(val_type(s)?) } else { None };
            let err = if flag(s)? { Some(val_type(s)?) } else { None };
            DefValType::Result { ok, err }
        }
        0x69 => DefValType::Own(s.u32()?),
        0x68 => DefValType::Borrow(s.u32()?),
        0x67 => return Err(s.error_at(at, "fixed-length lists are not supported")),
        0x66 | 0x65 => return Err(s.error_at(at, "streams and futures (async) are not supported")),
        0x64 => return Err(s.error_at(at, "error-context types are not supported")),
        b => match prim(b) {
            Some(p) => DefValType::Prim(p),
            None => return Err(s.error_at(at, format!("invalid type form 0x{b:x}"))),
        },
    })
}

fn type_def(s: &mut Reader<'_>, depth: u32) -> Result<TypeDef> {
    if depth > MAX_DEPTH {
        return Err(s.error("types nested too deeply"));
    }
    let b = s.u8()?;
    let at = s.pos() - 1;
    Ok(match b {
        0x40 => TypeDef::Func(func_type(s)?),
        0x43 => return Err(s.error_at(at, "async functions are not supported")),
        0x41 => TypeDef::Component(vec(s, |s| {
            if s.peek() == Some(0x03) {
                s.u8()?;
                let name = extern_name(s)?;
                return Ok(Decl::Import(name, extern_desc(s)?));
            }
            instance_decl(s, depth)
        })?),
        0x42 => TypeDef::Instance(vec(s, |s| instance_decl(s, depth))?),
        0x3f => {
            if s.u8()? != 0x7f {
                return Err(s.error_at(s.pos() - 1, "a resource's representation must be i32"));
            }
            let dtor = if flag(s)? { Some(s.u32()?) } else { None };
            TypeDef::Resource { dtor }
        }
        0x3e => return Err(s.error_at(at, "async resource destructors are not supported")),
        b => TypeDef::Val(def_val_type(s, b)?),
    })
}

fn func_type(s: &mut Reader<'_>) -> Result<FuncType> {
    let params = vec(s, |s| Ok((label(s)?, val_type(s)?)))?;
    let result = match s.u8()? {
        0x00 => Some(val_type(s)?),
        0x01 => {
            if s.u8()? != 0x00 {
                return Err(s.error_at(s.pos() - 1, "named results are not supported"));
            }
            None
        }
        b => return Err(s.error_at(s.pos() - 1, format!("invalid function result form 0x{b:x}"))),
    };
    Ok(FuncType { params, result })
}

fn instance_decl(s: &mut Reader<'_>, depth: u32) -> Result<Decl> {
    match s.u8()? {
        0x00 => Ok(Decl::CoreType(core_type(s)?)),
        0x01 => Ok(Decl::Type(type_def(s, depth + 1)?)),
        0x02 => Ok(Decl::Alias(alias(s)?)),
        0x04 => {
            let name = extern_name(s)?;
            Ok(Decl::Export(name, extern_desc(s)?))
        }
        b => Err(s.error_at(s.pos() - 1, format!("invalid declaration form 0x{b:x}"))),
    }
}

fn extern_desc(s: &mut Reader<'_>) -> Result<ExternDesc> {
    Ok(match s.u8()? {
        0x00 => {
            if s.u8()? != 0x11 {
                return Err(s.error_at(s.pos() - 1, "only core modules may be imported from the core sorts"));
            }
            ExternDesc::CoreModule(s.u32()?)
        }
        0x01 => ExternDesc::Func(s.u32()?),
        0x02 => {
            // valuebound: (eq i) or a type
            if flag(s)? {
                ExternDesc::Value(val_type(s)?)
            } else {
                s.u32()?;
                return Err(s.error("component values are not supported"));
            }
        }
        0x03 => ExternDesc::Type(if flag(s)? { TypeBound::SubResource } else { TypeBound::Eq(s.u32()?) }),
        0x04 => ExternDesc::Component(s.u32()?),
        0x05 => ExternDesc::Instance(s.u32()?),
        b => return Err(s.error_at(s.pos() - 1, format!("invalid extern kind 0x{b:x}"))),
    })
}

fn canon_opts(s: &mut Reader<'_>) -> Result<CanonOpts> {
    let mut o = CanonOpts { encoding: StringEncoding::Utf8, memory: None, realloc: None, post_return: None };
    let mut encoding_set = false;
    let n = s.len()?;
    for _ in 0..n {
        let at = s.pos();
        let dup = |s: &Reader<'_>, what: &str| s.error_at(at, format!("canonical option `{what}` is specified more than once"));
        match s.u8()? {
            b @ 0x00..=0x02 => {
                if encoding_set {
                    return Err(dup(s, "string-encoding"));
                }
                encoding_set = true;
                o.encoding = [StringEncoding::Utf8, StringEncoding::Utf16, StringEncoding::Latin1Utf16][b as usize];
            }
            0x03 => {
                if o.memory.replace(s.u32()?).is_some() {
                    return Err(dup(s, "memory"));
                }
            }
            0x04 => {
                if o.realloc.replace(s.u32()?).is_some() {
                    return Err(dup(s, "realloc"));
                }
            }
            0x05 => {
                if o.post_return.replace(s.u32()?).is_some() {
                    return Err(dup(s, "post-return"));
                }
            }
            0x06 | 0x07 => return Err(s.error_at(at, "async canonical options are not supported")),
            b => return Err(s.error_at(at, format!("invalid canonical option 0x{b:x}"))),
        }
    }
    Ok(o)
}

fn canon(s: &mut Reader<'_>) -> Result<Canon> {
    let at = s.pos();
    Ok(match s.u8()? {
        0x00 => {
            if s.u8()? != 0x00 {
                return Err(s.error_at(s.pos() - 1, "invalid canon lift form"));
            }
            let core_func = s.u32()?;
            let opts = canon_opts(s)?;
            Canon::Lift { core_func, opts, ty: s.u32()? }
        }
        0x01 => {
            if s.u8()? != 0x00 {
                return Err(s.error_at(s.pos() - 1, "invalid canon lower form"));
            }
            let func = s.u32()?;
            Canon::Lower { func, opts: canon_opts(s)? }
        }
        0x02 => Canon::ResourceNew(s.u32()?),
        0x03 => Canon::ResourceDrop(s.u32()?),
        0x04 => Canon::ResourceRep(s.u32()?),
        b => return Err(s.error_at(at, format!("canonical built-in 0x{b:x} (async, threads) is not supported"))),
    })
}
