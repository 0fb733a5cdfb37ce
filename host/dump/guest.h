/* Finding a Windows guest in hypervisor-side physical memory (QEMU ELF/kdump, Xen, VMware, raw):
 * the page-table root, ntoskrnl, its module list and KDBG, the bug check and every CPU's context,
 * laid into struct dp_dump so every plugin reads the guest as it reads a Windows dump.
 * x64 guests only; see docs/guests.md for the order of the searches. */
#ifndef DP_HOST_DUMP_GUEST_H
#define DP_HOST_DUMP_GUEST_H

#include "dump_internal.h"

/* What the searches found, from the header note or the scans. */
struct dp_guest {
    uint64_t dtb;
    uint64_t kernel_base;     /* ntoskrnl's MZ */
    uint32_t kernel_size;
    uint64_t module_list;     /* PsLoadedModuleList */
    uint64_t kdbg;            /* KdDebuggerDataBlock */
    uint64_t kdbg_copy;       /* the fwcfg header's decoded copy of it (header offset 0x40), or 0 */
    uint8_t *kdbg_plain;      /* the decoded KDBG (kdbg_size bytes), or NULL when it was read plain */
    uint32_t kdbg_size;
    const char *kdbg_how;     /* "header", "tag scan", "decoded" */
    const char *dtb_how;      /* "header", "vcpu", "low stub", "self-map" */
    uint32_t header_cpus;     /* NumberProcessors from the fwcfg header; 0 without one */
};

/* guest_find.c: DP_OK (a Windows kernel found, or not: the dump stays what the container made it) or
 * DP_ERR_NOMEM. */
int dp_guest_open(struct dp_dump *d, char *err, size_t errlen);

/* guest_kdbg.c */
/* Finds the KDBG in ntoskrnl's image: the plain tag, else the Windows 8+ encoding decoded. */
int dp_guest_find_kdbg(struct dp_dump *d, struct dp_guest *g);
/* Reads a KDBG field (offset off, width bytes) from the plain or decoded block. */
int dp_guest_kdbg_field(struct dp_dump *d, const struct dp_guest *g, uint32_t off, unsigned width, uint64_t *out);
/* KiBugCheckData (through KDBG+0x88) and every CPU's registers. */
int dp_guest_bugcheck_and_cpus(struct dp_dump *d, struct dp_guest *g);

#endif
