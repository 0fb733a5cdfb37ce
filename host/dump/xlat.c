/* Kernel virtual-to-physical translation. libaddrxlat walks the page tables (x86 2-level, PAE, x86-64
 * 4-level, AArch64 4-level with 4 KiB pages); it reads table entries through our page lookup, so an absent table page is a failed
 * translation, never a zero entry. Windows transition PTEs (valid bit clear, page still resident) are not
 * followed: libaddrxlat's PTE formats only know the hardware present bit. */
#include "dump_internal.h"

#include <libkdumpfile/addrxlat.h>
#include <stdlib.h>

struct dp_xlat {
    addrxlat_ctx_t *ctx;
    addrxlat_cb_t *cb;
    addrxlat_meth_t meth;
};

/* Pages point into the read-only mapping: nothing to release, but libaddrxlat calls this unconditionally. */
static void put_page(const addrxlat_buffer_t *buf) { (void)buf; }

static addrxlat_status get_page(const addrxlat_cb_t *cb, addrxlat_buffer_t *buf)
{
    const struct dp_dump *d = cb->priv;
    if (buf->addr.as != ADDRXLAT_KPHYSADDR) return ADDRXLAT_ERR_NOMETH;
    uint64_t pfn = buf->addr.addr >> DP_PAGE_SHIFT;
    const uint8_t *page = dp_phys_lookup(d, pfn);
    if (!page) return ADDRXLAT_ERR_NODATA;
    buf->addr.addr = pfn << DP_PAGE_SHIFT;
    buf->ptr = page;
    buf->size = DP_PAGE_SIZE;
    buf->byte_order = ADDRXLAT_LITTLE_ENDIAN;
    buf->put_page = put_page;
    return ADDRXLAT_OK;
}

static unsigned long read_caps(const addrxlat_cb_t *cb)
{
    (void)cb;
    return ADDRXLAT_CAPS(ADDRXLAT_KPHYSADDR);
}

/* The paging form and root table for the dump's mode; the root comes from DirectoryTableBase. */
static int set_paging(struct dp_xlat *x, const struct dp_dump_info *i)
{
    addrxlat_param_pgt_t *p = &x->meth.param.pgt;
    x->meth.kind = ADDRXLAT_PGT;
    x->meth.target_as = ADDRXLAT_KPHYSADDR;
    p->root.as = ADDRXLAT_KPHYSADDR;
    p->pte_mask = 0;
    switch (i->paging) {
    case DP_PAGING_X86_64:
        p->pf = (addrxlat_paging_form_t){ADDRXLAT_PTE_X86_64, 5, {12, 9, 9, 9, 9}};
        p->root.addr = i->directory_table_base & ~0xfffull; /* low bits may carry a PCID */
        return DP_OK;
    case DP_PAGING_X86_PAE:
        p->pf = (addrxlat_paging_form_t){ADDRXLAT_PTE_IA32_PAE, 4, {12, 9, 9, 2}};
        p->root.addr = i->directory_table_base & 0xffffffe0ull; /* the PDPT is only 32-byte aligned */
        return DP_OK;
    case DP_PAGING_X86:
        p->pf = (addrxlat_paging_form_t){ADDRXLAT_PTE_IA32, 3, {12, 10, 10}};
        p->root.addr = i->directory_table_base & 0xfffff000ull;
        return DP_OK;
    case DP_PAGING_AARCH64:
        /* Windows ARM64: 4 KiB granule, 48-bit VAs, one 512-entry root for both halves (like a PML4; the
         * kernel half is entries 256-511), so the header's DTB serves TTBR1 and TTBR0 addresses alike.
         * Its low 12 bits and an ASID in bits 63:48 are not part of the table address. */
        p->pf = (addrxlat_paging_form_t){ADDRXLAT_PTE_AARCH64, 5, {12, 9, 9, 9, 9}};
        p->root.addr = i->directory_table_base & 0x0000fffffffff000ull;
        return DP_OK;
    default: return DP_ERR_NOT_APPLICABLE;
    }
}

int dp_xlat_new(struct dp_dump *d, char *err, size_t errlen)
{
    struct dp_xlat *x = calloc(1, sizeof *x);
    if (!x) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    if (set_paging(x, &d->info)) {
        free(x);
        return DP_OK; /* no translation for this architecture: virtual reads fail as not applicable */
    }
    x->ctx = addrxlat_ctx_new();
    addrxlat_cb_t *cb = x->ctx ? addrxlat_ctx_add_cb(x->ctx) : NULL;
    if (!cb) {
        if (x->ctx) addrxlat_ctx_decref(x->ctx);
        free(x);
        return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    }
    x->cb = cb;
    cb->priv = d;
    cb->get_page = get_page;
    cb->read_caps = read_caps;
    d->xlat = x;
    return DP_OK;
}

void dp_xlat_free(struct dp_xlat *x)
{
    if (!x) return;
    addrxlat_ctx_del_cb(x->ctx, x->cb);
    addrxlat_ctx_decref(x->ctx);
    free(x);
}

int dp_xlat_translate(struct dp_xlat *x, uint64_t va, uint64_t *pa)
{
    addrxlat_step_t step = {.ctx = x->ctx, .sys = NULL, .meth = &x->meth};
    step.base.addr = va;
    step.base.as = ADDRXLAT_KVADDR;
    addrxlat_status st = addrxlat_walk(&step);
    addrxlat_ctx_clear_err(x->ctx);
    if (st == ADDRXLAT_OK) {
        *pa = step.base.addr;
        return DP_OK;
    }
    /* Not present, non-canonical, or a table page missing from the dump: all mean "cannot be read". */
    return st == ADDRXLAT_ERR_NOMEM ? DP_ERR_NOMEM : DP_ERR_FAULT;
}
