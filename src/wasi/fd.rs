//! The `fd_*` functions.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::FileExt;

use super::ctx::{rights as R, Entry, Kind};
use super::errno::{self, Errno};
use super::{Args, Call, Ret, Version};

/// fdflags
const APPEND: u16 = 1;
const DSYNC: u16 = 2;
const NONBLOCK: u16 = 4;
const RSYNC: u16 = 8;
const SYNC: u16 = 16;

/// filetype
pub const FT_UNKNOWN: u8 = 0;
pub const FT_BLOCK: u8 = 1;
pub const FT_CHAR: u8 = 2;
pub const FT_DIR: u8 = 3;
pub const FT_FILE: u8 = 4;
pub const FT_SOCKET_STREAM: u8 = 6;
pub const FT_SYMLINK: u8 = 7;

/// Host `open` flags for WASI fdflags.
pub fn host_fdflags(f: u16) -> i32 {
    let mut h = 0;
    if f & APPEND != 0 {
        h |= libc::O_APPEND;
    }
    if f & DSYNC != 0 {
        h |= libc::O_DSYNC;
    }
    if f & NONBLOCK != 0 {
        h |= libc::O_NONBLOCK;
    }
    if f & (SYNC | RSYNC) != 0 {
        h |= libc::O_SYNC;
    }
    h
}

/// A `filestat`, in host-independent form.
#[derive(Default, Debug)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

pub fn filetype_of(mode: libc::mode_t) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFDIR => FT_DIR,
        libc::S_IFREG => FT_FILE,
        libc::S_IFLNK => FT_SYMLINK,
        libc::S_IFCHR => FT_CHAR,
        libc::S_IFBLK => FT_BLOCK,
        libc::S_IFSOCK => FT_SOCKET_STREAM,
        _ => FT_UNKNOWN,
    }
}

fn nanos(s: i64, ns: i64) -> u64 {
    (s as u64).wrapping_mul(1_000_000_000).wrapping_add(ns as u64)
}

