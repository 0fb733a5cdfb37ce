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

static int scan_pae(struct dp_dump *d, struct dp_guest *g, uint64_t *pd, uint64_t *pt, struct dp_guest_budget *b)
{
    uint64_t pdpt[4];
    if (dp_dump_read_phys(d, g->dtb & ~0x1full, pdpt, sizeof pdpt)) return 0;
    for (unsigned i = 2; i < 4; i++) {
        if (!(pdpt[i] & PTE_PRESENT) || dp_dump_read_phys(d, pdpt[i] & PAE_ADDR, pd, 4096)) continue;
        for (unsigned j = 0; j < 512; j++) {
            uint64_t va = (uint64_t)i << 30 | (uint64_t)j << 21;
            if (!(pd[j] & PTE_PRESENT)) continue;
            if (pd[j] & PTE_LARGE) { /* a kernel mapped large need not start on the page's start (XP: 804d7000) */
                if (scan_pages(d, g, va, pd[j] & PAE_LARGE_ADDR, 512, b)) return 1;
                continue;
            }
            if (dp_dump_read_phys(d, pd[j] & PAE_ADDR, pt, 4096)) continue;
            for (unsigned k = 0; k < 512; k++)
                if ((pt[k] & PTE_PRESENT) && scan_pages(d, g, va | (uint64_t)k << 12, pt[k] & PAE_ADDR, 1, b)) return 1;
        }
    }
    return 0;
}

static int scan_x86(struct dp_dump *d, struct dp_guest *g, uint32_t *pd, uint32_t *pt, struct dp_guest_budget *b)
{
    if (dp_dump_read_phys(d, g->dtb & X86_ADDR, pd, 4096)) return 0;
    for (unsigned j = KERNEL_HALF >> 22; j < 1024; j++) {
        uint64_t va = (uint64_t)j << 22;
        if (!(pd[j] & PTE_PRESENT) || j == X86_SELF_SLOT) continue;
        if (pd[j] & PTE_LARGE) {
            if (scan_pages(d, g, va, pd[j] & X86_LARGE_ADDR, 1024, b)) return 1;
            continue;
        }
        if (dp_dump_read_phys(d, pd[j] & X86_ADDR, pt, 4096)) continue;
        for (unsigned k = 0; k < 1024; k++)
            if ((pt[k] & PTE_PRESENT) && scan_pages(d, g, va | (uint64_t)k << 12, pt[k] & X86_ADDR, 1, b)) return 1;
    }
    return 0;
}

int dp_guest_scan_kernel_x86(struct dp_dump *d, struct dp_guest *g)
{
    void *pd = malloc(4096), *pt = malloc(4096);
    int found = 0;
    struct dp_guest_budget budget = {DP_GUEST_MAX_IMAGES, DP_GUEST_MAX_PAGES};
    if (pd && pt)
        found = g->paging == DP_PAGING_X86_PAE ? scan_pae(d, g, pd, pt, &budget) : scan_x86(d, g, pd, pt, &budget);
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
