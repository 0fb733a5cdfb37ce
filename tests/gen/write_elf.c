/* ELF core files for libkdumpfile's "elf" format: ET_CORE, one PT_LOAD per physical run (p_paddr =
 * run start), an NT_PRSTATUS note with the crashing CPU's registers, and a "DPGEN" note holding the
 * Windows dump header (run-based form), so a reader can still find CR3, the module list and the
 * bug check. */
#include "dpgen.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define NT_DPGEN_HEADER 1

void elf_note(struct bytes *b, const char *name, uint32_t type, const void *desc, size_t len)
{
    bytes_put_le(b, strlen(name) + 1, 4);
    bytes_put_le(b, len, 4);
    bytes_put_le(b, type, 4);
    bytes_put(b, name, strlen(name) + 1);
    bytes_align(b, 4);
    bytes_put(b, desc, len);
    bytes_align(b, 4);
}

/* struct elf_prstatus: x86_64 is 0x150 bytes with pr_reg (27 x u64) at 0x70; i386 is 0x90 bytes with
 * pr_reg (17 x u32) at 0x48. Registers are copied from our CONTEXT record. */
void elf_prstatus(struct gen *g, struct bytes *b)
{
    uint8_t st[0x150] = {0};
    const uint8_t *c = g->context;
    if (is64(g)) {
        static const unsigned order[] = {0xF0, 0xE8, 0xE0, 0xD8, 0xA0, 0x90, 0xD0, 0xC8, 0xC0, 0xB8,
                                         0x78, 0x80, 0x88, 0xA8, 0xB0, 0x00, 0xF8};
        for (unsigned i = 0; i < 17; i++) /* r15 .. rip; orig_rax stays 0 */
            put_le(st + 0x70 + 8 * i, order[i] ? get_le(c + order[i], 8) : 0, 8);
        put_le(st + 0x70 + 8 * 17, get_le(c + 0x38, 2), 8);
        put_le(st + 0x70 + 8 * 18, get_le(c + 0x44, 4), 8);
        put_le(st + 0x70 + 8 * 19, get_le(c + 0x98, 8), 8);
        put_le(st + 0x70 + 8 * 20, get_le(c + 0x42, 2), 8);
        elf_note(b, "CORE", NT_PRSTATUS, st, 0x150);
    } else {
        static const unsigned order[] = {0xA4, 0xAC, 0xA8, 0xA0, 0x9C, 0xB4, 0xB0, 0x98, 0x94, 0x90, 0x8C,
                                         0x00, 0xB8, 0xBC, 0xC0, 0xC4, 0xC8};
        for (unsigned i = 0; i < 17; i++) /* ebx ecx edx esi edi ebp eax ds es fs gs orig_eax eip cs eflags esp ss */
            put_le(st + 0x48 + 4 * i, order[i] ? get_le(c + order[i], 4) : 0, 4);
        elf_note(b, "CORE", NT_PRSTATUS, st, 0x90);
    }
}

void elf_ehdr(struct gen *g, struct bytes *b, int wide, uint16_t phnum)
{
    uint8_t id[EI_NIDENT] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, wide ? ELFCLASS64 : ELFCLASS32, ELFDATA2LSB,
                             EV_CURRENT};
    unsigned w = wide ? 8 : 4, eh = wide ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    bytes_put(b, id, EI_NIDENT);
    bytes_put_le(b, ET_CORE, 2);
    bytes_put_le(b, is64(g) ? EM_X86_64 : EM_386, 2);
    bytes_put_le(b, EV_CURRENT, 4);
    bytes_put_le(b, 0, w);  /* entry */
    bytes_put_le(b, eh, w); /* phoff: right after the header */
    bytes_put_le(b, 0, w);  /* shoff */
    bytes_put_le(b, 0, 4);
    bytes_put_le(b, eh, 2);
    bytes_put_le(b, wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr), 2);
    bytes_put_le(b, phnum, 2);
    bytes_put_le(b, 0, 2);
    bytes_put_le(b, 0, 2);
    bytes_put_le(b, 0, 2);
}

void elf_phdr(struct bytes *b, int wide, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr, uint64_t filesz,
              uint64_t memsz)
{
    uint32_t flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0;
    bytes_put_le(b, type, 4);
    if (wide)
        bytes_put_le(b, flags, 4);
    bytes_put_le(b, off, wide ? 8 : 4);
    bytes_put_le(b, vaddr, wide ? 8 : 4); /* p_vaddr: 0 for physical-only segments */
    bytes_put_le(b, paddr, wide ? 8 : 4);
    bytes_put_le(b, filesz, wide ? 8 : 4);
    bytes_put_le(b, memsz, wide ? 8 : 4);
    if (!wide)
        bytes_put_le(b, flags, 4);
    bytes_put_le(b, type == PT_LOAD ? PAGE_SIZE : 4, wide ? 8 : 4);
}

int write_elf(struct gen *g, FILE *f)
{
    int wide = is64(g) || g->mem_size > (1ull << 32);
    struct bytes notes = {0}, head = {0};
    uint8_t *h = xcalloc(1, hdr_size(g));
    hdr_fill(g, h, 1);
    hdr_set_runs(g, h);
    elf_prstatus(g, &notes);
    elf_note(&notes, "DPGEN", NT_DPGEN_HEADER, h, hdr_size(g));
    free(h);
    uint16_t phnum = (uint16_t)(g->n_runs + 1);
    elf_ehdr(g, &head, wide, phnum);
    uint64_t notes_off = head.n + (uint64_t)phnum * (wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
    uint64_t data = align_up(notes_off + notes.n, PAGE_SIZE);
    elf_phdr(&head, wide, PT_NOTE, notes_off, 0, 0, notes.n, notes.n);
    for (size_t r = 0; r < g->n_runs; r++) {
        elf_phdr(&head, wide, PT_LOAD, data, 0, g->runs[r].base_pfn * PAGE_SIZE, g->runs[r].count * PAGE_SIZE, g->runs[r].count * PAGE_SIZE);
        data += g->runs[r].count * PAGE_SIZE;
    }
    bytes_put(&head, notes.p, notes.n);
    bytes_align(&head, PAGE_SIZE);
    int rc = fwrite(head.p, head.n, 1, f) == 1 ? 0 : fail(g, NULL, "write error");
    for (size_t r = 0; rc == 0 && r < g->n_runs; r++)
        for (uint64_t p = 0; rc == 0 && p < g->runs[r].count; p++)
            if (fwrite(pm_page_or_zero(g, g->runs[r].base_pfn + p), PAGE_SIZE, 1, f) != 1)
                rc = fail(g, NULL, "write error");
    bytes_free(&notes);
    bytes_free(&head);
    return rc;
}
