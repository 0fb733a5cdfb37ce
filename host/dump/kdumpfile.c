/* Everything that is not a Windows crash dump, a flat image or a Xen domain dump goes to libkdumpfile
 * (ELF vmcores and QEMU dumps, compressed kdump/diskdump, LKCD, ...): it names the format and reads the pages.
 * ELF and diskdump files are checked first (elf_check.c, kdump_check.c), which also gives their
 * present-page runs; physical reads are refused outside those runs, so libkdumpfile never reads past the
 * end of the file. Physical reads use machine addresses: they need no architecture or OS, which QEMU's
 * kdump-compressed files leave unset. */
#include "dump_internal.h"

#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_KD_RUNS (1u << 20) /* far above any real memory map; bounds the run table */

struct dp_kd {
    kdump_ctx_t *ctx;
    kdump_addrspace_t phys_as;
    int own_runs; /* the runs come from our checks: a read outside them never reaches libkdumpfile */
    char format[64];
};

/* libkdumpfile 0.5.1 frees a diskdump's private data when its open fails and then dereferences it in
 * kdump_free() (issue 13: SIGSEGV in dp_kd_close). Such a context is kept, reachable, never freed. */
struct abandoned {
    kdump_ctx_t *ctx;
    struct abandoned *next;
};
static struct abandoned *abandoned_ctxs;

static void abandon(kdump_ctx_t *ctx)
{
    struct abandoned *a = malloc(sizeof *a);
    if (!a) return; /* then it leaks: still better than the crash */
    *a = (struct abandoned){ctx, abandoned_ctxs};
    abandoned_ctxs = a;
}

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

static const struct {
    const char *kd;
    enum dp_arch arch;
    uint32_t machine;
    unsigned ptr_size;
} arches[] = {
    {KDUMP_ARCH_X86_64, DP_ARCH_X64, 0x8664, 8},
    {KDUMP_ARCH_IA32, DP_ARCH_X86, 0x14c, 4},
    {KDUMP_ARCH_AARCH64, DP_ARCH_ARM64, 0xaa64, 8},
};

/* The architecture from the file, or else from its CPU notes (QEMU's kdump header leaves it unset);
 * libkdumpfile is told what the notes say so it can translate for a Linux guest. */
static void set_arch(struct dp_dump *d)
{
    const char *arch = NULL;
    kdump_num_t n;
    struct dp_dump_info *i = &d->info;
    kdump_ctx_t *ctx = d->kd->ctx;
    if (kdump_get_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK) arch = NULL;
    kdump_clear_err(ctx);
    for (size_t k = 0; k < sizeof arches / sizeof *arches; k++) {
        if (arch ? strcmp(arch, arches[k].kd) != 0 : d->notes.arch != arches[k].arch) continue;
        if (!arch && kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, arches[k].kd) != KDUMP_OK) kdump_clear_err(ctx);
        i->arch = arches[k].arch, i->machine_type = arches[k].machine, i->ptr_size = arches[k].ptr_size;
    }
    if (i->arch == DP_ARCH_X64) i->paging = DP_PAGING_X86_64;
    /* ia32 needs to know PAE or not before it reads anything; guess non-PAE when the dump is silent
     * (physical reads do not depend on it) */
    if (i->arch == DP_ARCH_X86) kdump_set_number_attr(ctx, KDUMP_ATTR_XLAT_DEFAULT ".phys_bits", 32);
    if (kdump_get_number_attr(ctx, KDUMP_ATTR_PTR_SIZE, &n) == KDUMP_OK && (n == 4 || n == 8)) i->ptr_size = (unsigned)n;
    if (kdump_get_number_attr(ctx, KDUMP_ATTR_NUM_CPUS, &n) == KDUMP_OK && n && n <= DP_MAX_VCPUS) i->nr_cpus = (uint32_t)n;
    if (!i->nr_cpus) i->nr_cpus = (uint32_t)(d->notes.n_prstatus ? d->notes.n_prstatus : d->notes.n_vcpus);
    kdump_clear_err(ctx);
}

/* Runs from libkdumpfile's page map, for the formats we do not check ourselves. Every step must move
 * forward: a page map that answers the same range again ends the walk (QEMU's paging ELF looped here). */
static int load_runs(struct dp_dump *d, char *err, size_t errlen)
{
    kdump_attr_t attr = {.type = KDUMP_BITMAP};
    if (kdump_get_typed_attr(d->kd->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) != KDUMP_OK) return DP_OK;
    kdump_bmp_t *bmp = attr.val.bitmap;
    kdump_bmp_incref(bmp);
    struct dp_runs_builder rb = {d, 0};
    int rc = DP_OK;
    kdump_addr_t pfn = 0;
    while (kdump_bmp_find_set(bmp, &pfn) == KDUMP_OK && pfn < DP_MAX_PFN) {
        kdump_addr_t end = pfn;
        if (kdump_bmp_find_clear(bmp, &end) != KDUMP_OK || end > DP_MAX_PFN) end = DP_MAX_PFN;
        if (end <= pfn) break;
        if (d->n_runs == MAX_KD_RUNS) {
            rc = dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "more than %u runs of present pages", MAX_KD_RUNS);
            break;
        }
        if ((rc = dp_runs_add(&rb, pfn, end - pfn, 0))) {
            rc = dp_dump_fail(err, errlen, d->path, rc, "out of memory");
            break;
        }
        pfn = end;
    }
    kdump_bmp_decref(bmp);
    kdump_clear_err(d->kd->ctx);
    return rc ? rc : dp_runs_finish(d);
}

