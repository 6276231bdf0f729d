#!/usr/bin/env python3
"""Runs a WebAssembly program on wasm3 the way a Python user of pywasm3 does.

    python wasm3_run.py [--dir HOST::GUEST]... [--stack BYTES] FILE.wasm [ARGS...]
    python wasm3_run.py --invoke FUNC FILE.wasm [INT ARGS...]

pywasm3 (PyPI, 0.5.0) has no WASI of its own: its Python API only offers
`Module.link_function`. So this script implements the part of WASI preview1
that wasi-libc and Rust's std call (arguments, environment, clocks, random,
stdin/stdout/stderr, preopened directories with plain files) in Python, each
function linked into the module with `link_function`. The program's own code
runs inside wasm3; only these host calls run in Python.

wasm3 0.5 looks functions up by the names of the "name" section as well as
by export names, first match wins: in a wasi-libc command the internal
function `_start` (main without the exit-time stdio flush) is found instead
of the exported `_start` (`_start.command_export`, which also flushes), and
the program's buffered output is lost. So this script hands wasm3 the module
without its "name" section (debug names only; the code is the same bytes).

With `--invoke FUNC` it calls that export with integer arguments and prints
the results (one per line), like `wasmtime run --invoke`.
Exit status: the program's `proc_exit` code, 0 when `_start` returns, 134 on a
trap (message on stderr), like `wasmint run`.
"""

import os
import struct
import sys
import time

import wasm3

ESUCCESS, EBADF, EINVAL, EIO, ENOENT, ENOSYS, ENOTDIR, EISDIR = 0, 8, 28, 29, 44, 52, 54, 31
FILETYPE_CHAR, FILETYPE_DIR, FILETYPE_FILE = 2, 3, 4


