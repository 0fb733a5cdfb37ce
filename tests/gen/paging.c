/* Page tables the way the processor walks them: x86 2-level (4-byte entries), PAE 3-level and x64
 * 4-level (8-byte entries), built in physical pages taken from the allocator. */
#include "dpgen.h"

#define PTE_PRESENT 0x1ull
#define PTE_LARGE 0x80ull
#define PTE_UPPER 0x23ull  /* present, writable, accessed: kernel directories */
#define PTE_LEAF 0x63ull   /* ... and dirty */
/* A PAE CR3 is only 32-byte aligned; putting the PDPT off the page start exercises readers that
 * wrongly mask CR3 to a page. */
#define PAE_PDPT_OFFSET 0x20u

struct level { unsigned shift, bits; };
static const struct level x86_levels[] = {{22, 10}, {12, 10}};
static const struct level pae_levels[] = {{30, 2}, {21, 9}, {12, 9}};
static const struct level x64_levels[] = {{39, 9}, {30, 9}, {21, 9}, {12, 9}};

static const struct level *levels(const struct gen *g, size_t *n, unsigned *esize)
{
    *esize = g->arch == ARCH_X86 ? 4 : 8;
    switch (g->arch) {
    case ARCH_X86: *n = 2; return x86_levels;
    case ARCH_PAE: *n = 3; return pae_levels;
    default: *n = 4; return x64_levels;
    }
}

static uint64_t frame_of(const struct gen *g, uint64_t entry)
{
    return g->arch == ARCH_X86 ? entry & 0xfffff000ull : entry & 0x000ffffffffff000ull;
}

static int va_valid(const struct gen *g, uint64_t va)
{
    if (!is64(g))
        return va <= 0xffffffffull;
    uint64_t top = va >> 47; /* canonical: bits 63..47 all equal */
    return top == 0 || top == 0x1ffff;
}

int vm_init(struct gen *g)
{
    uint64_t pfn;
    if (pm_alloc(g, &pfn) != 0)
        return -1;
    g->cr3 = pfn * PAGE_SIZE + (g->arch == ARCH_PAE ? PAE_PDPT_OFFSET : 0);
    return 0;
}

static uint64_t table_base(const struct gen *g)
{
    return g->arch == ARCH_PAE ? g->cr3 & ~0x1full : g->cr3 & ~PAGE_MASK;
}

/* Address of the entry for va at each level; creates missing directories when `create`. Returns 0 and
 * the leaf entry's address, 1 when unmapped (and not creating), 2 when a large page maps va. */
static int walk(struct gen *g, uint64_t va, int create, uint64_t *leaf_addr, uint64_t *large_pa)
{
    size_t n;
    unsigned esize;
    const struct level *lv = levels(g, &n, &esize);
    uint64_t table = table_base(g);
    for (size_t i = 0; i + 1 < n; i++) {
        uint64_t idx = (va >> lv[i].shift) & ((1ull << lv[i].bits) - 1), entry = 0;
        uint64_t addr = table + idx * esize;
        uint8_t raw[8];
        if (pm_read(g, addr, raw, esize) != 0)
            return -1;
        entry = get_le(raw, esize);
        if (!(entry & PTE_PRESENT)) {
            uint64_t pfn;
            if (!create)
                return 1;
            if (pm_alloc(g, &pfn) != 0)
                return -1;
            /* PAE PDPTEs have reserved RW/US bits: only Present may be set. */
            entry = pfn * PAGE_SIZE | (g->arch == ARCH_PAE && i == 0 ? PTE_PRESENT
                                       : g->arch == ARCH_ARM64       ? arm64_table_bits()
                                                                     : PTE_UPPER);
            put_le(raw, entry, esize);
            if (pm_write(g, addr, raw, esize) != 0)
                return -1;
        } else if (g->arch != ARCH_ARM64 && (entry & PTE_LARGE) && (g->arch == ARCH_X86 || i > 0)) { /* 4M / 2M / 1G */
            uint64_t span = 1ull << lv[i].shift;
            *large_pa = (frame_of(g, entry) & ~(span - 1)) + (va & (span - 1));
            return 2;
        }
        table = frame_of(g, entry);
    }
    *leaf_addr = table + ((va >> 12) & ((1ull << lv[n - 1].bits) - 1)) * esize;
    return 0;
}

