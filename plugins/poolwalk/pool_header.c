#include "pool_header.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void pool_fmt_init(struct pool_fmt *f, enum pool_layout layout, uint32_t build)
{
    f->layout = layout;
    f->gran = layout == POOL_LAYOUT_X64 ? 16u : 8u;
    f->slots = POOL_PAGE_SIZE / f->gran;
    /* x64 XP/2003 existed but used the Vista-style parity; an unknown x86 build is most often XP-era. */
    f->xp_types = layout == POOL_LAYOUT_X86 && (build == 0 || build < 6000);
    f->segment_heap = build >= POOL_SEGMENT_HEAP_BUILD;
}

void pool_decode(const struct pool_fmt *f, const uint8_t *page, unsigned slot, struct pool_hdr *out)
{
    const uint8_t *h = page + (slot % f->slots) * f->gran;
    if (f->layout == POOL_LAYOUT_X64) {
        out->prev = h[0];
        out->index = h[1];
        out->size = h[2];
        out->type = h[3];
    } else {
        uint16_t w0 = rd16(h), w1 = rd16(h + 2);
        out->prev = w0 & 0x1ff;
        out->index = (uint8_t)(w0 >> 9);
        out->size = w1 & 0x1ff;
        out->type = (uint8_t)(w1 >> 9);
    }
    out->tag = rd32(h + 4);
}

/* XP/2003 stores ((type & (paged|quota|session|verifier)) + 1) | in-use(4): the low two bits are 1 or 2
 * and bit 0x10 is never set. Vista+ stores base|2 with quota/session bits on top. */
int pool_type_plausible(const struct pool_fmt *f, uint8_t type)
{
    if (type == 0) return 1;
    if (type & 0x80) return 0;
    if (f->xp_types) return (type & 0x10) == 0 && ((type & 3) == 1 || (type & 3) == 2);
    return (type & 2) != 0 && (type & 0x10) == 0;
}

int pool_type_allocated(const struct pool_fmt *f, uint8_t type)
{
    if (type == 0) return 0;
    return f->xp_types ? (type & 4) != 0 : 1;
}

const char *pool_type_state(const struct pool_fmt *f, uint8_t type)
{
    if (type == 0) return "Free";
    return pool_type_allocated(f, type) ? "Allocated" : "Free ";
}

int pool_type_paged(const struct pool_fmt *f, uint8_t type)
{
    /* XP: (base + 1), so PagedPool (1) becomes even; Vista+: base | 2, so paged stays odd. */
    return f->xp_types ? (type & 1) == 0 : (type & 1) != 0;
}

int pool_tag_printable(uint32_t tag)
{
    tag &= ~DP_POOL_PROTECTED;
    for (int i = 0; i < 4; i++) {
        unsigned c = (tag >> (8 * i)) & 0xff;
        if (c < 0x20 || c > 0x7e) return 0;
    }
    return 1;
}

void pool_tag_text(uint32_t tag, char out[5])
{
    tag &= ~DP_POOL_PROTECTED;
    for (int i = 0; i < 4; i++) {
        unsigned c = (tag >> (8 * i)) & 0xff;
        out[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
    }
    out[4] = 0;
}
