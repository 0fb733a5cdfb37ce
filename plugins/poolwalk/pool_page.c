#include "pool_page.h"

#include <stddef.h>
#include <string.h>

static void hdr_at(const struct pool_fmt *f, const uint8_t *page, unsigned slot, struct pool_hdr *h)
{
    pool_decode(f, page, slot, h);
}

int pool_slot_link_ok(const struct pool_fmt *f, const uint8_t *page, unsigned slot)
{
    struct pool_hdr h, next;
    if (slot >= f->slots) return 0;
    hdr_at(f, page, slot, &h);
    if (h.size == 0 || slot + h.size > f->slots) return 0;
    if (slot + h.size == f->slots) return 1;
    hdr_at(f, page, slot + h.size, &next);
    return next.prev == h.size;
}

/* A slot worth resynchronising on: sane type, a tag that reads as text unless the block is free (free
 * blocks keep whatever the list links left there), and a size the next header agrees with. */
static int resync_candidate(const struct pool_fmt *f, const uint8_t *page, unsigned slot)
{
    struct pool_hdr h;
    hdr_at(f, page, slot, &h);
    if (h.size == 0 || !pool_type_plausible(f, h.type)) return 0;
    if (h.type != 0 && !pool_tag_printable(h.tag)) return 0;
    return pool_slot_link_ok(f, page, slot);
}

/* Follows confirmed links from SLOT; returns how many, *end is where the chain stops. */
static unsigned chain_length(const struct pool_fmt *f, const uint8_t *page, unsigned slot, unsigned *end)
{
    unsigned n = 0;
    struct pool_hdr h;
    while (slot < f->slots && n < f->slots && resync_candidate(f, page, slot)) {
        hdr_at(f, page, slot, &h);
        slot += h.size;
        n++;
    }
    *end = slot;
    return n;
}

static void mark_chain(const struct pool_fmt *f, const uint8_t *page, unsigned slot, unsigned end,
                       uint8_t *marks)
{
    struct pool_hdr h;
    memset(marks, 0, POOL_MAX_SLOTS);
    while (slot < end && slot < f->slots) {
        marks[slot] = 1;
        hdr_at(f, page, slot, &h);
        if (h.size == 0) break;
        slot += h.size;
    }
}

/* The next chain start at or after FROM. The earliest candidate is kept unless a slot inside its span
 * (not one of its own headers) starts a chain that is longer and reaches further: longest chains win,
 * yet a short genuine chain before a long one is still found. */
static unsigned find_chain(const struct pool_fmt *f, const uint8_t *page, unsigned from)
{
    uint8_t marks[POOL_MAX_SLOTS];
    unsigned best = from, end, len;
    while (best < f->slots && !resync_candidate(f, page, best)) best++;
    if (best >= f->slots) return f->slots;
    len = chain_length(f, page, best, &end);
    mark_chain(f, page, best, end, marks);
    for (unsigned t = best + 1; t < end && t < f->slots; t++) {
        unsigned e2, l2;
        if (marks[t] || !resync_candidate(f, page, t)) continue;
        l2 = chain_length(f, page, t, &e2);
        if (e2 > end && l2 > len) {
            best = t, len = l2, end = e2;
            mark_chain(f, page, best, end, marks);
        }
    }
    return best;
}

static void add_block(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p, unsigned slot,
                      int resync)
{
    struct pool_block *b;
    if (p->n_blocks >= POOL_MAX_SLOTS) return;
    b = &p->blocks[p->n_blocks++];
    b->slot = (uint16_t)slot;
    b->resync = (uint8_t)resync;
    b->confirmed = (uint8_t)pool_slot_link_ok(f, page, slot);
    hdr_at(f, page, slot, &b->h);
}

static void set_problem(struct pool_page *p, enum pool_problem why, unsigned slot)
{
    p->problem = why;
    p->problem_slot = (uint16_t)slot;
}

