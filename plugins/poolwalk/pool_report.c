#include "pool_report.h"

#include <stdio.h>

#include "pool_render.h"

const char *pool_layout_name(const struct pool_fmt *f, const struct pool_page *p)
{
    if (p->verdict == POOL_PAGE_BIG) return "big-pool";
    if (p->verdict == POOL_PAGE_SEGMENT_HEAP || p->verdict == POOL_PAGE_UNRECOGNISED) return "segment-heap";
    return f->layout == POOL_LAYOUT_X64 ? "x64" : "x86";
}

static uint64_t block_addr(const struct pool_report_page *r, const struct pool_block *b)
{
    return r->base + (uint64_t)b->slot * r->fmt->gran;
}

static int has_interest(const struct pool_report_page *r, const struct pool_block *b)
{
    uint64_t s = block_addr(r, b), e = s + (uint64_t)b->h.size * r->fmt->gran;
    for (unsigned i = 0; i < r->n_interest; i++)
        if (r->interest[i] >= s && r->interest[i] < e) return 1;
    return 0;
}

static void publish_blocks(dp_ctx *c, const struct pool_report_page *r)
{
    const struct pool_fmt *f = r->fmt;
    for (unsigned i = 0; i < r->page->n_blocks; i++) {
        const struct pool_block *b = &r->page->blocks[i];
        char tag[5];
        pool_tag_text(b->h.tag, tag);
        struct dp_field row[] = {
            DP_ADDR("addr", block_addr(r, b)), DP_ADDR("page", r->base),
            DP_U64("size", (uint64_t)b->h.size * f->gran), DP_U64("prev_size", (uint64_t)b->h.prev * f->gran),
            DP_U64("pool_type", b->h.type), DP_U64("pool_index", b->h.index), DP_STR("tag", tag),
            DP_BOOL("protected", b->h.tag & DP_POOL_PROTECTED), DP_BOOL("allocated", pool_type_allocated(f, b->h.type)),
            DP_BOOL("of_interest", has_interest(r, b)), DP_BOOL("resync", b->resync), DP_BOOL("physical", r->physical),
        };
        dp_publish(c, "pool.block", row, sizeof row / sizeof row[0]);
    }
}

/* The corrupt block: the first walked block whose size the page does not confirm. */
static int corrupt_block_index(const struct pool_page *p)
{
    for (unsigned i = 0; i < p->n_walked; i++)
        if (!p->blocks[i].confirmed) return (int)i;
    return -1;
}

static void publish_neighbour(dp_ctx *c, const struct pool_report_page *r, unsigned slot, const struct pool_hdr *h,
                              uint64_t of, const char *rel)
{
    char tag[5];
    if (!pool_tag_printable(h->tag)) return; /* a garbage tag names no owner */
    pool_tag_text(h->tag, tag);
    struct dp_field row[] = {DP_ADDR("addr", r->base + (uint64_t)slot * r->fmt->gran), DP_ADDR("of", of),
                             DP_STR("relation", rel), DP_STR("tag", tag),
                             DP_U64("size", (uint64_t)h->size * r->fmt->gran)};
    dp_publish(c, "pool.neighbour", row, sizeof row / sizeof row[0]);
}

static void publish_corruption(dp_ctx *c, const struct pool_report_page *r)
{
    const struct pool_page *p = r->page;
    const struct pool_fmt *f = r->fmt;
    int ci = corrupt_block_index(p);
    if (ci >= 0) {
        const struct pool_block *b = &p->blocks[ci];
        char tag[5];
        uint64_t addr = block_addr(r, b);
        pool_tag_text(b->h.tag, tag);
        struct dp_field row[] = {DP_ADDR("addr", addr), DP_ADDR("page", r->base), DP_STR("tag", tag),
                                 DP_U64("size", (uint64_t)b->h.size * f->gran),
                                 DP_STR("reason", pool_problem_text(p->problem))};
        dp_publish(c, "pool.corrupt_block", row, sizeof row / sizeof row[0]);
        if (ci > 0) publish_neighbour(c, r, p->blocks[ci - 1].slot, &p->blocks[ci - 1].h, addr, "previous");
        if (p->has_next) publish_neighbour(c, r, p->next_slot, &p->next_hdr, addr, "next");
    }
    for (unsigned i = 0; i < p->n_regions; i++) {
        struct dp_field row[] = {DP_ADDR("start", r->base + (uint64_t)p->regions[i].start * f->gran),
                                 DP_ADDR("end", r->base + (uint64_t)p->regions[i].end * f->gran),
                                 DP_ADDR("page", r->base)};
        dp_publish(c, "pool.corrupt_region", row, sizeof row / sizeof row[0]);
    }
    for (unsigned i = 0; i < p->n_repairs; i++) {
        const struct pool_repair *rp = &p->repairs[i];
        struct dp_field row[] = {DP_ADDR("addr", r->base + (uint64_t)rp->slot * f->gran),
                                 DP_STR("field", rp->field == POOL_FIX_PREV_SIZE ? "prev_size" : "block_size"),
                                 DP_U64("stored", rp->stored), DP_U64("expected", rp->expected),
                                 DP_U64("unit", f->gran)};
        dp_publish(c, "pool.repair", row, sizeof row / sizeof row[0]);
    }
}

