//! Freeing the entities nothing can reach any more: instances, functions,
//! tables, memories, globals and segment instances that no root (a handle
//! the host says it still holds) reaches through instances, function
//! references (in tables, globals, segments, exceptions and GC objects)
//! and imports. Freed slots are reused by later allocations, so a store
//! that creates and drops instances in a loop stays the same size: this is
//! what a long-running embedder (the Python layer: one `Store`, an
//! `Instance` per request) needs.
//!
//! A collection runs only when asked ([`Store::collect`]) and only between
//! calls: then no frame, operand or engine cache holds an address. Handles
//! that were not given as roots may dangle afterwards; using one refers to
//! a freed entity (a function that traps, an empty memory or table) or to
//! a later one reusing the slot, never to freed host memory.

use std::sync::{Arc, LazyLock};

use super::store::{FuncInst, FuncKind, GlobalInst, HostFunc, InstanceInst, Module, Store};
use super::{Extern, Instance};
use crate::error::Trap;

/// A handle the host holds: what a collection keeps, with everything it
/// reaches.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    Instance(Instance),
    Extern(Extern),
}

impl From<Instance> for Root {
    fn from(i: Instance) -> Root {
        Root::Instance(i)
    }
}

impl From<Extern> for Root {
    fn from(e: Extern) -> Root {
        Root::Extern(e)
    }
}

/// What one collection freed (and what stayed).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub instances: usize,
    pub funcs: usize,
    pub tables: usize,
    pub memories: usize,
    pub globals: usize,
    /// Instances live after the collection.
    pub live_instances: usize,
}

/// Free slots of each entity vector, reused before the vectors grow.
#[derive(Default)]
pub(crate) struct FreeSlots {
    funcs: Vec<u32>,
    tables: Vec<u32>,
    mems: Vec<u32>,
    globals: Vec<u32>,
    instances: Vec<u32>,
    elems: Vec<u32>,
    datas: Vec<u32>,
}

/// Puts `x` in a free slot of `v` (or a new one); its index.
fn put<T>(v: &mut Vec<T>, free: &mut Vec<u32>, x: T) -> u32 {
    match free.pop() {
        Some(i) => {
            v[i as usize] = x;
            i
        }
        None => {
            v.push(x);
            v.len() as u32 - 1
        }
    }
}

/// What a freed function does if a dangling handle calls it.
static FREED: LazyLock<HostFunc> = LazyLock::new(|| Arc::new(freed_func));

fn freed_func(_: &mut super::Caller<'_>, _: &[super::Value], _: &mut [super::Value]) -> Result<(), Trap> {
    Err(Trap::host("call of a freed function"))
}

/// An instance of nothing, what a freed instance slot holds.
static EMPTY: LazyLock<Module> = LazyLock::new(|| Module::new(b"\0asm\x01\0\0\0").expect("the empty module is valid"));

impl InstanceInst {
    pub(crate) fn empty(module: Module) -> InstanceInst {
        InstanceInst {
            module,
            types: Vec::new(),
            funcs: Vec::new(),
            tables: Vec::new(),
            mems: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            global_ptrs: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            exports: Vec::new(),
        }
    }
}

/// Marks of one collection, one flag per slot of each vector.
struct Marks {
    funcs: Vec<bool>,
    tables: Vec<bool>,
    mems: Vec<bool>,
    globals: Vec<bool>,
    instances: Vec<bool>,
    elems: Vec<bool>,
    datas: Vec<bool>,
}

enum Node {
    Func(u32),
    Table(u32),
    Global(u32),
    Instance(u32),
}

impl Store {
    pub(crate) fn alloc_func(&mut self, f: FuncInst) -> u32 {
        put(&mut self.funcs, &mut self.free.funcs, f)
    }
    pub(crate) fn alloc_global(&mut self, g: GlobalInst) -> u32 {
        match self.free.globals.pop() {
            // The box stays (instances point into it; none does now).
            Some(i) => {
                *self.globals[i as usize] = g;
                i
            }
            None => {
                self.globals.push(Box::new(g));
                self.globals.len() as u32 - 1
            }
        }
    }
    pub(crate) fn alloc_elem(&mut self, items: Vec<u64>) -> u32 {
        put(&mut self.elems, &mut self.free.elems, items)
    }
    pub(crate) fn alloc_data(&mut self, d: super::store::Data) -> u32 {
        put(&mut self.datas, &mut self.free.datas, d)
    }
    pub(crate) fn alloc_table(&mut self, t: super::table::TableInst) -> u32 {
        put(&mut self.tables, &mut self.free.tables, t)
    }
    pub(crate) fn alloc_mem(&mut self, m: super::memory::MemInst) -> u32 {
        put(&mut self.mems, &mut self.free.mems, m)
    }
    /// The address the next instance gets (its functions name it before
    /// it is stored by [`put_instance`](Self::put_instance)).
    pub(crate) fn next_instance(&self) -> u32 {
        self.free.instances.last().copied().unwrap_or(self.instances.len() as u32)
    }
    pub(crate) fn put_instance(&mut self, inst: InstanceInst) -> u32 {
        put(&mut self.instances, &mut self.free.instances, Box::new(inst))
    }

    /// Instances, memories and tables in use (for the store's limits).
    pub(crate) fn live_instances(&self) -> usize {
        self.instances.len() - self.free.instances.len()
    }
    pub(crate) fn live_mems(&self) -> usize {
        self.mems.len() - self.free.mems.len()
    }
    pub(crate) fn live_tables(&self) -> usize {
        self.tables.len() - self.free.tables.len()
    }

