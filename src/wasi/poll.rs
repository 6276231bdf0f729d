//! Args, environment, clocks, randomness, `poll_oneoff`, `proc_*`,
//! `sched_yield` and `sock_*`.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::time::Duration;

use super::ctx::{Input, Kind};
use super::errno::{self, Errno};
use super::{Args, Call, Fail, Ret, Version};

/// Writes a list of NUL-terminated strings: pointers at `ptrs`, bytes at `buf`.
fn strings_get(call: &mut Call<'_>, list: &[Vec<u8>], ptrs: u32, buf: u32) -> Ret {
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        call.mem.set_u32(ptrs.wrapping_add(4 * i as u32), at)?;
        call.mem.write(at, s)?;
        call.mem.set_u8(at.wrapping_add(s.len() as u32), 0)?;
        at = at.wrapping_add(s.len() as u32 + 1);
    }
    Ok(())
}

fn sizes_get(call: &mut Call<'_>, list_len: usize, bytes: usize, a: &Args) -> Ret {
    call.mem.set_u32(a.u32(0), list_len as u32)?;
    call.mem.set_u32(a.u32(1), bytes as u32)?;
    Ok(())
}

pub fn args_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let list = std::mem::take(&mut call.ctx.args);
    let r = strings_get(call, &list, a.u32(0), a.u32(1));
    call.ctx.args = list;
    r
}

pub fn args_sizes_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let bytes = call.ctx.args.iter().map(|s| s.len() + 1).sum();
    sizes_get(call, call.ctx.args.len(), bytes, a)
}

pub fn environ_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let list = std::mem::take(&mut call.ctx.env);
    let r = strings_get(call, &list, a.u32(0), a.u32(1));
    call.ctx.env = list;
    r
}

pub fn environ_sizes_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let bytes = call.ctx.env.iter().map(|s| s.len() + 1).sum();
    sizes_get(call, call.ctx.env.len(), bytes, a)
}

fn host_clock(id: u32) -> Result<libc::clockid_t, Errno> {
    Ok(match id {
        0 => libc::CLOCK_REALTIME,
        1 => libc::CLOCK_MONOTONIC,
        2 => libc::CLOCK_PROCESS_CPUTIME_ID,
        3 => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(Errno::INVAL),
    })
}

/// The time of clock `id` in nanoseconds.
pub fn now(id: u32) -> Result<u64, Errno> {
    let c = host_clock(id)?;
    // SAFETY: plain data written by the call.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    if unsafe { libc::clock_gettime(c, &mut ts) } != 0 {
        return Err(errno::last());
    }
    Ok((ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64))
}

pub fn clock_res_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let c = host_clock(a.u32(0))?;
    // SAFETY: as in `now`.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    if unsafe { libc::clock_getres(c, &mut ts) } != 0 {
        return Err(errno::last().into());
    }
    let res = (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64).max(1);
    call.mem.set_u64(a.u32(1), res)?;
    Ok(())
}

pub fn clock_time_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let t = now(a.u32(0))?;
    call.mem.set_u64(a.u32(2), t)?;
    Ok(())
}

pub fn random_get(call: &mut Call<'_>, a: &Args) -> Ret {
    let buf = call.mem.slice_mut(a.u32(0), a.u32(1))?;
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf)).map_err(Errno::from)?;
    Ok(())
}

pub fn proc_exit(call: &mut Call<'_>, a: &Args) -> Ret {
    let code = a.u32(0);
    call.ctx.exit_code = Some(code);
    Err(Fail::Trap(super::exit_trap(code)))
}

pub fn proc_raise(_: &mut Call<'_>, _: &Args) -> Ret {
    // No signals in the sandbox.
    Err(Errno::NOSYS.into())
}

pub fn sched_yield(_: &mut Call<'_>, _: &Args) -> Ret {
    std::thread::yield_now();
    Ok(())
}

/// `sock_*`: no socket can be in the descriptor table (none are preopened,
/// and the guest cannot create one).
pub fn sock(call: &mut Call<'_>, a: &Args) -> Ret {
    call.ctx.get(a.u32(0))?;
    Err(Errno::NOTSOCK.into())
}

/// Sizes of a subscription in each version, and where its union starts.
fn sub_layout(v: Version) -> (u32, u32) {
    match v {
        Version::Preview1 => (48, 16),
        // The unstable clock subscription has an extra `identifier` u64.
        Version::Unstable => (56, 16),
    }
}

