/* Pointers that are not valid but become valid, or become the expected value, with one bit flipped:
 * values and LIST_ENTRY links in the corrupt block, its neighbours and the blocks the bug check names,
 * and bugcheck parameters. */
#include <stdio.h>
#include <string.h>

#include "bf_plugin.h"

#define BF_REGION_MAX 4096

struct dump_mem {
    dp_ctx *ctx;
    unsigned ptr_size;
    uint64_t page; /* page of the slot being judged: a corrected pointer may land there */
};

static int dump_read_ptr(void *ud, uint64_t va, uint64_t *out)
{
    struct dump_mem *m = ud;
    uint8_t b[8];
    if (dp_read_virt(m->ctx, va, b, m->ptr_size) != DP_OK) return -1;
    uint64_t v = 0;
    for (unsigned i = m->ptr_size; i-- > 0;) v = (v << 8) | b[i];
    *out = v;
    return 0;
}

static int dump_valid(void *ud, uint64_t va)
{
    struct dump_mem *m = ud;
    uint64_t pa;
    return dp_module_by_addr(m->ctx, va) != NULL || dp_translate(m->ctx, va, &pa) == DP_OK;
}

/* A corrected value must land somewhere specific: in a module, or in the page that holds it. */
static int lands_well(void *ud, uint64_t va)
{
    struct dump_mem *m = ud;
    uint64_t pa;
    if (dp_module_by_addr(m->ctx, va)) return 1;
    return (va & ~(uint64_t)4095) == m->page && dp_translate(m->ctx, va, &pa) == DP_OK;
}

/* Kernel-half values (x86) or non-canonical/kernel ones (x64): values that can only be addresses. */
static unsigned address_like(uint64_t v, unsigned ptr_size)
{
    if (ptr_size == 4) return v >= 0x80000000u ? 30 : 0;
    uint64_t top = v >> 47;
    if (top == 0x1ffff) return 30;
    if (top != 0 && (v >> 63) == 1) return 40; /* non-canonical: never a real pointer */
    return 0;
}

static void check_value(struct bf_run *r, struct dump_mem *m, uint64_t slot, uint64_t v)
{
    unsigned conf = address_like(v, m->ptr_size);
    if (!conf) return;
    r->pointers++;
    if (dump_valid(m, v)) return;
    uint64_t fixed;
    int bit;
    if (bf_fix_value(v, m->ptr_size * 8, lands_well, m, &fixed, &bit) != 1) return;
    struct bf_evidence e = {.addr = slot, .stored = v, .corrected = fixed, .bit = bit, .confidence = conf};
    snprintf(e.kind, sizeof e.kind, "pointer");
    char sym[64];
    dp_symbolize(m->ctx, fixed, sym, sizeof sym);
    snprintf(e.what, sizeof e.what, "invalid pointer; with bit %d flipped it is %s", bit, sym);
    bf_add_evidence(r, &e);
}

