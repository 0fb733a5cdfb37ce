#include "inputs.h"

#include <dirent.h>
#include <dumppipe/dumppipe.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { DP_MAX_DIR_DEPTH = 32, DP_MAX_INPUTS = 10000000 };

static int add(struct dp_inputs *in, const char *path)
{
    if (in->paths.len >= DP_MAX_INPUTS) return fprintf(stderr, "dumppipe: more than %d dumps\n", DP_MAX_INPUTS), DP_ERR_INVALID;
    const char **slot = dp_vec_push(&in->paths);
    if (!slot || !(*slot = dp_arena_strdup(in->arena, path))) return fprintf(stderr, "dumppipe: out of memory\n"), DP_ERR_NOMEM;
    return DP_OK;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int walk(struct dp_inputs *in, const char *dir, int depth)
{
    char q[1024];
    if (depth > DP_MAX_DIR_DEPTH)
        return fprintf(stderr, "dumppipe: %s: directories nested deeper than %d\n", dp_quote_path(dir, q, sizeof q), DP_MAX_DIR_DEPTH), DP_ERR_INVALID;
    DIR *d = opendir(dir);
    if (!d) return fprintf(stderr, "dumppipe: %s: cannot read the directory: %s\n", dp_quote_path(dir, q, sizeof q), strerror(errno)), DP_ERR_IO;
    struct dp_vec names;
    dp_vec_init(&names, sizeof(char *));
    int rc = DP_OK;
    for (struct dirent *e; rc == DP_OK && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char **slot = dp_vec_push(&names);
        if (!slot || !(*slot = dp_arena_printf(in->arena, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name)))
            rc = DP_ERR_NOMEM, fprintf(stderr, "dumppipe: out of memory\n");
    }
    closedir(d);
    if (names.len > 1) qsort(names.data, names.len, sizeof(char *), by_name);
    for (size_t i = 0; rc == DP_OK && i < names.len; i++) {
        const char *path = *(char **)dp_vec_at(&names, i);
        struct stat st, lst;
        if (lstat(path, &lst) != 0 || stat(path, &st) != 0) continue;
        if (S_ISDIR(lst.st_mode)) rc = walk(in, path, depth + 1);
        else if (S_ISREG(st.st_mode)) rc = add(in, path);
    }
    dp_vec_free(&names);
    return rc;
}

static int read_list(struct dp_inputs *in, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = DP_OK;
    while (rc == DP_OK && (n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n >= PATH_MAX) rc = DP_ERR_INVALID, fprintf(stderr, "dumppipe: standard input: a path longer than %d bytes\n", PATH_MAX);
        else if (n) rc = add(in, line);
    }
    free(line);
    return rc;
}

int dp_inputs_build(struct dp_inputs *in, char **args, int n)
{
    in->arena = dp_arena_new();
    dp_vec_init(&in->paths, sizeof(const char *));
    if (!in->arena) return fprintf(stderr, "dumppipe: out of memory\n"), DP_ERR_NOMEM;
    int rc = DP_OK, stdin_used = 0;
    for (int i = 0; rc == DP_OK && i < n; i++) {
        struct stat st;
        if (strcmp(args[i], "-") == 0) {
            if (stdin_used++) return fprintf(stderr, "dumppipe: '-' given twice\n"), DP_ERR_INVALID;
            rc = read_list(in, stdin);
        } else if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = walk(in, args[i], 0);
        } else {
            rc = add(in, args[i]);
        }
    }
    return rc;
}

void dp_inputs_free(struct dp_inputs *in)
{
    dp_vec_free(&in->paths);
    dp_arena_free(in->arena);
    in->arena = NULL;
}
