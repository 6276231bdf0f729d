//! Storage of a linear memory that never moves.
//!
//! The whole address range a memory may ever need (its maximum, or 4 GiB)
//! is reserved when it is created, inaccessible; growing makes more of it
//! readable and writable in place. So the bytes never move: a pointer an
//! embedder handed out (e.g. a Python buffer) stays valid across
//! `memory.grow`, and growth needs no copy. Reserving address space costs
//! no memory: pages are committed (and zeroed by the OS) when first made
//! accessible.
//!
//! Freed reservations are kept for reuse (a few per thread, see
//! `spare`): mapping and unmapping 4 GiB, and the page tables that come
//! and go with it, cost several times a whole small instantiation; a
//! reused reservation only has its pages given back (`MADV_DONTNEED`,
//! after which they read as zero), or if small, is zeroed in place.
//!
//! Where reserving fails (e.g. a small `ulimit -v`), or off Unix, the
//! reservation is just the initial size: the memory then cannot grow
//! (`memory.grow` returns -1, which the spec allows), but still never moves.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Bytes of a linear memory, at a fixed address.
pub(crate) struct MemBuf {
    ptr: NonNull<u8>,
    /// Accessible (committed) bytes.
    len: usize,
    /// Reserved bytes from `ptr`; `len <= reserved`.
    reserved: usize,
    /// Bytes from `ptr` mapped readable and writable: `len`, rounded up to
    /// 64 KiB, or more for a reused reservation. Beyond `len` they are
    /// zero (never exposed, so never written).
    committed: usize,
    /// How the reservation is freed.
    #[cfg(not(unix))]
    vec: Vec<u8>,
}

// SAFETY: `MemBuf` owns its bytes exclusively, like a `Vec<u8>`.
unsafe impl Send for MemBuf {}
unsafe impl Sync for MemBuf {}

impl MemBuf {
    /// `len` zeroed bytes, with room reserved to grow in place up to
    /// `max_len`. `None` if even `len` bytes cannot be had.
    /// No bytes and no reservation.
    pub(crate) fn empty() -> MemBuf {
        Self::reserve(0, 0).expect("an empty reservation takes nothing")
    }

    pub(crate) fn new(len: usize, max_len: usize) -> Option<MemBuf> {
        let max_len = max_len.max(len);
        Self::reserve(len, max_len).or_else(|| Self::reserve(len, len))
    }

    #[cfg(unix)]
    fn reserve(len: usize, reserved: usize) -> Option<MemBuf> {
        if reserved == 0 {
            return Some(MemBuf { ptr: NonNull::dangling(), len: 0, reserved: 0, committed: 0 });
        }
        if let Some((ptr, committed)) = spare::take(reserved) {
            let mut buf = MemBuf { ptr, len: 0, reserved, committed };
            buf.grow(len)?;
            return Some(buf);
        }
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing: it touches no existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        let mut buf = MemBuf { ptr: NonNull::new(p.cast())?, len: 0, reserved, committed: 0 };
        buf.grow(len)?;
        Some(buf)
    }

    #[cfg(not(unix))]
    fn reserve(len: usize, reserved: usize) -> Option<MemBuf> {
        // Without a portable reservation API here, reserve by capacity; a
        // `Vec` never reallocates within its capacity.
        let mut vec: Vec<u8> = Vec::new();
        vec.try_reserve_exact(reserved).ok()?;
        vec.resize(len, 0);
        let ptr = NonNull::new(vec.as_mut_ptr())?;
        Some(MemBuf { ptr, len, reserved: vec.capacity(), committed: len, vec })
    }

