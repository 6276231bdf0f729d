//! Sandboxed path resolution and the `path_*` functions.
//!
//! # The sandbox
//!
//! A path is always resolved relative to a directory descriptor of the
//! guest (a preopen, or a directory opened through one), and never leaves
//! it: we walk the path one component at a time with `openat(...,
//! O_NOFOLLOW | O_DIRECTORY)`, keeping the chain of directories walked.
//! `..` steps back along that chain, and stepping back past its start is
//! refused. Symbolic links are never followed by the kernel: we read them
//! (`readlinkat`) and splice their target into the remaining path, at most
//! [`MAX_SYMLINKS`] times, under the same rules. So `..`, absolute paths,
//! symlinks pointing out (made by the host or by the guest), and renames or
//! links between preopens can never reach a file outside the preopens.
//!
//! Refusals: an absolute path, or a `..` (also inside a symlink's target)
//! that would leave the directory, fail with `ENOTCAPABLE` (76), as
//! wasmtime does; too many symlinks fail with `ELOOP`. Creating a symlink
//! with an absolute target is refused with `ENOTCAPABLE` too (it could only
//! ever resolve outside).

use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::ctx::{rights as R, Entry, Kind};
use super::errno::{self, Errno};
use super::fd::{filestat_from, write_filestat};
use super::{Args, Call, Ret};

/// Most symbolic links followed while resolving one path (as Linux).
pub const MAX_SYMLINKS: usize = 40;

/// lookupflags.symlink_follow
const SYMLINK_FOLLOW: u32 = 1;
/// oflags
const O_CREAT: u32 = 1;
const O_DIRECTORY: u32 = 2;
const O_EXCL: u32 = 4;
const O_TRUNC: u32 = 8;

/// A resolved path: the directory that holds the last component (the start
/// directory or one of `chain`), and that component's name (`.` when the
/// path names the directory itself). `dir`: the path ended in `/`, so (as
/// POSIX has it) it names a directory: a last component that is something
/// else fails with `ENOTDIR` where the call would use it.
pub struct Resolved {
    start: RawFd,
    chain: Vec<OwnedFd>,
    pub name: CString,
    pub dir: bool,
}

impl Resolved {
    /// The host descriptor of the directory holding `name`.
    pub fn parent(&self) -> RawFd {
        self.chain.last().map_or(self.start, |f| f.as_raw_fd())
    }

    /// The last component's status (not following a symlink); `None` if
    /// it does not exist.
    fn lstat(&self) -> Result<Option<libc::stat>, Errno> {
        match lstat_at(self.parent(), &self.name) {
            Ok(st) => Ok(Some(st)),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `ENOTDIR` when the path ended in `/` and names an existing
    /// non-directory.
    fn check_dir(&self) -> Result<(), Errno> {
        match self.lstat()? {
            Some(st) if self.dir && !is_dir(&st) => Err(Errno::NOTDIR),
            _ => Ok(()),
        }
    }

    /// For a call that makes `name` (a link, a symlink): a trailing `/`
    /// names a directory, which such a call cannot make (`ENOENT` as
    /// Linux gives; `EEXIST` if something is there).
    fn check_new(&self) -> Result<(), Errno> {
        match (self.dir, self.lstat()?) {
            (true, Some(_)) => Err(Errno::EXIST),
            (true, None) => Err(Errno::NOENT),
            _ => Ok(()),
        }
    }
}

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

fn cstr(b: &[u8]) -> Result<CString, Errno> {
    CString::new(b).map_err(|_| Errno::ILSEQ)
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
pub fn lstat_at(dir: RawFd, name: &CStr) -> Result<libc::stat, Errno> {
    // SAFETY: `st` is plain data written by the call; `name` is a C string.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) != 0 {
            return Err(errno::last());
        }
        Ok(st)
    }
}

/// `readlinkat(dir, name)`, the whole target.
pub fn readlink_at(dir: RawFd, name: &CStr) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(errno::last());
        }
        let n = n as usize;
        if n < buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        if buf.len() >= 1 << 16 {
            return Err(Errno::NAMETOOLONG);
        }
        buf.resize(buf.len() * 2, 0);
    }
}

