/* Everything that is not a Windows crash dump goes to libkdumpfile (ELF vmcores, kdump/diskdump,
 * xc_core, LKCD, ...): it names the format, reads physical memory, and translates virtual addresses
 * where it knows how (for Linux, from VMCOREINFO). */
#include "dump_internal.h"

#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_KD_RUNS (1u << 20) /* far above any real memory map; bounds the run table */

struct dp_kd {
    kdump_ctx_t *ctx;
    char format[64];
};

static int kd_status(kdump_status st)
{
    switch (st) {
    case KDUMP_OK: return DP_OK;
    case KDUMP_ERR_NOTIMPL:
    case KDUMP_ERR_NOKEY: return DP_ERR_NOT_APPLICABLE;
    case KDUMP_ERR_SYSTEM: return DP_ERR_IO;
    default: return DP_ERR_FAULT; /* not stored, not translatable, past the end */
    }
}

static void set_arch(struct dp_dump *d)
{
    const char *arch = NULL;
    kdump_num_t n;
    struct dp_dump_info *i = &d->info;
    if (kdump_get_string_attr(d->kd->ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK) arch = "";
    if (!strcmp(arch, KDUMP_ARCH_X86_64)) i->arch = DP_ARCH_X64, i->machine_type = 0x8664, i->paging = DP_PAGING_X86_64;
    else if (!strcmp(arch, KDUMP_ARCH_IA32)) {
        i->arch = DP_ARCH_X86, i->machine_type = 0x14c;
        /* Likewise ia32 needs to know PAE or not before it reads anything; guess non-PAE when the dump
         * is silent (physical reads do not depend on it). */
        kdump_set_number_attr(d->kd->ctx, KDUMP_ATTR_XLAT_DEFAULT ".phys_bits", 32);
    }
    else if (!strcmp(arch, KDUMP_ARCH_AARCH64)) i->arch = DP_ARCH_ARM64, i->machine_type = 0xaa64;
    if (kdump_get_number_attr(d->kd->ctx, KDUMP_ATTR_PTR_SIZE, &n) == KDUMP_OK) i->ptr_size = (unsigned)n;
    if (kdump_get_number_attr(d->kd->ctx, KDUMP_ATTR_PAGE_SIZE, &n) == KDUMP_OK) i->page_size = (unsigned)n;
    if (kdump_get_number_attr(d->kd->ctx, KDUMP_ATTR_NUM_CPUS, &n) == KDUMP_OK) i->nr_cpus = (uint32_t)n;
}

static int add_run(struct dp_dump *d, size_t *cap, uint64_t first, uint64_t n)
{
    if (d->n_runs == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct dp_extent *r = realloc(d->runs, c * sizeof *r);
        if (!r) return DP_ERR_NOMEM;
        d->runs = r;
        *cap = c;
    }
    d->runs[d->n_runs++] = (struct dp_extent){first, n, 0};
    d->info.phys_pages_present += n;
    return DP_OK;
}

/* Runs of present pages from the file's page map; a format without one simply has no run list. */
static int load_runs(struct dp_dump *d, char *err, size_t errlen)
{
    kdump_attr_t attr = {.type = KDUMP_BITMAP};
    if (kdump_get_typed_attr(d->kd->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) != KDUMP_OK) return DP_OK;
    kdump_bmp_t *bmp = attr.val.bitmap;
    kdump_bmp_incref(bmp);
    size_t cap = 0;
    int rc = DP_OK;
    kdump_addr_t pfn = 0;
    while (kdump_bmp_find_set(bmp, &pfn) == KDUMP_OK && pfn < DP_MAX_PFN) {
        kdump_addr_t end = pfn;
        if (kdump_bmp_find_clear(bmp, &end) != KDUMP_OK || end > DP_MAX_PFN) end = DP_MAX_PFN;
        if (d->n_runs == MAX_KD_RUNS) {
            rc = dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "more than %u runs of present pages", MAX_KD_RUNS);
            break;
        }
        if ((rc = add_run(d, &cap, pfn, end - pfn))) {
            rc = dp_dump_fail(err, errlen, d->path, rc, "out of memory");
            break;
        }
        pfn = end;
    }
    kdump_bmp_decref(bmp);
    return rc;
}

int dp_kd_open(struct dp_dump *d, char *err, size_t errlen)
{
    struct dp_kd *kd = calloc(1, sizeof *kd);
    if (!kd || !(kd->ctx = kdump_new())) {
        free(kd);
        return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    }
    d->kd = kd;
    /* Without VMCOREINFO libkdumpfile cannot tell 4- from 5-level x86-64 paging and then refuses even
     * physical reads; this default applies only when the dump itself says nothing. */
    kdump_set_number_attr(kd->ctx, KDUMP_ATTR_XLAT_DEFAULT ".virt_bits", 48);
    kdump_status st = kdump_open_fd(kd->ctx, d->map.fd);
    if (st != KDUMP_OK)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "not a crash dump libkdumpfile or dumppipe can read (libkdumpfile: %s)",
                            kdump_get_err(kd->ctx));
    const char *fmt = NULL;
    if (kdump_get_string_attr(kd->ctx, KDUMP_ATTR_FILE_FORMAT, &fmt) != KDUMP_OK || !fmt) fmt = "unknown";
    snprintf(kd->format, sizeof kd->format, "%s", fmt);
    d->info.format = kd->format;
    d->info.dump_type = "complete";
    d->info.page_size = DP_PAGE_SIZE;
    d->phys_kind = DP_PHYS_KDUMP;
    set_arch(d);
    return load_runs(d, err, errlen);
}

void dp_kd_close(struct dp_kd *kd)
{
    if (!kd) return;
    if (kd->ctx) kdump_free(kd->ctx);
    free(kd);
}

int dp_kd_read(struct dp_kd *kd, int virt, uint64_t addr, void *buf, size_t len)
{
    size_t got = len;
    kdump_status st = kdump_read(kd->ctx, virt ? KDUMP_KVADDR : KDUMP_KPHYSADDR, addr, buf, &got);
    kdump_clear_err(kd->ctx);
    if (st == KDUMP_OK && got == len) return DP_OK;
    return st == KDUMP_OK ? DP_ERR_FAULT : kd_status(st);
}

int dp_kd_translate(struct dp_kd *kd, uint64_t va, uint64_t *pa)
{
    addrxlat_ctx_t *actx = NULL;
    addrxlat_sys_t *asys = NULL;
    if (kdump_get_addrxlat(kd->ctx, &actx, &asys) != KDUMP_OK) return DP_ERR_NOT_APPLICABLE;
    addrxlat_fulladdr_t fa = {.addr = va, .as = ADDRXLAT_KVADDR};
    addrxlat_status st = addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, actx, asys);
    addrxlat_ctx_clear_err(actx);
    addrxlat_ctx_decref(actx);
    addrxlat_sys_decref(asys);
    if (st != ADDRXLAT_OK) return DP_ERR_FAULT;
    *pa = fa.addr;
    return DP_OK;
}