static int check_container(struct dp_dump *d, int *checked, char *err, size_t errlen)
{
    *checked = 1;
    if (dp_is_flattened(&d->map)) {
        int rc = dp_flattened_rearrange(d, err, errlen);
        if (rc) return rc;
        if (!dp_is_diskdump(&d->map))
            return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "flattened file that holds no kdump");
    }
    if (dp_is_diskdump(&d->map)) return dp_diskdump_check(d, err, errlen);
    if (dp_map_has(&d->map, 0, 4) && !memcmp(d->map.base, "\x7f" "ELF", 4)) return dp_elf_check(d, err, errlen);
    *checked = 0;
    return DP_OK;
}

int dp_kd_open(struct dp_dump *d, char *err, size_t errlen)
{
    int checked = 0, rc = check_container(d, &checked, err, errlen);
    if (rc) return rc;
    if (d->xen_core) {
        dp_xen_core_info(d);
        return DP_OK;
    }
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
    if (st != KDUMP_OK) {
        rc = dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                          "not a crash dump libkdumpfile or dumppipe can read (libkdumpfile: %s)", kdump_get_err(kd->ctx));
        if (dp_is_diskdump(&d->map)) abandon(kd->ctx), kd->ctx = NULL;
        return rc;
    }
    const char *fmt = NULL;
    if (kdump_get_string_attr(kd->ctx, KDUMP_ATTR_FILE_FORMAT, &fmt) != KDUMP_OK || !fmt) fmt = "unknown";
    snprintf(kd->format, sizeof kd->format, "%s", fmt);
    /* Xen domain dumps index guest frames (KPHYSADDR); machine addresses are the host's there */
    kd->phys_as = !strncmp(fmt, "xc_", 3) ? KDUMP_KPHYSADDR : KDUMP_MACHPHYSADDR;
    d->info.format = kd->format;
    d->info.dump_type = "complete";
    d->info.page_size = DP_PAGE_SIZE;
    d->phys_kind = DP_PHYS_KDUMP;
    set_arch(d);
    /* with an architecture it does not know (ELF e_machine 0) libkdumpfile has no page size and its
     * reads divide by zero (SIGFPE, found by tests/fuzz) */
    kdump_num_t page_size = 0;
    if (kdump_get_number_attr(kd->ctx, KDUMP_ATTR_PAGE_SIZE, &page_size) != KDUMP_OK || page_size != DP_PAGE_SIZE)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            page_size ? "page size %llu: only 4096-byte pages are supported"
                                      : "no page size: architecture unknown to libkdumpfile",
                            (unsigned long long)page_size);
    /* a diskdump's runs are ours even when empty; an ELF without PT_LOADs (xc_core) has the library's */
    kd->own_runs = checked && (dp_is_diskdump(&d->map) || d->n_runs);
    return kd->own_runs ? DP_OK : load_runs(d, err, errlen);
}

void dp_kd_close(struct dp_kd *kd)
{
    if (!kd) return;
    if (kd->ctx) kdump_free(kd->ctx);
    free(kd);
}

static int phys_present(const struct dp_dump *d, uint64_t addr, size_t len)
{
    if (!d->kd->own_runs) return 1;
    for (uint64_t pfn = addr >> DP_PAGE_SHIFT; len; pfn++) {
        if (!dp_runs_has(d, pfn)) return 0;
        size_t in_page = DP_PAGE_SIZE - (addr & (DP_PAGE_SIZE - 1));
        if (in_page >= len) break;
        len -= in_page;
        addr += in_page;
    }
    return 1;
}

int dp_kd_read_phys(struct dp_dump *d, uint64_t addr, void *buf, size_t len)
{
    if (!phys_present(d, addr, len)) return DP_ERR_FAULT;
    struct dp_kd *kd = d->kd;
    size_t got = len;
    kdump_status st = kdump_read(kd->ctx, kd->phys_as, addr, buf, &got);
    kdump_clear_err(kd->ctx);
    if (st == KDUMP_OK && got == len) return DP_OK;
    return st == KDUMP_OK ? DP_ERR_FAULT : kd_status(st);
}

/* libkdumpfile translates for the guests it understands (Linux, from VMCOREINFO); its page-table reads
 * bypass our run check, so not when pages of the file are missing. QEMU's paging ELF translates through
 * its segments. */
int dp_kd_translate(struct dp_dump *d, uint64_t va, uint64_t *pa)
{
    addrxlat_ctx_t *actx = NULL;
    addrxlat_sys_t *asys = NULL;
    if (!d->kd_bad_pages && kdump_get_addrxlat(d->kd->ctx, &actx, &asys) == KDUMP_OK) {
        addrxlat_fulladdr_t fa = {.addr = va, .as = ADDRXLAT_KVADDR};
        addrxlat_status st = addrxlat_fulladdr_conv(&fa, (addrxlat_addrspace_t)d->kd->phys_as, actx, asys);
        addrxlat_ctx_clear_err(actx);
        addrxlat_ctx_decref(actx);
        addrxlat_sys_decref(asys);
        if (st == ADDRXLAT_OK) {
            *pa = fa.addr;
            return DP_OK;
        }
    }
    kdump_clear_err(d->kd->ctx);
    if (d->n_segs) return dp_segments_translate(d, va, pa);
    return DP_ERR_FAULT;
}
