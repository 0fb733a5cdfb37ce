/* bitflip's reasoning, as pure functions over numbers, byte buffers and small structs: which stored
 * values are one bit away from what they should be, and how sure that makes us. */
#ifndef BF_BITS_H
#define BF_BITS_H

#include <stddef.h>
#include <stdint.h>

/* The bit in which a and b differ when they differ in exactly one bit, else -1. */
int bf_single_bit(uint64_t a, uint64_t b);

/* One piece of evidence: at addr the dump holds `stored`; `corrected` is what it should hold; they
 * differ in bit `bit` of the field (header_bit: the bit within the containing dword/qword, or -1). */
struct bf_evidence {
    char kind[24]; /* "pool.prev_size", "pool.block_size", "pool.type", "pool.tag", "list.flink", ... */
    uint64_t addr;
    uint64_t stored, corrected;
    int bit;
    unsigned confidence;
    char what[128];
};

/* ---- pool headers ---- */
struct bf_pool_layout {
    unsigned unit;      /* bytes per size unit: 8 (x86) or 16 (x64) */
    unsigned prev_bit;  /* where PreviousSize starts in the header's first dword */
    unsigned size_bit;  /* where BlockSize starts */
    unsigned type_bit;  /* where PoolType starts */
};
void bf_pool_layout_for(unsigned ptr_size, struct bf_pool_layout *out);

/* A pool.repair row (values in units): evidence when stored and expected differ in one bit. */
int bf_check_repair(const struct bf_pool_layout *l, uint64_t addr, int is_prev_size, uint64_t stored,
                    uint64_t expected, struct bf_evidence *out);

/* A block as poolwalk saw it (sizes in bytes) plus its raw tag dword (Protected bit stripped). */
struct bf_block {
    uint64_t addr, size, prev_size, pool_type;
    uint32_t tag;
    int allocated;
    int resync;
};

/* Checks the blocks of one page, sorted by address: PreviousSize against the adjacent block's size, a
 * pool type that no other allocated block has but one bit from one that does, and an unprintable tag
 * one bit from a tag on the page. Returns how many evidences were written (at most max). */
size_t bf_check_blocks(const struct bf_pool_layout *l, const struct bf_block *b, size_t n, struct bf_evidence *out,
                       size_t max);

/* ---- pointers ---- */
/* The memory the pointer checks read, supplied by the caller (the dump in the plugin). */
struct bf_mem {
    int (*read_ptr)(void *ud, uint64_t va, uint64_t *out); /* 0 when readable */
    int (*valid)(void *ud, uint64_t va);                    /* a plausible target: in a module, or mapped */
    void *ud;
    unsigned ptr_size;
};

/* Counts the single-bit corrections of `stored` that satisfy ok(); fixed and bit get the first one. */
unsigned bf_fix_value(uint64_t stored, unsigned width_bits, int (*ok)(void *ud, uint64_t cand), void *ud,
                      uint64_t *fixed, int *bit);

/* A LIST_ENTRY at `entry` holding flink, blink: when one side links back and the other does not, but
 * does after a one-bit correction (a unique one), writes the evidence and returns 1. */
int bf_check_list_entry(const struct bf_mem *m, uint64_t entry, uint64_t flink, uint64_t blink,
                        struct bf_evidence *out);

/* ---- code ---- */
struct bf_code_stats {
    uint64_t bytes_compared;
    unsigned single_bit, patches, hooks;
};

/* Compares a module's code in the dump with the reference image's bytes at the same addresses.
 * Differences closer than a few bytes form one change; a change of one byte in one bit is evidence,
 * the rest are counted as patches (a jmp/call/push-ret written over code counts as a hook). */
size_t bf_compare_code(const uint8_t *dump, const uint8_t *ref, size_t len, uint64_t va, struct bf_code_stats *st,
                       struct bf_evidence *out, size_t max);

/* ---- verdict ---- */
/* Independent pieces combine: 1 - prod(1 - c_i); capped at 99. */
unsigned bf_combine(const struct bf_evidence *e, size_t n);
#define BF_SUSPECT_THRESHOLD 50

#endif
