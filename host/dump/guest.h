/* Finding a Windows guest in hypervisor-side physical memory (QEMU ELF/kdump, Xen, VMware, raw):
 * the page-table root, ntoskrnl, its module list and KDBG, the bug check and every CPU's context,
 * laid into struct dp_dump so every plugin reads the guest as it reads a Windows dump.
 * x64 and x86 (PAE and non-PAE) guests; see docs/guests.md for the order of the searches. */
#ifndef DP_HOST_DUMP_GUEST_H
#define DP_HOST_DUMP_GUEST_H

#include "dump_internal.h"

/* What the searches found, from the header note or the scans. */
struct dp_guest {
    uint64_t dtb;
    enum dp_paging paging;    /* of the root being tried: DP_PAGING_X86_64, _X86_PAE or _X86 */
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

/* Hostile tables could map the whole kernel range, every page an MZ: a scan looks at most at `pages`
 * pages and parses at most `images` of them. */
struct dp_guest_budget {
    unsigned images;
    uint32_t pages;
};
#define DP_GUEST_MAX_IMAGES 4096u
#define DP_GUEST_MAX_PAGES (1u << 20)

/* guest_find.c: DP_OK (a Windows kernel found, or not: the dump stays what the container made it) or
 * DP_ERR_NOMEM. */
int dp_guest_open(struct dp_dump *d, char *err, size_t errlen);

/* 1 when the page at va (physical pa) is ntoskrnl's MZ for the root's architecture (a POOLCODE
 * section, or the exports KeBugCheckEx and PsLoadedModuleList); fills kernel_base/size and, from the
 * export, module_list. */
int dp_guest_is_ntoskrnl(struct dp_dump *d, uint64_t va, uint64_t pa, struct dp_guest *g, struct dp_guest_budget *b);

/* guest_x86.c */
/* Walks the kernel half (0x80000000..0xFFFFFFFF) of a PAE or non-PAE root for ntoskrnl: 1 found, 0 not,
 * DP_ERR_NOMEM. */
int dp_guest_scan_kernel_x86(struct dp_dump *d, struct dp_guest *g);
/* The first x86 page-table root at or after physical `from` (below `limit`) that maps itself as
 * Windows does (PAE: a PDPT whose fourth page directory maps the four at 0xC0600000; non-PAE: a page
 * directory whose entry 0x300 maps it at 0xC0300000); sets *paging. 0: none. */
uint64_t dp_guest_x86_self_map(struct dp_dump *d, uint64_t from, uint64_t limit, enum dp_paging *paging);

/* guest_kdbg.c */
/* Finds the KDBG in ntoskrnl's image: the plain tag, else the Windows 8+ encoding decoded. */
int dp_guest_find_kdbg(struct dp_dump *d, struct dp_guest *g);
/* Reads a KDBG field (offset off, width bytes) from the plain or decoded block. */
int dp_guest_kdbg_field(struct dp_dump *d, const struct dp_guest *g, uint32_t off, unsigned width, uint64_t *out);
/* A pointer field (ULONG64 even on x86, where it is sign-extended): truncated to the guest's width. */
int dp_guest_kdbg_ptr(struct dp_dump *d, const struct dp_guest *g, uint32_t off, uint64_t *out);
/* KiBugCheckData (through KDBG+0x88) and every CPU's registers. */
int dp_guest_bugcheck_and_cpus(struct dp_dump *d, struct dp_guest *g);

#endif
