/* Whole-dump pool scan (scope: all): a cheap test for "this physical page looks like a small-pool page"
 * and fixed-size per-tag counters like !poolused. Nothing here allocates per page. */
#ifndef POOLWALK_POOL_SCAN_H
#define POOLWALK_POOL_SCAN_H

#include <stdint.h>

#include "pool_page.h"

#define POOL_TAG_SLOTS 4096u /* distinct tags counted; more are folded into `overflow` */

struct pool_tag_stat {
    uint32_t tag; /* Protected bit stripped; 0 = empty slot */
    uint64_t allocs, bytes, frees;
};

struct pool_tag_stats {
    struct pool_tag_stat slot[POOL_TAG_SLOTS];
    unsigned used;
    uint64_t overflow_blocks;
};

/* Cheap pre-filter: a header at the page base with PreviousSize 0, a sane type and a readable tag,
 * whose BlockSize lands on a believable header that names it as its PreviousSize (or on the page end). */
int pool_page_candidate(const struct pool_fmt *f, const uint8_t *page);

void pool_tag_stats_add(struct pool_tag_stats *s, const struct pool_fmt *f, const struct pool_hdr *h);
/* Indices of used slots sorted by bytes, descending; returns how many were written (<= max). */
unsigned pool_tag_stats_top(const struct pool_tag_stats *s, unsigned *order, unsigned max);


#endif