/// `openat` that returns an owned descriptor. `flags` always gets
/// `O_NOFOLLOW | O_CLOEXEC`: the kernel never follows a symlink for us.
pub fn open_at(dir: RawFd, name: &CStr, flags: i32, mode: libc::mode_t) -> Result<OwnedFd, Errno> {
    // SAFETY: `name` is a C string; the result is a fresh descriptor.
    let fd = unsafe {
        libc::openat(dir, name.as_ptr(), flags | libc::O_NOFOLLOW | libc::O_CLOEXEC, libc::c_uint::from(mode))
    };
    if fd < 0 {
        return Err(errno::last());
    }
    // SAFETY: just opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn split(path: &[u8], front: &mut VecDeque<Vec<u8>>) {
    for c in path.split(|&b| b == b'/').rev().filter(|c| !c.is_empty()) {
        front.push_front(c.to_vec());
    }
}

/// Resolves `path` inside directory `start` (see the module docs). With
/// `follow`, a symlink as last component is followed too. A trailing `/`
/// always follows (POSIX).
pub fn resolve(start: RawFd, path: &[u8], follow: bool) -> Result<Resolved, Errno> {
    resolve_with(start, path, follow, true)
}

/// [`resolve`] where a trailing `/` follows a last symlink only if
/// `slash_follows` (not for the calls that act on a link itself: rmdir,
/// unlink, rename, as Linux).
fn resolve_with(start: RawFd, path: &[u8], follow: bool, slash_follows: bool) -> Result<Resolved, Errno> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    if path.contains(&0) {
        return Err(Errno::ILSEQ);
    }
    if path[0] == b'/' {
        return Err(Errno::NOTCAPABLE);
    }
    let dir = path.ends_with(b"/");
    let follow = follow || (dir && slash_follows);
    let mut rest = VecDeque::new();
    split(path, &mut rest);
    let mut r = Resolved { start, chain: Vec::new(), name: CString::from(c"."), dir };
    let mut links = 0;
    while let Some(c) = rest.pop_front() {
        let last = rest.is_empty();
        if c == b"." {
            if last {
                r.name = CString::from(c".");
            }
            continue;
        }
        if c == b".." {
            if r.chain.pop().is_none() {
                return Err(Errno::NOTCAPABLE);
            }
            if last {
                r.name = CString::from(c".");
            }
            continue;
        }
        let name = cstr(&c)?;
        if last && !follow {
            r.name = name;
            break;
        }
        let st = match lstat_at(r.parent(), &name) {
            Err(Errno::NOENT) if last => {
                r.name = name;
                break;
            }
            other => other?,
        };
        if st.st_mode & libc::S_IFMT == libc::S_IFLNK {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::LOOP);
            }
            let target = readlink_at(r.parent(), &name)?;
            if target.first() == Some(&b'/') {
                return Err(Errno::NOTCAPABLE);
            }
            if target.is_empty() {
                return Err(Errno::NOENT);
            }
            split(&target, &mut rest);
            if last && target.ends_with(b"/") {
                rest.push_back(b".".to_vec());
            }
            continue;
        }
        if last {
            r.name = name;
            break;
        }
        let dir = open_at(r.parent(), &name, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
        r.chain.push(dir);
    }
    Ok(r)
}

/// The guest path at `ptr`, `len`.
fn path_arg(call: &Call<'_>, ptr: u32, len: u32) -> Result<Vec<u8>, Errno> {
    Ok(call.mem.slice(ptr, len)?.to_vec())
}

fn check(rc: libc::c_int) -> Result<(), Errno> {
    if rc != 0 {
        Err(errno::last())
    } else {
        Ok(())
    }
}

