/* Xen domain dumps (`xl dump-core`, xc_core): an ELF without program headers whose sections say where
 * each guest page is - .xen_pages holds the pages, .xen_pfn (HVM and other auto-translated guests:
 * one u64 guest frame per page) or .xen_p2m (PV: {u64 pfn, u64 gmfn} per page) names them, in the same
 * order (Xen tools/libs/guest xg_core.h; Volatility 3 layers/xen.py). Read here directly: every
 * section and every page is checked against the file, and the runs map guest frames to file offsets,
 * so the pages are read from the read-only mapping like a Windows dump's. */
#include "dump_internal.h"

#define MAX_XEN_SECTIONS 4096u

struct sect {
    uint64_t off, size;
};

static const char *xen_index(struct dp_dump *d, const struct sect *pages, const struct sect *map, unsigned entry)
{
    struct dp_runs_builder rb = {d, 0};
    uint64_t n = map->size / entry;
    if (n > pages->size / DP_PAGE_SIZE) return "more page numbers than pages in .xen_pages";
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pfn = dp_le64(&d->map, map->off + i * entry);
        int rc = dp_runs_add(&rb, pfn, 1, pages->off + i * DP_PAGE_SIZE);
        if (rc == DP_ERR_NOMEM) return "out of memory";
        if (rc) return "more than 1048576 runs of guest pages";
    }
    dp_runs_finish(d);
    return NULL;
}

/* Section header fields in the ELF's class; little-endian only (x86 Xen). */
static void section(const struct dp_map *m, int wide, uint64_t h, uint32_t *name, struct sect *s)
{
    *name = dp_le32(m, h);
    s->off = wide ? dp_le64(m, h + 24) : dp_le32(m, h + 16);
    s->size = wide ? dp_le64(m, h + 32) : dp_le32(m, h + 20);
}

/* Returns NULL when FILE is no Xen domain dump (*is_xen 0) or one read successfully, else why not. */
const char *dp_xen_core_check(struct dp_dump *d, int wide, uint64_t shoff, uint16_t shentsize, uint64_t count,
                              int *is_xen)
{
    const struct dp_map *m = &d->map;
    *is_xen = 0;
    uint16_t strndx = dp_le16(m, wide ? 0x3e : 0x32);
    if (!shoff || !count || count > MAX_XEN_SECTIONS || strndx >= count) return NULL;
    uint32_t nm;
    struct sect strtab, s, pages = {0}, pfn = {0}, p2m = {0};
    section(m, wide, shoff + (uint64_t)strndx * shentsize, &nm, &strtab);
    if (!dp_map_has(m, strtab.off, strtab.size)) return NULL;
    for (uint64_t i = 0; i < count; i++) {
        section(m, wide, shoff + i * shentsize, &nm, &s);
        if (nm >= strtab.size) continue;
        const char *name = (const char *)m->base + strtab.off + nm;
        if (strnlen(name, strtab.size - nm) == strtab.size - nm) continue; /* not terminated in the table */
        struct sect *want = !strcmp(name, ".xen_pages") ? &pages : !strcmp(name, ".xen_pfn") ? &pfn
                            : !strcmp(name, ".xen_p2m") ? &p2m : NULL;
        if (!want) continue;
        if (!dp_map_has(m, s.off, s.size)) return "a Xen section extends past the end of the file";
        *want = s;
    }
    if (!pages.size) return NULL;
    *is_xen = d->xen_core = 1;
    if (pfn.size) return xen_index(d, &pages, &pfn, 8);
    if (p2m.size) return xen_index(d, &pages, &p2m, 16);
    return "Xen domain dump without .xen_pfn or .xen_p2m";
}

/* What the ELF header says of the guest: the machine, and from it pointer size and paging. */
void dp_xen_core_info(struct dp_dump *d)
{
    uint16_t machine = dp_le16(&d->map, 0x12);
    struct dp_dump_info *i = &d->info;
    i->format = "xc_core_elf"; /* as libkdumpfile names it */
    i->dump_type = "complete";
    i->page_size = DP_PAGE_SIZE;
    if (machine == 62) i->arch = DP_ARCH_X64, i->machine_type = 0x8664, i->ptr_size = 8, i->paging = DP_PAGING_X86_64;
    else if (machine == 3) i->arch = DP_ARCH_X86, i->machine_type = 0x14c, i->ptr_size = 4;
    d->phys_kind = DP_PHYS_EXTENTS;
}
