//! `Features`: which WebAssembly proposals a module may use.
//!
//! wasmer-python 1.1 validates modules against "the features of the store's
//! engine" without letting Python choose them; wasmtime-py has `Config`
//! with `wasm_*` switches. wasmint takes them as a `Features` given to the
//! `Store` (for every module of it) or to one `Module`.

use pyo3::prelude::*;

use crate::syntax::Features as Rs;

/// Expands `$m!` with every switch: (Python and Rust field name, doc).
macro_rules! for_each_feature {
    ($m:ident) => {
        $m! {
            simd: "fixed-width SIMD (``v128``; part of 2.0)",
            relaxed_simd: "relaxed SIMD (3.0)",
            multi_memory: "several memories in a module (3.0)",
            memory64: "64-bit memories (3.0)",
            extended_const: "extended constant expressions (3.0)",
            tail_call: "tail calls (3.0)",
            wide_arithmetic: "128-bit arithmetic on i64 pairs (wide-arithmetic proposal)",
            custom_page_sizes: "memories with 1-byte pages (custom-page-sizes proposal)",
            function_references: "typed function references (3.0)",
            exceptions: "exception handling (3.0: tags, ``try_table``, ``exnref``, and the legacy ``try``)",
            gc: "garbage collection (3.0: structs, arrays, ``i31``, casts, recursive types)",
        }
    };
}

/// The WebAssembly features a module may use, one switch per proposal;
/// all are on by default (everything of WebAssembly 3.0 that wasmint
/// supports). `Features.wasm2()` is WebAssembly 2.0. Give it to a store
/// (`Store(features=...)`) or to one module (`Module(store, wasm,
/// features=...)`); a module that uses a disabled feature raises
/// `CompileError`, naming it.
///
/// ```py
/// >>> from wasmint import Features, Store, Module, CompileError
/// >>> Features().tail_call, Features(tail_call=False).tail_call, Features.wasm2().simd
/// (True, False, True)
/// >>> wat = '(module (func $f return_call $f))'
/// >>> try:
/// ...     Module(Store(features=Features(tail_call=False)), wat)
/// ... except CompileError as e:
/// ...     print(str(e).endswith('the module uses tail_call, which its Features disable'))
/// True
/// ```
#[pyclass(module = "wasmint", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features(pub(crate) Rs);

macro_rules! features_methods {
    ($($name:ident: $doc:literal,)*) => {
        #[pymethods]
        impl Features {
            // One keyword argument per proposal, as Python sees them.
            #[allow(clippy::too_many_arguments)]
            #[new]
            #[pyo3(signature = (*, $($name = true),*))]
            fn new($($name: bool),*) -> Self {
                Features(Rs { $($name),* })
            }
            $(
                #[doc = concat!("Whether ", $doc, " is enabled.")]
                ///
                /// ```py
                /// >>> from wasmint import Features
                #[doc = concat!(">>> Features().", stringify!($name), ", Features(", stringify!($name), "=False).", stringify!($name))]
                /// (True, False)
                /// ```
                #[getter]
                fn $name(&self) -> bool {
                    self.0.$name
                }
            )*
            /// WebAssembly 2.0 only: SIMD on, every 3.0 proposal off.
            ///
            /// ```py
            /// >>> from wasmint import Features
            /// >>> Features.wasm2().memory64, Features.wasm2() == Features(relaxed_simd=False, multi_memory=False,
            /// ...     memory64=False, extended_const=False, tail_call=False, wide_arithmetic=False,
            /// ...     custom_page_sizes=False, function_references=False, exceptions=False, gc=False)
            /// (False, True)
            /// ```
            #[staticmethod]
            fn wasm2() -> Self {
                Features(Rs::WASM2)
            }

            /// Everything wasmint supports (the default).
            ///
            /// ```py
            /// >>> from wasmint import Features
            /// >>> Features.all() == Features() and Features.all().gc
            /// True
            /// ```
            #[staticmethod]
            fn all() -> Self {
                Features(Rs::ALL)
            }

            fn __repr__(&self) -> String {
                let fields: Vec<String> = vec![$(
                    format!(concat!(stringify!($name), "={}"), if self.0.$name { "True" } else { "False" })
                ),*];
                format!("Features({})", fields.join(", "))
            }
        }

        impl Features {
            /// The names of the switches on in `on` and off in `self`.
            pub(crate) fn disabled_in(&self, on: Rs) -> Vec<&'static str> {
                let mut v = Vec::new();
                $(if on.$name && !self.0.$name { v.push(stringify!($name)); })*
                v
            }
            /// `self` with the switch `name` on.
            pub(crate) fn with_on(&self, name: &str) -> Rs {
                let mut f = self.0;
                $(if name == stringify!($name) { f.$name = true; })*
                f
            }
        }
    };
}

for_each_feature!(features_methods);

/// Compiles `wasm` with `features`. When that fails but everything
/// wasmint supports would accept the module, the error names the disabled
/// feature(s) it needs: the decoder's own message ("illegal opcode") does
/// not say that a switch is to blame.
pub(crate) fn compile(wasm: Vec<u8>, features: Features) -> PyResult<crate::Module> {
    if features.0 == Rs::ALL {
        return crate::Module::with_features(wasm, Rs::ALL).map_err(super::store::to_py_err);
    }
    let err = match crate::Module::with_features(wasm.clone(), features.0) {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    let off = features.disabled_in(Rs::ALL);
    let accepted = |f: Rs| crate::Module::with_features(wasm.clone(), f).is_ok();
    if off.is_empty() || !accepted(Rs::ALL) {
        return Err(super::store::to_py_err(err));
    }
    // One switch that suffices alone, or else all of those off.
    let needed = match off.iter().find(|n| accepted(features.with_on(n))) {
        Some(n) => vec![*n],
        None => off,
    };
    let which = if needed.len() == 1 { "which its Features disable" } else { "some of which its Features disable" };
    Err(super::CompileError::new_err(format!("{err}: the module uses {}, {which}", needed.join(", "))))
}