    /// Frees every instance, function, table, memory, global and segment
    /// instance that `roots` do not reach, for reuse. `None` (and nothing
    /// freed) while a call is running (from a host function).
    ///
    /// Handles not reached from `roots` must not be used afterwards (see
    /// the module docs). GC objects, exceptions and types are not freed
    /// here (the heap's collector frees unreachable GC objects).
    pub fn collect(&mut self, roots: impl IntoIterator<Item = Root>) -> Option<Collected> {
        if self.depth != 0 {
            return None;
        }
        let mut m = Marks {
            funcs: vec![false; self.funcs.len()],
            tables: vec![false; self.tables.len()],
            mems: vec![false; self.mems.len()],
            globals: vec![false; self.globals.len()],
            instances: vec![false; self.instances.len()],
            elems: vec![false; self.elems.len()],
            datas: vec![false; self.datas.len()],
        };
        let mut work: Vec<Node> = Vec::new();
        for r in roots {
            match r {
                Root::Instance(i) => work.push(Node::Instance(i.0)),
                Root::Extern(Extern::Func(f)) => work.push(Node::Func(f.0)),
                Root::Extern(Extern::Table(t)) => work.push(Node::Table(t.0)),
                Root::Extern(Extern::Global(g)) => work.push(Node::Global(g.0)),
                Root::Extern(Extern::Memory(x)) => {
                    mark(&mut m.mems, x.0);
                }
                Root::Extern(Extern::Tag(_)) => {}
            }
        }
        // A GC object or an exception may hold a function reference: any
        // of their slots that reads as one keeps that function (a few
        // numbers kept by mistake cost only memory).
        let nfuncs = self.funcs.len() as u64;
        let as_func = |slot: u64| (slot >= 1 && slot <= nfuncs).then(|| (slot - 1) as u32);
        let heap = self.heap.objs.iter().flat_map(|o| o.fields.iter().copied());
        let exns = self.exns.iter().flat_map(|x| x.vals.iter().copied());
        work.extend(heap.chain(exns).filter_map(as_func).map(Node::Func));
        while let Some(n) = work.pop() {
            match n {
                Node::Func(f) => {
                    if mark(&mut m.funcs, f) {
                        if let FuncKind::Wasm { instance, .. } = self.funcs[f as usize].kind {
                            work.push(Node::Instance(instance));
                        }
                    }
                }
                Node::Table(t) => {
                    if mark(&mut m.tables, t) {
                        work.extend(self.tables[t as usize].elems.iter().copied().filter_map(as_func).map(Node::Func));
                    }
                }
                Node::Global(g) => {
                    if mark(&mut m.globals, g) {
                        let gi = &self.globals[g as usize];
                        if matches!(gi.ty.val, crate::syntax::ValType::Ref(_)) {
                            work.extend(as_func(gi.value).map(Node::Func));
                        }
                    }
                }
                Node::Instance(i) => {
                    if mark(&mut m.instances, i) {
                        let inst = &self.instances[i as usize];
                        work.extend(inst.funcs.iter().map(|&f| Node::Func(f)));
                        work.extend(inst.tables.iter().map(|&t| Node::Table(t)));
                        work.extend(inst.globals.iter().map(|&g| Node::Global(g)));
                        for &x in &inst.mems {
                            mark(&mut m.mems, x);
                        }
                        for &d in &inst.datas {
                            mark(&mut m.datas, d);
                        }
                        for &e in &inst.elems {
                            if mark(&mut m.elems, e) {
                                work.extend(self.elems[e as usize].iter().copied().filter_map(as_func).map(Node::Func));
                            }
                        }
                    }
                }
            }
        }
        Some(self.sweep(&m))
    }

    fn sweep(&mut self, m: &Marks) -> Collected {
        let mut c = Collected::default();
        let freed = |marks: &[bool], free: &mut Vec<u32>| -> Vec<u32> {
            let was: std::collections::HashSet<u32> = free.iter().copied().collect();
            let new: Vec<u32> = (0..marks.len() as u32).filter(|&i| !marks[i as usize] && !was.contains(&i)).collect();
            free.extend(&new);
            new
        };
        for i in freed(&m.instances, &mut self.free.instances) {
            *self.instances[i as usize] = InstanceInst::empty(EMPTY.clone());
            c.instances += 1;
        }
        for i in freed(&m.funcs, &mut self.free.funcs) {
            let f = &mut self.funcs[i as usize];
            f.kind = FuncKind::Host(Arc::clone(&FREED));
            c.funcs += 1;
        }
        for i in freed(&m.tables, &mut self.free.tables) {
            let t = &mut self.tables[i as usize];
            self.table_elems -= u64::from(t.size());
            t.elems = Vec::new();
            t.max = Some(0);
            c.tables += 1;
        }
        for i in freed(&m.mems, &mut self.free.mems) {
            let x = &mut self.mems[i as usize];
            self.mem_bytes -= x.bytes();
            *x = super::memory::MemInst::freed();
            c.memories += 1;
        }
        for i in freed(&m.globals, &mut self.free.globals) {
            let g = &mut self.globals[i as usize];
            // A reference it held no longer roots a GC object.
            (g.value, g.hi) = (0, 0);
            c.globals += 1;
        }
        for i in freed(&m.elems, &mut self.free.elems) {
            self.elems[i as usize] = Vec::new();
        }
        for i in freed(&m.datas, &mut self.free.datas) {
            self.datas[i as usize] = Default::default();
        }
        c.live_instances = self.live_instances();
        c
    }
}

/// Marks slot `i`; whether it was unmarked (out-of-range addresses, which
/// no store entity holds, are ignored).
fn mark(marks: &mut [bool], i: u32) -> bool {
    match marks.get_mut(i as usize) {
        Some(b) if !*b => {
            *b = true;
            true
        }
        _ => false,
    }
}
