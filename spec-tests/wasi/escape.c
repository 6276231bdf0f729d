// Every way out of the sandbox we know of. /sb and /other are the only
// mapped directories; the host put `secret.txt` next to them, and symlinks
// in /sb: `host_rel -> ../secret.txt`, `host_abs -> /abs/path/of/secret.txt`
// and `host_dir -> ..`.
// Each attempt must fail; prints the errno of each. Exits 0 when all fail.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int escapes;

static void refused(const char *what, int result) {
    if (result >= 0) {
        printf("ESCAPED %s\n", what);
        escapes++;
    } else {
        printf("refused %s: errno %d (%s)\n", what, errno, strerror(errno));
    }
}

static int open_read(const char *p) {
    int fd = open(p, O_RDONLY);
    if (fd >= 0) close(fd);
    return fd;
}

int main(void) {
    struct stat st;
    refused("open ../secret.txt", open_read("/sb/../secret.txt"));
    refused("open ../../../../etc/passwd", open_read("/sb/../../../../etc/passwd"));
    refused("open sub/../../secret.txt", (mkdir("/sb/sub", 0755), open_read("/sb/sub/../../secret.txt")));
    refused("open /etc/passwd (absolute, not a preopen)", open_read("/etc/passwd"));
    refused("stat ..", stat("/sb/..", &st));
    refused("open host symlink to ../secret.txt", open_read("/sb/host_rel"));
    refused("open host symlink to an absolute path", open_read("/sb/host_abs"));
    refused("open through host symlink as a directory", open_read("/sb/host_dir/secret.txt"));
    refused("guest symlink with absolute target", symlink("/etc/passwd", "/sb/g_abs"));
    refused("open guest symlink to ../secret.txt",
            (symlink("../secret.txt", "/sb/g_rel"), open_read("/sb/g_rel")));
    refused("open guest symlink chain out",
            (symlink("sub/../..", "/sb/g_up"), open_read("/sb/g_up/secret.txt")));
    refused("open guest symlink loop", (symlink("loop", "/sb/loop"), open_read("/sb/loop")));
    refused("create through guest symlink out",
            (symlink("../created.txt", "/sb/g_new"), open("/sb/g_new", O_CREAT | O_WRONLY, 0644)));
    refused("rename into ..", (close(open("/sb/mine", O_CREAT | O_WRONLY, 0644)), rename("/sb/mine", "/sb/../mine")));
    refused("rename .. in", rename("/sb/../secret.txt", "/sb/stolen"));
    refused("rename a symlink deeper so it points out, then follow it",
            (symlink("../secret.txt", "/sb/g_move"), rename("/sb/g_move", "/sb/sub/g_moved"),
             symlink("../../secret.txt", "/sb/sub/g_deep"), rename("/sb/sub/g_deep", "/sb/g_deep"),
             open_read("/sb/g_deep")));
    refused("rename across preopens, then .. from there", rename("/sb/mine", "/other/../mine"));
    refused("rename from the other preopen's parent", rename("/other/../secret.txt", "/sb/stolen2"));
    refused("symlink in the other preopen pointing out",
            (symlink("../secret.txt", "/other/o_rel"), rename("/other/o_rel", "/sb/o_rel"), open_read("/sb/o_rel")));
    refused("hard link of ../secret.txt", link("/sb/../secret.txt", "/sb/hard"));
    refused("hard link following a symlink out", linkat(AT_FDCWD, "/sb/host_rel", AT_FDCWD, "/sb/hard2", AT_SYMLINK_FOLLOW));
    refused("mkdir ../made", mkdir("/sb/../made", 0755));
    refused("unlink ../secret.txt", unlink("/sb/../secret.txt"));
    refused("rmdir ..", rmdir("/sb/.."));
    refused("readlink ../x", (int)readlink("/sb/../x", (char[8]){0}, 8));
    refused("chdir-free relative path (no cwd preopen)", open_read("secret.txt"));
    // Moving between two preopens is allowed: both ends are inside.
    printf("rename between preopens: %d\n", rename("/sb/mine", "/other/mine"));
    printf("%d escapes\n", escapes);
    return escapes != 0;
}