pub fn path_open(call: &mut Call<'_>, a: &Args) -> Ret {
    let (dirfd, dirflags, path) = (a.u32(0), a.u32(1), path_arg(call, a.u32(2), a.u32(3))?);
    let (oflags, rights_base, rights_inh, fdflags, out) = (a.u32(4), a.u64(5), a.u64(6), a.u32(7) as u16, a.u32(8));
    call.mem.slice(out, 4)?;
    let mut need = R::PATH_OPEN;
    if oflags & O_CREAT != 0 {
        need |= R::PATH_CREATE_FILE;
    }
    if oflags & O_TRUNC != 0 {
        need |= R::PATH_FILESTAT_SET_SIZE;
    }
    let dir = call.ctx.dir(dirfd, need)?;
    // The new descriptor gets at most the directory's inheriting rights.
    let inheriting = call.ctx.get(dirfd)?.rights_inheriting;
    if (rights_base | rights_inh) & !inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    let r = resolve(dir, &path, dirflags & SYMLINK_FOLLOW != 0)?;
    // A trailing `/` names a directory, which `O_CREAT` cannot make.
    if r.dir && oflags & O_CREAT != 0 {
        return Err(Errno::ISDIR.into());
    }
    let write = rights_base & (R::FD_WRITE | R::FD_ALLOCATE | R::FD_FILESTAT_SET_SIZE) != 0 || oflags & O_TRUNC != 0;
    let read = rights_base & (R::FD_READ | R::FD_READDIR) != 0;
    let mut flags = match (read, write) {
        (_, false) => libc::O_RDONLY,
        (false, true) => libc::O_WRONLY,
        (true, true) => libc::O_RDWR,
    };
    if oflags & O_DIRECTORY != 0 || path.ends_with(b"/") {
        flags = libc::O_RDONLY | libc::O_DIRECTORY;
    }
    if oflags & O_CREAT != 0 {
        flags |= libc::O_CREAT;
    }
    if oflags & O_EXCL != 0 {
        flags |= libc::O_EXCL;
    }
    if oflags & O_TRUNC != 0 {
        flags |= libc::O_TRUNC;
    }
    flags |= super::fd::host_fdflags(fdflags);
    let fd = open_at(r.parent(), &r.name, flags, 0o666)?;
    // SAFETY: plain data written by fstat.
    let st = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        check(libc::fstat(fd.as_raw_fd(), &mut st))?;
        st
    };
    // A directory is not opened for writing (`EISDIR`, as the kernel says
    // without `O_DIRECTORY`), nor given the rights of a file.
    let (kind, rights_base) = if is_dir(&st) {
        if write {
            return Err(Errno::ISDIR.into());
        }
        (Kind::Dir { fd, preopen: None }, rights_base & !R::NOT_FOR_DIRS)
    } else {
        (Kind::File(std::fs::File::from(fd)), rights_base)
    };
    let new = call.ctx.insert(Entry { kind, flags: fdflags, rights_base, rights_inheriting: rights_inh })?;
    call.mem.set_u32(out, new)?;
    Ok(())
}

pub fn path_create_directory(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(1), a.u32(2))?;
    let r = resolve(call.ctx.dir(a.u32(0), R::PATH_CREATE_DIRECTORY)?, &path, false)?;
    // SAFETY: C string argument.
    check(unsafe { libc::mkdirat(r.parent(), r.name.as_ptr(), 0o777) })?;
    Ok(())
}

pub fn path_remove_directory(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(1), a.u32(2))?;
    let r = resolve_with(call.ctx.dir(a.u32(0), R::PATH_REMOVE_DIRECTORY)?, &path, false, false)?;
    // A last `.` (`d/.`): EINVAL, as Linux (resolution made the name `.`).
    if path.split(|&b| b == b'/').rfind(|c| !c.is_empty()) == Some(b".") {
        return Err(Errno::INVAL.into());
    }
    // SAFETY: C string argument.
    check(unsafe { libc::unlinkat(r.parent(), r.name.as_ptr(), libc::AT_REMOVEDIR) })?;
    Ok(())
}

pub fn path_unlink_file(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(1), a.u32(2))?;
    let r = resolve_with(call.ctx.dir(a.u32(0), R::PATH_UNLINK_FILE)?, &path, false, false)?;
    // A directory: EISDIR (with or without a trailing `/`); anything else
    // named with a trailing `/`, a symlink to a directory too: ENOTDIR.
    match r.lstat()? {
        Some(st) if is_dir(&st) => return Err(Errno::ISDIR.into()),
        Some(_) if r.dir => return Err(Errno::NOTDIR.into()),
        _ => {}
    }
    // SAFETY: C string argument.
    check(unsafe { libc::unlinkat(r.parent(), r.name.as_ptr(), 0) })?;
    Ok(())
}

