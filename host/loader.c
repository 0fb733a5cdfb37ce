/* Plugin loading: search, permission checks, dlopen, descriptor validation (Wireshark/MemProcFS
 * style: magic, ABI major and minor, struct size are checked before anything is called). */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { DP_MAX_DIRS = 64, DP_MAX_PLUGINS = 256, DP_MAX_OPTIONS = 128 };

struct dp_loader {
    struct dp_arena *arena;
    const char *dirs[DP_MAX_DIRS];
    size_t n_dirs;
    struct dp_loaded_plugin plugins[DP_MAX_PLUGINS];
    size_t n_plugins;
};

struct dp_loader *dp_loader_new(void)
{
    struct dp_loader *l = calloc(1, sizeof *l);
    if (l && !(l->arena = dp_arena_new())) {
        free(l);
        return NULL;
    }
    return l;
}

void dp_loader_free(struct dp_loader *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n_plugins; i++) dlclose(l->plugins[i].handle);
    dp_arena_free(l->arena);
    free(l);
}

int dp_loader_add_dir(struct dp_loader *l, const char *dir)
{
    for (size_t i = 0; i < l->n_dirs; i++)
        if (strcmp(l->dirs[i], dir) == 0) return DP_OK;
    if (l->n_dirs == DP_MAX_DIRS) return DP_ERR_INVALID;
    l->dirs[l->n_dirs++] = dp_arena_strdup(l->arena, dir);
    return DP_OK;
}

void dp_loader_add_env(struct dp_loader *l)
{
    const char *env = getenv("DUMPPIPE_PLUGIN_PATH");
    if (!env) return;
    char *copy = dp_arena_strdup(l->arena, env), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) dp_loader_add_dir(l, d);
}

/* The build tree keeps dumppipe in host/ and plugins in plugins/; an install keeps them in bin/ and
 * lib/dumppipe/plugins. Both are found relative to the program, so neither needs a fixed path. */
void dp_loader_add_defaults(struct dp_loader *l)
{
    char exe[PATH_MAX - 64], dir[PATH_MAX];
    if (dp_exe_dir(exe, sizeof exe) != 0) return;
    snprintf(dir, sizeof dir, "%s/../plugins", exe);
    dp_loader_add_dir(l, dir);
    snprintf(dir, sizeof dir, "%s/../%s", exe, DP_REL_PLUGIN_DIR);
    dp_loader_add_dir(l, dir);
}

/* A plugin runs with our privileges: refuse files or folders that someone else could replace. */
static int check_not_writable_by_others(const char *path, const char *what, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat %s: %m", path, what);
        return DP_ERR_IO;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen, "%s: refusing plugin: the %s is writable by %s (mode %04o); fix with chmod go-w", path,
                 what, st.st_mode & S_IWOTH ? "everyone" : "its group", (unsigned)(st.st_mode & 07777));
        return DP_ERR_INVALID;
    }
    uid_t me = geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        snprintf(err, errlen, "%s: refusing plugin: the %s belongs to another user (uid %u)", path, what, (unsigned)st.st_uid);
        return DP_ERR_INVALID;
    }
    return DP_OK;
}

static int check_options(const struct dp_option *o, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; o && o[i].name; i++) {
        if (i >= DP_MAX_OPTIONS) {
            snprintf(err, errlen, "%s: refusing plugin: more than %d options (missing terminator?)", path, DP_MAX_OPTIONS);
            return DP_ERR_BAD_DATA;
        }
        if (o[i].type < DP_OPT_STRING || o[i].type > DP_OPT_INT_LIST) {
            snprintf(err, errlen, "%s: refusing plugin: option '%s' has unknown type %d", path, o[i].name, (int)o[i].type);
            return DP_ERR_BAD_DATA;
        }
    }
    return DP_OK;
}

int dp_plugin_check(const struct dp_plugin *d, const char *path, char *err, size_t errlen)
{
    if (d->magic != DP_PLUGIN_MAGIC) {
        snprintf(err, errlen, "%s: not a dumppipe plugin: %s has the wrong magic", path, DP_PLUGIN_SYMBOL);
        return DP_ERR_BAD_DATA;
    }
    if (d->abi_major != DP_ABI_MAJOR || d->abi_minor > DP_ABI_MINOR) {
        snprintf(err, errlen, "%s: built for plugin ABI %u.%u, this dumppipe provides ABI %d.%d", path, d->abi_major,
                 d->abi_minor, DP_ABI_MAJOR, DP_ABI_MINOR);
        return DP_ERR_INVALID;
    }
    if (d->struct_size < offsetof(struct dp_plugin, reserved)) {
        snprintf(err, errlen, "%s: descriptor is %u bytes, smaller than ABI %d.%d's", path, d->struct_size, DP_ABI_MAJOR,
                 d->abi_minor);
        return DP_ERR_BAD_DATA;
    }
    if (!d->name || !*d->name || !d->run || (d->kind != DP_KIND_ANALYZER && d->kind != DP_KIND_SINK)) {
        snprintf(err, errlen, "%s: descriptor lacks a name, a run callback or a valid kind", path);
        return DP_ERR_BAD_DATA;
    }
    return check_options(d->options, path, err, errlen);
}

