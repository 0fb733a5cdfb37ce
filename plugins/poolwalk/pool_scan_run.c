/* scope: all — every present physical page, zero-copy through dp_phys_page; only pages that pass the
 * cheap pre-filter are judged, and only invalid ones are reported one by one. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pool_render.h"
#include "pool_report.h"
#include "poolwalk.h"

#define MAX_TAG_HITS_LISTED 100

struct scan_totals {
    uint64_t present, pool, valid, invalid, segment_heap, reported, already, tag_hits;
    uint64_t visited, to_visit; /* for dp_progress: a large dump takes a while */
    uint64_t skip_pfn[64];
    unsigned n_skip;
};

static void note_interest_pfns(dp_ctx *c, struct scan_totals *t, const uint64_t *interest, unsigned n)
{
    for (unsigned i = 0; i < n && t->n_skip < 64; i++) {
        uint64_t pa;
        if (dp_translate(c, interest[i] & ~(uint64_t)(POOL_PAGE_SIZE - 1), &pa) == DP_OK)
            t->skip_pfn[t->n_skip++] = pa / POOL_PAGE_SIZE;
    }
}

static int already_reported(const struct scan_totals *t, uint64_t pfn)
{
    for (unsigned i = 0; i < t->n_skip; i++)
        if (t->skip_pfn[i] == pfn) return 1;
    return 0;
}

static void note_tag_hits(struct poolwalk_state *st, struct scan_totals *t, struct dp_text *hits, const char *want,
                          uint64_t base)
{
    for (unsigned i = 0; i < st->page.n_blocks; i++) {
        const struct pool_block *b = &st->page.blocks[i];
        if (!dp_pool_tag_matches(b->h.tag, want)) continue;
        if (t->tag_hits++ < MAX_TAG_HITS_LISTED) pool_render_block(hits, &st->fmt, b, base, 0);
    }
}

static int judge_page(dp_ctx *c, struct poolwalk_state *st, struct scan_totals *t, struct dp_text *hits,
                      const uint8_t *page, uint64_t pfn)
{
    const char *want = dp_opt_string(c, "find_tag");
    int64_t max_pages = dp_opt_int(c, "max_pages");
    uint64_t base = pfn * POOL_PAGE_SIZE;
    t->pool++;
    pool_page_analyze(&st->fmt, page, 0, &st->page);
    for (unsigned i = 0; i < st->page.n_blocks; i++) pool_tag_stats_add(&st->stats, &st->fmt, &st->page.blocks[i].h);
    if (want && *want) note_tag_hits(st, t, hits, want, base);
    if (st->page.verdict == POOL_PAGE_VALID) t->valid++;
    if (st->page.verdict == POOL_PAGE_SEGMENT_HEAP) t->segment_heap++;
    if (st->page.verdict != POOL_PAGE_INVALID) return DP_OK;
    t->invalid++;
    if (already_reported(t, pfn)) {
        t->already++;
        return DP_OK;
    }
    if ((int64_t)t->reported >= max_pages) return DP_OK;
    t->reported++;
    struct pool_report_page r = {.fmt = &st->fmt, .page = &st->page, .base = base, .physical = 1};
    return pool_report_page(c, &r, &st->text);
}

static int scan_run(dp_ctx *c, struct poolwalk_state *st, struct scan_totals *t, struct dp_text *hits, size_t run)
{
    uint64_t first, count;
    if (dp_phys_run(c, run, &first, &count) != DP_OK) return DP_OK;
    for (uint64_t i = 0; i < count; i++) {
        if (++t->visited % 4096 == 0 || t->visited == t->to_visit) dp_progress(c, t->visited, t->to_visit, "pages scanned");
        const uint8_t *page = dp_phys_page(c, first + i);
        if (!page) continue;
        t->present++;
        if (!pool_page_candidate(&st->fmt, page)) continue;
        int rc = judge_page(c, st, t, hits, page, first + i);
        if (rc != DP_OK) return rc;
    }
    return DP_OK;
}

