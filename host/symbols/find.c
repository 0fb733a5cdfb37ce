
/* A file the caller found unusable (not the image or PDB the key promised): a copy in one of our
 * caches is removed, so a bad download does not stay for the next run; the answer becomes a miss. */
int dp_sympath_reject(struct dp_sympath *sp, const char *file, const char *key, const char *why)
{
    size_t index;
    struct sp_result *r = sp && file && key ? known(sp, file, key, &index) : NULL;
    if (!r || r->rc != DP_OK) return DP_ERR_NOT_FOUND;
    for (size_t i = 0; i < sp->entries.len; i++) {
        const struct sp_entry *e = dp_vec_at(&sp->entries, i);
        for (size_t k = 0; k < e->n_caches; k++) {
            size_t n = strlen(e->caches[k]);
            if (strncmp(r->path, e->caches[k], n) == 0 && r->path[n] == '/') unlink(r->path);
        }
    }
    free(r->path);
    r->path = NULL;
    free(r->why);
    if (asprintf(&r->why, "%s/%s: %s", r->file, r->key, why ? why : "unusable") < 0) r->why = NULL;
    r->rc = DP_ERR_NOT_FOUND;
    size_t *slot = r->why ? dp_vec_push(&sp->misses) : NULL;
    if (slot) *slot = index;
    return DP_OK;
}
