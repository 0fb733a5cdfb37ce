/* ELF containers (QEMU dump-guest-memory, Linux vmcores, Xen dump-core): libkdumpfile 0.5.1 trusts an
 * ELF file's headers, so they are checked here first, in the file's byte order. The checked PT_LOADs
 * also give the physical runs (from p_paddr) and, for QEMU's paging dumps (-p), a translation from
 * guest virtual addresses (p_vaddr); the PT_NOTEs give the CPU states and VMCOREINFO (notes.c). */
#include "dump_internal.h"

#include <stdlib.h>

#define PT_LOAD 1
#define PT_NOTE 4

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
                                        uint32_t *phnum, uint64_t *n_sections)
{
    if (!shoff && !shnum) return *phnum == 0xffff ? "extended segment count without section headers" : NULL;
    if (shentsize < (e->wide ? 64 : 40)) return "section header entries too small";
    if (!dp_map_has(e->m, shoff, shentsize)) return "section headers outside the file";
    uint64_t count = shnum ? shnum : elf_word(e, shoff + (e->wide ? 32 : 20));
    if (count > e->m->size / shentsize || !dp_map_has(e->m, shoff, count * shentsize))
        return "section headers outside the file";
    if (*phnum == 0xffff) *phnum = elf32(e, shoff + (e->wide ? 44 : 28));
    *n_sections = count;
    return NULL;
}

/* libkdumpfile 0.5.1 trusts an ELF file's headers. tests/fuzz found it dereferencing NULL on a
 * truncated ELF header, on no program headers and on section headers outside the file, dying of SIGBUS
 * when a segment's data passes the end of the file, spending seconds on a section count with no table
 * and gigabytes on an extended section count. So the headers and every PT_LOAD/PT_NOTE extent are
 * checked here before it sees the file. Returns what is wrong, or NULL when everything fits. */
static const char *elf_tables_outside(struct dp_dump *d, const struct elf_view *e, uint64_t *phoff, uint16_t *phentsize,
                                      uint32_t *phnum)
{
    const struct dp_map *m = e->m;
    if (!dp_map_has(m, 0, e->wide ? 0x40 : 0x34)) return "ELF header truncated";
    *phoff = elf_word(e, e->wide ? 0x20 : 0x1c);
    uint64_t shoff = elf_word(e, e->wide ? 0x28 : 0x20);
    *phentsize = elf16(e, e->wide ? 0x36 : 0x2a);
    uint16_t shentsize = elf16(e, e->wide ? 0x3a : 0x2e), shnum = elf16(e, e->wide ? 0x3c : 0x30);
    *phnum = elf16(e, e->wide ? 0x38 : 0x2c);
    uint64_t n_sections = 0;
    const char *why = elf_sections_outside(e, shoff, shentsize, shnum, phnum, &n_sections);
    if (why) return why;
    /* a core dump's memory is described by its segments (without any, libkdumpfile crashes too), or by
     * a Xen domain dump's sections */
    if (!*phnum && !e->big) {
        int xen = 0;
        why = dp_xen_core_check(d, e->wide, shoff, shentsize, n_sections, &xen);
        if (why || xen) return why;
    }
    if (!*phnum) return "no program headers";
    if (*phentsize < (e->wide ? 56 : 32)) return "program header entries too small";
    if (*phnum > m->size / *phentsize || !dp_map_has(m, *phoff, (uint64_t)*phentsize * *phnum))
        return "program headers outside the file";
    return elf_segment_outside(e, *phoff, *phentsize, *phnum);
}

static int add_segment(struct dp_dump *d, size_t *cap, const struct dp_segment *s)
{
    if (d->n_segs == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        struct dp_segment *n = realloc(d->segs, c * sizeof *n);
        if (!n) return DP_ERR_NOMEM;
        d->segs = n;
        *cap = c;
    }
    d->segs[d->n_segs++] = *s;
    return DP_OK;
}

/* PT_LOADs become physical runs (from p_paddr: file-backed bytes only) and, when they carry guest
 * virtual addresses, translation segments; PT_NOTEs are scanned for the guest's facts. */
static int elf_collect(struct dp_dump *d, const struct elf_view *e, uint64_t phoff, uint16_t phentsize, uint32_t phnum)
{
    struct dp_runs_builder rb = {d, 0};
    size_t seg_cap = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        uint64_t h = phoff + (uint64_t)i * phentsize;
        uint32_t type = elf32(e, h);
        struct dp_segment s = {.file_off = elf_word(e, h + (e->wide ? 8 : 4)), .vaddr = elf_word(e, h + (e->wide ? 16 : 8)),
                               .paddr = elf_word(e, h + (e->wide ? 24 : 12)), .size = elf_word(e, h + (e->wide ? 32 : 16))};
        if (type == PT_NOTE && !e->big) dp_notes_scan(d, s.file_off, s.size);
        if (type != PT_LOAD || !s.size) continue;
        /* whole pages only: a page the segment covers in part is not in the dump */
        uint64_t first = (s.paddr + DP_PAGE_SIZE - 1) >> DP_PAGE_SHIFT, skip = (first << DP_PAGE_SHIFT) - s.paddr;
        if (s.paddr <= UINT64_MAX - DP_PAGE_SIZE && skip < s.size) {
            int rc = dp_runs_add(&rb, first, (s.size - skip) >> DP_PAGE_SHIFT, s.file_off + skip);
            if (rc) return rc;
        }
        if (s.vaddr) {
            int rc = add_segment(d, &seg_cap, &s);
            if (rc) return rc;
        }
    }
    return dp_runs_finish(d);
}

int dp_elf_check(struct dp_dump *d, char *err, size_t errlen)
{
    const struct dp_map *m = &d->map;
    if (!dp_map_has(m, 0, 6) || memcmp(m->base, "\x7f" "ELF", 4) != 0) return DP_OK;
    struct elf_view e = {m, m->base[4] == 2, m->base[5] == 2};
    uint64_t phoff = 0;
    uint16_t phentsize = 0;
    uint32_t phnum = 0;
    const char *why = elf_tables_outside(d, &e, &phoff, &phentsize, &phnum);
    if (why) return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "malformed ELF dump: %s", why);
    if (!phnum) return DP_OK; /* a Xen domain dump: its runs are built */
    int rc = elf_collect(d, &e, phoff, phentsize, phnum);
    if (rc == DP_ERR_BAD_DATA) return dp_dump_fail(err, errlen, d->path, rc, "malformed ELF dump: too many segments");
    if (rc) return dp_dump_fail(err, errlen, d->path, rc, "out of memory");
    /* segments whose p_paddr is no physical address either: nothing to read physical memory from */
    if (!d->n_runs && d->n_segs)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "paging dump whose segments carry no physical addresses: use a dump without -p");
    return DP_OK;
}

/* Guest virtual to physical through the PT_LOADs: QEMU's paging dumps (-p) record each mapping of the
 * guest's page tables as a segment with its virtual address. */
int dp_segments_translate(const struct dp_dump *d, uint64_t va, uint64_t *pa)
{
    for (size_t i = 0; i < d->n_segs; i++) {
        const struct dp_segment *s = &d->segs[i];
        if (va >= s->vaddr && va - s->vaddr < s->size) {
            *pa = s->paddr + (va - s->vaddr);
            return DP_OK;
        }
    }
    return DP_ERR_FAULT;
}