    /// Makes the first `new_len` bytes accessible (new ones are zero).
    /// `None`, and no change, if `new_len` passes the reservation.
    pub(crate) fn grow(&mut self, new_len: usize) -> Option<()> {
        if new_len <= self.len {
            return Some(());
        }
        if new_len > self.reserved {
            return None;
        }
        #[cfg(unix)]
        {
            // Round to whole OS pages: `new_len` is a multiple of 64 KiB for
            // wasm memories, but keep this correct for any length.
            let page = 65536usize;
            let end = new_len.div_ceil(page).saturating_mul(page).min(self.reserved);
            if end > self.committed {
                // SAFETY: `[ptr, ptr + end)` lies inside our reservation and
                // `ptr` is page-aligned (from mmap).
                let rc = unsafe { libc::mprotect(self.ptr.as_ptr().cast(), end, libc::PROT_READ | libc::PROT_WRITE) };
                if rc != 0 {
                    return None;
                }
                self.committed = end;
            }
        }
        #[cfg(not(unix))]
        {
            // Within capacity: no reallocation, the address stays.
            self.vec.resize(new_len, 0);
        }
        self.len = new_len;
        Some(())
    }

    /// The base address, derived from the mapping itself (not from a
    /// borrow), so it stays usable next to later borrows of the bytes.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Reserved bytes: the size this memory can grow to in place.
    #[allow(dead_code)]
    pub(crate) fn reserved(&self) -> usize {
        self.reserved
    }
}

impl Deref for MemBuf {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        // SAFETY: the first `len` bytes are mapped readable and writable,
        // initialised (zero-filled by the OS or written since), and owned
        // by `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for MemBuf {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes this borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

#[cfg(unix)]
impl Drop for MemBuf {
    fn drop(&mut self) {
        if self.reserved > 0 && !spare::give(self.ptr, self.reserved, self.committed) {
            // SAFETY: unmaps exactly the reservation made in `reserve`; no
            // borrow of the bytes can outlive `self`.
            unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.reserved) };
        }
    }
}

/// Reservations freed on this thread, kept for the next memories.
#[cfg(unix)]
mod spare {
    use std::cell::RefCell;
    use std::ptr::NonNull;

    /// Most reservations kept per thread.
    const MAX: usize = 4;

    /// Up to this many committed bytes, a kept reservation is zeroed by
    /// writing its non-zero pages: they stay mapped, so neither the system
    /// call nor the page faults of the next use (which cost more than
    /// reading 64 KiB) happen; larger ones have their pages given back.
    const ZERO_IN_PLACE: usize = 128 << 10;

    /// (start, reserved bytes, committed bytes), all pages zero.
    struct Spare(Vec<(NonNull<u8>, usize, usize)>);

    impl Drop for Spare {
        fn drop(&mut self) {
            for &(p, reserved, _) in &self.0 {
                // SAFETY: a reservation no `MemBuf` owns any more (handed
                // over by `give`, not taken back).
                unsafe { libc::munmap(p.as_ptr().cast(), reserved) };
            }
        }
    }

    thread_local! {
        static SPARE: RefCell<Spare> = const { RefCell::new(Spare(Vec::new())) };
    }

    /// A kept reservation of exactly `reserved` bytes: its start and
    /// committed bytes.
    pub(super) fn take(reserved: usize) -> Option<(NonNull<u8>, usize)> {
        SPARE
            .try_with(|s| {
                let mut s = s.try_borrow_mut().ok()?;
                let i = s.0.iter().rposition(|e| e.1 == reserved)?;
                let (p, _, committed) = s.0.swap_remove(i);
                Some((p, committed))
            })
            .ok()
            .flatten()
    }

