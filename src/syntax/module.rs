//! Modules (spec 2.5).

use std::ops::Range;
use std::sync::Arc;

use super::instr::Instr;
use super::types::*;

/// The bytes of a binary module, kept once and shared: decoded function
/// bodies and data segments are ranges of them, so decoding copies neither.
/// They may belong to another owner (a Python `bytes` object), so that a
/// big serialized module is not copied either.
#[derive(Clone)]
pub struct Bytes(Arc<dyn AsRef<[u8]> + Send + Sync>);

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::from(Vec::new())
    }
}

impl Bytes {
    /// Bytes that `owner` holds, shared without a copy.
    pub fn from_owner(owner: impl AsRef<[u8]> + Send + Sync + 'static) -> Bytes {
        Bytes(Arc::new(owner))
    }

    /// The bytes in `range`, or none if it is out of bounds.
    pub fn range(&self, range: Range<usize>) -> &[u8] {
        (*self.0).as_ref().get(range).unwrap_or_default()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(Arc::new(v))
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

/// A decoded module. Function index space = imported functions, then
/// `funcs`; likewise for tables, memories and globals.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The binary the module was decoded from (empty for modules built in
    /// code): function bodies and data segments refer into it.
    pub bytes: Bytes,
    /// The signature of each function type (an empty one for struct and
    /// array types, whose form is in `defs`).
    pub types: Vec<FuncType>,
    /// Each type's form and place in the subtype hierarchy (GC), parallel
    /// to `types`; empty when all are final function types without
    /// supertypes, each a recursion group of its own.
    pub defs: Vec<SubType>,
    /// The recursion groups, as (first type index, number of types), when
    /// `defs` is not empty.
    pub groups: Vec<(u32, u32)>,
    pub imports: Vec<Import>,
    /// Type index of each function defined in the module (function section).
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    /// Initialisers of defined tables that have one (typed function
    /// references: `0x40 0x00` before the table type), by index among
    /// `tables`, in order; the others start out null.
    pub table_inits: Vec<(u32, ConstExpr)>,
    pub memories: Vec<MemType>,
    /// Type index of each tag defined in the module (tag section,
    /// exception handling): a function type without results.
    pub tags: Vec<u32>,
    pub globals: Vec<Global>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    /// The data count section, when present.
    pub data_count: Option<u32>,
    /// Bodies of the defined functions, parallel to `funcs`.
    pub codes: Vec<FuncBody>,
    pub datas: Vec<DataSegment>,
    /// Custom sections in order of appearance (including `name`).
    pub customs: Vec<CustomSection>,
    /// The parsed `name` section, when present and well-formed.
    pub names: Option<Names>,
    /// Where each section starts, for errors about items that carry no
    /// offset of their own (imports, exports, limits, start).
    pub sections: SectionOffsets,
    /// The features it was decoded with, which its lazily decoded bodies
    /// and the validator follow.
    pub features: super::Features,
}

/// What a type is when the module has no `defs`.
static FUNC_DEF: SubType = SubType { is_final: true, sup: None, comp: CompType::Func };

impl Module {
    /// The definition of type `i`, if there is one.
    pub fn def(&self, i: u32) -> Option<&SubType> {
        if (i as usize) >= self.types.len() {
            return None;
        }
        Some(self.defs.get(i as usize).unwrap_or(&FUNC_DEF))
    }

    /// The recursion group of type `i`: its first index and size.
    pub fn group(&self, i: u32) -> (u32, u32) {
        if self.groups.is_empty() {
            return (i, 1);
        }
        let g = self.groups.partition_point(|&(s, _)| s <= i);
        self.groups.get(g.wrapping_sub(1)).copied().unwrap_or((i, 1))
    }

    /// Is type `i` a function type?
    pub fn is_func_type(&self, i: u32) -> bool {
        self.def(i).is_some_and(|d| d.comp == CompType::Func)
    }
}

/// Byte offset of each section's contents in the module (0 when absent).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct SectionOffsets {
    pub types: usize,
    pub imports: usize,
    pub funcs: usize,
    pub tables: usize,
    pub memories: usize,
    pub tags: usize,
    pub globals: usize,
    pub exports: usize,
    pub start: usize,
    pub elems: usize,
    pub data_count: usize,
    pub codes: usize,
    pub datas: usize,
}

/// An import.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
}

/// What an import brings in.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportDesc {
    /// A function of the given type index.
    Func(u32),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
    /// A tag of the given type index.
    Tag(u32),
}

/// An export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: String,
    pub desc: ExportDesc,
}

/// What an export refers to (an index in the matching index space).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExportDesc {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// A constant expression (spec 3.3.10), without its final `end`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConstExpr {
    pub instrs: Vec<Instr>,
    /// Byte offset of the expression in the module, for error messages.
    pub offset: usize,
}

/// A global defined in the module.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    pub ty: GlobalType,
    pub init: ConstExpr,
}

/// An element segment (spec 2.5.7).
#[derive(Clone, Debug, PartialEq)]
pub struct ElemSegment {
    pub ty: RefType,
    pub items: ElemItems,
    pub mode: ElemMode,
}

/// The initial references of an element segment.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemItems {
    /// Function indices (the `elemkind` encodings).
    Funcs(Vec<u32>),
    /// Constant expressions (the `reftype` + `expr` encodings).
    Exprs(Vec<ConstExpr>),
}

