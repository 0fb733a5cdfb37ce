/* State shared by poolwalk's interest walk and its whole-dump scan. */
#ifndef POOLWALK_POOLWALK_H
#define POOLWALK_POOLWALK_H

#include <dumppipe/dumppipe.h>

#include "pool_page.h"
#include "pool_scan.h"

struct poolwalk_state {
    struct pool_fmt fmt;
    uint8_t buf[POOL_PAGE_SIZE];
    struct pool_page page;
    struct dp_text text;
    struct pool_tag_stats stats;
    unsigned pages_walked;
};

int poolwalk_pick_format(dp_ctx *c, struct pool_fmt *f);
/* scope: all. INTEREST pages (virtual) already reported are skipped by their physical address. */
int poolwalk_scan_all(dp_ctx *c, struct poolwalk_state *st, const uint64_t *interest, unsigned n_interest);

#endif
