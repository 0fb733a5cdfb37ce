/* poolwalk: WinDbg's !pool / !poolval over the pages that hold addresses of interest, and with
 * scope: all, a scan of every present physical page (!poolused / !poolfind). */
#include <dumppipe/dumppipe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_render.h"
#include "pool_report.h"
#include "poolwalk.h"

#define MAX_INTEREST 64

static const struct dp_option poolwalk_options[] = {
    DP_OPTION("addresses", DP_OPT_INT_LIST, NULL, "pool addresses to examine, besides bugcheck.address rows of kind pool"),
    DP_OPTION("layout", DP_OPT_STRING, "auto", "pool header layout: auto (from the dump's architecture), x86 or x64", .choices = DP_CHOICES("auto", "x86", "x64")),
    DP_OPTION("scope", DP_OPT_STRING, "interest", "interest: pages of the addresses of interest; all: every present page", .choices = DP_CHOICES("interest", "all")),
    DP_OPTION("find_tag", DP_OPT_STRING, NULL, "with scope all: list blocks with this tag (? and * wildcards), like !poolfind"),
    DP_OPTION("top", DP_OPT_INT, "20", "with scope all: how many tags the usage table lists, like !poolused", .min = 1, .max = 10000),
    DP_OPTION("max_pages", DP_OPT_INT, "32", "with scope all: invalid pages reported one by one before only counting", .min = 0, .max = 100000),
    {0},
};

static const char *const poolwalk_provides[] = {"pool.page", "pool.block", "pool.corrupt_block", "pool.neighbour",
                                                "pool.corrupt_region", "pool.repair", NULL};
static const char *const poolwalk_consumes[] = {"bugcheck.address", NULL};

int poolwalk_pick_format(dp_ctx *c, struct pool_fmt *f)
{
    const struct dp_dump_info *info = dp_dump_info(c);
    const char *layout = dp_opt_string(c, "layout");
    enum pool_layout l;
    if (layout && strcmp(layout, "x86") == 0) l = POOL_LAYOUT_X86;
    else if (layout && strcmp(layout, "x64") == 0) l = POOL_LAYOUT_X64;
    else if (layout && strcmp(layout, "auto") != 0) {
        dp_set_error(c, "option layout: '%s' is not auto, x86 or x64", layout);
        return DP_ERR_INVALID;
    } else if (info->arch == DP_ARCH_X86) l = POOL_LAYOUT_X86;
    else if (info->arch == DP_ARCH_X64) l = POOL_LAYOUT_X64;
    else if (info->ptr_size == 4 || info->ptr_size == 8) l = info->ptr_size == 4 ? POOL_LAYOUT_X86 : POOL_LAYOUT_X64;
    else {
        dp_set_error(c, "no Windows pool layout for this architecture; set option layout");
        return DP_ERR_NOT_APPLICABLE;
    }
    pool_fmt_init(f, l, info->os_build);
    return DP_OK;
}

static unsigned add_unique(uint64_t *list, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == v) return n;
    if (n < MAX_INTEREST) list[n++] = v;
    return n;
}

static unsigned collect_interest(dp_ctx *c, uint64_t *out)
{
    unsigned n = 0;
    size_t rows = dp_artifact_count(c, "bugcheck.address");
    for (size_t i = 0; i < rows; i++) {
        const struct dp_record *r = dp_artifact_get(c, "bugcheck.address", i);
        const char *kind = dp_record_str(r, "kind");
        if (kind && strcmp(kind, "pool") == 0) n = add_unique(out, n, dp_record_u64(r, "addr", 0));
    }
    for (size_t i = 0; i < dp_opt_list_count(c, "addresses"); i++)
        n = add_unique(out, n, (uint64_t)dp_opt_list_int(c, "addresses", i));
    return n;
}

