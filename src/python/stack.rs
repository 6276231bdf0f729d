//! How much native stack the current thread has left.
//!
//! Nested calls (wasm -> Python host function -> wasm ...) recurse on the
//! native stack, a few KiB per level, while Python-to-Python calls do not
//! (since 3.11), so Python's recursion limit alone does not protect a
//! thread with a small stack. Before each nested call we compare the stack
//! pointer with the thread's stack bounds (queried once per thread) and
//! raise RecursionError when less than [`HEADROOM`] is left.

/// Stack that must remain free to enter a nested call: room for the
/// engine, pyo3 and the Python code of the next host function (64 KiB: a
/// level takes about 4 KiB; a thread of 256 KiB gets about 40 levels).
pub(crate) const HEADROOM: usize = 64 * 1024;

/// The lowest usable address of this thread's stack, if known.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn query_stack_low() -> Option<usize> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before use and
    // destroyed after; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (rc == 0 && !addr.is_null()).then_some(addr as usize)
    }
}

#[cfg(target_os = "macos")]
fn query_stack_low() -> Option<usize> {
    // SAFETY: plain queries about the calling thread.
    unsafe {
        let top = libc::pthread_get_stackaddr_np(libc::pthread_self()) as usize;
        let size = libc::pthread_get_stacksize_np(libc::pthread_self());
        top.checked_sub(size)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
fn query_stack_low() -> Option<usize> {
    None
}

/// Bytes of stack left below the caller's frame, if the bounds are known.
#[inline]
pub(crate) fn remaining() -> Option<usize> {
    thread_local!(static LOW: Option<usize> = query_stack_low());
    let here = 0u8;
    let sp = &here as *const u8 as usize;
    LOW.with(|low| low.map(|low| sp.saturating_sub(low)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stack_is_known_and_plausible() {
        if cfg!(any(target_os = "linux", target_os = "macos")) {
            let left = super::remaining().expect("stack bounds");
            assert!(left > 16 * 1024 && left < 1 << 40, "{left}");
            // glibc may hand a new thread a larger cached stack than asked
            // for, so only check that the bound is found there too.
            let inner = std::thread::Builder::new()
                .stack_size(512 * 1024)
                .spawn(|| super::remaining().unwrap())
                .unwrap()
                .join()
                .unwrap();
            assert!(inner > 16 * 1024 && inner < 64 << 20, "{inner}");
        }
    }
}
