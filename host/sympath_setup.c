/* The run's symbol path, in documented precedence: -s/--symbols (in order), the pipeline's `symbols:`,
 * $DUMPPIPE_SYMBOL_PATH, $_NT_SYMBOL_PATH. A bad -s or pipeline entry stops the run (exit 2); a bad
 * entry in the environment (often written for Windows: c:\symbols) is a warning, the rest of the
 * variable still counts. Also loads the symbol files the path names directly (PDB, ISF, .sym): a bad
 * one stops the run before any dump, as a bad pipeline does. */
#include "sympath_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"
#include "sympath.h"

static int add_env(struct dp_sympath *sp, const char *name)
{
    char err[1024];
    const char *v = getenv(name);
    if (v && *v && dp_sympath_add(sp, v, name, err, sizeof err) != DP_OK) fprintf(stderr, "dumppipe: warning: $%s\n", err);
    return DP_OK;
}

int dp_sympath_setup(const char *const *specs, size_t n_specs, const struct dp_pipeline *p, struct dp_sympath **out)
{
    char err[1024];
    struct dp_sympath *sp = dp_sympath_new();
    *out = NULL;
    if (!sp) return fprintf(stderr, "dumppipe: out of memory\n"), DP_ERR_NOMEM;
    int rc = dp_sympath_limits_from_env(sp, err, sizeof err);
    for (size_t i = 0; rc == DP_OK && i < n_specs; i++) rc = dp_sympath_add(sp, specs[i], "-s", err, sizeof err);
    for (size_t i = 0; rc == DP_OK && p && i < p->symbol_files.len; i++)
        rc = dp_sympath_add(sp, *(const char **)dp_vec_at(&p->symbol_files, i), p->path, err, sizeof err);
    if (rc != DP_OK) {
        fprintf(stderr, "dumppipe: %s\n", err);
        dp_sympath_free(sp);
        return rc;
    }
    add_env(sp, "DUMPPIPE_SYMBOL_PATH");
    add_env(sp, "_NT_SYMBOL_PATH");
    *out = sp;
    return DP_OK;
}

int dp_sympath_load_files(const struct dp_sympath *sp, struct dp_symtab **out)
{
    *out = NULL;
    for (size_t i = 0; i < dp_sympath_file_count(sp); i++) {
        const char *f = dp_sympath_file(sp, i);
        char err[600];
        if (!*out && !(*out = dp_symtab_new())) return DP_ERR_NOMEM;
        if (dp_symtab_load(*out, f, err, sizeof err) != DP_OK) {
            fprintf(stderr, "dumppipe: %s\n", err);
            dp_symtab_free(*out);
            *out = NULL;
            return DP_ERR_BAD_DATA;
        }
    }
    return DP_OK;
}
