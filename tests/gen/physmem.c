/* The machine's physical memory: a sparse, PFN-sorted set of 4 KiB pages, a page allocator for the
 * structures the generator lays out itself, and the runs (present ranges) a dump will contain. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

static size_t page_lower_bound(const struct gen *g, uint64_t pfn)
{
    size_t lo = 0, hi = g->n_pages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->pages[mid].pfn < pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint8_t *pm_page(struct gen *g, uint64_t pfn, int create)
{
    size_t i = page_lower_bound(g, pfn);
    if (i < g->n_pages && g->pages[i].pfn == pfn)
        return g->pages[i].data;
    if (!create)
        return NULL;
    if (pfn >= g->mem_size / PAGE_SIZE) {
        fail(g, NULL, "physical page 0x%llx is beyond memory size 0x%llx", (unsigned long long)pfn * PAGE_SIZE,
             (unsigned long long)g->mem_size);
        return NULL;
    }
    if (g->n_pages >= MAX_PAGES) {
        fail(g, NULL, "more than %u pages in use", MAX_PAGES);
        return NULL;
    }
    if (g->n_pages == g->cap_pages) {
        g->cap_pages = g->cap_pages ? g->cap_pages * 2 : 256;
        g->pages = xrealloc(g->pages, g->cap_pages, sizeof(*g->pages));
    }
    memmove(&g->pages[i + 1], &g->pages[i], (g->n_pages - i) * sizeof(*g->pages));
    g->pages[i].pfn = pfn;
    g->pages[i].data = xcalloc(1, PAGE_SIZE);
    g->n_pages++;
    return g->pages[i].data;
}

/* Walks [pa, pa+len) page by page; creating pages on write, failing on read of an absent page. */
static int pm_span(struct gen *g, uint64_t pa, uint8_t *buf, size_t len, int write)
{
    while (len) {
        uint64_t off = pa & PAGE_MASK;
        size_t chunk = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        uint8_t *page = pm_page(g, pa / PAGE_SIZE, write);
        if (!page)
            return write ? -1 : fail(g, NULL, "physical 0x%llx is not in memory", (unsigned long long)pa);
        if (write)
            memcpy(page + off, buf, chunk);
        else
            memcpy(buf, page + off, chunk);
        pa += chunk;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

int pm_write(struct gen *g, uint64_t pa, const void *buf, size_t len) { return pm_span(g, pa, (uint8_t *)buf, len, 1); }
int pm_read(struct gen *g, uint64_t pa, void *buf, size_t len) { return pm_span(g, pa, buf, len, 0); }

static int pfn_in_runs(const struct gen *g, uint64_t pfn)
{
    for (size_t i = 0; i < g->n_runs; i++)
        if (pfn >= g->runs[i].base_pfn && pfn - g->runs[i].base_pfn < g->runs[i].count)
            return 1;
    return 0;
}

int pm_alloc(struct gen *g, uint64_t *pfn)
{
    uint64_t limit = g->mem_size / PAGE_SIZE;
    for (uint64_t p = g->alloc_next; p < limit; p++) {
        if ((g->explicit_runs && !pfn_in_runs(g, p)) || pm_page(g, p, 0))
            continue;
        if (!pm_page(g, p, 1))
            return -1;
        g->alloc_next = p + 1;
        *pfn = p;
        return 0;
    }
    return fail(g, NULL, "out of physical memory to allocate (memory.size too small?)");
}

static int parse_runs(struct gen *g, node_t *list)
{
    static const char *const keys[] = {"base", "size", NULL};
    g->runs = xcalloc(sc_len(list), sizeof(*g->runs));
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *r = sc_at(g->sc, list, i);
        uint64_t base, size;
        if (ex_check_keys(g, r, keys) || ex_opt_u64(g, r, "base", 0, &base) || ex_opt_u64(g, r, "size", 0, &size))
            return -1;
        if ((base | size) & PAGE_MASK || size == 0)
            return fail(g, r, "run base and size must be non-zero multiples of 0x1000");
        if (base + size > g->mem_size || base + size < base)
            return fail(g, r, "run ends beyond memory.size");
        if (i && base < (g->runs[i - 1].base_pfn + g->runs[i - 1].count) * PAGE_SIZE)
            return fail(g, r, "runs must be ascending and disjoint");
        g->runs[i] = (struct run){base / PAGE_SIZE, size / PAGE_SIZE};
    }
    g->n_runs = sc_len(list);
    g->explicit_runs = 1;
    return 0;
}

int pm_setup(struct gen *g, node_t *mem)
{
    static const char *const keys[] = {"size", "runs", "alloc_base", NULL};
    uint64_t max = g->arch == ARCH_X86 ? 1ull << 32 : 1ull << 40;
    if (ex_check_keys(g, mem, keys) || ex_opt_u64(g, mem, "size", 0x10000000, &g->mem_size) ||
        ex_opt_u64(g, mem, "alloc_base", 0x100000, &g->alloc_next))
        return -1;
    if (g->mem_size & PAGE_MASK || g->mem_size == 0 || g->mem_size > max)
        return fail(g, mem, "memory.size must be a non-zero page multiple, at most 0x%llx for this arch",
                    (unsigned long long)max);
    g->alloc_next /= PAGE_SIZE;
    node_t *runs = sc_get(g->sc, mem, "runs");
    if (runs && (!sc_is_seq(runs) || sc_len(runs) == 0))
        return fail(g, runs, "memory.runs: expected a non-empty list");
    return runs ? parse_runs(g, runs) : 0;
}

/* Coalesces the used pages into runs, merging gaps of up to `gap` pages. */
static size_t auto_runs(struct gen *g, uint64_t gap)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_pages; i++) {
        uint64_t pfn = g->pages[i].pfn;
        if (n && pfn - (g->runs[n - 1].base_pfn + g->runs[n - 1].count) <= gap) {
            g->runs[n - 1].count = pfn + 1 - g->runs[n - 1].base_pfn;
            continue;
        }
        g->runs[n++] = (struct run){pfn, 1};
    }
    return n;
}

int pm_finish_runs(struct gen *g)
{
    if (g->explicit_runs) {
        if (pm_present_pages(g) > MAX_PAGES)
            return fail(g, NULL, "memory.runs cover more than %u pages", MAX_PAGES);
        for (size_t i = 0; i < g->n_pages; i++)
            if (!pfn_in_runs(g, g->pages[i].pfn))
                return fail(g, NULL, "page 0x%llx holds data but lies outside memory.runs",
                            (unsigned long long)g->pages[i].pfn * PAGE_SIZE);
        return 0;
    }
    if (g->n_pages == 0)
        return fail(g, NULL, "the scenario puts nothing in memory");
    /* The 32-bit header's descriptor holds 86 runs, the 64-bit one 43: widen merges until it fits. */
    size_t limit = is64(g) ? 43 : 86;
    g->runs = xcalloc(g->n_pages, sizeof(*g->runs));
    uint64_t gap = 16;
    while ((g->n_runs = auto_runs(g, gap)) > limit)
        gap *= 2;
    return 0;
}

const uint8_t *pm_page_or_zero(struct gen *g, uint64_t pfn)
{
    static const uint8_t zero[PAGE_SIZE];
    const uint8_t *p = pm_page(g, pfn, 0);
    return p ? p : zero;
}

uint64_t pm_present_pages(const struct gen *g)
{
    uint64_t n = 0;
    for (size_t i = 0; i < g->n_runs; i++)
        n += g->runs[i].count;
    return n;
}