    /// Keeps a reservation that its `MemBuf` is dropping, its pages given
    /// back to the OS (they then read as zero). False, and nothing kept, if
    /// it cannot be (the caller unmaps it).
    pub(super) fn give(p: NonNull<u8>, reserved: usize, committed: usize) -> bool {
        SPARE
            .try_with(|s| {
                let Ok(mut s) = s.try_borrow_mut() else { return false };
                if s.0.len() >= MAX {
                    return false;
                }
                if committed <= ZERO_IN_PLACE {
                    // SAFETY: `[p, p + committed)` is mapped readable and
                    // writable, page-aligned and owned by the dropping
                    // `MemBuf`; nothing refers to its bytes any more.
                    let words = unsafe { std::slice::from_raw_parts_mut(p.as_ptr().cast::<u64>(), committed / 8) };
                    // Only pages written to: reading the others is cheap
                    // (never written, they all map the kernel's zero page).
                    for page in words.chunks_mut(4096 / 8) {
                        if page.iter().fold(0, |a, &w| a | w) != 0 {
                            page.fill(0);
                        }
                    }
                // SAFETY: as above.
                } else if unsafe { libc::madvise(p.as_ptr().cast(), committed, libc::MADV_DONTNEED) } != 0 {
                    return false;
                }
                s.0.push((p, reserved, committed));
                true
            })
            .unwrap_or(false)
    }
}

impl std::fmt::Debug for MemBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemBuf {{ len: {}, reserved: {} }}", self.len, self.reserved)
    }
}

#[cfg(test)]
mod tests {
    use super::MemBuf;

    const PAGE: usize = 65536;

    #[test]
    fn grows_in_place_and_zeroed() {
        let mut m = MemBuf::new(PAGE, 1 << 32).unwrap();
        assert_eq!(m.len(), PAGE);
        m[PAGE - 1] = 7;
        let p = m.as_ptr();
        m.grow(3 * PAGE).unwrap();
        assert_eq!(m.as_ptr(), p, "the memory must not move");
        assert_eq!(m.len(), 3 * PAGE);
        assert_eq!(m[PAGE - 1], 7);
        assert!(m[PAGE..].iter().all(|&b| b == 0));
        m[3 * PAGE - 1] = 1;
    }

    #[test]
    fn refuses_past_the_reservation() {
        let mut m = MemBuf::new(0, 2 * PAGE).unwrap();
        assert_eq!(m.len(), 0);
        assert!(m.grow(2 * PAGE).is_some());
        assert!(m.grow(3 * PAGE).is_none());
        assert_eq!(m.len(), 2 * PAGE);
    }

    #[test]
    fn empty_reservation() {
        let mut m = MemBuf::new(0, 0).unwrap();
        assert!(m.is_empty());
        assert!(m.grow(PAGE).is_none());
        assert!(m.grow(0).is_some());
    }

    #[test]
    fn a_freed_reservation_is_reused_zeroed() {
        let mut m = MemBuf::new(2 * PAGE, 1 << 32).unwrap();
        m[..].fill(0xab);
        let p = m.as_ptr();
        drop(m);
        // Kept by this thread, reused at the same address, all zero.
        let mut m = MemBuf::new(PAGE, 1 << 32).unwrap();
        assert_eq!(m.as_ptr(), p);
        assert_eq!(m.len(), PAGE);
        assert!(m.iter().all(|&b| b == 0));
        // Growing into what was committed before also gives zeros.
        m.grow(3 * PAGE).unwrap();
        assert!(m.iter().all(|&b| b == 0));
    }

    #[test]
    fn reused_reservations_are_zero_whichever_way_zeroed() {
        // Small ones are zeroed in place (a page written, one not), large
        // ones given back to the OS.
        for pages in [1, 2, 8] {
            let mut m = MemBuf::new(pages * PAGE, 1 << 31).unwrap();
            m[5] = 1;
            m[pages * PAGE - 1] = 2;
            let p = m.as_ptr();
            drop(m);
            let m = MemBuf::new(pages * PAGE, 1 << 31).unwrap();
            assert_eq!(m.as_ptr(), p);
            assert!(m.iter().all(|&b| b == 0), "{pages} pages");
        }
    }

    #[test]
    fn many_large_reservations_are_cheap() {
        let v: Vec<MemBuf> = (0..64).map(|_| MemBuf::new(PAGE, 1 << 32).unwrap()).collect();
        assert!(v.iter().all(|m| m.len() == PAGE));
    }
}
