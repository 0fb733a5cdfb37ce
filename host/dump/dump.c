/* dp_dump_*: open a dump, detect its format by content, and route every request to its reader. */
#include "dump_internal.h"

#include <stdlib.h>

/* By content: a Windows crash dump, a flat physical image recognised by what low memory holds, or
 * whatever libkdumpfile reads (which refuses what it does not know). */
static int open_by_format(struct dp_dump *d, const char *format, char *err, size_t errlen)
{
    if (format && !strcmp(format, "raw")) return dp_raw_open(d, 1, err, errlen);
    if (dp_win_is_crashdump(&d->map)) return dp_win_open(d, err, errlen);
    if (dp_raw_recognise(&d->map, d->path)) return dp_raw_open(d, 0, err, errlen);
    return dp_kd_open(d, err, errlen);
}

static void name_guest(struct dp_dump *d)
{
    if (!d->notes.os_release[0]) return;
    d->info.os = "linux";
    d->info.os_release = d->notes.os_release;
}

int dp_dump_open(const char *path, struct dp_dump **out, char *err, size_t errlen)
{
    return dp_dump_open_format(path, NULL, out, err, errlen);
}

int dp_dump_open_format(const char *path, const char *format, struct dp_dump **out, char *err, size_t errlen)
{
    if (!path || !out) return dp_dump_fail(err, errlen, path, DP_ERR_INVALID, "no dump given");
    if (format && strcmp(format, "auto") && strcmp(format, "raw"))
        return dp_dump_fail(err, errlen, path, DP_ERR_INVALID, "unknown dump format '%s' (auto or raw)", format);
    *out = NULL;
    struct dp_dump *d = calloc(1, sizeof *d);
    if (d) d->map.fd = -1;
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return dp_dump_fail(err, errlen, path, DP_ERR_NOMEM, "out of memory");
    }
    d->info.path = d->path;
    int rc = dp_map_open(path, &d->map, err, errlen);
    if (!rc) rc = open_by_format(d, format, err, errlen);
    if (!rc) name_guest(d);
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
    dp_notes_free(&d->notes);
    free(d->segs);
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
    if (d->phys_kind == DP_PHYS_KDUMP) return dp_kd_read_phys(d, paddr, buf, len);
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
    if (d->kd) return dp_kd_translate(d, vaddr, paddr);
    return DP_ERR_NOT_APPLICABLE;
}

/* Page by page: contiguous virtual pages need not be contiguous physically. */
static int read_virt_paged(struct dp_dump *d, uint64_t va, uint8_t *o, size_t len)
{
    while (len) {
        uint64_t pa;
        int rc = dp_dump_translate(d, va, &pa);
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
    if (d->kd) return read_virt_paged(d, vaddr, buf, len);
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
    return dp_kd_read_phys(d, pfn << DP_PAGE_SHIFT, d->page_buf, DP_PAGE_SIZE) ? NULL : d->page_buf;
}

size_t dp_dump_module_count(struct dp_dump *d) { return d->n_modules; }

const struct dp_module *dp_dump_module(struct dp_dump *d, size_t index)
{
    return index < d->n_modules ? &d->modules[index] : NULL;
}
