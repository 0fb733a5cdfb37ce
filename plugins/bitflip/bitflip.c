/* bitflip: "was it a single bit error?" asked of pool headers, pointers, list links, bugcheck
 * parameters and (with reference images) module code, answered with how sure we are. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_plugin.h"

#define BF_MAX_PAGE_BLOCKS 512 /* a 4 KiB page holds at most 512 eight-byte blocks */
#define BF_MAX_PAGES 64
#define BF_EVIDENCE_FIELDS 16 /* pieces spelled out in the finding's evidence */

static const struct dp_option bf_options[] = {
    DP_OPTION("reference_dir", DP_OPT_STRING, NULL,
              "directory of module files named like the modules (driver.sys), as !chkimg uses; default: the images the symbol path finds",
              .flags = DP_OPT_PATH),
    DP_OPTION("max_code_bytes", DP_OPT_INT, "67108864", "upper bound on the code bytes compared", .min = 1, .max = 4294967296),
    {0},
};

void bf_add_evidence(struct bf_run *r, const struct bf_evidence *e)
{
    for (size_t i = 0; i < r->n_ev; i++)
        if (r->ev[i].addr == e->addr && !strcmp(r->ev[i].kind, e->kind)) return;
    if (r->n_ev < BF_MAX_EVIDENCE) r->ev[r->n_ev++] = *e;
}

static void scan_repairs(dp_ctx *ctx, struct bf_run *r, const struct bf_pool_layout *l)
{
    size_t n = dp_artifact_count(ctx, "pool.repair");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *row = dp_artifact_get(ctx, "pool.repair", i);
        const char *field = dp_record_str(row, "field");
        if (!field) continue;
        r->repairs++;
        struct bf_evidence e;
        if (bf_check_repair(l, dp_record_u64(row, "addr", 0), !strcmp(field, "prev_size"),
                            dp_record_u64(row, "stored", 0), dp_record_u64(row, "expected", 0), &e))
            bf_add_evidence(r, &e);
    }
}

