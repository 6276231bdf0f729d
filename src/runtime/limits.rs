//! Resource limits of a store (issue 12): total bytes of linear memory,
//! total table elements, and the numbers of instances, memories and
//! tables ([`Config`](super::Config)'s `max_*` fields; the GC heap has its
//! own, `max_gc_heap`, enforced in `gc.rs`).
//!
//! Every check is made before anything is allocated: instantiation checks
//! a module's whole demand (all its memories' and tables' minimums) up
//! front, so a module declaring a 4 GiB memory, ten thousand memories or a
//! billion table elements fails with [`Error::Link`] having cost the host
//! nothing. Growth beyond a limit is refused the way the spec allows
//! (`memory.grow` and `table.grow` return -1). The store counts the
//! current sizes of its memories and tables as they are made and grown
//! (nothing in a store is ever freed before the store).

use super::memory::MemInst;
use super::table::TableInst;
use super::Store;
use crate::error::{Error, Result};
use crate::syntax::{MemType, TableType};

/// `n` bytes for a message: `64 MiB`, `4 GiB`, `1.5 KiB`, `100 bytes`.
pub(crate) fn fmt_bytes(n: u128) -> String {
    const UNITS: [(&str, u128); 4] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (name, size) in UNITS {
        if n >= size {
            return if n % size == 0 {
                format!("{} {name}", n / size)
            } else {
                format!("{:.1} {name}", n as f64 / size as f64)
            };
        }
    }
    if n == 1 { "1 byte".into() } else { format!("{n} bytes") }
}

/// " (N in use)" when something is, for messages.
fn in_use(used: u128, what: impl Fn(u128) -> String) -> String {
    if used == 0 { String::new() } else { format!(" ({} already in use)", what(used)) }
}

impl Store {
    /// Checks that one more instance fits [`Config::max_instances`](super::Config::max_instances).
    pub(crate) fn check_new_instance(&self) -> Result<()> {
        match self.config().max_instances {
            Some(max) if self.live_instances() >= max => Err(Error::Link(format!(
                "instance limit exceeded: the store holds {} instances and allows {max}",
                self.live_instances()
            ))),
            _ => Ok(()),
        }
    }

    /// Checks that memories of types `tys` fit the store's memory limits
    /// (count and bytes), before any is made.
    pub(crate) fn check_new_memories(&self, tys: &[MemType]) -> Result<()> {
        let c = self.config();
        if let Some(max) = c.max_memories {
            if self.live_mems().saturating_add(tys.len()) > max {
                return Err(Error::Link(format!(
                    "memory count limit exceeded: {} more memories requested, the store allows {max}{}",
                    tys.len(),
                    in_use(self.live_mems() as u128, |n| n.to_string())
                )));
            }
        }
        if let Some(max) = c.max_memory_bytes {
            // In u128: no sum of u64 minimums shifted by at most 16 overflows.
            let need: u128 = tys.iter().map(|t| u128::from(t.limits.min) << t.page_log2.min(16)).sum();
            if u128::from(self.mem_bytes) + need > u128::from(max) {
                return Err(Error::Link(format!(
                    "memory limit exceeded: {} of linear memory needed, the store allows {}{}",
                    fmt_bytes(need),
                    fmt_bytes(max.into()),
                    in_use(self.mem_bytes.into(), fmt_bytes)
                )));
            }
        }
        Ok(())
    }

    /// Checks that tables of types `tys` fit the store's table limits
    /// (count and elements), before any is made.
    pub(crate) fn check_new_tables(&self, tys: &[TableType]) -> Result<()> {
        let c = self.config();
        if let Some(max) = c.max_tables {
            if self.live_tables().saturating_add(tys.len()) > max {
                return Err(Error::Link(format!(
                    "table count limit exceeded: {} more tables requested, the store allows {max}{}",
                    tys.len(),
                    in_use(self.live_tables() as u128, |n| n.to_string())
                )));
            }
        }
        if let Some(max) = c.max_table_elements {
            let need: u128 = tys.iter().map(|t| u128::from(t.limits.min)).sum();
            if u128::from(self.table_elems) + need > u128::from(max) {
                return Err(Error::Link(format!(
                    "table limit exceeded: {need} table elements needed, the store allows {max}{}",
                    in_use(self.table_elems.into(), |n| n.to_string())
                )));
            }
        }
        Ok(())
    }

    /// Adds a memory made after [`check_new_memories`](Self::check_new_memories); its address.
    pub(crate) fn push_memory(&mut self, m: MemInst) -> u32 {
        self.mem_bytes += m.bytes();
        self.alloc_mem(m)
    }

    /// Adds a table made after [`check_new_tables`](Self::check_new_tables); its address.
    pub(crate) fn push_table(&mut self, t: TableInst) -> u32 {
        self.table_elems += u64::from(t.size());
        self.alloc_table(t)
    }

    /// Grows memory `a` by `delta` pages within the memory limit; the old
    /// size in pages, or `None` (nothing changed).
    pub(crate) fn grow_memory(&mut self, a: usize, delta: u64) -> Option<u32> {
        let limit = self.config().max_memory_bytes;
        let m = &mut self.mems[a];
        if let Some(max) = limit {
            let add = u128::from(delta) << m.page_log2();
            if u128::from(self.mem_bytes) + add > u128::from(max) {
                return None;
            }
        }
        let before = m.bytes();
        let old = m.grow(delta)?;
        self.mem_bytes += m.bytes() - before;
        Some(old)
    }

    /// Grows table `a` by `delta` entries set to `init` within the table
    /// limit; the old size, or `None` (nothing changed).
    pub(crate) fn grow_table(&mut self, a: usize, delta: u64, init: u64) -> Option<u32> {
        if let Some(max) = self.config().max_table_elements {
            if u128::from(self.table_elems) + u128::from(delta) > u128::from(max) {
                return None;
            }
        }
        let t = &mut self.tables[a];
        let old = t.grow(delta, init)?;
        self.table_elems += delta;
        Some(old)
    }

    /// Bytes of linear memory the store holds (all memories, current sizes).
    pub fn memory_bytes_used(&self) -> u64 {
        self.mem_bytes
    }

    /// Table elements the store holds (all tables, current sizes).
    pub fn table_elements_used(&self) -> u64 {
        self.table_elems
    }
}
