#include "modsym.h"

#include <stdio.h>
#include <string.h>

#include "symbols.h"
#include "symfile.h"
#include "sympath.h"

/* Files given directly were loaded before any dump (sympath_setup.c). */
static const struct dp_symfile *direct_match(const struct dp_symtab *direct, const struct dp_module *m)
{
    for (size_t i = 0; i < dp_symtab_count(direct); i++) {
        const struct dp_symfile *f = dp_symtab_file(direct, i);
        if (dp_symfile_matches(f, m->name, m->pdb_name, m->pdb_id)) return f;
    }
    return NULL;
}

/* The store's file under the module's key; one that does not load or answers to another key is
 * rejected, so the path forgets it and lists the key as missing with the reason. */
static const struct dp_symfile *from_store(struct dp_sympath *sp, const struct dp_module *m)
{
    char path[4096], err[4096 + 256];
    const struct dp_symfile *f;
    if (dp_sympath_find(sp, m->pdb_name, m->pdb_id, path, sizeof path, err, sizeof err) != DP_OK) return NULL;
    if (dp_symcache_load(path, &f, err, sizeof err) != DP_OK) {
        dp_sympath_reject(sp, m->pdb_name, m->pdb_id, err);
        return NULL;
    }
    if (!dp_symfile_matches(f, m->name, m->pdb_name, m->pdb_id)) {
        snprintf(err, sizeof err, "%s answers to %s, not to the image's key", path, f->id);
        dp_sympath_reject(sp, m->pdb_name, m->pdb_id, err);
        return NULL;
    }
    return f;
}

const struct dp_symfile *dp_modsym_resolve(const struct dp_symtab *direct, struct dp_sympath *sp,
                                           const struct dp_module *m, int *unverified)
{
    const struct dp_symfile *f = direct_match(direct, m);
    *unverified = f && !(m->pdb_id && *m->pdb_id) && (f->id[0] || f->id2[0]);
    if (f || !m->pdb_name || !m->pdb_id) return f;
    if ((f = dp_symcache_by_id(m->pdb_name, m->pdb_id))) return f;
    return sp ? from_store(sp, m) : NULL;
}
