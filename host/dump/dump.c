/* dp_dump_*: open a dump, detect its format by content, and route every request to its reader. */
#include "dump_internal.h"

#include <stdlib.h>

int dp_dump_open(const char *path, struct dp_dump **out, char *err, size_t errlen)
{
    if (!path || !out) return dp_dump_fail(err, errlen, path, DP_ERR_INVALID, "no dump given");
    *out = NULL;
    struct dp_dump *d = calloc(1, sizeof *d);
    if (d) d->map.fd = -1;
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return dp_dump_fail(err, errlen, path, DP_ERR_NOMEM, "out of memory");
    }
    d->info.path = d->path;
    int rc = dp_map_open(path, &d->map, err, errlen);
    if (!rc) rc = dp_win_is_crashdump(&d->map) ? dp_win_open(d, err, errlen) : dp_kd_open(d, err, errlen);
    if (rc) {
        dp_dump_close(d);
        return rc;
    }
    *out = d;
    return DP_OK;
}

void dp_dump_close(struct dp_dump *d)
{
    if (!d) return;
    dp_modules_free(d);
    dp_xlat_free(d->xlat);
    dp_kd_close(d->kd); /* before the mapping: libkdumpfile reads through our descriptor */
    dp_map_close(&d->map);
    free(d->runs);
    free(d->bmp.rank);
    free(d->vregions);
    free(d->vreg_maxend);
    free(d->tags);
    free(d->path);
    free(d);
}

const struct dp_dump_info *dp_dump_get_info(const struct dp_dump *d) { return &d->info; }

int dp_dump_regs(struct dp_dump *d, struct dp_regs *out)
{
    if (!out) return DP_ERR_INVALID;
    if (!d->has_regs) return DP_ERR_NOT_APPLICABLE;
    *out = d->regs;
    return DP_OK;
}

int dp_dump_read_phys(struct dp_dump *d, uint64_t paddr, void *buf, size_t len)
{
    if (!buf && len) return DP_ERR_INVALID;
    if (paddr + len < paddr) return DP_ERR_FAULT;
    if (d->phys_kind == DP_PHYS_KDUMP) return dp_kd_read(d->kd, 0, paddr, buf, len);
    if (d->phys_kind == DP_PHYS_NONE) return DP_ERR_NOT_APPLICABLE;
    uint8_t *o = buf;
    while (len) {
        const uint8_t *page = dp_phys_lookup(d, paddr >> DP_PAGE_SHIFT);
        if (!page) return DP_ERR_FAULT;
        size_t in_page = DP_PAGE_SIZE - (paddr & (DP_PAGE_SIZE - 1)), n = len < in_page ? len : in_page;
        memcpy(o, page + (paddr & (DP_PAGE_SIZE - 1)), n);
        o += n;
        paddr += n;
        len -= n;
    }
    return DP_OK;
}

int dp_dump_translate(struct dp_dump *d, uint64_t vaddr, uint64_t *paddr)
{
    if (!paddr) return DP_ERR_INVALID;
    if (d->xlat) return dp_xlat_translate(d->xlat, vaddr, paddr);
    if (d->kd) return dp_kd_translate(d->kd, vaddr, paddr);
    return DP_ERR_NOT_APPLICABLE;
}

/* Page by page: contiguous virtual pages need not be contiguous physically. */
static int read_virt_paged(struct dp_dump *d, uint64_t va, uint8_t *o, size_t len)
{
    while (len) {
        uint64_t pa;
        int rc = dp_xlat_translate(d->xlat, va, &pa);
        if (rc) return rc;
        size_t in_page = DP_PAGE_SIZE - (va & (DP_PAGE_SIZE - 1)), n = len < in_page ? len : in_page;
        rc = dp_dump_read_phys(d, pa, o, n);
        if (rc) return rc;
        o += n;
        va += n;
        len -= n;
    }
    return DP_OK;
}

int dp_dump_read_virt(struct dp_dump *d, uint64_t vaddr, void *buf, size_t len)
{
    if (!buf && len) return DP_ERR_INVALID;
    if (vaddr + len < vaddr) return DP_ERR_FAULT;
    if (d->xlat) return read_virt_paged(d, vaddr, buf, len);
    if (d->kd) return dp_kd_read(d->kd, 1, vaddr, buf, len);
    if (d->n_vregions) return dp_vregion_read(d, vaddr, buf, len);
    return DP_ERR_NOT_APPLICABLE;
}

size_t dp_dump_run_count(struct dp_dump *d) { return d->n_runs; }

int dp_dump_run(struct dp_dump *d, size_t index, uint64_t *first_pfn, uint64_t *n_pages)
{
    if (index >= d->n_runs) return DP_ERR_NOT_FOUND;
    if (first_pfn) *first_pfn = d->runs[index].first_pfn;
    if (n_pages) *n_pages = d->runs[index].n_pages;
    return DP_OK;
}

const uint8_t *dp_dump_phys_page(struct dp_dump *d, uint64_t pfn)
{
    if (pfn >= DP_MAX_PFN) return NULL;
    if (d->phys_kind != DP_PHYS_KDUMP) return dp_phys_lookup(d, pfn);
    return dp_kd_read(d->kd, 0, pfn << DP_PAGE_SHIFT, d->page_buf, DP_PAGE_SIZE) ? NULL : d->page_buf;
}

size_t dp_dump_module_count(struct dp_dump *d) { return d->n_modules; }

const struct dp_module *dp_dump_module(struct dp_dump *d, size_t index)
{
    return index < d->n_modules ? &d->modules[index] : NULL;
}
