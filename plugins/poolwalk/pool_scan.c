#include "pool_scan.h"

#include <string.h>

int pool_page_candidate(const struct pool_fmt *f, const uint8_t *page)
{
    struct pool_hdr h, next;
    pool_decode(f, page, 0, &h);
    if (h.prev != 0 || h.size == 0 || !pool_type_plausible(f, h.type) || !pool_tag_printable(h.tag)) return 0;
    if (!pool_slot_link_ok(f, page, 0)) return 0;
    if (h.size == f->slots) return 1; /* one block fills the page */
    /* the header the first block lands on agrees with it and reads as a header itself: random data
     * passes both tests about once in millions of pages, a pool page whose second block is corrupt
     * still does */
    pool_decode(f, page, h.size, &next);
    return pool_type_plausible(f, next.type) && (next.type == 0 || pool_tag_printable(next.tag));
}

void pool_tag_stats_add(struct pool_tag_stats *s, const struct pool_fmt *f, const struct pool_hdr *h)
{
    uint32_t tag = h->tag & ~DP_POOL_PROTECTED;
    unsigned i;
    if (tag == 0) tag = 0x20202020u; /* an all-zero tag would read as an empty slot */
    i = (tag * 2654435761u) % POOL_TAG_SLOTS;
    for (unsigned probe = 0; probe < POOL_TAG_SLOTS; probe++, i = (i + 1) % POOL_TAG_SLOTS) {
        struct pool_tag_stat *e = &s->slot[i];
        if (e->tag != 0 && e->tag != tag) continue;
        if (e->tag == 0) {
            e->tag = tag;
            s->used++;
        }
        if (pool_type_allocated(f, h->type)) {
            e->allocs++;
            e->bytes += (uint64_t)h->size * f->gran;
        } else {
            e->frees++;
        }
        return;
    }
    s->overflow_blocks++;
}

unsigned pool_tag_stats_top(const struct pool_tag_stats *s, unsigned *order, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < POOL_TAG_SLOTS; i++) {
        unsigned pos;
        if (s->slot[i].tag == 0) continue;
        /* insertion into a short sorted list: max is small (the report's top-N) */
        for (pos = n; pos > 0 && s->slot[order[pos - 1]].bytes < s->slot[i].bytes; pos--)
            if (pos < max) order[pos] = order[pos - 1];
        if (pos < max) {
            order[pos] = i;
            if (n < max) n++;
        }
    }
    return n;
}
