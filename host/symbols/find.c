/* dp_sympath_find: the entries in order, each answer remembered for the run (a miss costs one
 * lookup per run, however many dumps ask), and the misses of the current dump for its report. */
#include "sp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static struct sp_result *known(struct dp_sympath *sp, const char *file, const char *key, size_t *index)
{
    for (size_t i = 0; i < sp->results.len; i++) {
        struct sp_result *r = dp_vec_at(&sp->results, i);
        if (strcasecmp(r->file, file) == 0 && strcasecmp(r->key, key) == 0) return *index = i, r;
    }
    return NULL;
}

/* The result is asked for by this dump: a miss goes on its list once. */
static void note_asked(struct dp_sympath *sp, struct sp_result *r, size_t index)
{
    if (r->epoch == sp->epoch + 1) return;
    r->epoch = sp->epoch + 1;
    size_t *slot = r->rc != DP_OK ? dp_vec_push(&sp->misses) : NULL;
    if (slot) *slot = index;
}

static int answer(const struct sp_result *r, char *path, size_t pathlen, char *err, size_t errlen)
{
    if (r->rc == DP_OK) {
        if (strlen(r->path) >= pathlen) {
            if (err && errlen) snprintf(err, errlen, "%s/%s: path longer than the buffer", r->file, r->key);
            return DP_ERR_INVALID;
        }
        memcpy(path, r->path, strlen(r->path) + 1);
    } else if (err && errlen) {
        snprintf(err, errlen, "%s", r->why);
    }
    return r->rc;
}

static int record(struct dp_sympath *sp, const char *file, const char *key, int rc, const char *path, const char *why,
                  size_t *index)
{
    struct sp_result *r = dp_vec_push(&sp->results);
    if (!r) return DP_ERR_NOMEM;
    r->file = strdup(file), r->key = strdup(key), r->rc = rc;
    r->path = path ? strdup(path) : NULL;
    if (why && asprintf(&r->why, "%s/%s: %s", file, key, why) < 0) r->why = NULL;
    if (!r->file || !r->key || (path && !r->path) || (why && !r->why)) {
        free(r->file), free(r->key), free(r->path), free(r->why);
        sp->results.len--;
        return DP_ERR_NOMEM;
    }
    *index = sp->results.len - 1;
    return DP_OK;
}

/* Copies the file found in PATH into each cache before LAST (the caches "to its left"). */
static void fill_caches(struct sp_query *q, struct sp_entry *e, size_t last)
{
    for (size_t i = 0; i < last && i < e->n_caches; i++) sp_store_put(q, e->caches[i], q->path);
}

static int server_lookup(struct sp_query *q, struct sp_entry *e)
{
    for (size_t i = 0; i < e->n_caches; i++) {
        int rc = sp_store_lookup(q, e->caches[i], e->caches[i], 0);
        if (rc == DP_OK) return fill_caches(q, e, i), DP_OK;
        if (rc != DP_ERR_NOT_FOUND) return rc;
    }
    if (!e->is_url) {
        int rc = sp_store_lookup(q, e->target, e->n_caches ? e->caches[0] : NULL, 0);
        if (rc == DP_OK) fill_caches(q, e, e->n_caches);
        return rc;
    }
    if (e->down) {
        dp_text_printf(&q->why, "%s%s: %s", q->why.len ? "; " : "", e->target, e->down_why);
        return DP_ERR_IO;
    }
    int rc = sp_http_fetch(q, e, e->caches[0]);
    if (rc == DP_OK) fill_caches(q, e, e->n_caches);
    return rc;
}

static void searched_list(struct sp_query *q)
{
    size_t n = q->sp->entries.len;
    dp_text_printf(&q->why, "not found in ");
    for (size_t i = 0; i < n && i < 3; i++)
        dp_text_printf(&q->why, "%s%s", i ? ", " : "", ((struct sp_entry *)dp_vec_at(&q->sp->entries, i))->target);
    if (n > 3) dp_text_printf(&q->why, " and %zu more", n - 3);
    if (!n) dp_text_printf(&q->why, "an empty symbol path");
}

static int search(struct dp_sympath *sp, const char *file, const char *key, char *found, struct dp_text *why)
{
    struct sp_query q = {.sp = sp, .file = file, .key = key, .path = found, .pathlen = PATH_MAX};
    int result = DP_ERR_NOT_FOUND;
    dp_text_init(&q.why);
    for (size_t i = 0; i < sp->entries.len; i++) {
        struct sp_entry *e = dp_vec_at(&sp->entries, i);
        int rc = e->kind == SP_DIR ? sp_store_lookup(&q, e->target, NULL, 1) : server_lookup(&q, e);
        if (rc == DP_OK) {
            result = DP_OK;
            break;
        }
        if (rc != DP_ERR_NOT_FOUND) result = DP_ERR_IO; /* remembered; a later entry may still have it */
    }
    if (result != DP_OK && !q.why.len) searched_list(&q);
    *why = q.why;
    return result;
}

int dp_sympath_find(struct dp_sympath *sp, const char *file, const char *key, char *path, size_t pathlen, char *err,
                    size_t errlen)
{
    if (!sp || !file || !key || !path || !pathlen) return DP_ERR_INVALID;
    size_t index;
    struct sp_result *r = known(sp, file, key, &index);
    if (!r) {
        char found[PATH_MAX] = "";
        struct dp_text why;
        dp_text_init(&why);
        int rc;
        if (!sp_name_ok(file, 0) || !sp_name_ok(key, 1)) {
            rc = DP_ERR_INVALID;
            dp_text_printf(&why, "refused: a file name or key with a path separator, '..' or control characters");
        } else {
            rc = search(sp, file, key, found, &why);
        }
        /* a refused name is printed with its dangerous characters replaced */
        char sfile[SP_MAX_NAME + 1], skey[SP_MAX_NAME + 1];
        snprintf(sfile, sizeof sfile, "%s", file);
        snprintf(skey, sizeof skey, "%s", key);
        for (char *p = sfile; *p; p++) if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
        for (char *p = skey; *p; p++) if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
        int mrc = record(sp, sfile, skey, rc, rc == DP_OK ? found : NULL, rc == DP_OK ? NULL : dp_text_str(&why), &index);
        dp_text_free(&why);
        if (mrc != DP_OK) return mrc;
        r = dp_vec_at(&sp->results, index);
    }
    note_asked(sp, r, index);
    return answer(r, path, pathlen, err, errlen);
}

void dp_sympath_begin_dump(struct dp_sympath *sp)
{
    if (!sp) return;
    sp->epoch++;
    sp->misses.len = 0;
}

size_t dp_sympath_miss_count(const struct dp_sympath *sp) { return sp ? sp->misses.len : 0; }

const char *dp_sympath_miss(const struct dp_sympath *sp, size_t index)
{
    if (!sp || index >= sp->misses.len) return NULL;
    return ((const struct sp_result *)dp_vec_at(&sp->results, *(size_t *)dp_vec_at(&sp->misses, index)))->why;
}

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
