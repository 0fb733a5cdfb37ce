#include "pool_render.h"

#include <inttypes.h>
#include <stdio.h>

void pool_format_addr(const struct pool_fmt *f, uint64_t addr, char out[24])
{
    if (f->layout == POOL_LAYOUT_X86)
        snprintf(out, 24, "%08" PRIx64, addr & 0xffffffffu);
    else
        snprintf(out, 24, "%08" PRIx64 "`%08" PRIx64, addr >> 32, addr & 0xffffffffu);
}

static int block_has_interest(const struct pool_fmt *f, const struct pool_block *b, uint64_t page_va,
                              const uint64_t *interest, unsigned n)
{
    uint64_t start = page_va + (uint64_t)b->slot * f->gran, end = start + (uint64_t)b->h.size * f->gran;
    for (unsigned i = 0; i < n; i++)
        if (interest[i] >= start && interest[i] < end) return 1;
    return 0;
}

const char *pool_region_name(const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va,
                             const uint64_t *interest, unsigned n_interest)
{
    const struct pool_block *pick = NULL;
    for (unsigned i = 0; i < p->n_blocks && !pick; i++)
        if (pool_type_allocated(f, p->blocks[i].h.type) &&
            block_has_interest(f, &p->blocks[i], page_va, interest, n_interest))
            pick = &p->blocks[i];
    for (unsigned i = 0; i < p->n_blocks && !pick; i++)
        if (pool_type_allocated(f, p->blocks[i].h.type)) pick = &p->blocks[i];
    if (!pick) return NULL;
    return pool_type_paged(f, pick->h.type) ? "Paged pool" : "Nonpaged pool";
}

void pool_render_block(struct dp_text *t, const struct pool_fmt *f, const struct pool_block *b, uint64_t page_va,
                       int of_interest)
{
    char addr[24], tag[5], state[16];
    pool_format_addr(f, page_va + (uint64_t)b->slot * f->gran, addr);
    pool_tag_text(b->h.tag, tag);
    snprintf(state, sizeof state, "(%s)", pool_type_state(f, b->h.type));
    dp_text_printf(t, "%c%s size: %4x previous size: %4x  %-12s%c%s%s\n", of_interest ? '*' : ' ', addr,
                (unsigned)b->h.size * f->gran, (unsigned)b->h.prev * f->gran, state, of_interest ? '*' : ' ',
                tag, (b->h.tag & DP_POOL_PROTECTED) ? " (Protected)" : "");
}

static void render_problem(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va)
{
    char addr[24];
    struct pool_hdr h = {0};
    unsigned slot = p->problem_slot;
    pool_format_addr(f, page_va + (uint64_t)slot * f->gran, addr);
    for (unsigned i = 0; i < p->n_blocks; i++)
        if (p->blocks[i].slot == slot) h = p->blocks[i].h;
    switch (p->problem) {
    case POOL_ZERO_SIZE:
        dp_text_printf(t, "%s is freed (or corrupt) pool\nBad allocation size @%s, zero is invalid\n", addr, addr);
        break;
    case POOL_PAST_END:
        dp_text_printf(t, "Bad allocation size @%s, 0x%x bytes run 0x%x bytes past the page end\n", addr,
                    (unsigned)h.size * f->gran, (slot + h.size - f->slots) * f->gran);
        break;
    case POOL_PREV_MISMATCH:
        dp_text_printf(t, "Bad previous allocation size @%s, last size was 0x%x\n", addr,
                    (unsigned)p->problem_expected * f->gran);
        break;
    case POOL_FIRST_PREV_NONZERO:
        dp_text_printf(t, "Bad previous allocation size @%s, the first block of a page must have previous size 0\n",
                    addr);
        break;
    case POOL_BAD_TYPE: dp_text_printf(t, "Bad pool type @%s, the header's pool type is impossible\n", addr); break;
    case POOL_BAD_TAG: dp_text_printf(t, "Bad pool tag @%s, the tag is not printable\n", addr); break;
    case POOL_OK: break;
    }
}