class ProcExit(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Wasi:
    def __init__(self, runtime, argv, env, dirs):
        self.rt = runtime
        self.argv = [a.encode() for a in argv]
        self.env = [("%s=%s" % kv).encode() for kv in env]
        # fd -> entry: ("std", n) | ("dir", host, guest) | ("file", pyfile)
        self.fds = {0: ("std", 0), 1: ("std", 1), 2: ("std", 2)}
        for host, guest in dirs:
            self.fds[len(self.fds)] = ("dir", host, guest)
        self.exit_code = None

    # memory: fetched on every call, since memory.grow may move it
    def mem(self):
        return self.rt.get_memory(0)

    def u32(self, ptr, value):
        struct.pack_into("<I", self.mem(), ptr, value & 0xFFFFFFFF)

    def u64(self, ptr, value):
        struct.pack_into("<Q", self.mem(), ptr, value & 0xFFFFFFFFFFFFFFFF)

    def _strings_get(self, items, ptrs, buf):
        m = self.mem()
        for s in items:
            struct.pack_into("<I", m, ptrs, buf)
            m[buf:buf + len(s) + 1] = s + b"\0"
            ptrs += 4
            buf += len(s) + 1
        return ESUCCESS

    def _sizes(self, items, count_ptr, size_ptr):
        self.u32(count_ptr, len(items))
        self.u32(size_ptr, sum(len(s) + 1 for s in items))
        return ESUCCESS

    def args_get(self, ptrs, buf):
        return self._strings_get(self.argv, ptrs, buf)

    def args_sizes_get(self, c, s):
        return self._sizes(self.argv, c, s)

    def environ_get(self, ptrs, buf):
        return self._strings_get(self.env, ptrs, buf)

    def environ_sizes_get(self, c, s):
        return self._sizes(self.env, c, s)

    def _iovs(self, iovs, n):
        m = self.mem()
        return [struct.unpack_from("<II", m, iovs + 8 * i) for i in range(n)]

    def fd_write(self, fd, iovs, n, nwritten):
        entry = self.fds.get(fd)
        if entry is None or entry[0] == "dir":
            return EBADF
        m = self.mem()
        data = b"".join(bytes(m[p:p + ln]) for p, ln in self._iovs(iovs, n))
        if entry[0] == "std":
            if entry[1] == 0:
                return EBADF
            os.write(entry[1], data) if data else None
        else:
            entry[1].write(data)
        self.u32(nwritten, len(data))
        return ESUCCESS

    def fd_read(self, fd, iovs, n, nread):
        entry = self.fds.get(fd)
        if entry is None or entry[0] == "dir":
            return EBADF
        total = 0
        for p, ln in self._iovs(iovs, n):
            if entry[0] == "std":
                data = os.read(0, ln) if entry[1] == 0 else b""
            else:
                data = entry[1].read(ln)
            self.mem()[p:p + len(data)] = data
            total += len(data)
            if len(data) < ln:
                break
        self.u32(nread, total)
        return ESUCCESS

    def fd_close(self, fd):
        entry = self.fds.pop(fd, None)
        if entry is None:
            return EBADF
        if entry[0] == "file":
            entry[1].close()
        return ESUCCESS

    def fd_seek(self, fd, offset, whence, newoffset):
        entry = self.fds.get(fd)
        if entry is None or entry[0] != "file":
            return 70 if entry and entry[0] == "std" else EBADF  # ESPIPE
        if offset >= 1 << 63:
            offset -= 1 << 64
        pos = entry[1].seek(offset, whence)
        self.u64(newoffset, pos)
        return ESUCCESS

    def fd_tell(self, fd, newoffset):
        return self.fd_seek(fd, 0, 1, newoffset)

    def fd_fdstat_get(self, fd, ptr):
        entry = self.fds.get(fd)
        if entry is None:
            return EBADF
        ftype = {"std": FILETYPE_CHAR, "dir": FILETYPE_DIR, "file": FILETYPE_FILE}[entry[0]]
        m = self.mem()
        m[ptr:ptr + 24] = bytes(24)
        struct.pack_into("<BxHxxxxQQ", m, ptr, ftype, 0, (1 << 64) - 1, (1 << 64) - 1)
        return ESUCCESS

    def fd_fdstat_set_flags(self, fd, flags):
        return ESUCCESS if fd in self.fds else EBADF

    def fd_filestat_get(self, fd, ptr):
        entry = self.fds.get(fd)
        if entry is None:
            return EBADF
        m = self.mem()
        m[ptr:ptr + 64] = bytes(64)
        if entry[0] == "file":
            st = os.fstat(entry[1].fileno())
            ftype, size = FILETYPE_FILE, st.st_size
        else:
            ftype, size = (FILETYPE_DIR if entry[0] == "dir" else FILETYPE_CHAR), 0
        struct.pack_into("<B", m, ptr + 16, ftype)
        struct.pack_into("<QQ", m, ptr + 24, 1, size)
        return ESUCCESS

    def fd_prestat_get(self, fd, ptr):
        entry = self.fds.get(fd)
        if entry is None or entry[0] != "dir":
            return EBADF
        self.u32(ptr, 0)
        self.u32(ptr + 4, len(entry[2].encode()))
        return ESUCCESS

    def fd_prestat_dir_name(self, fd, ptr, ln):
        entry = self.fds.get(fd)
        if entry is None or entry[0] != "dir":
            return EBADF
        name = entry[2].encode()[:ln]
        self.mem()[ptr:ptr + len(name)] = name
        return ESUCCESS

    def path_open(self, fd, dirflags, path, path_len, oflags, rights, rights_inh, fdflags, fd_out):
        entry = self.fds.get(fd)
        if entry is None or entry[0] != "dir":
            return EBADF
        rel = bytes(self.mem()[path:path + path_len]).decode()
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if ".." in parts or rel.startswith("/"):
            return 76  # ENOTCAPABLE
        host = os.path.join(entry[1], *parts)
        creat, directory, excl, trunc = oflags & 1, oflags & 2, oflags & 4, oflags & 8
        if os.path.isdir(host):
            self.fds_add(("dir", host, rel), fd_out)
            return ESUCCESS
        if directory:
            return ENOTDIR if os.path.exists(host) else ENOENT
        write = bool(rights & (1 << 6))  # FD_WRITE
        if not os.path.exists(host) and not creat:
            return ENOENT
        if excl and os.path.exists(host):
            return 20  # EEXIST
        mode = "r+b" if write else "rb"
        if trunc or not os.path.exists(host):
            mode = "w+b"
        if fdflags & 1:  # APPEND
            mode = "a+b"
        self.fds_add(("file", open(host, mode)), fd_out)
        return ESUCCESS

    def fds_add(self, entry, fd_out):
        fd = 3
        while fd in self.fds:
            fd += 1
        self.fds[fd] = entry
        self.u32(fd_out, fd)

    def proc_exit(self, code):
        self.exit_code = code
        raise ProcExit(code)

    def clock_time_get(self, clock, precision, ptr):
        if clock == 0:
            t = time.time_ns()
        elif clock == 1:
            t = time.monotonic_ns()
        else:
            t = time.process_time_ns()
        self.u64(ptr, t)
        return ESUCCESS

    def clock_res_get(self, clock, ptr):
        self.u64(ptr, 1000)
        return ESUCCESS

    def random_get(self, ptr, ln):
        self.mem()[ptr:ptr + ln] = os.urandom(ln)
        return ESUCCESS

    def sched_yield(self):
        return ESUCCESS

    def poll_oneoff(self, subs, events, n, nevents):
        return ENOSYS


# name -> wasm3 signature (result(params); i/I = i32/i64, v = none)
SIGNATURES = {
    "args_get": "i(ii)", "args_sizes_get": "i(ii)",
    "environ_get": "i(ii)", "environ_sizes_get": "i(ii)",
    "fd_write": "i(iiii)", "fd_read": "i(iiii)", "fd_close": "i(i)",
    "fd_seek": "i(iIii)", "fd_tell": "i(ii)",
    "fd_fdstat_get": "i(ii)", "fd_fdstat_set_flags": "i(ii)", "fd_filestat_get": "i(ii)",
    "fd_prestat_get": "i(ii)", "fd_prestat_dir_name": "i(iii)",
    "path_open": "i(iiiiiIIii)", "proc_exit": "v(i)",
    "clock_time_get": "i(iIi)", "clock_res_get": "i(ii)", "random_get": "i(ii)",
    "sched_yield": "i()", "poll_oneoff": "i(iiii)",
}
# imported by wasi-libc or Rust's std but not needed by the corpus: ENOSYS
STUBS = {
    "fd_renumber": "i(ii)", "fd_sync": "i(i)", "fd_datasync": "i(i)", "fd_advise": "i(iIIi)",
    "fd_allocate": "i(iII)", "fd_pread": "i(iiiIi)", "fd_pwrite": "i(iiiIi)", "fd_readdir": "i(iiiIi)",
    "fd_filestat_set_size": "i(iI)", "fd_filestat_set_times": "i(iIIi)", "fd_fdstat_set_rights": "i(iII)",
    "path_create_directory": "i(iii)", "path_remove_directory": "i(iii)", "path_unlink_file": "i(iii)",
    "path_rename": "i(iiiiii)", "path_filestat_get": "i(iiiii)", "path_filestat_set_times": "i(iiiiIIi)",
    "path_link": "i(iiiiiii)", "path_symlink": "i(iiiii)", "path_readlink": "i(iiiiii)",
    "sock_accept": "i(iii)", "sock_recv": "i(iiiiii)", "sock_send": "i(iiiii)", "sock_shutdown": "i(ii)",
}


def leb(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def without_name_section(wasm):
    """The module without its "name" custom section (debug names only:
    custom sections have no meaning to execution)."""
    out, pos = [wasm[:8]], 8
    while pos < len(wasm):
        start, sid = pos, wasm[pos]
        size, pos = leb(wasm, pos + 1)
        end = pos + size
        if sid == 0:
            ln, p = leb(wasm, pos)
            if wasm[p:p + ln] == b"name":
                pos = end
                continue
        out.append(wasm[start:end])
        pos = end
    return b"".join(out)


def main(argv):
    dirs, invoke, stack = [], None, 8 << 20
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--dir":
            host, _, guest = argv.pop(0).partition("::")
            dirs.append((host, guest or host))
        elif opt == "--invoke":
            invoke = argv.pop(0)
        elif opt == "--stack":
            stack = int(argv.pop(0))
        else:
            sys.exit("wasm3_run.py: unknown option " + opt)
    if not argv:
        sys.exit(__doc__)
    path, args = argv[0], argv[1:]
    with open(path, "rb") as f:
        wasm = f.read()
    env = wasm3.Environment()
    rt = env.new_runtime(stack)
    mod = env.parse_module(without_name_section(wasm))
    rt.load(mod)
    wasi = Wasi(rt, [os.path.basename(path)] + args, [], dirs)
    for ns in ("wasi_snapshot_preview1", "wasi_unstable"):
        for name, sig in SIGNATURES.items():
            try:
                mod.link_function(ns, name, sig, getattr(wasi, name))
            except RuntimeError:
                pass  # not imported by this module
        for name, sig in STUBS.items():
            try:
                mod.link_function(ns, name, sig, lambda *a: ENOSYS)
            except RuntimeError:
                pass
    try:
        if invoke:
            results = rt.find_function(invoke)(*[int(a) for a in args])
            if results is not None:
                for r in results if isinstance(results, (tuple, list)) else [results]:
                    print(r)
            code = 0
        else:
            rt.find_function("_start")()
            code = 0
    except ProcExit as e:
        code = e.code
    except RuntimeError as e:
        if wasi.exit_code is not None:
            code = wasi.exit_code
        else:
            sys.stdout.flush()
            print("wasm3_run.py: trap: %s" % e, file=sys.stderr)
            code = 134
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
