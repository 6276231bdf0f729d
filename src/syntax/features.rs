//! Which WebAssembly features a module may use.

/// The features the decoder and validator accept (as wasmer-python's
/// `Features` and wasmtime's `Config` switch them). [`Features::default`]
/// is everything wasmint supports (WebAssembly 3.0 as far as it goes);
/// [`Features::WASM2`] is WebAssembly 2.0, where some encodings mean
/// something else (a reserved zero byte where 3.0 reads a memory index).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Features {
    /// Fixed-width SIMD (`v128`; part of 2.0).
    pub simd: bool,
    /// Relaxed SIMD (3.0).
    pub relaxed_simd: bool,
    /// Several memories, and memory indices in memory instructions (3.0).
    pub multi_memory: bool,
    /// 64-bit memories (memory64, 3.0): i64 addresses, 64-bit memarg
    /// offsets and limits. (A memory still holds at most 4 GiB here.)
    pub memory64: bool,
    /// Extended constant expressions (3.0): `global.get` of any earlier
    /// immutable global, not only imported ones. (Their arithmetic is
    /// allowed in 2.0 mode too: no 2.0 test rejects it.)
    pub extended_const: bool,
    /// Tail calls (3.0): `return_call`, `return_call_indirect`.
    pub tail_call: bool,
    /// 128-bit arithmetic on i64 pairs (the wide-arithmetic proposal).
    pub wide_arithmetic: bool,
    /// Memories with 1-byte pages (the custom-page-sizes proposal).
    pub custom_page_sizes: bool,
    /// Typed function references (3.0): `(ref null? $t)`, `call_ref`,
    /// `return_call_ref`, `ref.as_non_null`, `br_on_null`,
    /// `br_on_non_null`, tables with an initialiser.
    pub function_references: bool,
    /// Exception handling (3.0): tags, `throw`, `throw_ref`, `try_table`,
    /// `exnref`, and the legacy `try`/`catch`/`catch_all`/`rethrow`/
    /// `delegate` that toolchains still emit.
    pub exceptions: bool,
    /// Garbage collection (3.0): recursion groups, subtypes, structs,
    /// arrays, `i31`, casts, and the `any`/`eq` hierarchy.
    pub gc: bool,
}

impl Features {
    /// WebAssembly 2.0.
    pub const WASM2: Features = Features { simd: true, relaxed_simd: false, multi_memory: false, memory64: false, extended_const: false, tail_call: false, wide_arithmetic: false, custom_page_sizes: false, function_references: false, exceptions: false, gc: false };
    /// WebAssembly 3.0: all but the proposals beyond it (wide arithmetic,
    /// custom page sizes).
    pub const WASM3: Features = Features { wide_arithmetic: false, custom_page_sizes: false, ..Features::ALL };
    /// Everything wasmint supports.
    pub const ALL: Features = Features { simd: true, relaxed_simd: true, multi_memory: true, memory64: true, extended_const: true, tail_call: true, wide_arithmetic: true, custom_page_sizes: true, function_references: true, exceptions: true, gc: true };
}

impl Default for Features {
    fn default() -> Self {
        Features::ALL
    }
}