static void render_repairs(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va)
{
    unsigned single = 0;
    char addr[24];
    for (unsigned i = 0; i < p->n_repairs; i++) {
        const struct pool_repair *r = &p->repairs[i];
        pool_format_addr(f, page_va + (uint64_t)r->slot * f->gran, addr);
        dp_text_printf(t, "[ %s ]: invalid %s [ 0x%x ] should be [ 0x%x ]\n", addr,
                    r->field == POOL_FIX_PREV_SIZE ? "previous size" : "block size", r->stored, r->expected);
    }
    dp_text_printf(t, "\nScanning for single bit errors...\n\n");
    for (unsigned i = 0; i < p->n_repairs; i++) {
        const struct pool_repair *r = &p->repairs[i];
        unsigned x = (unsigned)(r->stored ^ r->expected);
        if (x == 0 || (x & (x - 1)) != 0) continue;
        pool_format_addr(f, page_va + (uint64_t)r->slot * f->gran, addr);
        dp_text_printf(t, "[ %s ] %s: stored 0x%x, expected 0x%x: single bit error (bit %u)\n", addr,
                    r->field == POOL_FIX_PREV_SIZE ? "previous size" : "block size", r->stored, r->expected,
                    (unsigned)__builtin_ctz(x));
        single++;
    }
    if (!single) dp_text_printf(t, "None found\n");
}

static void render_diagnosis(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va)
{
    char base[24], a[24], b[24];
    pool_format_addr(f, page_va, base);
    render_problem(t, f, p, page_va);
    dp_text_printf(t, "\n***\n*** An error (or corruption) in the pool was detected;\n"
                   "*** Attempting to diagnose the problem.\n***\n*** Use !poolval %s for more details.\n***\n\n",
                base);
    dp_text_printf(t, "Pool page [ %s ] is __inVALID.\n\nAnalyzing linked list...\n", base);
    for (unsigned i = 0; i < p->n_regions; i++) {
        const struct pool_region *r = &p->regions[i];
        pool_format_addr(f, page_va + (uint64_t)r->start * f->gran, a);
        pool_format_addr(f, page_va + (uint64_t)r->end * f->gran, b);
        dp_text_printf(t, "[ %s --> %s (size = 0x%x bytes)]: Corrupt region\n", a, b,
                    (unsigned)(r->end - r->start) * f->gran);
    }
    render_repairs(t, f, p, page_va);
}

static void render_resynced(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va,
                            const uint64_t *interest, unsigned n)
{
    if (p->n_blocks <= p->n_walked) return;
    dp_text_printf(t, "\nBlocks found after resynchronising on consistent headers:\n");
    for (unsigned i = p->n_walked; i < p->n_blocks; i++)
        pool_render_block(t, f, &p->blocks[i], page_va, block_has_interest(f, &p->blocks[i], page_va, interest, n));
}

void pool_render_page(struct dp_text *t, const struct pool_fmt *f, const struct pool_page *p, uint64_t page_va,
                      const uint64_t *interest, unsigned n_interest)
{
    char first[24], base[24];
    const char *region = pool_region_name(f, p, page_va, interest, n_interest);
    pool_format_addr(f, n_interest ? interest[0] : page_va, first);
    pool_format_addr(f, page_va, base);
    if (p->verdict == POOL_PAGE_BIG) {
        dp_text_printf(t, "%s: not a valid small pool page; may be a big-pool allocation "
                       "(big pool has no header, its tag lives in nt!PoolBigPageTable)\n", first);
        return;
    }
    if (p->verdict == POOL_PAGE_UNRECOGNISED) {
        dp_text_printf(t, "%s: no pool header chain on page %s. From build %u on, pool pages are segment-heap "
                       "pages whose layout needs the kernel's heap keys, so the page is not judged.\n",
                    first, base, POOL_SEGMENT_HEAP_BUILD);
        return;
    }
    dp_text_printf(t, "Pool page %s region is %s\n", first, region ? region : "Unknown");
    for (unsigned i = 0; i < p->n_walked; i++)
        pool_render_block(t, f, &p->blocks[i], page_va,
                          block_has_interest(f, &p->blocks[i], page_va, interest, n_interest));
    if (p->verdict == POOL_PAGE_SEGMENT_HEAP) {
        dp_text_printf(t, "\nPool page [ %s ] is a segment-heap page (Windows 10 19H1+): headers carry tags but "
                       "no previous sizes, so the classic page checks do not apply.\n", base);
    } else if (p->verdict == POOL_PAGE_VALID) {
        dp_text_printf(t, "\nPool page [ %s ] is VALID.\n", base);
    } else {
        render_diagnosis(t, f, p, page_va);
        render_resynced(t, f, p, page_va, interest, n_interest);
    }
}