pub fn path_rename(call: &mut Call<'_>, a: &Args) -> Ret {
    let old = path_arg(call, a.u32(1), a.u32(2))?;
    let new = path_arg(call, a.u32(4), a.u32(5))?;
    let ro = resolve_with(call.ctx.dir(a.u32(0), R::PATH_RENAME_SOURCE)?, &old, false, false)?;
    let rn = resolve_with(call.ctx.dir(a.u32(3), R::PATH_RENAME_TARGET)?, &new, false, false)?;
    // A trailing `/` on either side: the source must be a directory.
    if ro.dir || rn.dir {
        match ro.lstat()? {
            Some(st) if !is_dir(&st) => return Err(Errno::NOTDIR.into()),
            _ => {}
        }
    }
    // SAFETY: C string arguments.
    check(unsafe { libc::renameat(ro.parent(), ro.name.as_ptr(), rn.parent(), rn.name.as_ptr()) })?;
    Ok(())
}

pub fn path_link(call: &mut Call<'_>, a: &Args) -> Ret {
    let old = path_arg(call, a.u32(2), a.u32(3))?;
    let new = path_arg(call, a.u32(5), a.u32(6))?;
    let ro = resolve(call.ctx.dir(a.u32(0), R::PATH_LINK_SOURCE)?, &old, a.u32(1) & SYMLINK_FOLLOW != 0)?;
    let rn = resolve(call.ctx.dir(a.u32(4), R::PATH_LINK_TARGET)?, &new, false)?;
    ro.check_dir()?;
    rn.check_new()?;
    // Flags 0: a symlink is linked itself (any following was done above).
    // SAFETY: C string arguments.
    check(unsafe { libc::linkat(ro.parent(), ro.name.as_ptr(), rn.parent(), rn.name.as_ptr(), 0) })?;
    Ok(())
}

pub fn path_symlink(call: &mut Call<'_>, a: &Args) -> Ret {
    let target = path_arg(call, a.u32(0), a.u32(1))?;
    let new = path_arg(call, a.u32(3), a.u32(4))?;
    if target.first() == Some(&b'/') {
        return Err(Errno::NOTCAPABLE.into());
    }
    let target = cstr(&target)?;
    let rn = resolve(call.ctx.dir(a.u32(2), R::PATH_SYMLINK)?, &new, false)?;
    rn.check_new()?;
    // SAFETY: C string arguments.
    check(unsafe { libc::symlinkat(target.as_ptr(), rn.parent(), rn.name.as_ptr()) })?;
    Ok(())
}

pub fn path_readlink(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(1), a.u32(2))?;
    let (buf, buf_len, used) = (a.u32(3), a.u32(4), a.u32(5));
    call.mem.slice(used, 4)?;
    let r = resolve(call.ctx.dir(a.u32(0), R::PATH_READLINK)?, &path, false)?;
    r.check_dir()?;
    let target = readlink_at(r.parent(), &r.name)?;
    let n = target.len().min(buf_len as usize);
    call.mem.slice_mut(buf, buf_len)?[..n].copy_from_slice(&target[..n]);
    call.mem.set_u32(used, n as u32)?;
    Ok(())
}

pub fn path_filestat_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(2), a.u32(3))?;
    let r = resolve(call.ctx.dir(a.u32(0), R::PATH_FILESTAT_GET)?, &path, a.u32(1) & SYMLINK_FOLLOW != 0)?;
    let st = lstat_at(r.parent(), &r.name)?;
    if r.dir && !is_dir(&st) {
        return Err(Errno::NOTDIR.into());
    }
    write_filestat(call, a.u32(4), &filestat_from(&st))?;
    Ok(())
}

pub fn path_filestat_set_times(call: &mut Call<'_>, a: &Args) -> Ret {
    let path = path_arg(call, a.u32(2), a.u32(3))?;
    let times = super::fd::timespecs(a.u64(4), a.u64(5), a.u32(6) as u16)?;
    let r = resolve(call.ctx.dir(a.u32(0), R::PATH_FILESTAT_SET_TIMES)?, &path, a.u32(1) & SYMLINK_FOLLOW != 0)?;
    r.check_dir()?;
    // SAFETY: `times` is an array of two timespecs.
    check(unsafe { libc::utimensat(r.parent(), r.name.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(())
}
