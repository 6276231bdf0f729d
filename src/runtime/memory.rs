//! Linear memory instances (spec 4.2.8).
//!
//! The bytes sit behind narrow accessors so the storage can later change
//! (e.g. to a reservation that never moves while Python holds views).

use crate::error::TrapCode;
use crate::syntax::{MAX_PAGES, PAGE_SIZE};

use super::membuf::MemBuf;

/// A memory instance.
#[derive(Debug)]
pub(crate) struct MemInst {
    /// Reserved up to the maximum, so it never moves (see `membuf`).
    data: MemBuf,
    /// Declared maximum in pages, if any.
    max: Option<u64>,
    /// A 64-bit memory (i64 addresses); it still holds at most
    /// `MAX_PAGES` 64 KiB pages (4 GiB), like a 32-bit one.
    is64: bool,
    /// log2 of the page size (16; 0 for 1-byte pages).
    page_log2: u32,
}

/// The most bytes a memory holds here (4 GiB), whatever its type.
const MAX_BYTES: u64 = MAX_PAGES as u64 * PAGE_SIZE as u64;

impl MemInst {
    /// A memory of type `ty`; `None` if too large (more than 4 GiB to
    /// start with: growth beyond is refused too).
    pub(crate) fn of_type(ty: &crate::syntax::MemType) -> Option<MemInst> {
        let (min, max, log2) = (ty.limits.min, ty.limits.max, ty.page_log2.min(16));
        let bytes = |pages: u64| pages.checked_mul(1 << log2);
        if bytes(min).map_or(true, |b| b > MAX_BYTES) || min > u64::from(u32::MAX) || max.is_some_and(|m| m < min) {
            return None;
        }
        let reserve = max.and_then(bytes).unwrap_or(MAX_BYTES).min(MAX_BYTES);
        Some(MemInst {
            data: MemBuf::new((min << log2) as usize, reserve as usize)?,
            max,
            is64: ty.is64,
            page_log2: log2,
        })
    }

    /// What a freed memory's slot holds: no bytes, no reservation.
    pub(crate) fn freed() -> MemInst {
        MemInst { data: MemBuf::empty(), max: Some(0), is64: false, page_log2: 16 }
    }

    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() >> self.page_log2) as u32
    }

    /// Current size in bytes.
    pub(crate) fn bytes(&self) -> u64 {
        self.data.len() as u64
    }

    /// log2 of the page size.
    pub(crate) fn page_log2(&self) -> u32 {
        self.page_log2
    }

    pub(crate) fn is64(&self) -> bool {
        self.is64
    }

    /// Its type, with the current size as minimum.
    pub(crate) fn ty(&self) -> crate::syntax::MemType {
        crate::syntax::MemType {
            limits: crate::syntax::Limits { min: u64::from(self.pages()), max: self.max },
            is64: self.is64,
            page_log2: self.page_log2,
        }
    }

    /// Base address and accessible length, for the interpreter's cached
    /// view. The base never changes (see `membuf`); the length changes on
    /// `grow` only.
    #[inline]
    pub(crate) fn raw(&self) -> (*mut u8, usize) {
        (self.data.as_raw(), self.data.len())
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Grows by `delta` pages; the old size in pages, or `None` if refused
    /// (beyond the maximum, 65536 pages, or the allocation fails).
    pub(crate) fn grow(&mut self, delta: u64) -> Option<u32> {
        let old = self.pages();
        let new = u64::from(old).checked_add(delta)?;
        // Page counts stay below 2^32 (`pages` is a u32), bytes at 4 GiB.
        if new > self.max.unwrap_or(u64::MAX) || new > u64::from(u32::MAX) || (new << self.page_log2) > MAX_BYTES {
            return None;
        }
        self.data.grow((new << self.page_log2) as usize)?;
        Some(old)
    }

    /// The range `[addr, addr + len)` as usize bounds, if inside the memory.
    #[inline]
    pub(crate) fn range(&self, addr: u64, len: u64) -> Result<std::ops::Range<usize>, TrapCode> {
        match addr.checked_add(len) {
            Some(end) if end <= self.data.len() as u64 => Ok(addr as usize..end as usize),
            _ => Err(TrapCode::OutOfBoundsMemoryAccess),
        }
    }

    /// `memory.fill` (bounds checked before writing).
    pub(crate) fn fill(&mut self, dst: u64, val: u8, n: u64) -> Result<(), TrapCode> {
        let r = self.range(dst, n)?;
        self.data[r].fill(val);
        Ok(())
    }

    /// `memory.copy`, overlapping ranges allowed.
    pub(crate) fn copy(&mut self, dst: u64, src: u64, n: u64) -> Result<(), TrapCode> {
        let s = self.range(src, n)?;
        let d = self.range(dst, n)?;
        self.data.copy_within(s, d.start);
        Ok(())
    }

    /// `memory.init` from a data segment's bytes.
    pub(crate) fn init(&mut self, dst: u64, seg: &[u8], src: u64, n: u64) -> Result<(), TrapCode> {
        let s = match src.checked_add(n) {
            Some(end) if end <= seg.len() as u64 => src as usize..end as usize,
            _ => return Err(TrapCode::OutOfBoundsMemoryAccess),
        };
        let d = self.range(dst, n)?;
        self.data[d].copy_from_slice(&seg[s]);
        Ok(())
    }
}
