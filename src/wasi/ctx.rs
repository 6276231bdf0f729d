//! The state of one WASI program: arguments, environment, standard streams
//! and the descriptor table (preopened directories first, after stdio).

use std::ffi::CString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use super::errno::Errno;

/// Largest number of open descriptors a guest may hold.
pub const MAX_FDS: usize = 1024;

/// All rights (bits 0..=29 of `rights` in preview1): wasmint does not
/// narrow rights; the sandbox is the set of preopened directories.
pub const ALL_RIGHTS: u64 = (1 << 30) - 1;
use rights::{FD_SEEK as RIGHT_FD_SEEK, FD_TELL as RIGHT_FD_TELL};

/// The `rights` bits (preview1 numbering; wasi_unstable is the same).
/// Every operation on a descriptor needs its right; `path_open` gives the
/// new descriptor at most the directory's inheriting rights, and
/// `fd_fdstat_set_rights` can only drop rights.
#[allow(missing_docs)]
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// What a directory descriptor cannot do (bytes in and out, offsets):
    /// not among the rights it reports.
    pub const NOT_FOR_DIRS: u64 = FD_READ | FD_SEEK | FD_TELL | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
}

/// Where the guest's standard input comes from.
pub enum Input {
    /// The host process's stdin.
    Inherit,
    /// Fixed bytes (then end of file).
    Bytes(std::io::Cursor<Vec<u8>>),
    /// Any reader (end of file when it returns 0).
    Reader(Box<dyn Read + Send>),
}

/// Where one of the guest's output streams goes.
pub enum Output {
    /// The host process's stdout / stderr.
    Inherit,
    /// Discarded.
    Null,
    /// Any writer (e.g. a shared buffer, or a callback per chunk).
    Writer(Box<dyn Write + Send>),
}

/// What a descriptor refers to.
pub enum Kind {
    Stdin,
    Stdout,
    Stderr,
    File(File),
    /// A directory: a host directory descriptor, the root of all paths
    /// resolved through it. `preopen` is its guest name if preopened.
    Dir {
        fd: OwnedFd,
        preopen: Option<String>,
    },
}

/// One entry of the descriptor table.
pub struct Entry {
    pub kind: Kind,
    /// `fdflags` (append, dsync, nonblock, rsync, sync).
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

/// The state of a WASI program.
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) stdin: Input,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) fds: Vec<Option<Entry>>,
    /// Numbers freed by `fd_close` and `fd_renumber`, reused highest first
    /// (as wasmtime does: programs that renumber stdout away and open files
    /// afterwards see the numbers they see there).
    pub(crate) free: std::collections::BTreeSet<u32>,
    /// The code given to `proc_exit`, once called.
    pub exit_code: Option<u32>,
}

/// Builds a [`WasiCtx`]: nothing of the host is visible unless added here.
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    dirs: Vec<(std::path::PathBuf, String)>,
    stdin: Option<Input>,
    stdout: Option<Output>,
    stderr: Option<Output>,
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }
    /// Appends an argument (the first one is the program name).
    pub fn arg(&mut self, a: impl Into<String>) -> &mut Self {
        self.args.push(a.into());
        self
    }
    /// Sets an environment variable (a later value for the same key wins).
    pub fn env(&mut self, k: impl Into<String>, v: impl Into<String>) -> &mut Self {
        let k = k.into();
        self.env.retain(|(e, _)| *e != k);
        self.env.push((k, v.into()));
        self
    }
    /// Makes host directory `host` visible to the guest as `guest`.
    pub fn preopen_dir(&mut self, host: impl AsRef<Path>, guest: impl Into<String>) -> &mut Self {
        self.dirs.push((host.as_ref().to_path_buf(), guest.into()));
        self
    }
    pub fn stdin(&mut self, i: Input) -> &mut Self {
        self.stdin = Some(i);
        self
    }
    pub fn stdout(&mut self, o: Output) -> &mut Self {
        self.stdout = Some(o);
        self
    }
    pub fn stderr(&mut self, o: Output) -> &mut Self {
        self.stderr = Some(o);
        self
    }

    /// Opens the preopened directories. Streams default to the host's.
    ///
    /// # Errors
    /// A message naming a directory that cannot be opened, or an argument
    /// or variable containing a NUL byte (or `=` in a variable's name).
    pub fn build(&mut self) -> Result<WasiCtx, String> {
        // wasi-libc's isatty() is "a character device without the seek and
        // tell rights": give stdio those rights unless it is the host's
        // terminal, so the guest buffers its output as it would natively.
        let rights = |inherit: bool, fd: i32| {
            // SAFETY: isatty only inspects the descriptor.
            if inherit && unsafe { libc::isatty(fd) } == 1 {
                ALL_RIGHTS & !(RIGHT_FD_SEEK | RIGHT_FD_TELL)
            } else {
                ALL_RIGHTS
            }
        };
        let stdin_tty = rights(matches!(self.stdin, None | Some(Input::Inherit)), 0);
        let stdout_tty = rights(matches!(self.stdout, None | Some(Output::Inherit)), 1);
        let stderr_tty = rights(matches!(self.stderr, None | Some(Output::Inherit)), 2);
        let mut fds = vec![
            Some(Entry { kind: Kind::Stdin, flags: 0, rights_base: stdin_tty, rights_inheriting: 0 }),
            Some(Entry { kind: Kind::Stdout, flags: 0, rights_base: stdout_tty, rights_inheriting: 0 }),
            Some(Entry { kind: Kind::Stderr, flags: 0, rights_base: stderr_tty, rights_inheriting: 0 }),
        ];
        for (host, guest) in &self.dirs {
            let fd = open_host_dir(host).map_err(|e| format!("cannot open directory {}: {e}", host.display()))?;
            fds.push(Some(Entry {
                kind: Kind::Dir { fd, preopen: Some(guest.clone()) },
                flags: 0,
                rights_base: ALL_RIGHTS & !rights::NOT_FOR_DIRS,
                rights_inheriting: ALL_RIGHTS,
            }));
        }
        let mut args = Vec::new();
        for a in &self.args {
            if a.contains('\0') {
                return Err(format!("argument {a:?} contains a NUL byte"));
            }
            args.push(a.clone().into_bytes());
        }
        let mut env = Vec::new();
        for (k, v) in &self.env {
            if k.contains('\0') || v.contains('\0') || k.contains('=') || k.is_empty() {
                return Err(format!("invalid environment variable {k:?}"));
            }
            env.push(format!("{k}={v}").into_bytes());
        }
        Ok(WasiCtx {
            args,
            env,
            stdin: self.stdin.take().unwrap_or(Input::Inherit),
            stdout: self.stdout.take().unwrap_or(Output::Inherit),
            stderr: self.stderr.take().unwrap_or(Output::Inherit),
            fds,
            free: Default::default(),
            exit_code: None,
        })
    }
}

