/* Present-page runs of the container formats (ELF, diskdump, raw), built from tables that were checked
 * against the file. Everything that reads physical memory through libkdumpfile asks these runs first, so
 * a page the file does not really hold is absent (DP_ERR_FAULT) instead of a read past its end. */
#include "dump_internal.h"

#include <stdlib.h>

#define MAX_CONTAINER_RUNS (1u << 20) /* far above any real memory map; bounds the run table */

int dp_runs_add(struct dp_runs_builder *b, uint64_t first_pfn, uint64_t n_pages, uint64_t file_off)
{
    struct dp_dump *d = b->d;
    if (!n_pages || first_pfn >= DP_MAX_PFN) return DP_OK;
    if (n_pages > DP_MAX_PFN - first_pfn) n_pages = DP_MAX_PFN - first_pfn;
    if (d->n_runs && d->runs[d->n_runs - 1].first_pfn + d->runs[d->n_runs - 1].n_pages == first_pfn &&
        d->runs[d->n_runs - 1].file_off + (d->runs[d->n_runs - 1].n_pages << DP_PAGE_SHIFT) == file_off) {
        d->runs[d->n_runs - 1].n_pages += n_pages; /* the common case: the next page of the same run */
        return DP_OK;
    }
    if (d->n_runs == MAX_CONTAINER_RUNS) return DP_ERR_BAD_DATA;
    if (d->n_runs == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 16;
        struct dp_extent *r = realloc(d->runs, c * sizeof *r);
        if (!r) return DP_ERR_NOMEM;
        d->runs = r;
        b->cap = c;
    }
    d->runs[d->n_runs++] = (struct dp_extent){first_pfn, n_pages, file_off};
    return DP_OK;
}

static int by_pfn(const void *a, const void *b)
{
    const struct dp_extent *x = a, *y = b;
    return x->first_pfn < y->first_pfn ? -1 : x->first_pfn > y->first_pfn;
}

/* Overlaps (ELF segments may map one physical range twice) keep the first run's bytes. */
int dp_runs_finish(struct dp_dump *d)
{
    if (!d->n_runs) return DP_OK;
    qsort(d->runs, d->n_runs, sizeof *d->runs, by_pfn);
    size_t out = 0;
    for (size_t i = 1; i < d->n_runs; i++) {
        struct dp_extent *last = &d->runs[out], *r = &d->runs[i];
        uint64_t end = last->first_pfn + last->n_pages;
        if (r->first_pfn > end || (r->first_pfn == end && r->file_off != last->file_off + (last->n_pages << DP_PAGE_SHIFT))) {
            d->runs[++out] = *r;
            continue;
        }
        uint64_t r_end = r->first_pfn + r->n_pages;
        if (r_end <= end) continue;
        if (r->first_pfn == end) last->n_pages += r->n_pages; /* contiguous in the file too */
        else d->runs[++out] = (struct dp_extent){end, r_end - end, r->file_off + ((end - r->first_pfn) << DP_PAGE_SHIFT)};
    }
    d->n_runs = out + 1;
    d->info.phys_pages_present = 0;
    for (size_t i = 0; i < d->n_runs; i++) d->info.phys_pages_present += d->runs[i].n_pages;
    return DP_OK;
}

int dp_runs_has(const struct dp_dump *d, uint64_t pfn)
{
    size_t lo = 0, hi = d->n_runs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->runs[mid].first_pfn <= pfn) lo = mid + 1;
        else hi = mid;
    }
    return lo && pfn - d->runs[lo - 1].first_pfn < d->runs[lo - 1].n_pages;
}
