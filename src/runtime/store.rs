//! The store and the embedding API (spec 4.2.3 "Store", appendix 7.1).
//!
//! STUB: signatures are fixed (the CLI, the `.wast` runner and the Python
//! bindings are written against them); bodies are filled in by the engine.

use std::sync::Arc;

use crate::error::{Error, Result, Trap};
use crate::syntax::{self, ExternType, FuncType, GlobalType, MemType, TableType};

use super::value::*;

/// Limits and switches of a store.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest number of nested wasm (and host) calls before the
    /// `call stack exhausted` trap.
    pub max_call_depth: usize,
    /// Largest number of 64-bit slots of the value stack (locals and
    /// operands of all active frames) before `call stack exhausted`.
    pub max_value_stack: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config { max_call_depth: 10_000, max_value_stack: 1 << 20 }
    }
}

/// A decoded, validated and translated module, ready to instantiate any
/// number of times in any store. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub(crate) syntax: syntax::Module,
}

impl Module {
    /// Decodes, validates and translates a binary module.
    ///
    /// # Errors
    /// [`Error::Decode`] for a malformed binary, [`Error::Validate`] for an
    /// invalid module.
    pub fn new(bytes: &[u8]) -> Result<Module> {
        let _ = bytes;
        todo!()
    }

    /// The decoded module.
    pub fn syntax(&self) -> &syntax::Module {
        &self.inner.syntax
    }

    /// Imports in order: (module, name, type).
    pub fn imports(&self) -> Vec<(String, String, ExternType)> {
        todo!()
    }

    /// Exports in order: (name, type).
    pub fn exports(&self) -> Vec<(String, ExternType)> {
        todo!()
    }
}

/// What a host function sees of its caller.
pub struct Caller<'a> {
    /// The store, for access to memories, globals, tables and calls.
    pub store: &'a mut Store,
    /// The instance of the calling wasm function, if called from wasm.
    pub instance: Option<Instance>,
}