pub fn filestat_from(st: &libc::stat) -> Filestat {
    #[allow(clippy::unnecessary_cast)]
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype: filetype_of(st.st_mode),
        nlink: st.st_nlink as u64,
        size: st.st_size as u64,
        atim: nanos(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

/// Writes a `filestat` in the layout of the call's WASI version (preview1:
/// 64 bytes, `nlink` u64; unstable: 56 bytes, `nlink` u32).
pub fn write_filestat(call: &mut Call<'_>, ptr: u32, f: &Filestat) -> Result<(), Errno> {
    let m = &mut call.mem;
    match call.version {
        Version::Preview1 => {
            m.slice_mut(ptr, 64)?.fill(0);
            m.set_u64(ptr, f.dev)?;
            m.set_u64(ptr + 8, f.ino)?;
            m.set_u8(ptr + 16, f.filetype)?;
            m.set_u64(ptr + 24, f.nlink)?;
            m.set_u64(ptr + 32, f.size)?;
            m.set_u64(ptr + 40, f.atim)?;
            m.set_u64(ptr + 48, f.mtim)?;
            m.set_u64(ptr + 56, f.ctim)
        }
        Version::Unstable => {
            m.slice_mut(ptr, 56)?.fill(0);
            m.set_u64(ptr, f.dev)?;
            m.set_u64(ptr + 8, f.ino)?;
            m.set_u8(ptr + 16, f.filetype)?;
            m.set_u32(ptr + 20, f.nlink as u32)?;
            m.set_u64(ptr + 24, f.size)?;
            m.set_u64(ptr + 32, f.atim)?;
            m.set_u64(ptr + 40, f.mtim)?;
            m.set_u64(ptr + 48, f.ctim)
        }
    }
}

/// The two timespecs of `utimensat`/`futimens` for WASI fstflags
/// (atim 1, atim_now 2, mtim 4, mtim_now 8).
pub fn timespecs(atim: u64, mtim: u64, flags: u16) -> Result<[libc::timespec; 2], Errno> {
    if flags & 3 == 3 || flags & 12 == 12 || flags & !15 != 0 {
        return Err(Errno::INVAL);
    }
    let one = |t: u64, set: bool, now: bool| {
        let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
        if now {
            ts.tv_nsec = libc::UTIME_NOW;
        } else if set {
            ts.tv_sec = (t / 1_000_000_000) as libc::time_t;
            ts.tv_nsec = (t % 1_000_000_000) as _;
        } else {
            ts.tv_nsec = libc::UTIME_OMIT;
        }
        ts
    };
    Ok([one(atim, flags & 1 != 0, flags & 2 != 0), one(mtim, flags & 4 != 0, flags & 8 != 0)])
}

fn file<'a>(call: &'a mut Call<'_>, fd: u32, rights: u64) -> Result<&'a mut std::fs::File, Errno> {
    match &mut call.ctx.need(fd, rights)?.kind {
        Kind::File(f) => Ok(f),
        Kind::Dir { .. } => Err(Errno::ISDIR),
        _ => Err(Errno::SPIPE),
    }
}

/// The host descriptor of a file or directory (stdio has none of its own).
fn host_fd(e: &Entry) -> Option<RawFd> {
    match &e.kind {
        Kind::File(f) => Some(f.as_raw_fd()),
        Kind::Dir { fd, .. } => Some(fd.as_raw_fd()),
        _ => None,
    }
}

pub fn fd_advise(call: &mut Call<'_>, a: &Args) -> Ret {
    if a.u32(3) > 5 {
        return Err(Errno::INVAL.into());
    }
    file(call, a.u32(0), R::FD_ADVISE)?;
    Ok(())
}

pub fn fd_allocate(call: &mut Call<'_>, a: &Args) -> Ret {
    let f = file(call, a.u32(0), R::FD_ALLOCATE)?;
    let end = a.u64(1).checked_add(a.u64(2)).filter(|&e| e <= i64::MAX as u64).ok_or(Errno::FBIG)?;
    if f.metadata().map_err(Errno::from)?.len() < end {
        f.set_len(end).map_err(Errno::from)?;
    }
    Ok(())
}

pub fn fd_close(call: &mut Call<'_>, a: &Args) -> Ret {
    call.ctx.get(a.u32(0))?;
    call.ctx.fds[a.u32(0) as usize] = None;
    call.ctx.free.insert(a.u32(0));
    Ok(())
}

pub fn fd_datasync(call: &mut Call<'_>, a: &Args) -> Ret {
    file(call, a.u32(0), R::FD_DATASYNC)?.sync_data().map_err(Errno::from)?;
    Ok(())
}

pub fn fd_sync(call: &mut Call<'_>, a: &Args) -> Ret {
    file(call, a.u32(0), R::FD_SYNC)?.sync_all().map_err(Errno::from)?;
    Ok(())
}

pub fn fd_fdstat_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let ptr = a.u32(1);
    let e = call.ctx.get(a.u32(0))?;
    let ft = match &e.kind {
        Kind::Stdin | Kind::Stdout | Kind::Stderr => FT_CHAR,
        Kind::Dir { .. } => FT_DIR,
        Kind::File(f) => f
            .metadata()
            .map(|m| {
                use std::os::unix::fs::MetadataExt;
                filetype_of(m.mode() as libc::mode_t)
            })
            .unwrap_or(FT_UNKNOWN),
    };
    let (flags, base, inh) = (e.flags, e.rights_base, e.rights_inheriting);
    let m = &mut call.mem;
    m.slice_mut(ptr, 24)?.fill(0);
    m.set_u8(ptr, ft)?;
    m.set_u16(ptr + 2, flags)?;
    m.set_u64(ptr + 8, base)?;
    m.set_u64(ptr + 16, inh)?;
    Ok(())
}

pub fn fd_fdstat_set_flags(call: &mut Call<'_>, a: &Args) -> Ret {
    let flags = a.u32(1) as u16;
    if flags & !(APPEND | DSYNC | NONBLOCK | RSYNC | SYNC) != 0 {
        return Err(Errno::INVAL.into());
    }
    let e = call.ctx.need(a.u32(0), R::FD_FDSTAT_SET_FLAGS)?;
    if let Some(fd) = host_fd(e) {
        // Only append and nonblock can change on an open descriptor.
        // SAFETY: fcntl on a descriptor we own.
        let cur = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if cur < 0 {
            return Err(errno::last().into());
        }
        let new =
            (cur & !(libc::O_APPEND | libc::O_NONBLOCK)) | (host_fdflags(flags) & (libc::O_APPEND | libc::O_NONBLOCK));
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, new) } != 0 {
            return Err(errno::last().into());
        }
    }
    e.flags = flags;
    Ok(())
}

