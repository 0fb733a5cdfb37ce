/* Text of a judged pool page, laid out as WinDbg's !pool and !poolval lay it out. */
#ifndef POOLWALK_POOL_RENDER_H
#define POOLWALK_POOL_RENDER_H

#include <stdint.h>

#include "pool_page.h"

/* x86 addresses as 8 hex digits, x64 as WinDbg's "ffffe000`0123e000". */
void pool_format_addr(const struct pool_fmt *f, uint64_t addr, char out[24]);

/* "Nonpaged pool" / "Paged pool" from the first allocated block holding an address of interest,
 * else the first allocated block; NULL when nothing on the page says. */
const char *pool_region_name(const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va,
                             const uint64_t *interest, unsigned n_interest);

/* The whole report for one page: listing, then the diagnosis when the page is not valid. */
void pool_render_page(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va,
                      const uint64_t *interest, unsigned n_interest);

/* One line per block of the listing (the seed's columns). */
void pool_render_block(struct dp_text *t, const struct pool_fmt *f, const struct pool_block *b, uint64_t page_va,
                       int of_interest);

#endif
