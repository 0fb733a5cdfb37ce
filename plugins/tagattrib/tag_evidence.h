/* Searching the loaded modules' images in the dump for the tags of interest. */
#ifndef TAGATTRIB_TAG_EVIDENCE_H
#define TAGATTRIB_TAG_EVIDENCE_H

#include <dumppipe/dumppipe.h>

#include "tag_code.h"

#define TAG_MAX_CANDIDATES 8

struct tag_candidate {
    const struct dp_module *module;
    struct tag_hit best; /* the strongest site */
    unsigned n_code, n_literal;
    unsigned score; /* 3 code followed by a call, 2 code, 1 literal */
};

struct tag_query {
    uint32_t tag; /* Protected bit stripped */
    char text[5];
    const char *role; /* "corrupt block", "previous neighbour", "next neighbour", "asked for" */
    uint64_t block;   /* the block it was read from, 0 for tags asked for by option */
    struct tag_candidate cand[TAG_MAX_CANDIDATES];
    unsigned n_cand;
};

struct tag_search_stats {
    unsigned modules, searched, skipped_no_headers, skipped_absent;
    uint64_t pages_absent;
};

/* Fills each query's candidates, best first. */
void tag_search_modules(dp_ctx *c, struct tag_query *q, unsigned nq, struct tag_search_stats *st);

#endif
