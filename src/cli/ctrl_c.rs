//! Ctrl-C for `wasmint run`: while the program runs, a SIGINT handler
//! interrupts its store (the program stops at its next function entry or
//! loop iteration) and records the signal, so that `run` exits with 130,
//! as a shell reports a program stopped by SIGINT. The handler replaced is
//! put back afterwards (it is not called: the command owns the process,
//! also under `python -m wasmint`). One run at a time.

use crate::InterruptHandle;

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering::SeqCst};

    use crate::InterruptHandle;

    /// The running store's handle; leaked, never freed (a handler may
    /// still be reading it on another thread when the run ends).
    static HANDLE: AtomicPtr<InterruptHandle> = AtomicPtr::new(std::ptr::null_mut());
    static SEEN: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_sigint(_sig: libc::c_int) {
        SEEN.store(true, SeqCst);
        let h = HANDLE.load(SeqCst);
        if !h.is_null() {
            // SAFETY: handles stored in HANDLE are leaked, so alive.
            unsafe { (*h).interrupt() };
        }
    }

    pub(super) struct Installed {
        prev: libc::sigaction,
    }

    pub(super) fn install(h: InterruptHandle) -> Option<Installed> {
        SEEN.store(false, SeqCst);
        HANDLE.store(Box::into_raw(Box::new(h)), SeqCst);
        // SAFETY: plain sigaction calls with valid, zeroed structures.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
            // No SA_RESTART: a blocking read of the program (WASI) returns
            // EINTR instead of waiting on.
            act.sa_flags = 0;
            libc::sigemptyset(&mut act.sa_mask);
            let mut prev: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, &act, &mut prev) != 0 {
                return None;
            }
            Some(Installed { prev })
        }
    }

    pub(super) fn finish(i: Installed) -> bool {
        // SAFETY: puts back the action `install` read.
        unsafe { libc::sigaction(libc::SIGINT, &i.prev, std::ptr::null_mut()) };
        HANDLE.store(std::ptr::null_mut(), SeqCst);
        SEEN.swap(false, SeqCst)
    }
}

/// The handler, while installed.
pub(crate) struct CtrlC {
    #[cfg(unix)]
    installed: Option<imp::Installed>,
}

impl CtrlC {
    /// Installs the handler; Ctrl-C interrupts `h`'s store.
    pub(crate) fn install(h: InterruptHandle) -> CtrlC {
        #[cfg(unix)]
        return CtrlC { installed: imp::install(h) };
        #[cfg(not(unix))]
        {
            let _ = h;
            CtrlC {}
        }
    }

    /// Puts the previous handler back; whether a SIGINT arrived.
    pub(crate) fn finish(self) -> bool {
        #[cfg(unix)]
        return self.installed.is_some_and(imp::finish);
        #[cfg(not(unix))]
        false
    }
}
