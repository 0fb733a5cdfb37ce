/* Full kernel dumps: DumpType 1 (runs in the header, pages run after run from the header's end)
 * and DumpType 5 (an "SDMP" bitmap header after the main header, pages in PFN order). */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

static int put_pages(struct gen *g, FILE *f)
{
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = 0; p < g->runs[r].count; p++)
            if (fwrite(pm_page_or_zero(g, g->runs[r].base_pfn + p), PAGE_SIZE, 1, f) != 1)
                return fail(g, NULL, "write error");
    return 0;
}

static int write_complete(struct gen *g, FILE *f, uint8_t *h)
{
    hdr_fill(g, h, 1);
    hdr_set_runs(g, h);
    hdr_set_required_space(g, h, hdr_size(g) + pm_present_pages(g) * PAGE_SIZE);
    if (fwrite(h, hdr_size(g), 1, f) != 1)
        return fail(g, NULL, "write error");
    return put_pages(g, f);
}

/* Bit i of the bitmap (LSB first) marks PFN i as stored; the bitmap covers all of memory.size. */
static int write_bitmap(struct gen *g, FILE *f, uint8_t *h)
{
    uint64_t bits = g->mem_size / PAGE_SIZE, bm_bytes = align_up(bits, 64) / 8;
    uint64_t first = align_up(hdr_size(g) + 0x38 + bm_bytes, PAGE_SIZE), present = pm_present_pages(g);
    uint8_t *sd = xcalloc(1, first - hdr_size(g));
    memcpy(sd, "SDMP", 4);
    memcpy(sd + 4, "DUMP", 4);
    put_le(sd + 0x20, first, 8);
    put_le(sd + 0x28, present, 8);
    put_le(sd + 0x30, bits, 8);
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = g->runs[r].base_pfn; p < g->runs[r].base_pfn + g->runs[r].count; p++)
            sd[0x38 + p / 8] |= (uint8_t)(1u << (p % 8));
    hdr_fill(g, h, 5);
    hdr_set_required_space(g, h, first + present * PAGE_SIZE);
    int rc = fwrite(h, hdr_size(g), 1, f) == 1 && fwrite(sd, first - hdr_size(g), 1, f) == 1 ? 0 : -1;
    free(sd);
    if (rc)
        return fail(g, NULL, "write error");
    return put_pages(g, f); /* runs are ascending, so this is PFN order */
}

int write_kdmp(struct gen *g, FILE *f)
{
    uint8_t *h = xcalloc(1, hdr_size(g));
    int rc = g->type == DT_BITMAP ? write_bitmap(g, f, h) : write_complete(g, f, h);
    free(h);
    return rc;
}
