//! The `spectest` host module every spec script may import from (as the
//! reference interpreter's `host/spectest.ml` defines it).

use std::sync::Arc;

use crate::error::Result;
use crate::runtime::{Extern, HostFunc, Store, Value};
use crate::syntax::{FuncType, GlobalType, Limits, MemType, RefType, TableType, ValType};

/// Names and types of the `spectest` functions; all print nothing.
const FUNCS: &[(&str, &[ValType])] = &[
    ("print", &[]),
    ("print_i32", &[ValType::I32]),
    ("print_i64", &[ValType::I64]),
    ("print_f32", &[ValType::F32]),
    ("print_f64", &[ValType::F64]),
    ("print_i32_f32", &[ValType::I32, ValType::F32]),
    ("print_f64_f64", &[ValType::F64, ValType::F64]),
];

/// Creates the `spectest` entities in `store`, as (name, extern) pairs.
///
/// # Errors
/// Whatever the store reports when creating a global, table or memory.
pub fn create(store: &mut Store) -> Result<Vec<(&'static str, Extern)>> {
    let mut out = Vec::with_capacity(FUNCS.len() + 6);
    let silent: HostFunc = Arc::new(|_, _, _| Ok(()));
    for (name, params) in FUNCS {
        let func = store.func_new(FuncType::new(*params, []), silent.clone());
        out.push((*name, Extern::Func(func)));
    }
    let globals = [
        ("global_i32", Value::I32(666)),
        ("global_i64", Value::I64(666)),
        ("global_f32", Value::F32(666.6)),
        ("global_f64", Value::F64(666.6)),
    ];
    for (name, value) in globals {
        let ty = GlobalType { val: value.ty(), mutable: false };
        out.push((name, Extern::Global(store.global_new(ty, value)?)));
    }
    let table = TableType::new(RefType::FUNCREF, Limits { min: 10, max: Some(20) });
    out.push(("table", Extern::Table(store.table_new(table, Value::FuncRef(None))?)));
    let table64 = TableType { is64: true, ..table };
    out.push(("table64", Extern::Table(store.table_new(table64, Value::FuncRef(None))?)));
    let memory = MemType { limits: Limits { min: 1, max: Some(2) }, is64: false, page_log2: 16 };
    out.push(("memory", Extern::Memory(store.memory_new(memory)?)));
    Ok(out)
}
