/* One pool page judged the way !pool and !poolval judge it: the forward walk, the verdict, the corrupt
 * regions that consistent header chains do not cover, and the single fields that can be repaired.
 * Pure functions over a 4096-byte buffer: no allocation, every loop bounded by the page's slot count. */
#ifndef POOLWALK_POOL_PAGE_H
#define POOLWALK_POOL_PAGE_H

#include "pool_header.h"

enum pool_verdict {
    POOL_PAGE_VALID = 0,
    POOL_PAGE_INVALID,
    POOL_PAGE_BIG,          /* page-aligned address on a page that is not a small-pool page */
    POOL_PAGE_SEGMENT_HEAP, /* 19H1+ page: headers carry tags but PreviousSize is always 0 */
    POOL_PAGE_UNRECOGNISED, /* 19H1+ dump, no header chain at all: not judged, never called corrupt */
};

/* Why the forward walk stopped, or the first soft problem on a page whose sizes chain. */
enum pool_problem {
    POOL_OK = 0,
    POOL_FIRST_PREV_NONZERO, /* header at the page base has PreviousSize != 0 */
    POOL_PREV_MISMATCH,      /* PreviousSize differs from the size of the block before */
    POOL_ZERO_SIZE,
    POOL_PAST_END,           /* BlockSize runs past the page end */
    POOL_BAD_TYPE,
    POOL_BAD_TAG,            /* allocated block whose tag is not printable */
};

struct pool_block {
    uint16_t slot;
    uint8_t resync;    /* found by resynchronising after the walk broke */
    uint8_t confirmed; /* its BlockSize lands on a header that agrees, or on the page end */
    struct pool_hdr h;
};

struct pool_region {
    uint16_t start, end; /* slots, end exclusive */
};

enum pool_repair_field { POOL_FIX_PREV_SIZE = 0, POOL_FIX_BLOCK_SIZE };

struct pool_repair {
    uint16_t slot;
    enum pool_repair_field field;
    uint16_t stored, expected; /* units */
};

#define POOL_MAX_REGIONS 64
#define POOL_MAX_REPAIRS 16

struct pool_page {
    enum pool_verdict verdict;
    enum pool_problem problem;
    uint16_t problem_slot;
    uint16_t problem_expected; /* PREV_MISMATCH: the size the header should have named */
    struct pool_block blocks[POOL_MAX_SLOTS];
    unsigned n_blocks;
    unsigned n_walked; /* blocks[0 .. n_walked-1] come from the forward walk, the rest from resync */
    struct pool_region regions[POOL_MAX_REGIONS];
    unsigned n_regions;
    struct pool_repair repairs[POOL_MAX_REPAIRS];
    unsigned n_repairs;
    /* the header where the first unconfirmed walked block says its successor is (the block an
     * overrun of it hits first); has_next is 0 when that lies past the page */
    int has_next;
    uint16_t next_slot;
    struct pool_hdr next_hdr;
};

/* Judges PAGE. interest_page_aligned: the address being asked about is the page base, so a page that
 * does not start with a small-pool header is taken for a big-pool allocation rather than corruption. */
void pool_page_analyze(const struct pool_fmt *f, const uint8_t *page, int interest_page_aligned,
                       struct pool_page *out);

/* True when the header at SLOT is a believable block start whose size is confirmed by the header it
 * lands on (or by the page end). */
int pool_slot_link_ok(const struct pool_fmt *f, const uint8_t *page, unsigned slot);

/* Index of the block containing byte offset OFF of the page, or -1. */
int pool_page_block_at(const struct pool_fmt *f, const struct pool_page *p, unsigned off);

const char *pool_problem_text(enum pool_problem p);

#endif