pub fn poll_oneoff(call: &mut Call<'_>, a: &Args) -> Ret {
    let (subs, events, n, nevents) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3));
    if n == 0 {
        return Err(Errno::INVAL.into());
    }
    let (size, u) = sub_layout(call.version);
    call.mem.check_array(subs, n, size)?;
    call.mem.check_array(events, n, 32)?;
    call.mem.slice(nevents, 4)?;
    // Each event: (userdata, errno, type, nbytes).
    let mut ready: Vec<(u64, u16, u8, u64)> = Vec::new();
    // The earliest clock deadline (monotonic ns) and the clocks to report then.
    let mut clocks: Vec<(u64, u64)> = Vec::new();
    let mut stdin_wanted: Vec<u64> = Vec::new();
    let start = now(1)?;
    for i in 0..n {
        let s = subs + i * size;
        let userdata = call.mem.u64(s)?;
        let tag = call.mem.u8(s + 8)?;
        match tag {
            0 => {
                let c = s + u + if call.version == Version::Unstable { 8 } else { 0 };
                let (id, timeout, flags) = (call.mem.u32(c)?, call.mem.u64(c + 8)?, call.mem.u16(c + 24)?);
                let deadline = if flags & 1 != 0 {
                    // Absolute: convert to a monotonic deadline.
                    match now(id) {
                        Ok(t) => start.saturating_add(timeout.saturating_sub(t)),
                        Err(e) => {
                            ready.push((userdata, e.0, 0, 0));
                            continue;
                        }
                    }
                } else {
                    if host_clock(id).is_err() {
                        ready.push((userdata, Errno::INVAL.0, 0, 0));
                        continue;
                    }
                    start.saturating_add(timeout)
                };
                clocks.push((deadline, userdata));
            }
            1 | 2 => {
                let fd = call.mem.u32(s + u)?;
                match call.ctx.fds.get_mut(fd as usize).and_then(Option::as_mut) {
                    None => ready.push((userdata, Errno::BADF.0, tag, 0)),
                    Some(e) => match (&mut e.kind, tag) {
                        (Kind::File(f), 1) => {
                            let left = f
                                .metadata()
                                .ok()
                                .zip(std::io::Seek::stream_position(f).ok())
                                .map_or(0, |(m, p)| m.len().saturating_sub(p));
                            ready.push((userdata, 0, tag, left))
                        }
                        (Kind::File(_), _) | (Kind::Stdout | Kind::Stderr, 2) => ready.push((userdata, 0, tag, 0)),
                        (Kind::Stdin, 1) => {
                            if matches!(call.ctx.stdin, Input::Inherit) {
                                stdin_wanted.push(userdata);
                            } else {
                                ready.push((userdata, 0, tag, 0));
                            }
                        }
                        _ => ready.push((userdata, Errno::BADF.0, tag, 0)),
                    },
                }
            }
            _ => ready.push((userdata, Errno::INVAL.0, tag, 0)),
        }
    }
    let first = clocks.iter().map(|c| c.0).min();
    if ready.is_empty() {
        let wait = first.map(|d| d.saturating_sub(now(1).unwrap_or(start)));
        if !stdin_wanted.is_empty() {
            let ms = wait.map_or(-1, |w| w.div_ceil(1_000_000).min(i32::MAX as u64) as i32);
            let mut p = libc::pollfd { fd: std::io::stdin().as_raw_fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one pollfd.
            let r = unsafe { libc::poll(&mut p, 1, ms) };
            if r > 0 {
                ready.extend(stdin_wanted.iter().map(|&u| (u, 0, 1, 0)));
            }
        } else if let Some(w) = wait {
            std::thread::sleep(Duration::from_nanos(w));
        }
    }
    if ready.is_empty() {
        // Report the clocks that are due (at least the first one when we slept).
        let t = now(1)?;
        for &(d, userdata) in &clocks {
            if d <= t || Some(d) == first {
                ready.push((userdata, 0, 0, 0));
            }
        }
    }
    for (i, &(userdata, err, ty, nbytes)) in ready.iter().take(n as usize).enumerate() {
        let e = events + 32 * i as u32;
        call.mem.slice_mut(e, 32)?.fill(0);
        call.mem.set_u64(e, userdata)?;
        call.mem.set_u16(e + 8, err)?;
        call.mem.set_u8(e + 10, ty)?;
        call.mem.set_u64(e + 16, nbytes)?;
    }
    call.mem.set_u32(nevents, ready.len().min(n as usize) as u32)?;
    Ok(())
}