pub fn fd_fdstat_set_rights(call: &mut Call<'_>, a: &Args) -> Ret {
    let (base, inh) = (a.u64(1), a.u64(2));
    let e = call.ctx.get(a.u32(0))?;
    // Rights can only be dropped, never gained.
    if base & !e.rights_base != 0 || inh & !e.rights_inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    e.rights_base = base;
    e.rights_inheriting = inh;
    Ok(())
}

pub fn fd_filestat_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let e = call.ctx.need(a.u32(0), R::FD_FILESTAT_GET)?;
    let st = match host_fd(e) {
        Some(fd) => {
            // SAFETY: plain data written by fstat.
            let st = unsafe {
                let mut st: libc::stat = std::mem::zeroed();
                if libc::fstat(fd, &mut st) != 0 {
                    return Err(errno::last().into());
                }
                st
            };
            filestat_from(&st)
        }
        None => Filestat { filetype: FT_CHAR, ..Filestat::default() },
    };
    write_filestat(call, a.u32(1), &st)?;
    Ok(())
}

pub fn fd_filestat_set_size(call: &mut Call<'_>, a: &Args) -> Ret {
    let size = a.u64(1);
    if size > i64::MAX as u64 {
        return Err(Errno::FBIG.into());
    }
    file(call, a.u32(0), R::FD_FILESTAT_SET_SIZE)?.set_len(size).map_err(Errno::from)?;
    Ok(())
}

pub fn fd_filestat_set_times(call: &mut Call<'_>, a: &Args) -> Ret {
    let times = timespecs(a.u64(1), a.u64(2), a.u32(3) as u16)?;
    let fd = host_fd(call.ctx.need(a.u32(0), R::FD_FILESTAT_SET_TIMES)?).ok_or(Errno::BADF)?;
    // SAFETY: two timespecs, a descriptor we own.
    if unsafe { libc::futimens(fd, times.as_ptr()) } != 0 {
        return Err(errno::last().into());
    }
    Ok(())
}

/// Reads into the iovecs at `iovs`; `at` reads at an offset (pread).
fn read_iovs(call: &mut Call<'_>, fd: u32, iovs: u32, n: u32, at: Option<u64>) -> Result<u32, Errno> {
    call.ctx.need(fd, R::FD_READ | if at.is_some() { R::FD_SEEK } else { 0 })?;
    let iovs = call.mem.iovecs(iovs, n)?;
    let mut total: u32 = 0;
    for (buf, len) in iovs {
        let dst = call.mem.slice_mut(buf, len)?;
        let e = call.ctx.fds.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)?;
        let got = match (&mut e.kind, at) {
            (Kind::File(f), None) => f.read(dst),
            (Kind::File(f), Some(off)) => f.read_at(dst, off.checked_add(total as u64).ok_or(Errno::INVAL)?),
            (Kind::Stdin, None) => call.ctx.read_in(dst),
            (Kind::Stdin, Some(_)) => return Err(Errno::SPIPE),
            (Kind::Dir { .. }, _) => return Err(Errno::ISDIR),
            _ => return Err(Errno::BADF),
        };
        let got = match got {
            Ok(g) => g as u32,
            Err(e) if total == 0 => return Err(e.into()),
            Err(_) => break,
        };
        total = total.saturating_add(got);
        if got < len {
            break;
        }
    }
    Ok(total)
}

