//! Translation of validated code to the engine's internal code (see
//! [`ops`] for the code and [`translate`] for how wasm maps onto it).
//!
//! Each defined function becomes one buffer of 16-bit words: a header of
//! [`CODE_HEADER`] words (frame size in slots, parameter count, then the
//! declared locals to zero on entry: a count, from the how-manyth; those
//! every path writes before reading are left out; then where the handler
//! table starts, a u32, 0 for none), then its ops, then the handler table
//! of its `try_table` and `try` blocks ([`handlers`]), read only when an
//! exception is thrown. A frame is laid out as
//! `[parameters | return address, caller frame | declared locals |
//! operand stack]`; the caller puts the arguments at the start of the
//! callee's frame, which is the top of its own operand stack. A tail call
//! (`return_call`) moves them down to the start of the caller's own frame
//! instead, and the callee takes that frame over (`exec::handlers`).

pub mod handlers;
pub mod ops;
pub mod translate;

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::syntax::{FuncType, GlobalType, Module, TableType};

/// Words before the first op of a function's code.
pub const CODE_HEADER: usize = 6;

/// The ops of a function's code (between the header and the handler table).
pub fn ops_of(code: &[u16]) -> &[u16] {
    let end = handlers::table_at(code).unwrap_or(code.len()).min(code.len());
    code.get(CODE_HEADER..end).unwrap_or_default()
}

/// The translated code of the functions defined in a module, shared by
/// every instance of it. Functions are translated lazily, on their first
/// call (validation is eager), or all at once by [`Code::translate_all`].
#[derive(Debug, Default)]
pub struct Code {
    /// The module's index spaces, resolved once for the translator.
    index: Index,
    funcs: Vec<FuncCode>,
    /// Where the code of a function not translated yet comes from.
    source: Source,
    /// Functions translated so far.
    translated: std::sync::atomic::AtomicUsize,
    /// The translated functions by code address, for the unwinder: built
    /// at a throw, again when more were translated since.
    by_addr: std::sync::Mutex<ByAddr>,
    /// Offset maps of the functions a trap's backtrace named, by defined
    /// index (see [`Code::offset_of`]).
    offsets: std::sync::Mutex<std::collections::HashMap<usize, Box<[(u32, u32)]>>>,
}

/// (functions translated when built, sorted (address, words, function)).
type ByAddr = (usize, Vec<(usize, usize, usize)>);

/// Where a module's code comes from.
#[derive(Debug, Default)]
pub(crate) enum Source {
    /// The module's function bodies, translated on first call.
    #[default]
    Bodies,
    /// The portable code of a serialized module, checked and linked on
    /// first call (`runtime::serialize`): such a module has no bodies.
    Portable(crate::runtime::serialize::Portable),
}

/// The code of one function: header, then linked ops.
#[derive(Debug, Default)]
pub struct FuncCode {
    /// The code's first word, or null until translated: what the engine
    /// reads on every call.
    ptr: AtomicPtr<u16>,
    code: OnceLock<Box<[u16]>>,
}

impl FuncCode {
    /// The translated code, or null.
    #[inline(always)]
    pub fn ptr(&self) -> *const u16 {
        self.ptr.load(Ordering::Acquire)
    }
}

impl Code {
    /// The (not yet translated) code of a validated module.
    pub fn new(module: &Module) -> Code {
        Code {
            index: Index::new(module),
            funcs: (0..module.codes.len()).map(|_| FuncCode::default()).collect(),
            source: Source::Bodies,
            ..Code::default()
        }
    }

    /// The code of a deserialized module (which has no bodies): every
    /// function comes from `portable`.
    pub(crate) fn from_portable(module: &Module, portable: crate::runtime::serialize::Portable) -> Code {
        Code {
            index: Index::new(module),
            funcs: (0..module.funcs.len()).map(|_| FuncCode::default()).collect(),
            source: Source::Portable(portable),
            ..Code::default()
        }
    }

    /// Where the code comes from.
    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// The linked code of defined function `i`, if translated.
    pub(crate) fn linked(&self, i: usize) -> Option<&[u16]> {
        self.funcs.get(i)?.code.get().map(|c| &c[..])
    }

    /// The module's index spaces.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The functions, by defined index.
    pub fn funcs(&self) -> &[FuncCode] {
        &self.funcs
    }

    /// The code of defined function `i`, translating it if needed.
    /// `module` must be the module this code was made for.
    ///
    /// # Errors
    /// As [`compile_module`].
    pub fn get(&self, module: &Module, i: usize) -> Result<*const u16> {
        let f = self.funcs.get(i).ok_or_else(|| Error::validate("unknown function", 0))?;
        if let Some(c) = f.code.get() {
            return Ok(c.as_ptr());
        }
        let code = match &self.source {
            Source::Bodies => translate_linked(module, &self.index, i)?,
            Source::Portable(p) => p.link(module, &self.index, i)?,
        };
        let c = f.code.get_or_init(|| code);
        if f.ptr.swap(c.as_ptr().cast_mut(), Ordering::AcqRel).is_null() {
            self.translated.fetch_add(1, Ordering::Release);
        }
        Ok(c.as_ptr())
    }

    /// The code of the translated function that contains word `pc`.
    pub(crate) fn find(&self, pc: *const u16) -> Option<&[u16]> {
        self.find_func(pc).map(|(_, c)| c)
    }