static int by_addr(const void *a, const void *b)
{
    const struct bf_block *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void block_from_row(dp_ctx *ctx, const struct dp_record *row, struct bf_block *b)
{
    *b = (struct bf_block){
        .addr = dp_record_u64(row, "addr", 0),
        .size = dp_record_u64(row, "size", 0),
        .prev_size = dp_record_u64(row, "prev_size", 0),
        .pool_type = dp_record_u64(row, "pool_type", 0),
        .allocated = (int)dp_record_u64(row, "allocated", 0),
        .resync = (int)dp_record_u64(row, "resync", 0),
    };
    /* the raw tag: the row's text form cannot show an unprintable byte */
    uint8_t t[4];
    if (dp_read_virt(ctx, b->addr + 4, t, 4) == DP_OK)
        b->tag = ((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24) & 0x7fffffffu;
}

static void scan_page(dp_ctx *ctx, struct bf_run *r, const struct bf_pool_layout *l, uint64_t page)
{
    struct bf_block blocks[BF_MAX_PAGE_BLOCKS];
    size_t n = 0, rows = dp_artifact_count(ctx, "pool.block");
    for (size_t i = 0; i < rows && n < BF_MAX_PAGE_BLOCKS; i++) {
        const struct dp_record *row = dp_artifact_get(ctx, "pool.block", i);
        if (dp_record_u64(row, "page", 0) == page) block_from_row(ctx, row, &blocks[n++]);
    }
    qsort(blocks, n, sizeof blocks[0], by_addr);
    r->headers += n;
    struct bf_evidence ev[16];
    size_t k = bf_check_blocks(l, blocks, n, ev, 16);
    for (size_t i = 0; i < k; i++) bf_add_evidence(r, &ev[i]);
}

void bf_scan_headers(dp_ctx *ctx, struct bf_run *r)
{
    struct bf_pool_layout l;
    bf_pool_layout_for(r->info->ptr_size, &l);
    scan_repairs(ctx, r, &l);
    uint64_t pages[BF_MAX_PAGES];
    size_t n_pages = 0, rows = dp_artifact_count(ctx, "pool.block");
    for (size_t i = 0; i < rows; i++) {
        uint64_t p = dp_record_u64(dp_artifact_get(ctx, "pool.block", i), "page", 0);
        size_t j = 0;
        while (j < n_pages && pages[j] != p) j++;
        if (j == n_pages && n_pages < BF_MAX_PAGES) pages[n_pages++] = p;
    }
    for (size_t i = 0; i < n_pages; i++) scan_page(ctx, r, &l, pages[i]);
}

/* "stored 0x.. -> 0x.. (bit N)" lines for the details. */
static void describe(const struct bf_run *r, char *buf, size_t len, unsigned combined, const char *head)
{
    size_t pos = 0;
    int n = snprintf(buf, len, "%s\n", head);
    pos = n > 0 && (size_t)n < len ? (size_t)n : len - 1;
    for (size_t i = 0; i < r->n_ev && pos + 1 < len; i++) {
        const struct bf_evidence *e = &r->ev[i];
        n = snprintf(buf + pos, len - pos, "  %-16s at 0x%llx: stored 0x%llx, corrected 0x%llx, bit %d (%u%%): %s\n",
                     e->kind, (unsigned long long)e->addr, (unsigned long long)e->stored,
                     (unsigned long long)e->corrected, e->bit, e->confidence, e->what);
        if (n < 0) break;
        pos += (size_t)n < len - pos ? (size_t)n : len - pos - 1;
    }
    if (pos + 1 < len)
        snprintf(buf + pos, len - pos,
                 "looked at: %llu pool headers, %llu repairs, %llu pointers, %llu list entries, %llu bugcheck "
                 "addresses, %llu code bytes in %u modules (%u other changes, %u hooks); combined %u%%\n",
                 (unsigned long long)r->headers, (unsigned long long)r->repairs, (unsigned long long)r->pointers,
                 (unsigned long long)r->links, (unsigned long long)r->bugcheck_addrs, (unsigned long long)r->code_bytes,
                 r->modules_compared, r->code_patches, r->code_hooks, combined);
}

static void publish_evidence(dp_ctx *ctx, const struct bf_run *r)
{
    for (size_t i = 0; i < r->n_ev; i++) {
        const struct bf_evidence *e = &r->ev[i];
        const struct dp_field row[] = {DP_STR("kind", e->kind), DP_ADDR("addr", e->addr), DP_U64("stored", e->stored),
                                       DP_U64("corrected", e->corrected), DP_U64("bit", (uint64_t)e->bit),
                                       DP_U64("confidence", e->confidence), DP_STR("what", e->what)};
        dp_publish(ctx, "bitflip.error", row, sizeof row / sizeof row[0]);
    }
}

static void report(dp_ctx *ctx, const struct bf_run *r)
{
    char details[8192];
    char keys[BF_EVIDENCE_FIELDS][5][24];
    struct dp_field ev[8 + BF_EVIDENCE_FIELDS * 5];
    size_t nf = 0;
    unsigned combined = bf_combine(r->ev, r->n_ev);
    int suspected = combined >= BF_SUSPECT_THRESHOLD;
    ev[nf++] = DP_U64("headers_checked", r->headers);
    ev[nf++] = DP_U64("pointers_checked", r->pointers);
    ev[nf++] = DP_U64("list_entries_checked", r->links);
    ev[nf++] = DP_U64("bugcheck_addresses_checked", r->bugcheck_addrs);
    ev[nf++] = DP_U64("code_bytes_compared", r->code_bytes);
    ev[nf++] = DP_U64("single_bit_errors", suspected ? r->n_ev : 0);
    for (size_t i = 0; suspected && i < r->n_ev && i < BF_EVIDENCE_FIELDS; i++) {
        static const char *const names[5] = {"kind", "addr", "stored", "corrected", "bit"};
        for (int k = 0; k < 5; k++) snprintf(keys[i][k], sizeof keys[i][k], "e%zu.%s", i + 1, names[k]);
        const struct bf_evidence *e = &r->ev[i];
        ev[nf++] = DP_STR(keys[i][0], e->kind);
        ev[nf++] = DP_ADDR(keys[i][1], e->addr);
        ev[nf++] = DP_U64(keys[i][2], e->stored);
        ev[nf++] = DP_U64(keys[i][3], e->corrected);
        ev[nf++] = DP_U64(keys[i][4], (uint64_t)e->bit);
    }
    describe(r, details, sizeof details, combined,
             suspected ? "Scanning for single bit errors..."
             : r->n_ev ? "Scanning for single bit errors...\n\nNone found\n\nCandidates too weak for a verdict:"
                       : "Scanning for single bit errors...\n\nNone found");
    int looked = r->headers || r->pointers || r->links || r->code_bytes || r->bugcheck_addrs;
    struct dp_finding f = {
        .code = suspected ? "bitflip.suspected" : "bitflip.none",
        .severity = suspected ? DP_SEV_ERROR : DP_SEV_INFO,
        .confidence = suspected ? combined : (looked ? 90 - combined / 2 : 20),
        .title = suspected ? "single-bit error suspected: hardware" : "Scanning for single bit errors... None found",
        .details = details, .evidence = ev, .n_evidence = nf};
    dp_add_finding(ctx, &f);
    if (!suspected) return;
    publish_evidence(ctx, r);
    char reason[160];
    snprintf(reason, sizeof reason, "%zu single-bit error%s (%u%%): failing memory, not a driver", r->n_ev,
             r->n_ev == 1 ? "" : "s", combined);
    const struct dp_field vote[] = {DP_STR("module", "hardware"), DP_U64("weight", combined * 3 / 4),
                                    DP_STR("reason", reason)};
    dp_publish(ctx, "culprit.vote", vote, sizeof vote / sizeof vote[0]);
}

static int bf_check_dump(dp_ctx *ctx, struct bf_run *r);

static int bf_run_plugin(dp_ctx *ctx, void *state)
{
    if (dp_require_windows(ctx) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    (void)state;
    /* on the heap, per run: the host may triage many dumps in one process */
    struct bf_run *r = calloc(1, sizeof *r);
    if (!r) return DP_ERR_NOMEM;
    int rc = bf_check_dump(ctx, r);
    free(r);
    return rc;
}

static int bf_check_dump(dp_ctx *ctx, struct bf_run *r)
{
    r->info = dp_dump_info(ctx);
    if (!r->info || (r->info->ptr_size != 4 && r->info->ptr_size != 8)) {
        dp_set_error(ctx, "pointer size of this dump is unknown");
        return DP_ERR_NOT_APPLICABLE;
    }
    bf_scan_headers(ctx, r);
    bf_scan_pointers(ctx, r);
    bf_scan_bugcheck(ctx, r);
    const char *dir = dp_opt_string(ctx, "reference_dir");
    int64_t max_code = dp_opt_int(ctx, "max_code_bytes");
    /* without reference_dir, the images the symbol path found for the dump's modules are the references */
    int rc = bf_scan_code(ctx, r, dir && *dir ? dir : NULL, max_code > 0 ? (uint64_t)max_code : 0);
    if (rc != DP_OK) return rc;
    report(ctx, r);
    return DP_OK;
}

static const char *const bf_provides[] = {"bitflip.error", "culprit.vote", NULL};
static const char *const bf_consumes[] = {"pool.block",     "pool.repair",      "pool.corrupt_block",
                                          "pool.neighbour", "bugcheck.address", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "bitflip", .version = "1.0",
          .description = "looks for single-bit errors in pool headers, pointers, list links and module code",
          .options = bf_options, .provides = bf_provides, .consumes = bf_consumes, .run = bf_run_plugin);