/// Opens a host directory (following symlinks: the host chose it).
fn open_host_dir(path: &Path) -> std::io::Result<OwnedFd> {
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `c` is a valid C string; the returned descriptor is owned.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

impl WasiCtx {
    /// The entry of descriptor `fd`, or `EBADF`.
    pub fn get(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.fds.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// The entry of `fd` if it has all of `rights`; `EBADF` or `ENOTCAPABLE`.
    pub fn need(&mut self, fd: u32, rights: u64) -> Result<&mut Entry, Errno> {
        let e = self.get(fd)?;
        // What no directory can do is EISDIR, not a missing right.
        if matches!(e.kind, Kind::Dir { .. }) && rights & rights::NOT_FOR_DIRS != 0 {
            return Err(Errno::ISDIR);
        }
        if e.rights_base & rights != rights {
            return Err(Errno::NOTCAPABLE);
        }
        Ok(e)
    }

    /// The host directory descriptor of `fd` if it has `rights`, or
    /// `EBADF`/`ENOTDIR`/`ENOTCAPABLE`.
    pub fn dir(&mut self, fd: u32, rights: u64) -> Result<RawFd, Errno> {
        match &self.need(fd, rights)?.kind {
            Kind::Dir { fd, .. } => Ok(fd.as_raw_fd()),
            _ => Err(Errno::NOTDIR),
        }
    }

    /// Puts `entry` in the highest freed slot, else after the last one.
    pub fn insert(&mut self, entry: Entry) -> Result<u32, Errno> {
        while let Some(i) = self.free.pop_last() {
            if let Some(slot @ None) = self.fds.get_mut(i as usize) {
                *slot = Some(entry);
                return Ok(i);
            }
        }
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::NFILE);
        }
        self.fds.push(Some(entry));
        Ok(self.fds.len() as u32 - 1)
    }

    /// Writes to the guest's stdout (`err` false) or stderr.
    pub fn write_out(&mut self, err: bool, buf: &[u8]) -> std::io::Result<usize> {
        let out = if err { &mut self.stderr } else { &mut self.stdout };
        match out {
            Output::Inherit if err => {
                let mut e = std::io::stderr();
                e.write_all(buf)?;
                Ok(buf.len())
            }
            Output::Inherit => {
                let mut o = std::io::stdout().lock();
                o.write_all(buf)?;
                // Unbuffered as seen by the guest: libc buffers already.
                o.flush()?;
                Ok(buf.len())
            }
            Output::Null => Ok(buf.len()),
            Output::Writer(w) => {
                w.write_all(buf)?;
                Ok(buf.len())
            }
        }
    }

    /// Reads from the guest's stdin.
    pub fn read_in(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.stdin {
            Input::Inherit => std::io::stdin().read(buf),
            Input::Bytes(c) => c.read(buf),
            Input::Reader(r) => r.read(buf),
        }
    }
}