static void report_absent(dp_ctx *c, const struct pool_fmt *f, uint64_t page, uint64_t addr)
{
    const struct dp_dump_info *info = dp_dump_info(c);
    char a[24], title[200];
    pool_format_addr(f, addr, a);
    snprintf(title, sizeof title, "Pool page of %s is not in the dump (%s dump): cannot walk it", a,
             info->dump_type ? info->dump_type : "this");
    struct dp_field ev[] = {DP_ADDR("page", page), DP_ADDR("addr", addr)};
    struct dp_finding fd = {.code = "pool.page.absent", .severity = DP_SEV_INFO, .confidence = 100,
                            .title = title,
                            .details = "Small and triage dumps keep only a few pages; pool pages are usually not among "
                                       "them. A kernel or complete dump of the same crash would hold them.",
                            .evidence = ev, .n_evidence = 2};
    dp_add_finding(c, &fd);
}

/* Every interest address on PAGE, in the order they were given. */
static unsigned interest_on_page(const uint64_t *all, unsigned n, uint64_t page, uint64_t *out)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        if ((all[i] & ~(uint64_t)(POOL_PAGE_SIZE - 1)) == page) out[k++] = all[i];
    return k;
}

static int walk_interest(dp_ctx *c, struct poolwalk_state *st, const uint64_t *addrs, unsigned n)
{
    uint64_t done[MAX_INTEREST], here[MAX_INTEREST];
    unsigned n_done = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t page = addrs[i] & ~(uint64_t)(POOL_PAGE_SIZE - 1);
        unsigned before = n_done, k;
        n_done = add_unique(done, n_done, page);
        if (n_done == before) continue;
        if (dp_read_virt(c, page, st->buf, POOL_PAGE_SIZE) != DP_OK) {
            report_absent(c, &st->fmt, page, addrs[i]);
            continue;
        }
        k = interest_on_page(addrs, n, page, here);
        pool_page_analyze(&st->fmt, st->buf, here[0] == page, &st->page);
        struct pool_report_page r = {.fmt = &st->fmt, .page = &st->page, .base = page, .physical = 0,
                                     .interest = here, .n_interest = k};
        int rc = pool_report_page(c, &r, &st->text);
        if (rc != DP_OK) return rc;
        st->pages_walked++;
    }
    return DP_OK;
}

static void report_nothing_to_do(dp_ctx *c)
{
    struct dp_finding fd = {.code = "pool.page.none", .severity = DP_SEV_INFO, .confidence = 100,
                            .title = "No pool address to examine: no pool address in the bug check and no "
                                     "addresses option (use scope: all to scan every page)"};
    dp_add_finding(c, &fd);
}

static int poolwalk_run(dp_ctx *c, void *state)
{
    if (dp_require_windows(c) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    struct poolwalk_state *st = calloc(1, sizeof *st);
    uint64_t addrs[MAX_INTEREST];
    const char *scope = dp_opt_string(c, "scope");
    int all = scope && strcmp(scope, "all") == 0, rc;
    unsigned n;
    (void)state;
    if (!st) {
        dp_set_error(c, "out of memory");
        return DP_ERR_NOMEM;
    }
    if (scope && !all && strcmp(scope, "interest") != 0) {
        dp_set_error(c, "option scope: '%s' is not interest or all", scope);
        free(st);
        return DP_ERR_INVALID;
    }
    dp_text_init(&st->text);
    rc = poolwalk_pick_format(c, &st->fmt);
    n = rc == DP_OK ? collect_interest(c, addrs) : 0;
    if (rc == DP_OK) rc = walk_interest(c, st, addrs, n);
    if (rc == DP_OK && all) rc = poolwalk_scan_all(c, st, addrs, n);
    else if (rc == DP_OK && n == 0) report_nothing_to_do(c);
    dp_text_free(&st->text);
    free(st);
    return rc;
}

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "poolwalk", .version = "1.0",
          .description = "walks and validates kernel pool pages (!pool, !poolval, !poolused, !poolfind)",
          .options = poolwalk_options, .provides = poolwalk_provides, .consumes = poolwalk_consumes,
          .run = poolwalk_run);