/* !pool's walk: list blocks from the page base until a header that cannot be a block start. */
static void walk_forward(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p)
{
    unsigned slot = 0;
    uint16_t last = 0;
    struct pool_hdr h;
    while (slot < f->slots) {
        hdr_at(f, page, slot, &h);
        /* a zero size first, as WinDbg does: a wiped header also fails the PreviousSize check */
        if (h.size == 0) {
            set_problem(p, POOL_ZERO_SIZE, slot);
        } else if (slot == 0 && h.prev != 0) {
            set_problem(p, POOL_FIRST_PREV_NONZERO, slot);
        } else if (slot > 0 && h.prev != last) {
            set_problem(p, POOL_PREV_MISMATCH, slot);
            p->problem_expected = last;
        } else if (!pool_type_plausible(f, h.type)) {
            set_problem(p, POOL_BAD_TYPE, slot);
        }
        if (p->problem != POOL_OK) return;
        add_block(f, page, p, slot, 0);
        if (slot + h.size > f->slots) {
            set_problem(p, POOL_PAST_END, slot);
            return;
        }
        last = h.size;
        slot += h.size;
    }
}

static void check_tags(const struct pool_fmt *f, struct pool_page *p)
{
    for (unsigned i = 0; i < p->n_blocks; i++) {
        const struct pool_hdr *h = &p->blocks[i].h;
        if (pool_type_allocated(f, h->type) && !pool_tag_printable(h->tag)) {
            set_problem(p, POOL_BAD_TAG, p->blocks[i].slot);
            return;
        }
    }
}

static void add_region(struct pool_page *p, unsigned start, unsigned end)
{
    if (end <= start || p->n_regions >= POOL_MAX_REGIONS) return;
    p->regions[p->n_regions].start = (uint16_t)start;
    p->regions[p->n_regions].end = (uint16_t)end;
    p->n_regions++;
}

/* Where the covered part of the walk ends: the first walked block whose size is not confirmed. */
static unsigned corruption_start(const struct pool_page *p)
{
    for (unsigned i = 0; i < p->n_walked; i++)
        if (!p->blocks[i].confirmed) return p->blocks[i].slot;
    return p->problem_slot;
}

static void note_successor(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p)
{
    for (unsigned i = 0; i < p->n_walked; i++) {
        const struct pool_block *b = &p->blocks[i];
        if (b->confirmed) continue;
        if (b->slot + b->h.size < f->slots) {
            p->has_next = 1;
            p->next_slot = (uint16_t)(b->slot + b->h.size);
            hdr_at(f, page, p->next_slot, &p->next_hdr);
        }
        return;
    }
}

static void resync(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p)
{
    unsigned start = corruption_start(p);
    for (unsigned guard = 0; guard < f->slots && start < f->slots; guard++) {
        unsigned slot = find_chain(f, page, start + 1);
        struct pool_hdr h;
        add_region(p, start, slot);
        while (slot < f->slots && resync_candidate(f, page, slot)) {
            add_block(f, page, p, slot, 1);
            hdr_at(f, page, slot, &h);
            slot += h.size;
        }
        start = slot;
    }
}

/* A region start whose header was reached through a confirmed link (or is the page base): its own
 * PreviousSize is trustworthy, so its BlockSize or the next header's PreviousSize is the bad field. */
static int reached_by_good_link(const struct pool_page *p, unsigned slot)
{
    if (slot == 0) return 1;
    for (unsigned i = 0; i < p->n_blocks; i++)
        if (p->blocks[i].confirmed && p->blocks[i].slot + p->blocks[i].h.size == slot) return 1;
    return 0;
}

static void add_repair(struct pool_page *p, unsigned slot, enum pool_repair_field field, unsigned stored,
                       unsigned expected)
{
    if (p->n_repairs >= POOL_MAX_REPAIRS) return;
    p->repairs[p->n_repairs++] = (struct pool_repair){
        .slot = (uint16_t)slot, .field = field, .stored = (uint16_t)stored, .expected = (uint16_t)expected};
}

