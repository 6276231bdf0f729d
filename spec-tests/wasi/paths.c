// Path semantics of every path call against what Linux gives natively:
// trailing slashes (a trailing slash names a directory), O_DIRECTORY and
// write access, directories opened for writing, symlinks with trailing
// slashes. Prints one line per call, the result or the errno's name; built
// natively its output is paths.expected (build.sh), which the WASI tests
// compare with wasmint's. Run as `paths ROOT` on an empty directory.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

static const char *root;

static const char *name(int e) {
    switch (e) {
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case EXDEV: return "EXDEV";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "other";
    }
}

static char pbuf[4][512];
static const char *p(int i, const char *rel) {
    snprintf(pbuf[i], sizeof pbuf[i], "%s/%s", root, rel);
    return pbuf[i];
}

static void report(const char *what, int r) {
    if (r >= 0) printf("%-34s ok\n", what);
    else printf("%-34s %s\n", what, name(errno));
}

static void open_check(const char *what, const char *rel, int flags) {
    int fd = open(p(0, rel), flags, 0644);
    report(what, fd);
    if (fd >= 0) close(fd);
}

static void stat_check(const char *what, const char *rel, int follow) {
    struct stat st;
    int r = follow ? stat(p(0, rel), &st) : lstat(p(0, rel), &st);
    if (r < 0) { report(what, r); return; }
    printf("%-34s %s\n", what, S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ? "file" : "other");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    root = argv[1];
    // The tree: f (a file), d (an empty directory), sd -> d, sf -> f.
    close(open(p(0, "f"), O_CREAT | O_WRONLY, 0644));
    mkdir(p(0, "d"), 0755);
    symlink("d", p(0, "sd"));
    symlink("f", p(0, "sf"));

    report("link f n/", link(p(0, "f"), p(1, "n/")));
    report("link f/ n", link(p(0, "f/"), p(1, "n")));
    report("link f d/", link(p(0, "f"), p(1, "d/")));
    report("link f f", link(p(0, "f"), p(1, "f")));
    report("symlink f s/", symlink("f", p(1, "s/")));
    report("symlink f d/", symlink("f", p(1, "d/")));
    report("symlink f f", symlink("f", p(1, "f")));

    report("unlink d/", unlink(p(0, "d/")));
    report("unlink d", unlink(p(0, "d")));
    report("unlink f/", unlink(p(0, "f/")));
    report("unlink sd/", unlink(p(0, "sd/")));
    report("unlink sf/", unlink(p(0, "sf/")));
    report("unlink missing", unlink(p(0, "missing")));

    open_check("open d O_WRONLY", "d", O_WRONLY);
    open_check("open d O_RDWR", "d", O_RDWR);
    open_check("open d O_DIRECTORY|O_WRONLY", "d", O_DIRECTORY | O_WRONLY);
    open_check("open d O_DIRECTORY|O_RDWR", "d", O_DIRECTORY | O_RDWR);
    open_check("open d O_RDONLY", "d", O_RDONLY);
    open_check("open d/ O_RDONLY", "d/", O_RDONLY);
    open_check("open d O_DIRECTORY", "d", O_DIRECTORY | O_RDONLY);
    open_check("open f O_DIRECTORY", "f", O_DIRECTORY | O_RDONLY);
    open_check("open f/ O_RDONLY", "f/", O_RDONLY);
    open_check("open f/ O_WRONLY", "f/", O_WRONLY);
    open_check("open f/ O_CREAT|O_WRONLY", "f/", O_CREAT | O_WRONLY);
    open_check("open new/ O_CREAT|O_WRONLY", "new/", O_CREAT | O_WRONLY);
    open_check("open sd/ O_RDONLY", "sd/", O_RDONLY);
    open_check("open sf/ O_RDONLY", "sf/", O_RDONLY);
    open_check("open d O_CREAT|O_EXCL|O_WRONLY", "d", O_CREAT | O_EXCL | O_WRONLY);
    open_check("open f/x O_RDONLY", "f/x", O_RDONLY);

    stat_check("stat f/", "f/", 1);
    stat_check("stat d/", "d/", 1);
    stat_check("stat sd/", "sd/", 1);
    stat_check("lstat sd/", "sd/", 0);
    stat_check("lstat sd", "sd", 0);
    stat_check("lstat sf/", "sf/", 0);
    stat_check("stat d/.", "d/.", 1);
    stat_check("stat f/.", "f/.", 1);

    char buf[64];
    report("readlink sd", (int)readlink(p(0, "sd"), buf, sizeof buf));
    report("readlink sd/", (int)readlink(p(0, "sd/"), buf, sizeof buf));
    report("readlink f", (int)readlink(p(0, "f"), buf, sizeof buf));

    report("mkdir e/", mkdir(p(0, "e/"), 0755));
    report("mkdir f/x", mkdir(p(0, "f/x"), 0755));
    report("mkdir f/", mkdir(p(0, "f/"), 0755));
    report("mkdir d", mkdir(p(0, "d"), 0755));
    report("rmdir e/", rmdir(p(0, "e/")));
    report("rmdir f", rmdir(p(0, "f")));
    report("rmdir f/", rmdir(p(0, "f/")));
    report("rmdir sd/", rmdir(p(0, "sd/")));
    report("rmdir sd", rmdir(p(0, "sd")));
    report("rmdir d/.", rmdir(p(0, "d/.")));

    report("rename f g/", rename(p(0, "f"), p(1, "g/")));
    report("rename f/ g", rename(p(0, "f/"), p(1, "g")));
    report("rename f d", rename(p(0, "f"), p(1, "d")));
    report("rename d f", rename(p(0, "d"), p(1, "f")));
    report("rename d/ d2/", rename(p(0, "d/"), p(1, "d2/")));
    report("rename d2 d", rename(p(0, "d2"), p(1, "d")));
    report("rename sf/ g", rename(p(0, "sf/"), p(1, "g")));
    report("rename sf g/", rename(p(0, "sf"), p(1, "g/")));

#ifdef __wasi__
    int dfd = open(p(0, "d"), O_RDONLY | O_DIRECTORY);
    __wasi_fdstat_t fs;
    if (dfd >= 0 && __wasi_fd_fdstat_get(dfd, &fs) == 0) {
        printf("%-34s %s\n", "directory rights: FD_SEEK", (fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK) ? "yes" : "no");
        printf("%-34s %s\n", "directory rights: FD_WRITE", (fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? "yes" : "no");
        printf("%-34s %s\n", "directory rights: FD_READ", (fs.fs_rights_base & __WASI_RIGHTS_FD_READ) ? "yes" : "no");
        printf("%-34s %s\n", "directory rights: PATH_OPEN", (fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) ? "yes" : "no");
    }
    if (dfd >= 0) close(dfd);
#else
    // What a directory descriptor can do: no seek, read or write of bytes.
    printf("%-34s no\n%-34s no\n%-34s no\n%-34s yes\n", "directory rights: FD_SEEK", "directory rights: FD_WRITE",
           "directory rights: FD_READ", "directory rights: PATH_OPEN");
#endif
    return 0;
}
