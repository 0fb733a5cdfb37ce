/* QEMU's dump-guest-memory ELF (qemu dump/dump.c, target/i386/arch_dump.c), as a hypervisor writes it
 * for a guest: a PT_NOTE with, per vCPU, a CORE/NT_PRSTATUS note and a "QEMU" note (QEMUCPUState:
 * GPRs, rip, rflags, ten segments with bases, cr0-cr4, kernel_gs_base), then the guest's VMCOREINFO
 * note when it has one; one PT_LOAD per physical run (p_vaddr 0). With -p (copt.paging) the PT_LOADs
 * are the guest's virtual mappings instead: p_vaddr the guest virtual address, p_paddr its physical
 * one, a physical page appearing once per mapping. CPU 0 holds the scenario's context; the others the
 * same CR3 and kernel selectors, their registers zero. */
#include "dpgen.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_CPUSTATE_SIZE 440u

/* GPR order in QEMUCPUState and the x64 CONTEXT offsets they come from (x86: the 32-bit CONTEXT) */
static const unsigned ctx64[18] = {0x78, 0x90, 0x80, 0x88, 0xA8, 0xB0, 0x98, 0xA0, 0xB8,
                                   0xC0, 0xC8, 0xD0, 0xD8, 0xE0, 0xE8, 0xF0, 0xF8, 0x44};
static const unsigned ctx32[18] = {0xB0, 0xA4, 0xAC, 0xA8, 0xA0, 0x9C, 0xC4, 0xB4, 0, 0, 0, 0, 0, 0, 0, 0, 0xB8, 0xC0};

static void cpu_state(struct gen *g, unsigned cpu, uint8_t *st)
{
    memset(st, 0, QEMU_CPUSTATE_SIZE);
    put_le(st, 1, 4);
    put_le(st + 4, QEMU_CPUSTATE_SIZE, 4);
    for (unsigned i = 0; cpu == 0 && i < 18; i++) {
        unsigned off = is64(g) ? ctx64[i] : ctx32[i], w = is64(g) && i < 17 ? 8 : 4;
        if (off) put_le(st + 8 + 8 * i, get_le(g->context + off, w), w);
    }
    uint8_t *seg = st + 8 + 18 * 8;
    put_le(seg, is64(g) ? 0x10 : 0x08, 4); /* cs: kernel mode */
    for (unsigned s = 1; s < 6; s++) put_le(seg + 24 * s, is64(g) ? 0x2b : 0x23, 4);
    uint8_t *cr = seg + 10 * 24;
    put_le(cr, 0x80050033, 8);
    put_le(cr + 24, g->cr3, 8);
    put_le(cr + 32, is64(g) || g->arch == ARCH_PAE ? 0x6f8 : 0x6d8, 8);
}

int qemu_notes(struct gen *g, struct bytes *notes, uint64_t *vmci_off, uint64_t *vmci_len)
{
    unsigned cpus = g->processors ? g->processors : 1;
    uint8_t st[QEMU_CPUSTATE_SIZE];
    for (unsigned c = 0; c < cpus; c++) {
        size_t before = notes->n;
        elf_prstatus(g, notes);
        if (c) memset(notes->p + before + 12 + 8, 0, notes->n - before - 20); /* only CPU 0 has registers */
        cpu_state(g, c, st);
        elf_note(notes, "QEMU", 0, st, sizeof st);
    }
    *vmci_off = *vmci_len = 0;
    const char *v = g->copt.vmcoreinfo;
    if (!v || !strcmp(v, "none")) return 0;
    struct bytes desc = {0};
    if (!strcmp(v, "windows")) {
        uint8_t *h = xcalloc(1, hdr_size(g));
        hdr_fill(g, h, 1);
        hdr_set_runs(g, h);
        bytes_put(&desc, h, hdr_size(g));
        free(h);
    } else if (!strncmp(v, "linux:", 6)) {
        char text[256];
        int n = snprintf(text, sizeof text, "OSRELEASE=%s\nPAGESIZE=4096\n", v + 6);
        bytes_put(&desc, text, (size_t)n);
    } else {
        return fail(g, NULL, "--vmcoreinfo: none, windows or linux:RELEASE");
    }
    *vmci_off = notes->n + 12 + align_up(strlen("VMCOREINFO") + 1, 4);
    *vmci_len = desc.n;
    elf_note(notes, "VMCOREINFO", 0, desc.p, desc.n);
    bytes_free(&desc);
    return 0;
}

