/* The search for pipelines by bare name (`-p quick.yaml`, `extends: triage.yaml`). */
#include "pipeline_find.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* DIR/NAME when that file exists, else NULL. */
static const char *try_dir(struct dp_arena *arena, const char *dir, size_t dirlen, const char *name)
{
    char buf[PATH_MAX];
    int n = snprintf(buf, sizeof buf, "%.*s/%s", (int)dirlen, dir, name);
    if (dirlen == 0 || n < 0 || (size_t)n >= sizeof buf || !exists(buf)) return NULL;
    return dp_arena_strdup(arena, buf);
}

static const char *search_path(struct dp_arena *arena, const char *name)
{
    const char *env = getenv("DUMPPIPE_PIPELINE_PATH");
    for (const char *p = env; p && *p;) {
        size_t len = strcspn(p, ":");
        const char *hit = try_dir(arena, p, len, name);
        if (hit) return hit;
        p += len + (p[len] == ':');
    }
    return NULL;
}

static const char *shipped(struct dp_arena *arena, const char *name)
{
    char exe[PATH_MAX - 256], dir[PATH_MAX];
    if (dp_exe_dir(exe, sizeof exe) == 0) {
        snprintf(dir, sizeof dir, "%s/../%s", exe, DP_REL_PIPELINE_DIR);
        const char *hit = try_dir(arena, dir, strlen(dir), name);
        if (hit) return hit;
    }
    return try_dir(arena, DP_SOURCE_PIPELINE_DIR, strlen(DP_SOURCE_PIPELINE_DIR), name);
}

const char *dp_pipeline_find(struct dp_arena *arena, const char *name, const char *from)
{
    char dir[PATH_MAX];
    const char *given = name;
    if (name[0] != '/' && from) {
        snprintf(dir, sizeof dir, "%s", from);
        given = dp_arena_printf(arena, "%s/%s", dirname(dir), name);
    }
    if (!given || exists(given) || strchr(name, '/')) return given;
    const char *hit = search_path(arena, name);
    if (!hit) hit = shipped(arena, name);
    return hit ? hit : given;
}
