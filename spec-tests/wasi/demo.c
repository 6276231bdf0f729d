// The "must show" program: reads a file from the mapped directory
// /data, writes another, lists the directory, prints its arguments and
// environment, and exits with status 3.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env: %s\n", *e);

    FILE *in = fopen("/data/input.txt", "r");
    if (!in) { perror("open /data/input.txt"); return 1; }
    char line[256];
    while (fgets(line, sizeof line, in)) printf("read: %s", line);
    fclose(in);

    FILE *out = fopen("/data/output.txt", "w");
    if (!out) { perror("open /data/output.txt"); return 1; }
    fprintf(out, "written by %s with %d args\n", argv[0], argc);
    fclose(out);

    DIR *d = opendir("/data");
    if (!d) { perror("opendir /data"); return 1; }
    char *names[64];
    int n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && n < 64)
        if (ent->d_name[0] != '.') names[n++] = strdup(ent->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) printf("entry: %s\n", names[i]);
    return 3;
}
