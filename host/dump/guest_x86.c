/* A 32-bit Windows guest (x86, PAE or not) in hypervisor-side memory: its page-table root found by the
 * self-map Windows keeps (MemProcFS vmmwininit.c's PAE and x86 DTB checks), and ntoskrnl found by a
 * walk of the kernel half of the address space, 0x80000000..0xFFFFFFFF (0xC0000000 up with /3GB).
 * Self-map, PAE: the page tables appear at 0xC0000000, the four page directories at 0xC0600000, so the
 * fourth directory's entries 0..3 point at the four directories themselves (the PDPT's entries). Non-PAE:
 * the directory's entry 0x300 points at itself (0xC0300000). */
#include "guest.h"

#include <stdlib.h>

#define PAE_ADDR 0x000ffffffffff000ull
#define PAE_LARGE_ADDR 0x000fffffffe00000ull
#define X86_ADDR 0xfffff000u
#define X86_LARGE_ADDR 0xffc00000u
#define PTE_PRESENT 1u
#define PTE_LARGE 0x80u
#define PDPTE_RESERVED 0x1e6ull      /* bits 1, 2, 5..8 must be zero in a PAE PDPTE */
#define X86_SELF_SLOT 0x300u         /* 0xC0300000 >> 22 */
#define KERNEL_HALF 0x80000000ull

/* The 4 KiB pages [pa, pa + n pages) mapped at va, looked at for ntoskrnl's MZ. */
static int scan_pages(struct dp_dump *d, struct dp_guest *g, uint64_t va, uint64_t pa, unsigned n,
                      struct dp_guest_budget *b)
{
    for (unsigned k = 0; k < n && b->pages && b->images; k++)
        if (dp_guest_is_ntoskrnl(d, va + (uint64_t)k * DP_PAGE_SIZE, pa + (uint64_t)k * DP_PAGE_SIZE, g, b)) return 1;
    return 0;
}

/* A paging form's directory level: entry width and count, the address bits of a table entry and of a
 * large page's, the VA bits one entry spans. */
struct form {
    unsigned esize, entries, shift;
    uint64_t addr, large_addr;
};
static const struct form pae = {8, 512, 21, PAE_ADDR, PAE_LARGE_ADDR};
static const struct form x86 = {4, 1024, 22, X86_ADDR, X86_LARGE_ADDR};

static uint64_t entry(const uint8_t *t, unsigned i, unsigned esize)
{
    uint64_t v = 0;
    memcpy(&v, t + (size_t)i * esize, esize);
    return v;
}

/* The directory at dir_pa mapping va_base..: entries from `first` on, skipping the self-map slot. */
static int scan_dir(struct dp_dump *d, struct dp_guest *g, const struct form *f, uint64_t dir_pa, uint64_t va_base,
                    unsigned first, uint8_t *pd, uint8_t *pt, struct dp_guest_budget *b)
{
    if (dp_dump_read_phys(d, dir_pa, pd, 4096)) return 0;
    for (unsigned j = first; j < f->entries; j++) {
        uint64_t e = entry(pd, j, f->esize), va = va_base + ((uint64_t)j << f->shift);
        if (!(e & PTE_PRESENT) || (f == &x86 && j == X86_SELF_SLOT)) continue;
        if (e & PTE_LARGE) { /* a kernel mapped large need not start on the page's start (XP: 804d7000) */
            if (scan_pages(d, g, va, e & f->large_addr, 1u << (f->shift - 12), b)) return 1;
            continue;
        }
        if (dp_dump_read_phys(d, e & f->addr, pt, 4096)) continue;
        for (unsigned k = 0; k < f->entries; k++) {
            uint64_t p = entry(pt, k, f->esize);
            if ((p & PTE_PRESENT) && scan_pages(d, g, va | (uint64_t)k << 12, p & f->addr, 1, b)) return 1;
        }
    }
    return 0;
}

static int scan_root(struct dp_dump *d, struct dp_guest *g, uint8_t *pd, uint8_t *pt, struct dp_guest_budget *b)
{
    if (g->paging == DP_PAGING_X86) return scan_dir(d, g, &x86, g->dtb & X86_ADDR, 0, KERNEL_HALF >> 22, pd, pt, b);
    uint64_t pdpt[4];
    if (dp_dump_read_phys(d, g->dtb & ~0x1full, pdpt, sizeof pdpt)) return 0;
    for (unsigned i = 2; i < 4; i++)
        if ((pdpt[i] & PTE_PRESENT) && scan_dir(d, g, &pae, pdpt[i] & PAE_ADDR, (uint64_t)i << 30, 0, pd, pt, b))
            return 1;
    return 0;
}

int dp_guest_scan_kernel_x86(struct dp_dump *d, struct dp_guest *g)
{
    void *pd = malloc(4096), *pt = malloc(4096);
    int found = 0;
    struct dp_guest_budget budget = {DP_GUEST_MAX_IMAGES, DP_GUEST_MAX_PAGES};
    if (pd && pt)
        found = scan_root(d, g, pd, pt, &budget);
    else
        found = DP_ERR_NOMEM;
    free(pd);
    free(pt);
    return found;
}

/* A PDPT at pa (32 bytes, e) whose kernel entries are present and whose fourth directory maps the
 * directories. */
static int pae_self_mapped(struct dp_dump *d, uint64_t pa, const uint64_t e[4])
{
    for (unsigned i = 0; i < 4; i++)
        if ((e[i] & PTE_PRESENT) && (e[i] & PDPTE_RESERVED)) return 0;
    if (!(e[2] & e[3] & PTE_PRESENT) || !(e[3] & PAE_ADDR) || (e[3] & PAE_ADDR) == (pa & PAE_ADDR)) return 0;
    uint64_t self[4];
    if (dp_dump_read_phys(d, e[3] & PAE_ADDR, self, sizeof self)) return 0;
    for (unsigned i = 0; i < 4; i++)
        if ((e[i] & PTE_PRESENT) && (!(self[i] & PTE_PRESENT) || (self[i] & PTE_LARGE) ||
                                     (self[i] & PAE_ADDR) != (e[i] & PAE_ADDR)))
            return 0;
    return 1;
}

uint64_t dp_guest_x86_self_map(struct dp_dump *d, uint64_t from, uint64_t limit, enum dp_paging *paging)
{
    uint8_t page[4096];
    for (uint64_t pa = from & ~0xfffull; pa < limit; pa += DP_PAGE_SIZE) {
        if (dp_dump_read_phys(d, pa, page, sizeof page)) continue;
        uint32_t e32;
        memcpy(&e32, page + 4 * X86_SELF_SLOT, 4);
        if (pa >= from && (e32 & (PTE_PRESENT | PTE_LARGE)) == PTE_PRESENT && (e32 & X86_ADDR) == pa) {
            *paging = DP_PAGING_X86;
            return pa;
        }
        for (unsigned o = 0; o < sizeof page; o += 32) {
            uint64_t e[4];
            memcpy(e, page + o, sizeof e);
            if (pa + o >= from && pae_self_mapped(d, pa, e)) {
                *paging = DP_PAGING_X86_PAE;
                return pa + o;
            }
        }
    }
    return 0;
}
