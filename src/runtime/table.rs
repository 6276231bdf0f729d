//! Table instances (spec 4.2.7). Entries are raw slots: a function
//! reference is its store address + 1, an extern reference its token + 1,
//! and 0 is null.

use crate::error::TrapCode;
use crate::syntax::{Limits, RefType, TableType};

/// Tables never grow beyond this many entries, whatever their maximum, so a
/// hostile module cannot exhaust host memory.
pub const MAX_TABLE_ENTRIES: u32 = 10_000_000;

/// A table instance.
#[derive(Debug)]
pub(crate) struct TableInst {
    pub(crate) elem: RefType,
    pub(crate) max: Option<u32>,
    pub(crate) elems: Vec<u64>,
}

impl TableInst {
    /// A table of `ty.limits.min` entries set to `init`; `None` if too large.
    pub(crate) fn new(ty: TableType, init: u64) -> Option<TableInst> {
        let min = u32::try_from(ty.limits.min).ok()?;
        if min > MAX_TABLE_ENTRIES || ty.limits.max.is_some_and(|m| m < u64::from(min)) {
            return None;
        }
        let max = ty.limits.max.map(|m| u32::try_from(m).unwrap_or(u32::MAX));
        let mut elems: Vec<u64> = Vec::new();
        elems.try_reserve_exact(min as usize).ok()?;
        if init == 0 {
            // Lazily zeroed pages from the OS: a module declaring many large
            // tables costs address space, not memory, until they are used.
            drop(elems);
            elems = vec![0; min as usize];
        } else {
            elems.resize(min as usize, init);
        }
        Some(TableInst { elem: ty.elem, max, elems })
    }

    pub(crate) fn size(&self) -> u32 {
        self.elems.len() as u32
    }

    pub(crate) fn ty(&self) -> TableType {
        TableType { elem: self.elem, limits: Limits { min: u64::from(self.size()), max: self.max.map(u64::from) } }
    }

    /// Grows by `delta` entries set to `init`; the old size, or `None`.
    pub(crate) fn grow(&mut self, delta: u32, init: u64) -> Option<u32> {
        let old = self.size();
        let new = u64::from(old) + u64::from(delta);
        let cap = self.max.unwrap_or(u32::MAX).min(MAX_TABLE_ENTRIES);
        if new > u64::from(cap) {
            return None;
        }
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }

    /// The range `[i, i + n)`, if inside the table.
    #[inline]
    pub(crate) fn range(&self, i: u32, n: u32) -> Result<std::ops::Range<usize>, TrapCode> {
        range(self.elems.len(), i, n)
    }
}

/// `[i, i + n)` if it fits in `len`, else the table bounds trap.
#[inline]
pub(crate) fn range(len: usize, i: u32, n: u32) -> Result<std::ops::Range<usize>, TrapCode> {
    let end = u64::from(i) + u64::from(n);
    if end > len as u64 {
        return Err(TrapCode::OutOfBoundsTableAccess);
    }
    Ok(i as usize..end as usize)
}
