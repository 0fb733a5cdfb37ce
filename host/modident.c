/* Symbol keys of the loaded modules, before any plugin runs (forked plugins inherit them): the PDB's
 * GUID/age and name from the image's CodeView record when the image headers are in the dump; else,
 * when the symbol path searches anything, the image itself fetched from the store by TimeDateStamp
 * and SizeOfImage (how WinDbg does it for small dumps), checked against the module, then its
 * CodeView record. A fetched image also serves the module's code, headers and unwind data that the
 * dump lacks (ctx_image.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_dump.h"
#include "ctx_image.h"
#include "dump/dump.h"
#include "pe.h"
#include "sympath.h"

static int dump_only(void *user, uint64_t va, void *buf, size_t len) { return dp_dump_read_virt(user, va, buf, len); }

static int codeview_in_dump(struct dp_ctx *c, const struct dp_module *m, struct dp_pe_codeview *cv)
{
    struct dp_pe *pe;
    int rc = dp_pe_open(dump_only, c->dump, m->base, m->size, &pe);
    if (rc) return rc;
    rc = dp_pe_codeview(pe, cv);
    dp_pe_close(pe);
    return rc;
}

/* The image from the symbol path, if it is the one the dump names. */
static int codeview_from_store(struct dp_ctx *c, size_t index, const struct dp_module *m, struct dp_pe_codeview *cv)
{
    char key[24], path[4096], err[4096 + 256];
    if (!m->name || !m->timestamp || !m->size || m->size > UINT32_MAX) return DP_ERR_NOT_FOUND;
    dp_sympath_image_key(m->timestamp, (uint32_t)m->size, key);
    int rc = dp_sympath_find(c->sympath, m->name, key, path, sizeof path, err, sizeof err);
    if (rc != DP_OK) return rc;
    struct dp_pe_identity id;
    if ((rc = dp_pe_file_identity(path, &id, err, sizeof err)) == DP_OK &&
        (id.timestamp != m->timestamp || id.size_of_image != m->size)) {
        snprintf(err, sizeof err, "%s: TimeDateStamp %08X and SizeOfImage %x, not the module's", path, id.timestamp,
                 id.size_of_image);
        rc = DP_ERR_BAD_DATA;
    }
    if (rc != DP_OK) return dp_sympath_reject(c->sympath, m->name, key, err), rc;
    dp_ctx_set_module_image(c, index, path);
    if (c->verbosity >= 1) fprintf(stderr, "dumppipe: symbols: %s: image %s/%s from %s\n", m->name, m->name, key, path);
    if (!id.has_codeview) return DP_ERR_NOT_FOUND;
    *cv = id.codeview;
    return DP_OK;
}

int dp_ctx_identify_modules(struct dp_ctx *c)
{
    if (!c->dump || !c->n_modules) return DP_OK;
    dp_sympath_begin_dump(c->sympath);
    int search = dp_sympath_search_count(c->sympath) > 0;
    for (size_t i = 0; i < c->n_modules; i++) {
        /* the module table is the dump's own malloc'd array; the SDK hands it out read-only */
        struct dp_module *m = (struct dp_module *)dp_dump_module(c->dump, i);
        struct dp_pe_codeview cv;
        int rc = codeview_in_dump(c, m, &cv);
        if (rc != DP_OK && search) rc = codeview_from_store(c, i, m, &cv);
        if (rc == DP_ERR_NOMEM) return rc;
        if (rc != DP_OK) continue;
        char id[48];
        dp_sympath_pdb_key(cv.guid, cv.age, id);
        m->pdb_name = dp_arena_strdup(c->arena, cv.pdb_name);
        m->pdb_id = dp_arena_strdup(c->arena, id);
        if (!m->pdb_name || !m->pdb_id) return DP_ERR_NOMEM;
        if (c->verbosity >= 1) fprintf(stderr, "dumppipe: symbols: %s: PDB %s/%s\n", m->name, m->pdb_name, m->pdb_id);
    }
    return DP_OK;
}

/* The pointers point into this context's arena: the dump may outlive it. */
void dp_ctx_forget_module_keys(struct dp_ctx *c)
{
    for (size_t i = 0; c->dump && i < c->n_modules; i++) {
        struct dp_module *m = (struct dp_module *)dp_dump_module(c->dump, i);
        m->pdb_name = m->pdb_id = NULL;
    }
}

/* One warning finding lists what the symbol path could not provide for this dump, one line per key,
 * as !analyze's "symbols could not be loaded" warnings do. */
void dp_ctx_report_symbol_misses(struct dp_ctx *c)
{
    size_t n = dp_sympath_miss_count(c->sympath);
    if (!n) return;
    struct dp_text t;
    dp_text_init(&t);
    dp_text_printf(&t, "*** The symbol path did not provide these symbol files or images (FILE/KEY: why):\n");
    for (size_t i = 0; i < n; i++) dp_text_printf(&t, "%s\n", dp_sympath_miss(c->sympath, i));
    char title[160];
    snprintf(title, sizeof title, "Symbols not loaded: %zu symbol file%s or image%s not found", n, n == 1 ? "" : "s",
             n == 1 ? "" : "s");
    struct dp_field ev[] = {DP_U64("missing", n)};
    struct dp_finding f = {.code = "symbols.missing", .severity = DP_SEV_WARNING, .confidence = 100, .title = title,
                           .details = dp_text_str(&t), .evidence = ev, .n_evidence = 1};
    dp_ctx_add_finding(c, "host", &f);
    dp_text_free(&t);
}
