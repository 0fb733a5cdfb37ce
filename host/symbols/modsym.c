#include "modsym.h"

#include <stdio.h>
#include <string.h>

#include "symbols.h"
#include "symfile.h"
#include "sympath.h"

/* Programs that link the readers without the store side (unit tests, fuzzers) pass sp == NULL;
 * weak references let them link. */
#pragma weak dp_sympath_file_count
#pragma weak dp_sympath_file
#pragma weak dp_sympath_find

static const struct dp_symfile *direct_match(const struct dp_symtab *direct, struct dp_sympath *sp,
                                             const struct dp_module *m)
{
    for (size_t i = 0; i < dp_symtab_count(direct); i++) {
        const struct dp_symfile *f = dp_symtab_file(direct, i);
        if (dp_symfile_matches(f, m->name, m->pdb_name, m->pdb_id)) return f;
    }
    size_t n = sp ? dp_sympath_file_count(sp) : 0;
    for (size_t i = 0; i < n; i++) {
        const struct dp_symfile *f;
        char err[256];
        /* a file that does not load is reported once by whoever gave it; here it just does not match */
        if (dp_symcache_load(dp_sympath_file(sp, i), &f, err, sizeof err) == DP_OK &&
            dp_symfile_matches(f, m->name, m->pdb_name, m->pdb_id))
            return f;
    }
    return NULL;
}

const struct dp_symfile *dp_modsym_resolve(const struct dp_symtab *direct, struct dp_sympath *sp,
                                           const struct dp_module *m, int *unverified, char *err, size_t errlen)
{
    err[0] = 0;
    const struct dp_symfile *f = direct_match(direct, sp, m);
    *unverified = f && !(m->pdb_id && *m->pdb_id) && (f->id[0] || f->id2[0]);
    if (f || !m->pdb_name || !m->pdb_id) return f;
    if ((f = dp_symcache_by_id(m->pdb_name, m->pdb_id))) return f;
    if (!sp) return NULL;
    char path[4096];
    int rc = dp_sympath_find(sp, m->pdb_name, m->pdb_id, path, sizeof path, err, errlen);
    if (rc == DP_ERR_NOT_FOUND) snprintf(err, errlen, "%s/%s: not found", m->pdb_name, m->pdb_id);
    if (rc != DP_OK || dp_symcache_load(path, &f, err, errlen) != DP_OK) return NULL;
    if (!dp_symfile_matches(f, m->name, m->pdb_name, m->pdb_id)) {
        snprintf(err, errlen, "%s: GUID/age %s does not match the image's %s", path, f->id, m->pdb_id);
        return NULL;
    }
    return f;
}