/// Writes the ciovecs at `iovs`; `at` writes at an offset (pwrite).
fn write_iovs(call: &mut Call<'_>, fd: u32, iovs: u32, n: u32, at: Option<u64>) -> Result<u32, Errno> {
    call.ctx.need(fd, R::FD_WRITE | if at.is_some() { R::FD_SEEK } else { 0 })?;
    let iovs = call.mem.iovecs(iovs, n)?;
    let mut total: u32 = 0;
    for (buf, len) in iovs {
        let src = call.mem.slice(buf, len)?;
        let e = call.ctx.fds.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)?;
        let put = match (&mut e.kind, at) {
            (Kind::File(f), None) => f.write(src),
            (Kind::File(f), Some(off)) => f.write_at(src, off.checked_add(total as u64).ok_or(Errno::INVAL)?),
            (Kind::Stdout, None) => call.ctx.write_out(false, src),
            (Kind::Stderr, None) => call.ctx.write_out(true, src),
            (Kind::Stdout | Kind::Stderr, Some(_)) => return Err(Errno::SPIPE),
            (Kind::Dir { .. }, _) => return Err(Errno::ISDIR),
            _ => return Err(Errno::BADF),
        };
        let put = match put {
            Ok(p) => p as u32,
            Err(e) if total == 0 => return Err(e.into()),
            Err(_) => break,
        };
        total = total.saturating_add(put);
        if put < len {
            break;
        }
    }
    Ok(total)
}

pub fn fd_read(call: &mut Call<'_>, a: &Args) -> Ret {
    call.mem.slice(a.u32(3), 4)?;
    let n = read_iovs(call, a.u32(0), a.u32(1), a.u32(2), None)?;
    call.mem.set_u32(a.u32(3), n)?;
    Ok(())
}

pub fn fd_pread(call: &mut Call<'_>, a: &Args) -> Ret {
    call.mem.slice(a.u32(4), 4)?;
    let n = read_iovs(call, a.u32(0), a.u32(1), a.u32(2), Some(a.u64(3)))?;
    call.mem.set_u32(a.u32(4), n)?;
    Ok(())
}

pub fn fd_write(call: &mut Call<'_>, a: &Args) -> Ret {
    call.mem.slice(a.u32(3), 4)?;
    let n = write_iovs(call, a.u32(0), a.u32(1), a.u32(2), None)?;
    call.mem.set_u32(a.u32(3), n)?;
    Ok(())
}

pub fn fd_pwrite(call: &mut Call<'_>, a: &Args) -> Ret {
    call.mem.slice(a.u32(4), 4)?;
    let n = write_iovs(call, a.u32(0), a.u32(1), a.u32(2), Some(a.u64(3)))?;
    call.mem.set_u32(a.u32(4), n)?;
    Ok(())
}

pub fn fd_seek(call: &mut Call<'_>, a: &Args) -> Ret {
    let (off, whence, out) = (a.u64(1) as i64, a.u32(2), a.u32(3));
    call.mem.slice(out, 8)?;
    // wasi_unstable numbers whence cur=0, end=1, set=2; preview1 set=0, cur=1, end=2.
    let whence = match (call.version, whence) {
        (Version::Preview1, 0) | (Version::Unstable, 2) => SeekFrom::Start(off as u64),
        (Version::Preview1, 1) | (Version::Unstable, 0) => SeekFrom::Current(off),
        (Version::Preview1, 2) | (Version::Unstable, 1) => SeekFrom::End(off),
        _ => return Err(Errno::INVAL.into()),
    };
    if matches!(whence, SeekFrom::Start(_)) && off < 0 {
        return Err(Errno::INVAL.into());
    }
    // A seek that only reads the position needs `fd_tell` (as wasmtime).
    let right = if matches!(whence, SeekFrom::Current(0)) { R::FD_TELL } else { R::FD_SEEK };
    let pos = file(call, a.u32(0), right)?.seek(whence).map_err(Errno::from)?;
    call.mem.set_u64(out, pos)?;
    Ok(())
}

pub fn fd_tell(call: &mut Call<'_>, a: &Args) -> Ret {
    call.mem.slice(a.u32(1), 8)?;
    let pos = file(call, a.u32(0), R::FD_TELL)?.stream_position().map_err(Errno::from)?;
    call.mem.set_u64(a.u32(1), pos)?;
    Ok(())
}