struct seg { uint64_t va, pa, len; };

/* -p: QEMU writes one PT_LOAD per stretch of the guest's page tables, in virtual address order: here the
 * module images (virtually and physically contiguous stretches), then the direct map of all memory,
 * which maps every one of those pages a second time (a real Linux guest's dump looks like this) */
static size_t paging_segments(struct gen *g, struct seg **out)
{
    size_t n = 0, cap = 16;
    struct seg *s = xcalloc(cap, sizeof *s);
    for (size_t m = 0; m < g->n_mods; m++) {
        for (uint64_t va = g->mods[m].base; va < g->mods[m].base + g->mods[m].size; va += PAGE_SIZE) {
            uint64_t pa;
            if (vm_translate(g, va, &pa)) continue;
            pa &= ~PAGE_MASK;
            if (n && s[n - 1].va + s[n - 1].len == va && s[n - 1].pa + s[n - 1].len == pa) {
                s[n - 1].len += PAGE_SIZE;
                continue;
            }
            if (n == cap) s = xrealloc(s, cap *= 2, sizeof *s);
            s[n++] = (struct seg){va, pa, PAGE_SIZE};
        }
    }
    for (size_t r = 0; r < g->n_runs; r++) {
        if (n == cap) s = xrealloc(s, cap *= 2, sizeof *s);
        uint64_t pa = g->runs[r].base_pfn * PAGE_SIZE;
        s[n++] = (struct seg){(is64(g) ? 0xffff888000000000ull : 0xc0000000ull) + pa, pa, g->runs[r].count * PAGE_SIZE};
    }
    *out = s;
    return n;
}

static int put_phys(struct gen *g, FILE *f, uint64_t pa, uint64_t len)
{
    for (uint64_t p = 0; p < len; p += PAGE_SIZE)
        if (fwrite(pm_page_or_zero(g, (pa + p) / PAGE_SIZE), PAGE_SIZE, 1, f) != 1) return fail(g, NULL, "write error");
    return 0;
}

int write_qemu_elf(struct gen *g, FILE *f)
{
    int wide = is64(g) || g->mem_size > (1ull << 32);
    struct bytes notes = {0}, head = {0};
    uint64_t vo, vl;
    if (qemu_notes(g, &notes, &vo, &vl)) return -1;
    struct seg *segs = NULL;
    size_t n = 0;
    if (g->copt.paging) n = paging_segments(g, &segs);
    else {
        segs = xcalloc(g->n_runs ? g->n_runs : 1, sizeof *segs);
        for (size_t r = 0; r < g->n_runs; r++)
            segs[n++] = (struct seg){0, g->runs[r].base_pfn * PAGE_SIZE, g->runs[r].count * PAGE_SIZE};
    }
    uint16_t phnum = (uint16_t)(n + 1 + !!g->copt.paging);
    elf_ehdr(g, &head, wide, phnum);
    uint64_t notes_off = head.n + (uint64_t)phnum * (wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
    uint64_t data = notes_off + notes.n; /* QEMU does not page-align the data */
    elf_phdr(&head, wide, PT_NOTE, notes_off, 0, 0, notes.n, notes.n);
    for (size_t i = 0; i < n; i++, data += segs[i - 1].len)
        elf_phdr(&head, wide, PT_LOAD, data, segs[i].va, segs[i].pa, segs[i].len, segs[i].len);
    /* -p also records mappings of device memory (the local APIC): no bytes in the file, p_filesz 0 */
    if (g->copt.paging) elf_phdr(&head, wide, PT_LOAD, data, is64(g) ? 0xfffff7fbc0000000ull : 0xffd09000ull, 0xfee00000ull, 0, PAGE_SIZE);
    bytes_put(&head, notes.p, notes.n);
    int rc = fwrite(head.p, head.n, 1, f) == 1 ? 0 : fail(g, NULL, "write error");
    for (size_t i = 0; rc == 0 && i < n; i++) rc = put_phys(g, f, segs[i].pa, segs[i].len);
    free(segs);
    bytes_free(&notes);
    bytes_free(&head);
    return rc;
}
