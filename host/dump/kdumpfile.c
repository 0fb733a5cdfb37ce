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

/* Field readers for the ELF's own byte order (EI_DATA 2: big-endian, as s390 and ppc64 vmcores). */
struct elf_view {
    const struct dp_map *m;
    int wide, big;
};
static uint16_t elf16(const struct elf_view *e, uint64_t off)
{
    uint16_t v = dp_le16(e->m, off);
    return e->big ? __builtin_bswap16(v) : v;
}
static uint32_t elf32(const struct elf_view *e, uint64_t off)
{
    uint32_t v = dp_le32(e->m, off);
    return e->big ? __builtin_bswap32(v) : v;
}
static uint64_t elf_word(const struct elf_view *e, uint64_t off)
{
    if (!e->wide) return elf32(e, off);
    uint64_t v = dp_le64(e->m, off);
    return e->big ? __builtin_bswap64(v) : v;
}

static const char *elf_segment_outside(const struct elf_view *e, uint64_t phoff, uint16_t phentsize, uint32_t phnum)
{
    for (uint32_t i = 0; i < phnum; i++) {
        uint64_t h = phoff + (uint64_t)i * phentsize;
        uint32_t type = elf32(e, h);
        uint64_t off = elf_word(e, h + (e->wide ? 8 : 4)), filesz = elf_word(e, h + (e->wide ? 32 : 16));
        if ((type == 1 || type == 4) && !dp_map_has(e->m, off, filesz)) return "a segment extends past the end of the file";
    }
    return NULL;
}

/* Section headers: e_shnum 0 with a table means the count is in entry 0's sh_size, and e_phnum 0xffff
 * (PN_XNUM) means the segment count is in its sh_info; both are checked against the file like the
 * plain counts (libkdumpfile allocated 2.8 GB for an sh_size it read there). */
static const char *elf_sections_outside(const struct elf_view *e, uint64_t shoff, uint16_t shentsize, uint16_t shnum,
                                        uint32_t *phnum)
{
    if (!shoff && !shnum) return *phnum == 0xffff ? "extended segment count without section headers" : NULL;
    if (shentsize < (e->wide ? 64 : 40)) return "section header entries too small";
    if (!dp_map_has(e->m, shoff, shentsize)) return "section headers outside the file";
    uint64_t count = shnum ? shnum : elf_word(e, shoff + (e->wide ? 32 : 20));
    if (count > e->m->size / shentsize || !dp_map_has(e->m, shoff, count * shentsize))
        return "section headers outside the file";
    if (*phnum == 0xffff) *phnum = elf32(e, shoff + (e->wide ? 44 : 28));
    return NULL;
}

/* libkdumpfile 0.5.1 trusts an ELF file's headers. tests/fuzz found it dereferencing NULL on a
 * truncated ELF header, on no program headers and on section headers outside the file, dying of SIGBUS
 * when a segment's data passes the end of the file, spending seconds on a section count with no table
 * and gigabytes on an extended section count. So the headers and every PT_LOAD/PT_NOTE extent are
 * checked here before it sees the file. Returns what is wrong, or NULL when everything fits (or the
 * file is not ELF). */
static const char *elf_tables_outside(const struct dp_map *m)
{
    if (!dp_map_has(m, 0, 6) || memcmp(m->base, "\x7f" "ELF", 4) != 0) return NULL;
    struct elf_view e = {m, m->base[4] == 2, m->base[5] == 2};
    if (!dp_map_has(m, 0, e.wide ? 0x40 : 0x34)) return "ELF header truncated";
    uint64_t phoff = elf_word(&e, e.wide ? 0x20 : 0x1c), shoff = elf_word(&e, e.wide ? 0x28 : 0x20);
    uint16_t phentsize = elf16(&e, e.wide ? 0x36 : 0x2a), shentsize = elf16(&e, e.wide ? 0x3a : 0x2e);
    uint16_t shnum = elf16(&e, e.wide ? 0x3c : 0x30);
    uint32_t phnum = elf16(&e, e.wide ? 0x38 : 0x2c);
    const char *why = elf_sections_outside(&e, shoff, shentsize, shnum, &phnum);
    if (why) return why;
    /* a core dump's memory is described by its segments: without any, libkdumpfile crashes too */
    if (!phnum) return "no program headers";
    if (phentsize < (e.wide ? 56 : 32)) return "program header entries too small";
    if (phnum > m->size / phentsize || !dp_map_has(m, phoff, (uint64_t)phentsize * phnum))
        return "program headers outside the file";
    return elf_segment_outside(&e, phoff, phentsize, phnum);
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
    const char *bad_elf = elf_tables_outside(&d->map);
    if (bad_elf) return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "malformed ELF dump: %s", bad_elf);
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
    /* with an architecture it does not know (ELF e_machine 0) libkdumpfile has no page size and its
     * reads divide by zero (SIGFPE, found by tests/fuzz) */
    kdump_num_t page_size = 0;
    if (kdump_get_number_attr(kd->ctx, KDUMP_ATTR_PAGE_SIZE, &page_size) != KDUMP_OK || page_size == 0 ||
        (page_size & (page_size - 1)))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "no page size: architecture unknown to libkdumpfile");
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