pub fn fd_prestat_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let len = match &call.ctx.get(a.u32(0))?.kind {
        Kind::Dir { preopen: Some(name), .. } => name.len() as u32,
        _ => return Err(Errno::BADF.into()),
    };
    let p = call.mem.slice_mut(a.u32(1), 8)?;
    p[..4].copy_from_slice(&0u32.to_le_bytes());
    p[4..].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

pub fn fd_prestat_dir_name(call: &mut Call<'_>, a: &Args) -> Ret {
    let name = match &call.ctx.get(a.u32(0))?.kind {
        Kind::Dir { preopen: Some(name), .. } => name.clone(),
        _ => return Err(Errno::BADF.into()),
    };
    if (a.u32(2) as usize) < name.len() {
        return Err(Errno::NAMETOOLONG.into());
    }
    call.mem.write(a.u32(1), name.as_bytes())?;
    Ok(())
}

pub fn fd_renumber(call: &mut Call<'_>, a: &Args) -> Ret {
    let (from, to) = (a.u32(0), a.u32(1));
    call.ctx.get(from)?;
    call.ctx.get(to)?;
    if from != to {
        let e = call.ctx.fds[from as usize].take();
        call.ctx.fds[to as usize] = e;
        call.ctx.free.insert(from);
        call.ctx.free.remove(&to);
    }
    Ok(())
}

/// Lists a directory: (inode, filetype, name) of every entry, `.` and `..`
/// included, in the host's order. The cookie of entry `i` is `i + 1`.
pub(crate) fn list_dir(dir: RawFd) -> Result<Vec<(u64, u8, Vec<u8>)>, Errno> {
    // SAFETY: `fdopendir` takes ownership of the duplicate, which
    // `closedir` closes; entries are copied out before the next readdir.
    unsafe {
        let dup = libc::fcntl(dir, libc::F_DUPFD_CLOEXEC, 0);
        if dup < 0 {
            return Err(errno::last());
        }
        let d = libc::fdopendir(dup);
        if d.is_null() {
            let e = errno::last();
            libc::close(dup);
            return Err(e);
        }
        // The duplicate shares the offset of `dir`: start from the top.
        libc::rewinddir(d);
        let mut out = Vec::new();
        loop {
            let ent = libc::readdir(d);
            if ent.is_null() {
                break;
            }
            let name = std::ffi::CStr::from_ptr((*ent).d_name.as_ptr()).to_bytes().to_vec();
            let ft = match (*ent).d_type {
                libc::DT_DIR => FT_DIR,
                libc::DT_REG => FT_FILE,
                libc::DT_LNK => FT_SYMLINK,
                libc::DT_CHR => FT_CHAR,
                libc::DT_BLK => FT_BLOCK,
                libc::DT_SOCK => FT_SOCKET_STREAM,
                _ => FT_UNKNOWN,
            };
            #[allow(clippy::unnecessary_cast)]
            out.push(((*ent).d_ino as u64, ft, name));
        }
        libc::closedir(d);
        Ok(out)
    }
}

pub fn fd_readdir(call: &mut Call<'_>, a: &Args) -> Ret {
    let (buf, buf_len, cookie, used) = (a.u32(1), a.u32(2), a.u64(3), a.u32(4));
    call.mem.slice(buf, buf_len)?;
    call.mem.slice(used, 4)?;
    let dir = match &call.ctx.need(a.u32(0), R::FD_READDIR)?.kind {
        Kind::Dir { fd, .. } => fd.as_raw_fd(),
        _ => return Err(Errno::NOTDIR.into()),
    };
    let entries = list_dir(dir)?;
    // Entries are serialised one after the other and cut at `buf_len`: a
    // full buffer tells the guest to ask again from the last cookie.
    let mut out = Vec::new();
    for (i, (ino, ft, name)) in entries.iter().enumerate().skip(cookie.min(usize::MAX as u64) as usize) {
        if out.len() >= buf_len as usize {
            break;
        }
        out.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        out.extend_from_slice(&ino.to_le_bytes());
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(&[*ft, 0, 0, 0]);
        out.extend_from_slice(name);
    }
    out.truncate(buf_len as usize);
    call.mem.write(buf, &out)?;
    call.mem.set_u32(used, out.len() as u32)?;
    Ok(())
}
