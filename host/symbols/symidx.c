#include "symidx.h"

#include <dumppipe/dumppipe.h>
#include <stdlib.h>

void dp_symidx_init(struct dp_symidx *x)
{
    dp_vec_init(&x->sized, sizeof(struct dp_symidx_entry));
    dp_vec_init(&x->points, sizeof(struct dp_symidx_entry));
}

void dp_symidx_free(struct dp_symidx *x)
{
    dp_vec_free(&x->sized);
    dp_vec_free(&x->points);
}

int dp_symidx_add(struct dp_symidx *x, uint32_t rva, uint32_t size, uint32_t limit, const char *name)
{
    struct dp_symidx_entry *e = dp_vec_push(size ? &x->sized : &x->points);
    if (!e) return DP_ERR_NOMEM;
    e->rva = rva;
    e->name = name;
    if (size) e->end = size > UINT32_MAX - rva ? UINT32_MAX : rva + size;
    else e->end = limit > rva ? limit : UINT32_MAX;
    return DP_OK;
}

/* qsort is not stable: the name pointer order is not the insertion order either, so sort on
 * (rva, position) by carrying the position in end's place would lose end; use a merge sort. */
static void merge_sort(struct dp_symidx_entry *a, struct dp_symidx_entry *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    if (a[h - 1].rva <= a[h].rva) return;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = a[j].rva < a[i].rva ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    for (k = 0; k < n; k++) a[k] = tmp[k];
}

static void sort_vec(struct dp_vec *v)
{
    if (v->len < 2) return;
    struct dp_symidx_entry *tmp = malloc(v->len * sizeof *tmp);
    if (!tmp) { /* out of memory: an unstable order still gives right addresses */
        for (size_t i = 1; i < v->len; i++) {
            struct dp_symidx_entry *a = v->data, e = a[i];
            size_t j = i;
            for (; j && a[j - 1].rva > e.rva; j--) a[j] = a[j - 1];
            a[j] = e;
        }
        return;
    }
    merge_sort(v->data, tmp, v->len);
    free(tmp);
}

void dp_symidx_sort(struct dp_symidx *x)
{
    sort_vec(&x->sized);
    sort_vec(&x->points);
}

/* The first of the entries with the greatest rva <= target, or NULL. */
static const struct dp_symidx_entry *floor_entry(const struct dp_vec *v, uint32_t rva)
{
    const struct dp_symidx_entry *e = v->data;
    size_t lo = 0, hi = v->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].rva <= rva) lo = mid + 1;
        else hi = mid;
    }
    if (!lo) return NULL;
    size_t k = lo - 1;
    while (k && e[k - 1].rva == e[k].rva) k--;
    return &e[k];
}

int dp_symidx_lookup(const struct dp_symidx *x, uint32_t rva, const char **name, uint32_t *disp)
{
    const struct dp_symidx_entry *f = floor_entry(&x->sized, rva);
    if (!f || rva >= f->end) f = floor_entry(&x->points, rva);
    if (!f || rva >= f->end) return DP_ERR_NOT_FOUND;
    *name = f->name;
    *disp = rva - f->rva;
    return DP_OK;
}

size_t dp_symidx_count(const struct dp_symidx *x) { return x->sized.len + x->points.len; }