static uint64_t load(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

static void scan_region(dp_ctx *ctx, struct bf_run *r, uint64_t start, uint64_t size)
{
    uint8_t buf[BF_REGION_MAX];
    unsigned ps = r->info->ptr_size;
    uint64_t page_end = (start | 4095) + 1;
    if (start % ps || page_end == 0) return;
    uint64_t end = size && size <= page_end - start ? start + size : page_end; /* sizes may be corrupt */
    if (dp_read_virt(ctx, start, buf, (size_t)(end - start)) != DP_OK) return;
    struct dump_mem m = {ctx, ps, start & ~(uint64_t)4095};
    struct bf_mem mem = {dump_read_ptr, dump_valid, &m, ps};
    size_t len = (size_t)(end - start);
    for (size_t off = 0; off + ps <= len; off += ps) {
        uint64_t slot = start + off, v = load(buf + off, ps);
        size_t before = r->n_ev;
        if (off + 2 * ps <= len) {
            r->links++;
            struct bf_evidence e;
            if (bf_check_list_entry(&mem, slot, v, load(buf + off + ps, ps), &e)) bf_add_evidence(r, &e);
        }
        if (r->n_ev == before) check_value(r, &m, slot, v);
    }
}

#define BF_MAX_REGIONS 128

/* Each block once, though it may be corrupt, a neighbour and of interest at the same time. */
static void scan_once(dp_ctx *ctx, struct bf_run *r, uint64_t *done, size_t *n_done, const struct dp_record *row)
{
    uint64_t addr = dp_record_u64(row, "addr", 0);
    for (size_t i = 0; i < *n_done; i++)
        if (done[i] == addr) return;
    if (*n_done == BF_MAX_REGIONS) return;
    done[(*n_done)++] = addr;
    scan_region(ctx, r, addr, dp_record_u64(row, "size", 0));
}

void bf_scan_pointers(dp_ctx *ctx, struct bf_run *r)
{
    static const char *const artifacts[] = {"pool.corrupt_block", "pool.neighbour"};
    uint64_t done[BF_MAX_REGIONS];
    size_t n_done = 0;
    for (size_t a = 0; a < 2; a++) {
        size_t n = dp_artifact_count(ctx, artifacts[a]);
        for (size_t i = 0; i < n && i < 64; i++) scan_once(ctx, r, done, &n_done, dp_artifact_get(ctx, artifacts[a], i));
    }
    /* A free-list check (0x19/3) names an entry whose links are bad while every header is intact:
     * poolwalk then reports no corrupt block, only the block of interest. */
    size_t n = dp_artifact_count(ctx, "pool.block");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *row = dp_artifact_get(ctx, "pool.block", i);
        if (dp_record_u64(row, "of_interest", 0)) scan_once(ctx, r, done, &n_done, row);
    }
}

/* Is va the start of a block poolwalk found? */
static int is_pool_block(dp_ctx *ctx, uint64_t va)
{
    size_t n = dp_artifact_count(ctx, "pool.block");
    for (size_t i = 0; i < n; i++)
        if (dp_record_u64(dp_artifact_get(ctx, "pool.block", i), "addr", 0) == va) return 1;
    return 0;
}

struct param_probe {
    dp_ctx *ctx;
    const char *kind;
};

static int param_fits(void *ud, uint64_t va)
{
    struct param_probe *p = ud;
    if (!strcmp(p->kind, "pool")) return is_pool_block(p->ctx, va);
    if (!strcmp(p->kind, "code")) return dp_module_by_addr(p->ctx, va) != NULL;
    return 0; /* a data address that would merely translate is too weak to name */
}

void bf_scan_bugcheck(dp_ctx *ctx, struct bf_run *r)
{
    size_t n = dp_artifact_count(ctx, "bugcheck.address");
    for (size_t i = 0; i < n && i < 16; i++) {
        const struct dp_record *row = dp_artifact_get(ctx, "bugcheck.address", i);
        uint64_t a = dp_record_u64(row, "addr", 0), pa;
        const char *kind = dp_record_str(row, "kind");
        r->bugcheck_addrs++;
        if (!kind || dp_translate(ctx, a, &pa) == DP_OK || dp_module_by_addr(ctx, a)) continue;
        struct param_probe p = {ctx, kind};
        uint64_t fixed;
        int bit;
        if (bf_fix_value(a, r->info->ptr_size * 8, param_fits, &p, &fixed, &bit) != 1) continue;
        struct bf_evidence e = {.addr = a, .stored = a, .corrected = fixed, .bit = bit, .confidence = 60};
        snprintf(e.kind, sizeof e.kind, "bugcheck.param%u", (unsigned)dp_record_u64(row, "param", 0));
        snprintf(e.what, sizeof e.what, "the %s address does not exist; with bit %d flipped it is a %s address",
                 dp_record_str(row, "role") ? dp_record_str(row, "role") : "bugcheck", bit, kind);
        bf_add_evidence(r, &e);
    }
}