static void render_usage(struct dp_text *out, const struct poolwalk_state *st, int64_t top)
{
    unsigned order[256], n;
    if (top < 0) top = 0;
    if (top > 256) top = 256;
    n = pool_tag_stats_top(&st->stats, order, (unsigned)top);
    dp_text_printf(out, "\nPool usage by tag on the scanned pages (like !poolused), by bytes:\n");
    dp_text_printf(out, " Tag     Allocs          Bytes     Frees\n");
    for (unsigned i = 0; i < n; i++) {
        const struct pool_tag_stat *s = &st->stats.slot[order[i]];
        struct pool_hdr h = {.tag = s->tag};
        char tag[5];
        pool_tag_text(h.tag, tag);
        dp_text_printf(out, " %-4s %9" PRIu64 " %14" PRIu64 " %9" PRIu64 "\n", tag, s->allocs, s->bytes, s->frees);
    }
    if (st->stats.overflow_blocks)
        dp_text_printf(out, " (%" PRIu64 " blocks with further tags not counted)\n", st->stats.overflow_blocks);
}

static void report_scan(dp_ctx *c, struct poolwalk_state *st, const struct scan_totals *t, struct dp_text *hits)
{
    const char *want = dp_opt_string(c, "find_tag");
    char title[200];
    dp_text_clear(&st->text);
    dp_text_printf(&st->text, "Scanned %" PRIu64 " present pages: %" PRIu64 " look like small-pool pages, %" PRIu64
                " valid, %" PRIu64 " invalid, %" PRIu64 " segment-heap.\n", t->present, t->pool, t->valid,
                t->invalid, t->segment_heap);
    if (t->already)
        dp_text_printf(&st->text, "%" PRIu64 " invalid pages hold addresses of interest and are reported above.\n",
                    t->already);
    if (t->invalid > t->reported + t->already)
        dp_text_printf(&st->text, "%" PRIu64 " invalid pages were counted but not reported one by one (max_pages).\n",
                    t->invalid - t->reported - t->already);
    render_usage(&st->text, st, dp_opt_int(c, "top"));
    if (want && *want) {
        dp_text_printf(&st->text, "\nBlocks tagged '%s' (like !poolfind; physical addresses): %" PRIu64 "\n%s", want,
                    t->tag_hits, dp_text_str(hits));
        if (t->tag_hits > MAX_TAG_HITS_LISTED) dp_text_printf(&st->text, " ... (first %d listed)\n", MAX_TAG_HITS_LISTED);
    }
    snprintf(title, sizeof title, "Pool scan: %" PRIu64 " pool pages, %" PRIu64 " invalid, %u tags", t->pool,
             t->invalid, st->stats.used);
    struct dp_field ev[] = {DP_U64("pages_present", t->present), DP_U64("pool_pages", t->pool),
                            DP_U64("valid_pages", t->valid), DP_U64("invalid_pages", t->invalid),
                            DP_U64("segment_heap_pages", t->segment_heap), DP_U64("tags", st->stats.used),
                            DP_U64("find_tag_hits", t->tag_hits)};
    struct dp_finding fd = {.code = "pool.scan", .severity = t->invalid ? DP_SEV_WARNING : DP_SEV_INFO,
                            .confidence = 80, .title = title, .details = dp_text_str(&st->text), .evidence = ev,
                            .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(c, &fd);
}

static void report_no_pages(dp_ctx *c)
{
    struct dp_finding fd = {.code = "pool.scan", .severity = DP_SEV_INFO, .confidence = 100,
                            .title = "Pool scan: the dump holds no physical memory pages, so no pool data",
                            .details = "Small and triage dumps carry a few saved blocks, not physical memory; "
                                       "a kernel or complete dump is needed to scan the pool."};
    dp_add_finding(c, &fd);
}

int poolwalk_scan_all(dp_ctx *c, struct poolwalk_state *st, const uint64_t *interest, unsigned n_interest)
{
    struct scan_totals t;
    struct dp_text hits;
    size_t runs = dp_phys_run_count(c);
    int rc = DP_OK;
    if (runs == 0) {
        report_no_pages(c);
        return DP_OK;
    }
    memset(&t, 0, sizeof t);
    dp_text_init(&hits);
    note_interest_pfns(c, &t, interest, n_interest);
    for (size_t i = 0; i < runs; i++) {
        uint64_t first, count;
        if (dp_phys_run(c, i, &first, &count) == DP_OK) t.to_visit += count;
    }
    for (size_t i = 0; i < runs && rc == DP_OK; i++) rc = scan_run(c, st, &t, &hits, i);
    if (rc == DP_OK) report_scan(c, st, &t, &hits);
    dp_text_free(&hits);
    return rc;
}