    /// The byte offset in the module of the instruction whose code holds
    /// word `word` of defined function `i`: its translation, made again
    /// while noting where each instruction's code starts (once a function,
    /// only for traps). `None` for a module without bodies (deserialized).
    pub(crate) fn offset_of(&self, module: &Module, i: usize, word: u32) -> Option<usize> {
        if !matches!(self.source, Source::Bodies) {
            return None;
        }
        let mut maps = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        if !maps.contains_key(&i) {
            let info = Info { module, index: &self.index };
            let body = module.codes.get(i)?;
            let ty = info.func_type(i)?;
            let map = translate::Translator::default().offset_map(&info, ty, body).ok()?;
            maps.insert(i, map.into_boxed_slice());
        }
        let map = maps.get(&i)?;
        let k = map.partition_point(|&(w, _)| w <= word).checked_sub(1)?;
        Some(map[k].1 as usize)
    }

    /// The defined index and code of the translated function that contains
    /// word `pc`.
    pub(crate) fn find_func(&self, pc: *const u16) -> Option<(usize, &[u16])> {
        let n = self.translated.load(Ordering::Acquire);
        let mut by = self.by_addr.lock().unwrap_or_else(|e| e.into_inner());
        if by.0 != n || by.1.is_empty() {
            let all = self.funcs.iter().enumerate().filter_map(|(i, f)| f.code.get().map(|c| (c.as_ptr() as usize, c.len(), i)));
            by.1 = all.collect();
            by.1.sort_unstable();
            by.0 = n;
        }
        let pc = pc as usize;
        let k = by.1.partition_point(|e| e.0 <= pc).checked_sub(1)?;
        let (start, len, i) = by.1[k];
        let code = self.funcs[i].code.get()?;
        (pc < start + 2 * len).then_some((i, &code[..]))
    }

    /// Translates every function not translated yet.
    ///
    /// # Errors
    /// As [`compile_module`].
    pub fn translate_all(&self, module: &Module) -> Result<()> {
        for i in 0..self.funcs.len() {
            self.get(module, i)?;
        }
        Ok(())
    }

    /// Functions translated so far, and their words of code (headers
    /// included).
    pub fn translated(&self) -> (usize, usize) {
        let done = self.funcs.iter().filter_map(|f| f.code.get());
        done.fold((0, 0), |(n, w), c| (n + 1, w + c.len()))
    }
}

/// Translates and links defined function `i`.
fn translate_linked(module: &Module, index: &Index, i: usize) -> Result<Box<[u16]>> {
    thread_local! {
        static TRANSLATOR: std::cell::RefCell<translate::Translator> = Default::default();
    }
    let info = Info { module, index };
    let body = module.codes.get(i).ok_or_else(|| Error::validate("unknown function", 0))?;
    let ty = info.func_type(i).ok_or_else(|| Error::validate("unknown function type", body.offset))?;
    let mut code = TRANSLATOR.with(|t| match t.try_borrow_mut() {
        Ok(mut t) => t.translate(&info, ty, body),
        // Re-entered (cannot happen today): use a fresh translator.
        Err(_) => translate::Translator::default().translate(&info, ty, body),
    })?;
    let end = handlers::table_at(&code).unwrap_or(code.len());
    crate::exec::link(&mut code[CODE_HEADER..end])
        .ok_or_else(|| Error::validate("internal error: translation produced invalid code", body.offset))?;
    Ok(code.into_boxed_slice())
}

/// The index spaces of a module that the translator needs, resolved once.
#[derive(Debug, Default)]
pub struct Index {
    /// Type index of every function (imports first).
    pub func_types: Vec<u32>,
    /// Every global's type (imports first).
    pub globals: Vec<GlobalType>,
    /// Every table's type (imports first).
    pub tables: Vec<TableType>,
    /// Every memory's type (imports first).
    pub memories: Vec<crate::syntax::MemType>,
    /// Type index of every tag (imports first).
    pub tags: Vec<u32>,
    /// Number of imported functions.
    pub imported_funcs: u32,
}

impl Index {
    /// Resolves the index spaces of `module`.
    pub fn new(module: &Module) -> Index {
        Index {
            func_types: module.func_type_indices(),
            globals: module.all_globals(),
            tables: module.all_tables(),
            memories: module.all_memories(),
            tags: module.all_tags(),
            imported_funcs: module.num_imported_funcs() as u32,
        }
    }
}

/// What the translator needs to know about the module beyond a body.
pub struct Info<'a> {
    /// The module.
    pub module: &'a Module,
    /// Its index spaces.
    pub index: &'a Index,
}

impl Info<'_> {
    /// The type of defined function `i`.
    fn func_type(&self, i: usize) -> Option<&FuncType> {
        let t = *self.index.func_types.get(self.index.imported_funcs as usize + i)?;
        self.module.types.get(t as usize)
    }
}

/// The portable code (see [`ops`]) of defined function `i` of a validated
/// module, header included: what the engine runs, before linking. For
/// inspection (`wasmint disasm`, tests): linked code cannot always be
/// mapped back to the same opcodes, since identical handlers may share an
/// address.
///
/// # Errors
/// As [`compile_module`].
pub fn portable_code(module: &Module, i: usize) -> Result<Vec<u16>> {
    let index = Index::new(module);
    let info = Info { module, index: &index };
    let body = module.codes.get(i).ok_or_else(|| Error::validate("unknown function", 0))?;
    let ty = info.func_type(i).ok_or_else(|| Error::validate("unknown function type", body.offset))?;
    translate::Translator::default().translate(&info, ty, body)
}

/// Translates every function body of a validated module.
///
/// # Errors
/// [`Error::Validate`] if a body is inconsistent (never for a module that
/// passed validation) or needs more than 65535 frame slots.
pub fn compile_module(module: &Module) -> Result<Code> {
    let code = Code::new(module);
    code.translate_all(module)?;
    Ok(code)
}