static void infer_repairs(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p)
{
    for (unsigned i = 0; i < p->n_regions; i++) {
        unsigned a = p->regions[i].start, b = p->regions[i].end;
        struct pool_hdr x, z;
        hdr_at(f, page, a, &x);
        if (a == 0 && x.prev != 0 && pool_slot_link_ok(f, page, 0)) add_repair(p, 0, POOL_FIX_PREV_SIZE, x.prev, 0);
        if (b >= f->slots || !reached_by_good_link(p, a) || (a == 0 && x.prev != 0)) continue;
        hdr_at(f, page, b, &z);
        if (z.prev == b - a && x.size != b - a)
            add_repair(p, a, POOL_FIX_BLOCK_SIZE, x.size, b - a);
        else if (x.size == b - a && z.prev != x.size)
            add_repair(p, b, POOL_FIX_PREV_SIZE, z.prev, x.size);
    }
}

/* 19H1+ pages: a run of headers that all have PreviousSize 0 and readable tags, chained by BlockSize. */
static int segment_heap_like(const struct pool_fmt *f, const uint8_t *page)
{
    unsigned slot = 0, n = 0;
    struct pool_hdr h;
    while (slot < f->slots) {
        hdr_at(f, page, slot, &h);
        if (h.size == 0 || slot + h.size > f->slots) break;
        if (h.prev != 0 || !pool_tag_printable(h.tag) || !pool_type_plausible(f, h.type)) return 0;
        n++;
        slot += h.size;
    }
    return n >= 2;
}

static void list_ignoring_prev(const struct pool_fmt *f, const uint8_t *page, struct pool_page *p)
{
    unsigned slot = 0;
    struct pool_hdr h;
    p->n_blocks = 0;
    while (slot < f->slots) {
        hdr_at(f, page, slot, &h);
        if (h.size == 0 || slot + h.size > f->slots || !pool_tag_printable(h.tag)) break;
        add_block(f, page, p, slot, 0);
        slot += h.size;
    }
    p->n_walked = p->n_blocks;
}

static int believable_first_header(const struct pool_fmt *f, const uint8_t *page)
{
    struct pool_hdr h;
    hdr_at(f, page, 0, &h);
    return h.prev == 0 && resync_candidate(f, page, 0);
}

void pool_page_analyze(const struct pool_fmt *f, const uint8_t *page, int interest_page_aligned,
                       struct pool_page *out)
{
    memset(out, 0, offsetof(struct pool_page, blocks));
    out->n_blocks = out->n_walked = out->n_regions = out->n_repairs = 0;
    out->has_next = 0;
    walk_forward(f, page, out);
    out->n_walked = out->n_blocks;
    if (out->problem == POOL_OK) check_tags(f, out);
    if (out->problem == POOL_OK) {
        out->verdict = POOL_PAGE_VALID;
        return;
    }
    if (interest_page_aligned && !believable_first_header(f, page)) {
        out->verdict = POOL_PAGE_BIG;
        out->n_blocks = out->n_walked = 0;
        return;
    }
    if (segment_heap_like(f, page)) {
        out->verdict = POOL_PAGE_SEGMENT_HEAP;
        list_ignoring_prev(f, page, out);
        return;
    }
    if (f->segment_heap) {
        out->verdict = POOL_PAGE_UNRECOGNISED;
        out->n_blocks = out->n_walked = 0;
        return;
    }
    out->verdict = POOL_PAGE_INVALID;
    if (out->problem == POOL_BAD_TAG) {
        add_region(out, out->problem_slot, out->problem_slot + 1u);
        return;
    }
    note_successor(f, page, out);
    resync(f, page, out);
    infer_repairs(f, page, out);
}

int pool_page_block_at(const struct pool_fmt *f, const struct pool_page *p, unsigned off)
{
    unsigned slot = off / f->gran;
    for (unsigned i = 0; i < p->n_blocks; i++) {
        unsigned s = p->blocks[i].slot, e = s + p->blocks[i].h.size;
        if (slot >= s && slot < e) return (int)i;
    }
    return -1;
}

const char *pool_problem_text(enum pool_problem p)
{
    switch (p) {
    case POOL_OK: return "no problem";
    case POOL_FIRST_PREV_NONZERO: return "the first header's previous size is not zero";
    case POOL_PREV_MISMATCH: return "previous size does not match the block before";
    case POOL_ZERO_SIZE: return "zero block size";
    case POOL_PAST_END: return "block runs past the page end";
    case POOL_BAD_TYPE: return "impossible pool type";
    case POOL_BAD_TAG: return "tag not printable";
    }
    return "unknown";
}
