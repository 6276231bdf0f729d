//! WASI `errno` values, numbered exactly as `wasi_snapshot_preview1`
//! (witx `typenames.witx`; `wasi_unstable` uses the same numbers), and the
//! mapping from host `errno`s.

/// A WASI error number (never 0: success is `Ok`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $n:literal, $host:ident;)*) => {
        impl Errno {
            $(pub const $name: Errno = Errno($n);)*
        }
        /// The WASI errno for a host `errno` value (`EIO` when unknown).
        pub fn from_host(e: i32) -> Errno {
            $(if e == libc::$host { return Errno($n); })*
            if e == libc::EWOULDBLOCK { return Errno::AGAIN; }
            if e == libc::EOPNOTSUPP { return Errno::NOTSUP; }
            Errno::IO
        }
    };
}

errnos! {
    TOOBIG = 1, E2BIG;
    ACCES = 2, EACCES;
    ADDRINUSE = 3, EADDRINUSE;
    ADDRNOTAVAIL = 4, EADDRNOTAVAIL;
    AFNOSUPPORT = 5, EAFNOSUPPORT;
    AGAIN = 6, EAGAIN;
    ALREADY = 7, EALREADY;
    BADF = 8, EBADF;
    BADMSG = 9, EBADMSG;
    BUSY = 10, EBUSY;
    CANCELED = 11, ECANCELED;
    CHILD = 12, ECHILD;
    CONNABORTED = 13, ECONNABORTED;
    CONNREFUSED = 14, ECONNREFUSED;
    CONNRESET = 15, ECONNRESET;
    DEADLK = 16, EDEADLK;
    DESTADDRREQ = 17, EDESTADDRREQ;
    DOM = 18, EDOM;
    DQUOT = 19, EDQUOT;
    EXIST = 20, EEXIST;
    FAULT = 21, EFAULT;
    FBIG = 22, EFBIG;
    HOSTUNREACH = 23, EHOSTUNREACH;
    IDRM = 24, EIDRM;
    ILSEQ = 25, EILSEQ;
    INPROGRESS = 26, EINPROGRESS;
    INTR = 27, EINTR;
    INVAL = 28, EINVAL;
    IO = 29, EIO;
    ISCONN = 30, EISCONN;
    ISDIR = 31, EISDIR;
    LOOP = 32, ELOOP;
    MFILE = 33, EMFILE;
    MLINK = 34, EMLINK;
    MSGSIZE = 35, EMSGSIZE;
    MULTIHOP = 36, EMULTIHOP;
    NAMETOOLONG = 37, ENAMETOOLONG;
    NETDOWN = 38, ENETDOWN;
    NETRESET = 39, ENETRESET;
    NETUNREACH = 40, ENETUNREACH;
    NFILE = 41, ENFILE;
    NOBUFS = 42, ENOBUFS;
    NODEV = 43, ENODEV;
    NOENT = 44, ENOENT;
    NOEXEC = 45, ENOEXEC;
    NOLCK = 46, ENOLCK;
    NOLINK = 47, ENOLINK;
    NOMEM = 48, ENOMEM;
    NOMSG = 49, ENOMSG;
    NOPROTOOPT = 50, ENOPROTOOPT;
    NOSPC = 51, ENOSPC;
    NOSYS = 52, ENOSYS;
    NOTCONN = 53, ENOTCONN;
    NOTDIR = 54, ENOTDIR;
    NOTEMPTY = 55, ENOTEMPTY;
    NOTRECOVERABLE = 56, ENOTRECOVERABLE;
    NOTSOCK = 57, ENOTSOCK;
    NOTSUP = 58, ENOTSUP;
    NOTTY = 59, ENOTTY;
    NXIO = 60, ENXIO;
    OVERFLOW = 61, EOVERFLOW;
    OWNERDEAD = 62, EOWNERDEAD;
    PERM = 63, EPERM;
    PIPE = 64, EPIPE;
    PROTO = 65, EPROTO;
    PROTONOSUPPORT = 66, EPROTONOSUPPORT;
    PROTOTYPE = 67, EPROTOTYPE;
    RANGE = 68, ERANGE;
    ROFS = 69, EROFS;
    SPIPE = 70, ESPIPE;
    SRCH = 71, ESRCH;
    STALE = 72, ESTALE;
    TIMEDOUT = 73, ETIMEDOUT;
    TXTBSY = 74, ETXTBSY;
    XDEV = 75, EXDEV;
}

impl Errno {
    /// `notcapable` (76): the sandbox refused (no host errno maps to it).
    pub const NOTCAPABLE: Errno = Errno(76);
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        match e.raw_os_error() {
            Some(n) => from_host(n),
            None => match e.kind() {
                std::io::ErrorKind::NotFound => Errno::NOENT,
                std::io::ErrorKind::PermissionDenied => Errno::ACCES,
                std::io::ErrorKind::BrokenPipe => Errno::PIPE,
                std::io::ErrorKind::InvalidInput => Errno::INVAL,
                std::io::ErrorKind::WouldBlock => Errno::AGAIN,
                _ => Errno::IO,
            },
        }
    }
}

/// The WASI errno of the calling thread's last host `errno`.
pub fn last() -> Errno {
    Errno::from(std::io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_spec() {
        assert_eq!(Errno::TOOBIG.0, 1);
        assert_eq!(Errno::BADF.0, 8);
        assert_eq!(Errno::FAULT.0, 21);
        assert_eq!(Errno::INVAL.0, 28);
        assert_eq!(Errno::NOENT.0, 44);
        assert_eq!(Errno::NOSYS.0, 52);
        assert_eq!(Errno::NOTDIR.0, 54);
        assert_eq!(Errno::PERM.0, 63);
        assert_eq!(Errno::XDEV.0, 75);
        assert_eq!(Errno::NOTCAPABLE.0, 76);
        assert_eq!(from_host(libc::ENOENT), Errno::NOENT);
        assert_eq!(from_host(libc::ELOOP), Errno::LOOP);
        assert_eq!(from_host(-5), Errno::IO);
    }
}