impl ElemItems {
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Funcs(v) => v.len(),
            ElemItems::Exprs(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// When an element segment is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode {
    Passive,
    Declarative,
    Active { table: u32, offset: ConstExpr },
}

/// A data segment (spec 2.5.8).
#[derive(Clone, Debug, PartialEq)]
pub struct DataSegment {
    /// Where the contents lie in [`Module::bytes`].
    pub init: Range<usize>,
    pub mode: DataMode,
}

impl DataSegment {
    /// The segment's contents; `module` is the module it belongs to.
    pub fn bytes<'a>(&self, module: &'a Module) -> &'a [u8] {
        module.bytes.range(self.init.clone())
    }
}

/// When a data segment is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

/// A function body: declared locals (excluding parameters) and code.
///
/// A decoded body keeps its instructions as bytes (`code`, a range of
/// [`Module::bytes`]): a `Vec<Instr>` per function would take ten times the
/// code section's size. They are decoded as they are read, by
/// [`FuncBody::instrs`]. Bodies built in code (tests) give `body` instead.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FuncBody {
    /// Run-length encoded local declarations, as in the binary format.
    pub locals: Vec<(u32, ValType)>,
    /// Instructions given as such, including the final `End`; empty for a
    /// decoded body.
    pub body: Vec<Instr>,
    /// Byte offset in the module of each instruction in `body`.
    pub offsets: Vec<u32>,
    /// Where the instructions of a decoded body lie in [`Module::bytes`]
    /// (from the first instruction to the end of the body).
    pub code: Range<usize>,
    /// Byte offset of the body (its size field) in the module.
    pub offset: usize,
}

impl FuncBody {
    /// The body's instructions with their byte offsets in the module, in
    /// order (the final `end` included). `module` is the module the body
    /// belongs to. This is how the validator and the translator read a
    /// body; a malformed body yields a decode error and nothing after it.
    pub fn instrs<'a>(&'a self, module: &'a Module) -> impl Iterator<Item = crate::error::Result<(usize, Instr)>> + 'a {
        if self.body.is_empty() {
            Instrs::Decoded(crate::binary::BodyReader::new(&module.bytes, self, module.features))
        } else {
            Instrs::Given { body: self, k: 0 }
        }
    }
}

/// The iterator of [`FuncBody::instrs`].
enum Instrs<'a> {
    Given { body: &'a FuncBody, k: usize },
    Decoded(crate::binary::BodyReader<'a>),
}

impl Iterator for Instrs<'_> {
    type Item = crate::error::Result<(usize, Instr)>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Instrs::Decoded(r) => r.next(),
            Instrs::Given { body, k } => {
                let i = body.body.get(*k)?.clone();
                let at = body.offsets.get(*k).map_or(body.offset, |&o| o as usize);
                *k += 1;
                Some(Ok((at, i)))
            }
        }
    }
}

/// A custom section: name and raw contents.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSection {
    pub name: String,
    pub data: Vec<u8>,
    /// Byte offset of the section contents in the module.
    pub offset: usize,
}

/// The contents of the `name` custom section (appendix 7.4).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Names {
    pub module: Option<String>,
    /// (function index, name)
    pub functions: Vec<(u32, String)>,
    /// (function index, [(local index, name)])
    pub locals: Vec<(u32, Vec<(u32, String)>)>,
}

impl Module {
    /// Number of imported functions (they come first in the index space).
    pub fn num_imported_funcs(&self) -> usize {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Func(_))).count()
    }
    pub fn num_imported_tables(&self) -> usize {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Table(_))).count()
    }
    pub fn num_imported_memories(&self) -> usize {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Memory(_))).count()
    }
    pub fn num_imported_globals(&self) -> usize {
        self.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Global(_))).count()
    }

    /// An index space: the imports that `pick` selects, then `defined`.
    fn index_space<T>(&self, pick: impl Fn(&ImportDesc) -> Option<T>, defined: impl Iterator<Item = T>) -> Vec<T> {
        self.imports.iter().filter_map(|i| pick(&i.desc)).chain(defined).collect()
    }

    /// Type index of every function in the index space (imports first).
    pub fn func_type_indices(&self) -> Vec<u32> {
        let pick = |d: &ImportDesc| if let ImportDesc::Func(t) = d { Some(*t) } else { None };
        self.index_space(pick, self.funcs.iter().copied())
    }

    /// Every table in the index space (imports first).
    pub fn all_tables(&self) -> Vec<TableType> {
        let pick = |d: &ImportDesc| if let ImportDesc::Table(t) = d { Some(*t) } else { None };
        self.index_space(pick, self.tables.iter().copied())
    }

    /// Every memory in the index space (imports first).
    pub fn all_memories(&self) -> Vec<MemType> {
        let pick = |d: &ImportDesc| if let ImportDesc::Memory(t) = d { Some(*t) } else { None };
        self.index_space(pick, self.memories.iter().copied())
    }

    /// Every global type in the index space (imports first).
    pub fn all_globals(&self) -> Vec<GlobalType> {
        let pick = |d: &ImportDesc| if let ImportDesc::Global(t) = d { Some(*t) } else { None };
        self.index_space(pick, self.globals.iter().map(|g| g.ty))
    }

    /// Type index of every tag (imports first).
    pub fn all_tags(&self) -> Vec<u32> {
        let pick = |d: &ImportDesc| if let ImportDesc::Tag(t) = d { Some(*t) } else { None };
        self.index_space(pick, self.tags.iter().copied())
    }
}
