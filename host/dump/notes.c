/* ELF notes of hypervisor-side and Linux dumps (an ELF's PT_NOTE, a compressed kdump's note area): the
 * CPU notes tell the architecture when a header leaves it unset (QEMU's kdump-compressed files), QEMU's
 * per-CPU "QEMU" notes carry CR3 and the segment bases, and VMCOREINFO names a Linux kernel
 * (OSRELEASE=) or, for a Windows guest with virtio-win's fwcfg driver, holds a DUMP_HEADER64.
 * Notes are read little-endian; a malformed note ends the walk, it never fails the open. */
#include "dump_internal.h"

#include <stdlib.h>

#define NT_PRSTATUS 1
/* struct elf_prstatus sizes by architecture (the kernel's, and QEMU's writers) */
#define PRSTATUS_X86_64 0x150u
#define PRSTATUS_I386 0x90u
#define PRSTATUS_AARCH64 0x188u

/* QEMUCPUState (qemu target/i386/arch_dump.c): version, size, 16 GPRs, rip, rflags, then 24-byte
 * segments cs ds es fs gs ss ldt tr gdt idt {selector, limit, flags, pad, base}, cr[5], kernel_gs_base */
#define QS_RSP (8 + 6 * 8)
#define QS_RIP (8 + 16 * 8)
#define QS_SEG(i) (8 + 18 * 8 + (i) * 24)
#define QS_CR(i) (QS_SEG(10) + (i) * 8)
#define QS_KERNEL_GS_BASE QS_CR(5)

static int name_is(const uint8_t *name, uint32_t namesz, const char *want)
{
    size_t n = strlen(want);
    return namesz >= n && !memcmp(name, want, n) && (namesz == n || name[n] == 0);
}

static void qemu_cpu(struct dp_guest_notes *g, const struct dp_map *m, uint64_t off, uint32_t size)
{
    if (size < QS_CR(5) || g->n_vcpus >= DP_MAX_VCPUS) return;
    if (!(g->n_vcpus & (g->n_vcpus - 1))) { /* grow at powers of two */
        struct dp_vcpu *v = realloc(g->vcpus, (g->n_vcpus ? g->n_vcpus * 2 : 1) * sizeof *v);
        if (!v) return;
        g->vcpus = v;
    }
    struct dp_vcpu *c = &g->vcpus[g->n_vcpus++];
    c->rip = dp_le64(m, off + QS_RIP);
    c->rsp = dp_le64(m, off + QS_RSP);
    c->cs = (uint16_t)dp_le32(m, off + QS_SEG(0));
    c->gs_base = dp_le64(m, off + QS_SEG(4) + 16);
    c->cr3 = dp_le64(m, off + QS_CR(3));
    c->kernel_gs_base = size >= QS_KERNEL_GS_BASE + 8 ? dp_le64(m, off + QS_KERNEL_GS_BASE) : 0;
    if (g->arch == DP_ARCH_UNKNOWN) g->arch = DP_ARCH_X64; /* QEMU writes these for x86 targets only */
}

static void vmcoreinfo(struct dp_guest_notes *g, const struct dp_map *m, uint64_t off, uint32_t size)
{
    g->vmcoreinfo_off = off;
    g->vmcoreinfo_size = size;
    const char *p = (const char *)m->base + off, *end = p + size;
    static const char key[] = "OSRELEASE=";
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if ((size_t)(eol - p) > sizeof key - 1 && !memcmp(p, key, sizeof key - 1)) {
            size_t n = (size_t)(eol - p) - (sizeof key - 1), k = 0;
            if (n >= sizeof g->os_release) n = sizeof g->os_release - 1;
            for (size_t i = 0; i < n; i++) { /* printable ASCII only: it ends up in one-line messages */
                char ch = p[sizeof key - 1 + i];
                if (ch > 0x20 && ch < 0x7f) g->os_release[k++] = ch;
            }
            g->os_release[k] = 0;
            return;
        }
        p = eol + 1;
    }
}

static void prstatus(struct dp_guest_notes *g, uint32_t size)
{
    g->n_prstatus++;
    enum dp_arch a = size == PRSTATUS_X86_64 ? DP_ARCH_X64 : size == PRSTATUS_I386 ? DP_ARCH_X86
                   : size == PRSTATUS_AARCH64 ? DP_ARCH_ARM64 : DP_ARCH_UNKNOWN;
    if (a != DP_ARCH_UNKNOWN) g->arch = a; /* outranks the QEMU note's guess: i386 guests have both */
}

void dp_notes_scan(struct dp_dump *d, uint64_t off, uint64_t size)
{
    const struct dp_map *m = &d->map;
    struct dp_guest_notes *g = &d->notes;
    if (!dp_map_has(m, off, size)) return;
    uint64_t end = off + size;
    while (end - off >= 12) { /* every step advances by at least the 12-byte note header */
        uint32_t namesz = dp_le32(m, off), descsz = dp_le32(m, off + 4), type = dp_le32(m, off + 8);
        uint64_t name = off + 12, desc = name + (((uint64_t)namesz + 3) & ~3ull);
        if (desc > end || descsz > end - desc) return;
        const uint8_t *nm = m->base + name;
        if (name_is(nm, namesz, "CORE") && type == NT_PRSTATUS) prstatus(g, descsz);
        else if (name_is(nm, namesz, "QEMU")) qemu_cpu(g, m, desc, descsz);
        else if (name_is(nm, namesz, "VMCOREINFO")) vmcoreinfo(g, m, desc, descsz);
        uint64_t next = desc + (((uint64_t)descsz + 3) & ~3ull);
        if (next > end) return;
        off = next;
    }
}

void dp_notes_free(struct dp_guest_notes *n)
{
    free(n->vcpus);
    n->vcpus = NULL;
    n->n_vcpus = 0;
}