/// A host function: reads `params`, writes `results` (pre-filled with zero
/// values of the result types), or fails with a [`Trap`].
pub type HostFunc = Arc<dyn Fn(&mut Caller<'_>, &[Value], &mut [Value]) -> Result<(), Trap> + Send + Sync>;

/// Owns all runtime entities (spec 4.2.3).
pub struct Store {
    config: Config,
}

impl Default for Store {
    fn default() -> Store {
        Store::new()
    }
}

impl Store {
    /// An empty store with the default [`Config`].
    pub fn new() -> Store {
        Store::with_config(Config::default())
    }

    /// An empty store with the given limits.
    pub fn with_config(config: Config) -> Store {
        Store { config }
    }

    /// The store's limits, which may be changed between calls.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Instantiates `module` with `imports` given in the order of
    /// `module.imports()` (spec 4.5.4), running its start function.
    ///
    /// # Errors
    /// [`Error::Link`] when an import is missing or does not match
    /// ("incompatible import type", "unknown import");
    /// [`Error::Trap`] when element/data initialisation or the start
    /// function traps (the instance is then unusable, but entities it
    /// already wrote to stay modified, as the spec requires).
    pub fn instantiate(&mut self, module: &Module, imports: &[Extern]) -> Result<Instance> {
        let _ = (module, imports);
        todo!()
    }

    /// The export `name` of an instance.
    pub fn export(&self, instance: Instance, name: &str) -> Option<Extern> {
        let _ = (instance, name);
        todo!()
    }

    /// All exports of an instance, in the module's order.
    pub fn exports(&self, instance: Instance) -> Vec<(String, Extern)> {
        let _ = instance;
        todo!()
    }

    /// The type of an external value.
    pub fn extern_type(&self, ext: Extern) -> ExternType {
        let _ = ext;
        todo!()
    }

    /// Defines a host function.
    pub fn func_new(&mut self, ty: FuncType, f: HostFunc) -> Func {
        let _ = (ty, f);
        todo!()
    }

    /// The type of a function.
    pub fn func_type(&self, func: Func) -> &FuncType {
        let _ = func;
        todo!()
    }

    /// Calls a function (wasm or host) with `args`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the arguments do not match the function type;
    /// [`Error::Trap`] when execution traps.
    pub fn call(&mut self, func: Func, args: &[Value]) -> Result<Vec<Value>> {
        let _ = (func, args);
        todo!()
    }

    /// Defines a global.
    ///
    /// # Errors
    /// [`Error::Usage`] when the value does not have the global's type.
    pub fn global_new(&mut self, ty: GlobalType, value: Value) -> Result<Global> {
        let _ = (ty, value);
        todo!()
    }
    /// The type of a global.
    pub fn global_type(&self, global: Global) -> GlobalType {
        let _ = global;
        todo!()
    }
    /// The value of a global.
    pub fn global_get(&self, global: Global) -> Value {
        let _ = global;
        todo!()
    }
    /// Sets a mutable global.
    ///
    /// # Errors
    /// [`Error::Usage`] when the global is immutable or the type differs.
    pub fn global_set(&mut self, global: Global, value: Value) -> Result<()> {
        let _ = (global, value);
        todo!()
    }

    /// Defines a memory of `ty.limits.min` zeroed pages.
    ///
    /// # Errors
    /// [`Error::Usage`] when the limits are invalid or too large.
    pub fn memory_new(&mut self, ty: MemType) -> Result<Memory> {
        let _ = ty;
        todo!()
    }
    /// The type of a memory (its current size as minimum).
    pub fn memory_type(&self, memory: Memory) -> MemType {
        let _ = memory;
        todo!()
    }
    /// Current size in pages.
    pub fn memory_size(&self, memory: Memory) -> u32 {
        let _ = memory;
        todo!()
    }
    /// Grows by `delta` pages; returns the old size, or `None` if refused.
    pub fn memory_grow(&mut self, memory: Memory, delta: u32) -> Option<u32> {
        let _ = (memory, delta);
        todo!()
    }
    /// The bytes of a memory.
    pub fn memory_data(&self, memory: Memory) -> &[u8] {
        let _ = memory;
        todo!()
    }
    /// The bytes of a memory, writable.
    pub fn memory_data_mut(&mut self, memory: Memory) -> &mut [u8] {
        let _ = memory;
        todo!()
    }

    /// Defines a table of `ty.limits.min` entries set to `init`.
    ///
    /// # Errors
    /// [`Error::Usage`] when `init` does not have the element type.
    pub fn table_new(&mut self, ty: TableType, init: Value) -> Result<Table> {
        let _ = (ty, init);
        todo!()
    }
    /// The type of a table (its current size as minimum).
    pub fn table_type(&self, table: Table) -> TableType {
        let _ = table;
        todo!()
    }
    /// Current number of entries.
    pub fn table_size(&self, table: Table) -> u32 {
        let _ = table;
        todo!()
    }
    /// Entry `index`, or `None` when out of bounds.
    pub fn table_get(&self, table: Table, index: u32) -> Option<Value> {
        let _ = (table, index);
        todo!()
    }
    /// Sets entry `index`.
    ///
    /// # Errors
    /// [`Error::Trap`] out of bounds; [`Error::Usage`] on a type mismatch.
    pub fn table_set(&mut self, table: Table, index: u32, value: Value) -> Result<()> {
        let _ = (table, index, value);
        todo!()
    }
    /// Grows by `delta` entries set to `init`; returns the old size, or
    /// `None` if refused.
    pub fn table_grow(&mut self, table: Table, delta: u32, init: Value) -> Option<u32> {
        let _ = (table, delta, init);
        todo!()
    }
}

#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>() {}
    is_send::<Store>();
    is_send::<Module>();
    let _: Option<Error> = None;
}
