//! The component model: components decoded ([`binary`]), checked
//! ([`validate`]), instantiated over the core runtime ([`instance`]), and
//! the canonical ABI between component values and core wasm ([`abi`]).
//!
//! ```
//! use wasmint::component::{Component, Linker, Val, call};
//! let wasm = wat::parse_str(r#"(component
//!   (core module $m
//!     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
//!   (core instance $i (instantiate $m))
//!   (func (export "add") (param "a" u32) (param "b" u32) (result u32)
//!     (canon lift (core func $i "add"))))"#).unwrap();
//! let component = Component::new(&wasm).unwrap();
//! let mut store = wasmint::Store::new();
//! let instance = Linker::new().instantiate(&mut store, &component).unwrap();
//! let add = instance.func("add").unwrap();
//! assert_eq!(call(&mut store, &add, &[Val::U32(2), Val::U32(3)]).unwrap(), Some(Val::U32(5)));
//! ```

pub mod abi;
pub mod ast;
pub mod binary;
pub mod instance;
pub mod types;
pub mod validate;
pub mod wave;

#[cfg(test)]
mod tests;

pub use binary::is_component;
pub use instance::{call, resource_drop, CFunc, CInstance, Component, HostFn, Instance, Item, Linker};
pub use types::{FuncType, Resource, ResourceType, Type, TypeItem, Val};
