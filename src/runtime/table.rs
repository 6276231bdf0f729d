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
    /// The declared maximum (a 64-bit table's may exceed u32).
    pub(crate) max: Option<u64>,
    /// A 64-bit table: index and size operands are all 64 bits of a slot.
    pub(crate) is64: bool,
    pub(crate) elems: Vec<u64>,
}

impl TableInst {
    /// A table of `ty.limits.min` entries set to `init`; `None` if too large.
    pub(crate) fn new(ty: TableType, init: u64) -> Option<TableInst> {
        let min = u32::try_from(ty.limits.min).ok()?;
        // A 32-bit table's maximum is a u32 (a host may ask for more).
        let range = if ty.is64 { u64::MAX } else { u64::from(u32::MAX) };
        if min > MAX_TABLE_ENTRIES || ty.limits.max.is_some_and(|m| m < u64::from(min) || m > range) {
            return None;
        }
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
        Some(TableInst { elem: ty.elem, max: ty.limits.max, is64: ty.is64, elems })
    }

    pub(crate) fn size(&self) -> u32 {
        self.elems.len() as u32
    }

    pub(crate) fn ty(&self) -> TableType {
        TableType { elem: self.elem, limits: Limits { min: u64::from(self.size()), max: self.max }, is64: self.is64 }
    }

    /// Grows by `delta` entries set to `init`; the old size, or `None`.
    pub(crate) fn grow(&mut self, delta: u64, init: u64) -> Option<u32> {
        let old = self.size();
        let new = u64::from(old).checked_add(delta)?;
        let cap = self.max.unwrap_or(u64::MAX).min(u64::from(MAX_TABLE_ENTRIES));
        if new > cap {
            return None;
        }
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }

    /// The range `[i, i + n)`, if inside the table.
    #[inline]
    pub(crate) fn range(&self, i: u64, n: u64) -> Result<std::ops::Range<usize>, TrapCode> {
        range(self.elems.len(), i, n)
    }

    /// An index or size operand in a slot: all 64 bits for a 64-bit table,
    /// the low 32 else (an i32's upper half is not defined).
    #[inline]
    pub(crate) fn operand(&self, slot: u64) -> u64 {
        if self.is64 { slot } else { u64::from(slot as u32) }
    }
}

/// `[i, i + n)` if it fits in `len`, else the table bounds trap. (An end
/// past u64 does not fit.)
#[inline]
pub(crate) fn range(len: usize, i: u64, n: u64) -> Result<std::ops::Range<usize>, TrapCode> {
    match i.checked_add(n) {
        Some(end) if end <= len as u64 => Ok(i as usize..end as usize),
        _ => Err(TrapCode::OutOfBoundsTableAccess),
    }
}