static void page_title(const struct pool_report_page *r, char *out, size_t len)
{
    const struct pool_page *p = r->page;
    char base[24], at[24];
    pool_format_addr(r->fmt, r->base, base);
    pool_format_addr(r->fmt, r->base + (uint64_t)p->problem_slot * r->fmt->gran, at);
    const char *kind = r->physical ? "Physical pool page" : "Pool page";
    switch (p->verdict) {
    case POOL_PAGE_VALID: snprintf(out, len, "%s %s is valid (%u blocks)", kind, base, p->n_blocks); break;
    case POOL_PAGE_INVALID:
        snprintf(out, len, "%s %s is corrupt: %s at %s", kind, base, pool_problem_text(p->problem), at);
        break;
    case POOL_PAGE_BIG: snprintf(out, len, "%s is not a small-pool page; may be a big-pool allocation", base); break;
    case POOL_PAGE_SEGMENT_HEAP: snprintf(out, len, "%s %s is a segment-heap page", kind, base); break;
    case POOL_PAGE_UNRECOGNISED:
        snprintf(out, len, "%s %s holds no pool header chain (segment-heap era: not judged)", kind, base);
        break;
    }
}

static void add_page_finding(dp_ctx *c, const struct pool_report_page *r, const char *details)
{
    static const char *const codes[] = {"pool.page.valid", "pool.page.invalid", "pool.page.bigpool",
                                        "pool.page.segment_heap", "pool.page.unrecognised"};
    const struct pool_page *p = r->page;
    char title[160];
    int ci = corrupt_block_index(p);
    char tag[5] = "";
    page_title(r, title, sizeof title);
    if (ci >= 0) pool_tag_text(p->blocks[ci].h.tag, tag);
    struct dp_field ev[] = {
        DP_ADDR("page", r->base), DP_STR("layout", pool_layout_name(r->fmt, p)), DP_U64("blocks", p->n_blocks),
        DP_STR("reason", pool_problem_text(p->problem)),
        DP_ADDR("bad_header", r->base + (uint64_t)p->problem_slot * r->fmt->gran), DP_STR("corrupt_tag", tag),
        DP_U64("corrupt_regions", p->n_regions),
    };
    int bad = p->verdict == POOL_PAGE_INVALID;
    struct dp_finding fd = {.code = codes[p->verdict], .severity = bad ? DP_SEV_CRITICAL : DP_SEV_INFO,
                            .confidence = bad ? 90 : 80, .title = title, .details = details,
                            .evidence = ev, .n_evidence = bad ? sizeof ev / sizeof ev[0] : 3};
    dp_add_finding(c, &fd);
}

int pool_report_page(dp_ctx *c, const struct pool_report_page *r, struct dp_text *text)
{
    const struct pool_page *p = r->page;
    struct dp_field row[] = {DP_ADDR("page", r->base), DP_BOOL("valid", p->verdict != POOL_PAGE_INVALID),
                             DP_STR("layout", pool_layout_name(r->fmt, p)), DP_U64("blocks", p->n_blocks),
                             DP_BOOL("physical", r->physical)};
    dp_text_clear(text);
    pool_render_page(text, r->fmt, p, r->base, r->interest, r->n_interest);
    if (text->failed) {
        dp_set_error(c, "out of memory rendering pool page");
        return DP_ERR_NOMEM;
    }
    dp_publish(c, "pool.page", row, sizeof row / sizeof row[0]);
    publish_blocks(c, r);
    if (p->verdict == POOL_PAGE_INVALID) publish_corruption(c, r);
    add_page_finding(c, r, dp_text_str(text));
    return DP_OK;
}