static struct dp_loaded_plugin *find_loaded(struct dp_loader *l, const char *path)
{
    for (size_t i = 0; i < l->n_plugins; i++)
        if (strcmp(l->plugins[i].path, path) == 0) return &l->plugins[i];
    return NULL;
}

int dp_loader_open_file(struct dp_loader *l, const char *path, const struct dp_loaded_plugin **out, char *err,
                        size_t errlen)
{
    struct dp_loaded_plugin *have = find_loaded(l, path);
    if (have) return *out = have, DP_OK;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int rc = check_not_writable_by_others(path, "file", err, errlen);
    if (!rc && slash) rc = check_not_writable_by_others(dir, "folder holding it", err, errlen);
    if (rc) return rc;
    if (l->n_plugins == DP_MAX_PLUGINS) {
        snprintf(err, errlen, "%s: too many plugins loaded (%d)", path, DP_MAX_PLUGINS);
        return DP_ERR_INVALID;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "%s: cannot load: %s", path, dlerror());
        return DP_ERR_BAD_DATA;
    }
    const struct dp_plugin *d = dlsym(h, DP_PLUGIN_SYMBOL);
    rc = d ? dp_plugin_check(d, path, err, errlen) : DP_ERR_BAD_DATA;
    if (!d) snprintf(err, errlen, "%s: not a dumppipe plugin: no symbol %s", path, DP_PLUGIN_SYMBOL);
    if (rc) {
        dlclose(h);
        return rc;
    }
    struct dp_loaded_plugin *p = &l->plugins[l->n_plugins++];
    *p = (struct dp_loaded_plugin){d->name, dp_arena_strdup(l->arena, path), h, d};
    *out = p;
    return DP_OK;
}

int dp_loader_get(struct dp_loader *l, const char *name, const struct dp_loaded_plugin **out, char *err, size_t errlen)
{
    for (size_t i = 0; i < l->n_plugins; i++)
        if (strcmp(l->plugins[i].name, name) == 0) return *out = &l->plugins[i], DP_OK;
    if (strchr(name, '/')) {
        snprintf(err, errlen, "%s: plugin names are bare words; put its folder on the search path with -L", name);
        return DP_ERR_INVALID;
    }
    char path[PATH_MAX];
    for (size_t i = 0; i < l->n_dirs; i++) {
        snprintf(path, sizeof path, "%s/%s.so", l->dirs[i], name);
        if (access(path, F_OK) != 0) continue;
        int rc = dp_loader_open_file(l, path, out, err, errlen);
        if (rc == DP_OK && strcmp((*out)->name, name) != 0) {
            snprintf(err, errlen, "%s: file is named %s but its descriptor says '%s'", path, name, (*out)->name);
            return DP_ERR_BAD_DATA;
        }
        return rc;
    }
    int k = snprintf(err, errlen, "unknown plugin '%s' (searched:", name);
    for (size_t i = 0; i < l->n_dirs && k > 0 && (size_t)k < errlen; i++) k += snprintf(err + k, errlen - (size_t)k, " %s", l->dirs[i]);
    if (k > 0 && (size_t)k < errlen) snprintf(err + k, errlen - (size_t)k, ")");
    return DP_ERR_NOT_FOUND;
}

static int is_so(const char *n)
{
    size_t len = strlen(n);
    return len > 3 && strcmp(n + len - 3, ".so") == 0;
}

void dp_loader_scan(struct dp_loader *l, void (*fn)(void *, const char *, const struct dp_loaded_plugin *, const char *),
                    void *user)
{
    for (size_t i = 0; i < l->n_dirs; i++) {
        DIR *d = opendir(l->dirs[i]);
        if (!d) continue;
        struct dirent **names = NULL;
        int n = scandir(l->dirs[i], &names, NULL, alphasort);
        closedir(d);
        for (int k = 0; k < n; k++) {
            char path[PATH_MAX], err[512] = "";
            const struct dp_loaded_plugin *p = NULL;
            if (is_so(names[k]->d_name)) {
                snprintf(path, sizeof path, "%s/%s", l->dirs[i], names[k]->d_name);
                if (dp_loader_open_file(l, path, &p, err, sizeof err) != DP_OK) p = NULL;
                fn(user, path, p, err);
            }
            free(names[k]);
        }
        free(names);
    }
}
