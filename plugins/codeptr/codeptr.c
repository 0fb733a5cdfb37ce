/* codeptr: WinDbg's `dps`, `u` and `ub` done for the user. Scans the corrupt pool block, its
 * neighbours and any requested ranges for pointers into loaded modules, disassembles around each one,
 * judges what it is (function entry, return address, ...) and says what it means. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_classify.h"
#include "cp_format.h"
#include "cp_report.h"

#define CP_MAX_RANGES 64
#define CP_MAX_RANGE_BYTES (64u * 1024u)

static const struct dp_option cp_options[] = {
    DP_OPTION("ranges", DP_OPT_STRING_LIST, NULL, "more memory to scan: START-END or START+LEN, hex"),
    DP_OPTION("max_bytes", DP_OPT_INT, "262144", "upper bound on the bytes scanned in all", .min = 1, .max = 1073741824),
    DP_OPTION("max_hits", DP_OPT_INT, "64", "upper bound on the pointers reported", .min = 1, .max = 64),
    {0},
};

static void add_range(struct cp_scan *s, uint64_t start, uint64_t end, const char *region, const char *noun)
{
    if (s->n_ranges == CP_MAX_RANGES || end <= start) return;
    if (end - start > CP_MAX_RANGE_BYTES) end = start + CP_MAX_RANGE_BYTES;
    struct cp_range *r = &s->ranges[s->n_ranges++];
    r->start = start;
    r->end = end;
    r->region = region;
    snprintf(r->noun, sizeof r->noun, "%s", noun);
}

/* A block's size comes from a header that may itself be corrupt: never trust it past the page end. */
static uint64_t block_end(uint64_t addr, uint64_t size, unsigned page_size)
{
    uint64_t page_end = (addr | (uint64_t)(page_size - 1)) + 1;
    if (page_end < addr) page_end = UINT64_MAX; /* the last page of the address space */
    if (size == 0 || size > page_end - addr) return page_end;
    return addr + size;
}

static void add_pool_ranges(dp_ctx *ctx, struct cp_scan *s)
{
    unsigned page = s->info->page_size ? s->info->page_size : 4096;
    size_t n = dp_artifact_count(ctx, "pool.corrupt_block");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "pool.corrupt_block", i);
        uint64_t a = dp_record_u64(r, "addr", 0);
        if (a) add_range(s, a, block_end(a, dp_record_u64(r, "size", 0), page), "corrupt-block", "the corrupt block");
    }
    n = dp_artifact_count(ctx, "pool.neighbour");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "pool.neighbour", i);
        uint64_t a = dp_record_u64(r, "addr", 0);
        const char *rel = dp_record_str(r, "relation");
        const char *noun = rel && !strcmp(rel, "previous") ? "the previous block" : "the next block";
        if (a) add_range(s, a, block_end(a, dp_record_u64(r, "size", 0), page), "neighbour", noun);
    }
}

static int add_option_ranges(dp_ctx *ctx, struct cp_scan *s)
{
    size_t n = dp_opt_list_count(ctx, "ranges");
    for (size_t i = 0; i < n; i++) {
        const char *text = dp_opt_list_string(ctx, "ranges", i);
        uint64_t a, b;
        if (cp_parse_range(text, &a, &b) != DP_OK) {
            dp_set_error(ctx, "ranges[%zu]: \"%s\" is not START-END or START+LEN", i, text ? text : "");
            return DP_ERR_INVALID;
        }
        char noun[64];
        snprintf(noun, sizeof noun, "range %s", text);
        add_range(s, a, b, "range", noun);
    }
    return DP_OK;
}

/* Was va already scanned as part of an earlier range? Ranges may overlap (block and option). */
static int scanned_before(const struct cp_scan *s, size_t ri, uint64_t va)
{
    for (size_t i = 0; i < ri; i++)
        if (va >= s->ranges[i].start && va < s->ranges[i].end) return 1;
    return 0;
}

static uint64_t load_ptr(const uint8_t *p, unsigned ptr_size)
{
    uint64_t v = 0;
    for (unsigned i = ptr_size; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

/* Scans one page-bounded chunk of a range. */
static void scan_chunk(dp_ctx *ctx, struct cp_scan *s, size_t ri, uint64_t va, size_t len)
{
    uint8_t buf[4096];
    if (dp_read_virt(ctx, va, buf, len) != DP_OK) {
        s->bytes_unreadable += len;
        return;
    }
    s->bytes_scanned += len;
    unsigned ps = s->info->ptr_size;
    for (size_t off = 0; off + ps <= len; off += ps) {
        if (scanned_before(s, ri, va + off)) continue;
        uint64_t v = load_ptr(buf + off, ps);
        const struct dp_module *m = dp_module_by_addr(ctx, v);
        if (m) cp_report_hit(ctx, s, ri, va + off, v, m);
    }
}

static void scan_range(dp_ctx *ctx, struct cp_scan *s, size_t ri)
{
    const struct cp_range *r = &s->ranges[ri];
    unsigned ps = s->info->ptr_size;
    uint64_t va = (r->start + ps - 1) & ~(uint64_t)(ps - 1); /* dps reads aligned values */
    while (va < r->end && va >= r->start && s->bytes_scanned + s->bytes_unreadable < s->max_bytes) {
        uint64_t page_end = (va | 4095) + 1;
        uint64_t end = r->end < page_end || page_end == 0 ? r->end : page_end;
        scan_chunk(ctx, s, ri, va, (size_t)(end - va));
        va = end;
    }
}

static int cp_scan_dump(dp_ctx *ctx, struct cp_scan *s);

static int cp_run(dp_ctx *ctx, void *state)
{
    if (dp_require_windows(ctx) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    (void)state;
    /* on the heap, per run: the host may triage many dumps in one process */
    struct cp_scan *s = calloc(1, sizeof *s);
    if (!s) return DP_ERR_NOMEM;
    int rc = cp_scan_dump(ctx, s);
    free(s);
    return rc;
}

static int cp_scan_dump(dp_ctx *ctx, struct cp_scan *s)
{
    s->info = dp_dump_info(ctx);
    if (!s->info || (s->info->ptr_size != 4 && s->info->ptr_size != 8)) {
        dp_set_error(ctx, "pointer size of this dump is unknown");
        return DP_ERR_NOT_APPLICABLE;
    }
    int64_t max_bytes = dp_opt_int(ctx, "max_bytes"), max_hits = dp_opt_int(ctx, "max_hits");
    s->max_bytes = max_bytes > 0 ? (uint64_t)max_bytes : 0;
    s->max_hits = max_hits > 0 && max_hits < CP_MAX_HITS ? (size_t)max_hits : CP_MAX_HITS;
    add_pool_ranges(ctx, s);
    int rc = add_option_ranges(ctx, s);
    if (rc != DP_OK) return rc;
    for (size_t i = 0; i < s->n_ranges; i++) scan_range(ctx, s, i);
    cp_report_summary(ctx, s);
    return DP_OK;
}

static const char *const cp_provides[] = {"codeptr.hit", "culprit.vote", NULL};
static const char *const cp_consumes[] = {"pool.corrupt_block", "pool.neighbour", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "codeptr", .version = "1.0",
          .description = "finds code pointers in corrupt pool blocks and shows the code around them (dps/u/ub)",
          .options = cp_options, .provides = cp_provides, .consumes = cp_consumes, .run = cp_run);