int vm_map(struct gen *g, uint64_t va, uint64_t pa)
{
    unsigned esize = g->arch == ARCH_X86 ? 4 : 8;
    uint64_t leaf = 0, large = 0;
    uint8_t raw[8];
    if (!va_valid(g, va))
        return fail(g, NULL, "virtual address 0x%llx is not valid for this architecture", (unsigned long long)va);
    int rc = walk(g, va, 1, &leaf, &large);
    if (rc != 0)
        return rc < 0 ? -1 : fail(g, NULL, "0x%llx lies in a large page", (unsigned long long)va);
    if (pm_read(g, leaf, raw, esize) != 0)
        return -1;
    uint64_t old = get_le(raw, esize);
    if ((old & PTE_PRESENT) && frame_of(g, old) != (pa & ~PAGE_MASK))
        return fail(g, NULL, "virtual page 0x%llx is already mapped elsewhere", (unsigned long long)va);
    put_le(raw, (pa & ~PAGE_MASK) | (g->arch == ARCH_ARM64 ? arm64_page_bits() : PTE_LEAF), esize);
    return pm_write(g, leaf, raw, esize);
}

int vm_translate(struct gen *g, uint64_t va, uint64_t *pa)
{
    unsigned esize = g->arch == ARCH_X86 ? 4 : 8;
    uint64_t leaf = 0, large = 0;
    uint8_t raw[8];
    if (!va_valid(g, va))
        return 1;
    int rc = walk(g, va, 0, &leaf, &large);
    if (rc == 2) {
        *pa = large;
        return 0;
    }
    if (rc != 0)
        return rc;
    if (pm_read(g, leaf, raw, esize) != 0)
        return -1;
    uint64_t e = get_le(raw, esize);
    if (!(e & PTE_PRESENT))
        return 1;
    *pa = frame_of(g, e) | (va & PAGE_MASK);
    return 0;
}

int vm_ensure(struct gen *g, uint64_t va, uint64_t len)
{
    if (len == 0)
        return 0;
    uint64_t first = va & ~PAGE_MASK, last = (va + len - 1) & ~PAGE_MASK;
    if (va + len - 1 < va)
        return fail(g, NULL, "range at 0x%llx wraps", (unsigned long long)va);
    for (uint64_t p = first;; p += PAGE_SIZE) {
        uint64_t pa, pfn;
        int rc = vm_translate(g, p, &pa);
        if (rc < 0)
            return -1;
        if (rc == 1 && (pm_alloc(g, &pfn) != 0 || vm_map(g, p, pfn * PAGE_SIZE) != 0))
            return -1;
        if (p == last)
            return 0;
    }
}

static int vm_span(struct gen *g, uint64_t va, uint8_t *buf, size_t len, int write)
{
    if (write && vm_ensure(g, va, len) != 0)
        return -1;
    while (len) {
        uint64_t pa;
        size_t chunk = PAGE_SIZE - (va & PAGE_MASK);
        if (chunk > len)
            chunk = len;
        int rc = vm_translate(g, va, &pa);
        if (rc != 0)
            return rc < 0 ? -1 : fail(g, NULL, "virtual 0x%llx is not mapped", (unsigned long long)va);
        if ((write ? pm_write(g, pa, buf, chunk) : pm_read(g, pa, buf, chunk)) != 0)
            return -1;
        va += chunk;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

int vm_write(struct gen *g, uint64_t va, const void *buf, size_t len) { return vm_span(g, va, (uint8_t *)buf, len, 1); }
int vm_read(struct gen *g, uint64_t va, void *buf, size_t len) { return vm_span(g, va, buf, len, 0); }

int vm_put(struct gen *g, uint64_t va, uint64_t v, unsigned width)
{
    uint8_t raw[8];
    put_le(raw, v, width);
    return vm_write(g, va, raw, width);
}

/* Explicit VA->PA mappings: pass 0 reserves the physical pages (before the allocator runs), pass 1
 * maps them (once the page tables exist). */
static int one_mapping(struct gen *g, node_t *m, int pass)
{
    static const char *const keys[] = {"va", "pa", "size", NULL};
    uint64_t va, pa, size;
    if (ex_check_keys(g, m, keys) || ex_opt_u64(g, m, "va", 0, &va) || ex_opt_u64(g, m, "pa", 0, &pa) ||
        ex_opt_u64(g, m, "size", PAGE_SIZE, &size))
        return -1;
    if ((va | pa | size) & PAGE_MASK || size == 0)
        return fail(g, m, "mapping va, pa and size must be page multiples");
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        if (pass == 0 && !pm_page(g, (pa + off) / PAGE_SIZE, 1))
            return -1;
        if (pass == 1 && vm_map(g, va + off, pa + off) != 0)
            return -1;
    }
    return 0;
}

int vm_mappings(struct gen *g, node_t *list, int pass)
{
    if (list && !sc_is_seq(list))
        return fail(g, list, "mappings: expected a list");
    for (size_t i = 0; i < sc_len(list); i++)
        if (one_mapping(g, sc_at(g->sc, list, i), pass) != 0)
            return -1;
    return 0;
}

uint64_t vm_heap_alloc(struct gen *g, uint64_t len)
{
    uint64_t va = g->heap_next;
    g->heap_next = align_up(va + len, 16);
    return va;
}
