/* Classic kernel pool headers (NT 4 .. Windows 10 1809): decoding and plausibility, over raw bytes. */
#ifndef POOLWALK_POOL_HEADER_H
#define POOLWALK_POOL_HEADER_H

#include <stdint.h>

#define POOL_PAGE_SIZE 4096u
#define POOL_MAX_SLOTS (POOL_PAGE_SIZE / 8u)
#include <dumppipe/dumppipe.h> /* DP_POOL_PROTECTED */
#define POOL_SEGMENT_HEAP_BUILD 18362u

enum pool_layout { POOL_LAYOUT_X86 = 0, POOL_LAYOUT_X64 };

/* How to read headers on one dump: layout, and the era that decides what PoolType values mean. */
struct pool_fmt {
    enum pool_layout layout;
    unsigned gran;      /* bytes per size unit: 8 or 16 */
    unsigned slots;     /* header positions per page: 512 or 256 */
    int xp_types;       /* Windows XP/2003 encoding: in-use bit 4, odd = nonpaged */
    int segment_heap;   /* build >= 18362: pages are segment-heap, classic invariants do not hold */
};

struct pool_hdr {
    uint16_t prev;  /* PreviousSize, units */
    uint16_t size;  /* BlockSize, units, header included */
    uint8_t index;  /* PoolIndex */
    uint8_t type;   /* PoolType as stored */
    uint32_t tag;   /* as stored, Protected bit included */
};

/* build: the dump's build number, 0 when unknown (then x86 is taken as XP-era, x64 as Vista+). */
void pool_fmt_init(struct pool_fmt *f, enum pool_layout layout, uint32_t build);

/* Header at SLOT (0 .. f->slots-1) of a 4096-byte page. */
void pool_decode(const struct pool_fmt *f, const uint8_t *page, unsigned slot, struct pool_hdr *out);

int pool_type_plausible(const struct pool_fmt *f, uint8_t type);
/* "Allocated", "Free", or "Free " (non-zero type with the XP in-use bit clear: parked on a lookaside). */
const char *pool_type_state(const struct pool_fmt *f, uint8_t type);
int pool_type_allocated(const struct pool_fmt *f, uint8_t type);
int pool_type_paged(const struct pool_fmt *f, uint8_t type);

/* Four printable ASCII characters once the Protected bit is stripped. */
int pool_tag_printable(uint32_t tag);
/* Writes the 4-character tag (Protected bit stripped) and a NUL into out[5]; unprintables become '?'. */
void pool_tag_text(uint32_t tag, char out[5]);

#endif
