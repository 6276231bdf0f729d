//! Translation of validated code to the engine's internal code (see
//! [`ops`] for the code and [`translate`] for how wasm maps onto it).
//!
//! Each defined function becomes one buffer of 16-bit words: a header of
//! [`CODE_HEADER`] words (frame size in slots, parameter count, declared
//! local count, reserved), then its ops. A frame is laid out as
//! `[parameters | return address, caller frame | declared locals |
//! operand stack]`; the caller puts the arguments at the start of the
//! callee's frame, which is the top of its own operand stack.

pub mod ops;
pub mod translate;

use crate::error::{Error, Result};
use crate::syntax::{GlobalType, Module, TableType};

/// Words before the first op of a function's code.
pub const CODE_HEADER: usize = 4;

/// The translated code of all functions defined in a module, shared by
/// every instance of it.
#[derive(Debug, Default)]
pub struct Code {
    /// One buffer per defined function (header, then linked ops).
    pub funcs: Vec<Box<[u16]>>,
}

impl Code {
    /// The ops of defined function `i` in portable form (see [`ops`]),
    /// without the header.
    pub fn ops(&self, i: usize) -> Vec<u16> {
        crate::exec::unlink(&self.funcs[i][CODE_HEADER..]).unwrap_or_default()
    }
    /// Words of translated code, headers included.
    pub fn words(&self) -> usize {
        self.funcs.iter().map(|f| f.len()).sum()
    }
}

/// What the translator needs to know about the module beyond a body: the
/// index spaces, resolved once.
pub struct Info<'a> {
    /// The module.
    pub module: &'a Module,
    /// Type index of every function (imports first).
    pub func_types: Vec<u32>,
    /// Every global's type (imports first).
    pub globals: Vec<GlobalType>,
    /// Every table's type (imports first).
    pub tables: Vec<TableType>,
    /// Number of imported functions.
    pub imported_funcs: u32,
}

impl<'a> Info<'a> {
    /// Resolves the index spaces of `module`.
    pub fn new(module: &'a Module) -> Info<'a> {
        Info {
            module,
            func_types: module.func_type_indices(),
            globals: module.all_globals(),
            tables: module.all_tables(),
            imported_funcs: module.num_imported_funcs() as u32,
        }
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
    let info = Info::new(module);
    let body = module.codes.get(i).ok_or_else(|| Error::validate("unknown function", 0))?;
    let ty = info
        .func_types
        .get(info.imported_funcs as usize + i)
        .and_then(|&t| module.types.get(t as usize))
        .ok_or_else(|| Error::validate("unknown function type", body.offset))?;
    translate::Translator::default().translate(&info, ty, body)
}

/// Translates every function body of a validated module.
///
/// # Errors
/// [`Error::Validate`] if a body is inconsistent (never for a module that
/// passed validation) or needs more than 65535 frame slots.
pub fn compile_module(module: &Module) -> Result<Code> {
    let info = Info::new(module);
    let mut t = translate::Translator::default();
    let mut funcs = Vec::with_capacity(module.codes.len());
    for (i, body) in module.codes.iter().enumerate() {
        let ty = info
            .func_types
            .get(info.imported_funcs as usize + i)
            .and_then(|&t| module.types.get(t as usize))
            .ok_or_else(|| Error::validate("unknown function type", body.offset))?;
        let mut code = t.translate(&info, ty, body)?;
        crate::exec::link(&mut code[CODE_HEADER..])
            .ok_or_else(|| Error::validate("internal error: translation produced invalid code", body.offset))?;
        funcs.push(code.into_boxed_slice());
    }
    Ok(Code { funcs })
}
