/* A raw physical memory image (.raw/.mem/.bin, what a VMware .vmem is for a guest below 3 GiB):
 * physical page N at file offset N * 4096, up to the highest present page. Pages no run holds are
 * zeros, left as holes in a sparse file. */
#include "dpgen.h"

#include <unistd.h>

uint64_t gen_max_pfn(const struct gen *g)
{
    uint64_t max = 0;
    for (size_t r = 0; r < g->n_runs; r++)
        if (g->runs[r].base_pfn + g->runs[r].count > max) max = g->runs[r].base_pfn + g->runs[r].count;
    return max;
}

int write_raw(struct gen *g, FILE *f)
{
    for (size_t r = 0; r < g->n_runs; r++) {
        if (fseeko(f, (off_t)(g->runs[r].base_pfn * PAGE_SIZE), SEEK_SET) != 0) return fail(g, NULL, "seek error");
        for (uint64_t p = 0; p < g->runs[r].count; p++)
            if (fwrite(pm_page_or_zero(g, g->runs[r].base_pfn + p), PAGE_SIZE, 1, f) != 1) return fail(g, NULL, "write error");
    }
    /* the file ends at the highest present page even when the last run was written first */
    if (fflush(f) != 0 || ftruncate(fileno(f), (off_t)(gen_max_pfn(g) * PAGE_SIZE)) != 0) return fail(g, NULL, "write error");
    return 0;
}
