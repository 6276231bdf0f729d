// Files in a mapped directory: read/write/seek/truncate, pread/pwrite,
// append, stat, mkdir/rmdir, rename, unlink, symlinks inside the sandbox,
// directory listing. Prints one line per check; exits 0 when all pass.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (cond) printf("ok   %s\n", #cond); \
    else { printf("FAIL %s (errno %d)\n", #cond, errno); failures++; } } while (0)

int main(void) {
    int fd = open("/sb/f.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello, world", 12) == 12);
    CHECK(lseek(fd, 0, SEEK_CUR) == 12);
    CHECK(lseek(fd, 7, SEEK_SET) == 7);
    char buf[32] = {0};
    CHECK(read(fd, buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(lseek(fd, -5, SEEK_END) == 7);
    CHECK(pwrite(fd, "WORLD", 5, 7) == 5);
    CHECK(pread(fd, buf, 5, 7) == 5 && memcmp(buf, "WORLD", 5) == 0);
    CHECK(ftruncate(fd, 5) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
    CHECK(close(fd) == 0);
    CHECK(read(fd, buf, 1) == -1 && errno == EBADF);

    fd = open("/sb/f.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "!", 1) == 1 && close(fd) == 0);
    CHECK(stat("/sb/f.txt", &st) == 0 && st.st_size == 6);
    CHECK(open("/sb/f.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST);
    CHECK(open("/sb/missing", O_RDONLY) == -1 && errno == ENOENT);

    CHECK(mkdir("/sb/d", 0755) == 0);
    CHECK(mkdir("/sb/d", 0755) == -1 && errno == EEXIST);
    CHECK(rename("/sb/f.txt", "/sb/d/g.txt") == 0);
    CHECK(stat("/sb/f.txt", &st) == -1 && errno == ENOENT);
    CHECK(stat("/sb/d/../d/./g.txt", &st) == 0 && st.st_size == 6);
    CHECK(rmdir("/sb/d") == -1 && errno == ENOTEMPTY);
    CHECK(symlink("d/g.txt", "/sb/link") == 0);
    char target[64] = {0};
    CHECK(readlink("/sb/link", target, sizeof target) == 7 && strcmp(target, "d/g.txt") == 0);
    CHECK(stat("/sb/link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 6);
    CHECK(lstat("/sb/link", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(link("/sb/d/g.txt", "/sb/hard") == 0);
    CHECK(stat("/sb/hard", &st) == 0 && st.st_nlink == 2);

    DIR *d = opendir("/sb/d");
    int seen = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, "g.txt") == 0 && e->d_type == DT_REG) seen++;
    CHECK(d && seen == 1 && closedir(d) == 0);

    CHECK(unlink("/sb/link") == 0 && unlink("/sb/hard") == 0);
    CHECK(unlink("/sb/d/g.txt") == 0);
    CHECK(rmdir("/sb/d") == 0);
    CHECK(unlink("/sb/d") == -1 && errno == ENOENT);
    printf("%d failures\n", failures);
    return failures != 0;
}
