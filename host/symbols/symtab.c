/* The symbol files a pipeline names directly: a list of cache entries. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "symbols.h"
#include "symfile.h"
#include "util.h"

struct dp_symtab {
    struct dp_vec files; /* const struct dp_symfile * */
};

struct dp_symtab *dp_symtab_new(void)
{
    struct dp_symtab *t = calloc(1, sizeof *t);
    if (t) dp_vec_init(&t->files, sizeof(const struct dp_symfile *));
    return t;
}

void dp_symtab_free(struct dp_symtab *t)
{
    if (!t) return;
    dp_vec_free(&t->files);
    free(t);
}

size_t dp_symtab_count(const struct dp_symtab *t) { return t ? t->files.len : 0; }

const struct dp_symfile *dp_symtab_file(const struct dp_symtab *t, size_t i)
{
    return t && i < t->files.len ? *(const struct dp_symfile **)dp_vec_at(&t->files, i) : NULL;
}

static const char *file_module(const struct dp_symfile *f) { return f->pdb_name ? f->pdb_name : f->path; }

int dp_symtab_load(struct dp_symtab *t, const char *path, char *err, size_t errlen)
{
    if (!t || !path) return DP_ERR_INVALID;
    const struct dp_symfile *f;
    int rc = dp_symcache_load(path, &f, err, errlen);
    if (rc != DP_OK) return rc;
    char mine[256], theirs[256];
    dp_module_short_name(file_module(f), mine, sizeof mine);
    for (size_t i = 0; i < t->files.len; i++) {
        dp_module_short_name(file_module(dp_symtab_file(t, i)), theirs, sizeof theirs);
        if (strcasecmp(mine, theirs) == 0) {
            snprintf(err, errlen, "%s: symbols for module '%s' are already loaded", path, mine);
            return DP_ERR_BAD_DATA;
        }
    }
    const struct dp_symfile **slot = dp_vec_push(&t->files);
    if (!slot) return DP_ERR_NOMEM;
    *slot = f;
    return DP_OK;
}

int dp_symtab_lookup(const struct dp_symtab *t, const char *module_name, uint32_t rva, const char **name, uint32_t *disp)
{
    if (!t || !module_name || !name || !disp) return DP_ERR_INVALID;
    for (size_t i = 0; i < t->files.len; i++) {
        const struct dp_symfile *f = dp_symtab_file(t, i);
        if (dp_symfile_matches(f, module_name, NULL, NULL)) return dp_symfile_lookup(f, rva, name, disp);
    }
    return DP_ERR_NOT_FOUND;
}
