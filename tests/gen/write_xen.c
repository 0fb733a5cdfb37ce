/* Xen domain dump (`xl dump-core`, xc_core) of an HVM guest: an ELF core with no program headers;
 * sections .shstrtab, .xen_pfn (one u64 guest frame number per stored page) and .xen_pages (the pages,
 * page aligned, in .xen_pfn's order), section headers at the end. The vCPU contexts (.xen_prstatus) and
 * Xen's notes are not written. */
#include "dpgen.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

static void shdr(struct bytes *b, int wide, uint32_t name, uint32_t type, uint64_t off, uint64_t size, uint64_t align)
{
    unsigned w = wide ? 8 : 4;
    bytes_put_le(b, name, 4);
    bytes_put_le(b, type, 4);
    bytes_put_le(b, 0, w); /* flags */
    bytes_put_le(b, 0, w); /* addr */
    bytes_put_le(b, off, w);
    bytes_put_le(b, size, w);
    bytes_put_le(b, 0, 4); /* link */
    bytes_put_le(b, 0, 4); /* info */
    bytes_put_le(b, align, w);
    bytes_put_le(b, 0, w); /* entsize */
}

int write_xen(struct gen *g, FILE *f)
{
    int wide = is64(g);
    static const char names[] = "\0.shstrtab\0.xen_pfn\0.xen_pages";
    struct bytes out = {0}, sh = {0};
    elf_ehdr(g, &out, wide, 0);
    uint64_t strtab = out.n;
    bytes_put(&out, names, sizeof names);
    bytes_align(&out, 8);
    uint64_t pfn_off = out.n, n = pm_present_pages(g);
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = 0; p < g->runs[r].count; p++) bytes_put_le(&out, g->runs[r].base_pfn + p, 8);
    bytes_align(&out, PAGE_SIZE);
    uint64_t pages_off = out.n;
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = 0; p < g->runs[r].count; p++) bytes_put(&out, pm_page_or_zero(g, g->runs[r].base_pfn + p), PAGE_SIZE);
    uint64_t shoff = out.n;
    bytes_zero(&sh, wide ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)); /* entry 0 */
    shdr(&sh, wide, 1, SHT_STRTAB, strtab, sizeof names, 1);
    shdr(&sh, wide, 11, SHT_PROGBITS, pfn_off, n * 8, 8);
    shdr(&sh, wide, 20, SHT_PROGBITS, pages_off, n * PAGE_SIZE, PAGE_SIZE);
    bytes_put(&out, sh.p, sh.n);
    /* no program headers: e_phoff 0; then e_shoff, e_shentsize, e_shnum, e_shstrndx */
    put_le(out.p + (wide ? 0x20 : 0x1c), 0, wide ? 8 : 4);
    put_le(out.p + (wide ? 0x28 : 0x20), shoff, wide ? 8 : 4);
    put_le(out.p + (wide ? 0x3a : 0x2e), wide ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr), 2);
    put_le(out.p + (wide ? 0x3c : 0x30), 4, 2);
    put_le(out.p + (wide ? 0x3e : 0x32), 1, 2);
    int rc = fwrite(out.p, out.n, 1, f) == 1 ? 0 : fail(g, NULL, "write error");
    bytes_free(&out);
    bytes_free(&sh);
    return rc;
}
