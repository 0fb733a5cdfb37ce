/* --summary: the bucket table a crash back end shows as "top crashers". */
#include "batch.h"

#include <dumppipe/dumppipe.h>
#include <stdlib.h>
#include <string.h>

int dp_buckets_add(struct dp_buckets *b, const char *bucket, const char *culprit, const char *path)
{
    if (!b->arena && !(b->arena = dp_arena_new())) return DP_ERR_NOMEM;
    if (!b->rows.elem) dp_vec_init(&b->rows, sizeof(struct dp_bucket_row));
    struct dp_bucket_row *r = NULL;
    for (size_t i = 0; i < b->rows.len && !r; i++) {
        struct dp_bucket_row *x = dp_vec_at(&b->rows, i);
        if (strcmp(x->bucket, bucket) == 0) r = x;
    }
    if (!r) {
        if (!(r = dp_vec_push(&b->rows))) return DP_ERR_NOMEM;
        r->bucket = dp_arena_strdup(b->arena, bucket);
        r->culprit = dp_arena_strdup(b->arena, culprit && *culprit ? culprit : "-");
        r->first = dp_arena_strdup(b->arena, path);
        r->first_index = b->rows.len - 1;
    }
    r->last = dp_arena_strdup(b->arena, path);
    r->count++;
    return r->bucket && r->culprit && r->first && r->last ? DP_OK : DP_ERR_NOMEM;
}

static int by_count(const void *a, const void *b)
{
    const struct dp_bucket_row *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->first_index > y->first_index) - (x->first_index < y->first_index);
}

static int width(const struct dp_vec *rows, size_t off, int min)
{
    int w = min;
    for (size_t i = 0; i < rows->len; i++) {
        int n = (int)strlen(*(const char **)((const char *)dp_vec_at(rows, i) + off));
        if (n > w) w = n;
    }
    return w;
}

int dp_buckets_print(struct dp_buckets *b, FILE *f, size_t n_dumps)
{
    if (b->rows.len > 1) qsort(b->rows.data, b->rows.len, b->rows.elem, by_count);
    int wb = width(&b->rows, offsetof(struct dp_bucket_row, bucket), 6);
    int wc = width(&b->rows, offsetof(struct dp_bucket_row, culprit), 7);
    int wf = width(&b->rows, offsetof(struct dp_bucket_row, first), 10);
    fprintf(f, "BUCKETS: %zu dump%s in %zu bucket%s\n", n_dumps, n_dumps == 1 ? "" : "s", b->rows.len,
            b->rows.len == 1 ? "" : "s");
    fprintf(f, "%5s  %-*s  %-*s  %-*s  %s\n", "COUNT", wb, "BUCKET", wc, "CULPRIT", wf, "FIRST DUMP", "LAST DUMP");
    for (size_t i = 0; i < b->rows.len; i++) {
        const struct dp_bucket_row *r = dp_vec_at(&b->rows, i);
        fprintf(f, "%5zu  %-*s  %-*s  %-*s  %s\n", r->count, wb, r->bucket, wc, r->culprit, wf, r->first, r->last);
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

void dp_buckets_free(struct dp_buckets *b)
{
    dp_vec_free(&b->rows);
    dp_arena_free(b->arena);
    b->arena = NULL;
}
