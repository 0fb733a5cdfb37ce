/* A Windows guest in hypervisor-side memory (reference: MemProcFS vmmwininit.c, QEMU win_dump.c).
 * Page-table root, in this order: the DUMP_HEADER64 that virtio-win's fwcfg driver leaves in QEMU's
 * VMCOREINFO note; the CR3 of the vCPUs in kernel mode (QEMU's CPU notes); the x64 low stub's PML4 in
 * the first MiB; a self-referencing PML4 in the low 16 MiB. Each candidate must lead to ntoskrnl:
 * the header's PsLoadedModuleList, or a PE in the kernel's VA range with a POOLCODE section or the
 * exports KeBugCheckEx and PsLoadedModuleList. The header's bug-check fields are never used: the
 * driver captured them at boot. 32-bit guests (guest_x86.c): the vCPUs' CR3 as PAE then non-PAE
 * roots, then the x86 self-maps; ntoskrnl is an i386 PE in 0x80000000..0xFFFFFFFF; without the
 * PsLoadedModuleList export, the KDBG's (+0x48). */
#include "guest.h"

#include "../pe.h"

#include <stdio.h>
#include <stdlib.h>

#define HDR_DTB 0x10
#define HDR_MODULE_LIST 0x20
#define HDR_PROCESS_HEAD 0x28
#define HDR_MACHINE 0x30
#define HDR_CPUS 0x34
#define HDR_KDBG 0x80
#define HDR_KDBG_COPY 0x40 /* BugcheckParameter1: where the fwcfg driver puts the decoded KDBG's VA */
#define HDR_MIN 0x88
#define LOW_STUB_LIMIT (1ull << 20)
#define SELF_MAP_LIMIT (16ull << 20)
/* ntoskrnl lives in 0xFFFFF800'00000000 .. 0xFFFFF807'FFFFFFFF: PML4 slot 0x1F0, PDPT slots 0..31 */
#define KERNEL_PML4_SLOT 0x1f0u
#define KERNEL_PDPT_SLOTS 32u
#define PTE_ADDR 0x000ffffffffff000ull
#define KDBG_MODULE_LIST 0x48
#define MAX_SELF_MAPS 16
#define MAX_VCPU_ROOTS 16

static int rd_virt(void *user, uint64_t va, void *buf, size_t len) { return dp_dump_read_virt(user, va, buf, len); }

static int use_dtb(struct dp_dump *d, uint64_t dtb, enum dp_paging paging)
{
    dp_xlat_free(d->xlat);
    d->xlat = NULL;
    d->info.directory_table_base = dtb;
    d->info.paging = paging;
    d->info.ptr_size = paging == DP_PAGING_X86_64 ? 8 : 4;
    char err[256];
    return dp_xlat_new(d, err, sizeof err);
}

/* Reads the 512 entries of the table page at pa. */
static int table(struct dp_dump *d, uint64_t pa, uint64_t t[512])
{
    return dp_dump_read_phys(d, pa & PTE_ADDR, t, 4096);
}

int dp_guest_is_ntoskrnl(struct dp_dump *d, uint64_t va, uint64_t pa, struct dp_guest *g, struct dp_guest_budget *b)
{
    uint8_t mz[2];
    if (!b->images || !b->pages) return 0;
    b->pages--;
    if (dp_dump_read_phys(d, pa & PTE_ADDR, mz, 2) || mz[0] != 'M' || mz[1] != 'Z') return 0;
    b->images--;
    struct dp_pe *pe = NULL;
    if (dp_pe_open(rd_virt, d, va, 0, &pe)) return 0;
    int ok = dp_pe_machine(pe) == (g->paging == DP_PAGING_X86_64 ? DP_PE_MACHINE_AMD64 : DP_PE_MACHINE_I386);
    struct dp_section s[DP_PE_MAX_SECTIONS];
    size_t n = dp_pe_sections(pe, s, DP_PE_MAX_SECTIONS), pool = 0;
    for (size_t i = 0; i < n && i < DP_PE_MAX_SECTIONS; i++) pool |= !strcmp(s[i].name, "POOLCODE");
    uint64_t kb, list = 0;
    int exp = !dp_pe_export_address(pe, "KeBugCheckEx", &kb) && !dp_pe_export_address(pe, "PsLoadedModuleList", &list);
    ok = ok && (pool || exp);
    if (ok) {
        g->kernel_base = va;
        g->kernel_size = dp_pe_size(pe);
        if (!g->module_list) dp_pe_export_address(pe, "PsLoadedModuleList", &g->module_list);
    }
    dp_pe_close(pe);
    return ok;
}

/* Page-table walk over the kernel's VA range: every 4 KiB page, and every 2 MiB large page's start
 * (ntoskrnl mapped large starts on one), checked for MZ and then parsed. */
static int scan_kernel(struct dp_dump *d, struct dp_guest *g)
{
    uint64_t *t1 = malloc(3 * 4096), *t2 = t1 + 512, *t3 = t2 + 512;
    if (!t1) return DP_ERR_NOMEM;
    int found = 0;
    struct dp_guest_budget budget = {DP_GUEST_MAX_IMAGES, DP_GUEST_MAX_PAGES};
    uint64_t pml4e;
    if (dp_dump_read_phys(d, (g->dtb & PTE_ADDR) + 8 * KERNEL_PML4_SLOT, &pml4e, 8) || !(pml4e & 1) ||
        table(d, pml4e, t1))
        goto out;
    uint64_t top = 0xffff000000000000ull | (uint64_t)KERNEL_PML4_SLOT << 39;
    for (unsigned i = 0; i < KERNEL_PDPT_SLOTS && !found; i++) {
        if (!(t1[i] & 1) || (t1[i] & 0x80) || table(d, t1[i], t2)) continue;
        for (unsigned j = 0; j < 512 && !found; j++) {
            uint64_t va2 = top | (uint64_t)i << 30 | (uint64_t)j << 21;
            if (!(t2[j] & 1)) continue;
            if (t2[j] & 0x80) {
                found = dp_guest_is_ntoskrnl(d, va2, t2[j] & ~0x1fffffull, g, &budget);
                continue;
            }
            if (table(d, t2[j], t3)) continue;
            for (unsigned k = 0; k < 512 && !found; k++)
                if (t3[k] & 1) found = dp_guest_is_ntoskrnl(d, va2 | (uint64_t)k << 12, t3[k], g, &budget);
        }
    }
out:
    free(t1);
    return found;
}

/* 1 when the module list at g->module_list walks and names something; 0 (nothing kept) otherwise. */
static int walk_modules(struct dp_dump *d, const struct dp_guest *g)
{
    char werr[256];
    d->info.ps_loaded_module_list = g->module_list;
    int rc = dp_modules_walk(d, werr, sizeof werr);
    if (rc == DP_ERR_NOMEM) return rc;
    if (!rc && d->n_modules) return 1;
    dp_modules_free(d);
    d->info.ps_loaded_module_list = 0;
    return 0;
}

/* A root's paging form can map the address dtb names. */
static int root_fits(uint64_t dtb, enum dp_paging paging)
{
    if (paging == DP_PAGING_X86_64) return (dtb & PTE_ADDR) == (dtb & ~0xfffull);
    return dtb <= 0xffffffffull; /* PAE: 32-byte aligned PDPT; x86: a page (low bits are cache flags) */
}

/* Without the export (x86 kernels before XP, or a stripped table), the KDBG's PsLoadedModuleList. */
static int module_list_from_kdbg(struct dp_dump *d, struct dp_guest *g)
{
    int rc = dp_guest_find_kdbg(d, g);
    if (rc < 0) return rc;
    return dp_guest_kdbg_ptr(d, g, KDBG_MODULE_LIST, &g->module_list) ? 0 : 1;
}

/* A candidate root is right when it leads to a module list that walks: the header's, the one ntoskrnl
 * exports, or the KDBG's. */
static int try_dtb(struct dp_dump *d, struct dp_guest *g, uint64_t dtb, enum dp_paging paging, const char *how)
{
    if (paging == DP_PAGING_X86_PAE) dtb &= ~0x1full;
    else if (paging == DP_PAGING_X86) dtb &= ~0xfffull;
    if (!dtb || !root_fits(dtb, paging)) return 0;
    g->paging = paging;
    if (use_dtb(d, dtb, paging)) return 0;
    g->dtb = dtb;
    g->dtb_how = how;
    int from_header = g->module_list != 0;
    int rc = from_header ? 1 : paging == DP_PAGING_X86_64 ? scan_kernel(d, g) : dp_guest_scan_kernel_x86(d, g);
    if (rc > 0 && !g->module_list) rc = module_list_from_kdbg(d, g);
    if (rc > 0) rc = walk_modules(d, g);
    if (!rc && !from_header) { /* the next root scans afresh */
        g->module_list = g->kernel_base = g->kernel_size = g->kdbg = 0;
        g->kdbg_how = NULL;
        free(g->kdbg_plain);
        g->kdbg_plain = NULL;
    }
    return rc;
}

static void header_note(struct dp_dump *d, struct dp_guest *g)
{
    const struct dp_guest_notes *n = &d->notes;
    if (n->vmcoreinfo_size < HDR_MIN || !dp_map_has(&d->map, n->vmcoreinfo_off, n->vmcoreinfo_size)) return;
    const struct dp_map *m = &d->map;
    uint64_t h = n->vmcoreinfo_off;
    if (memcmp(m->base + h, "PAGEDU64", 8) || dp_le32(m, h + HDR_MACHINE) != 0x8664) return;
    g->dtb = dp_le64(m, h + HDR_DTB);
    g->module_list = dp_le64(m, h + HDR_MODULE_LIST);
    g->kdbg = dp_le64(m, h + HDR_KDBG);
    g->kdbg_copy = dp_le64(m, h + HDR_KDBG_COPY);
    g->header_cpus = dp_le32(m, h + HDR_CPUS);
    d->info.ps_active_process_head = dp_le64(m, h + HDR_PROCESS_HEAD);
    d->info.os_build = dp_le32(m, h + 0xc);
    d->info.os_major = dp_le32(m, h + 0x8);
}

static uint64_t low_stub_pml4(struct dp_dump *d)
{
    uint8_t p[0xa8];
    for (uint64_t pa = 0x1000; pa < LOW_STUB_LIMIT; pa += 0x1000) {
        if (dp_dump_read_phys(d, pa, p, sizeof p)) continue;
        uint64_t sig, entry, pml4;
        memcpy(&sig, p, 8), memcpy(&entry, p + 0x70, 8), memcpy(&pml4, p + 0xa0, 8);
        if ((sig & 0xffffffffffff00ffull) == 0x00000001000600e9ull && (entry >> 47) == 0x1ffff && pml4 &&
            !(pml4 & 0xfff))
            return pml4;
    }
    return 0;
}

/* A PML4 mapping itself from a kernel-half slot (Windows since 1607 randomises which). */
static int self_mapped(const uint64_t *t, uint64_t pa)
{
    for (unsigned i = 256; i < 511; i++)
        if ((t[i] & 0x81) == 1 && (t[i] & PTE_ADDR) == pa) return 1;
    return 0;
}

static int scan_self_map(struct dp_dump *d, struct dp_guest *g)
{
    uint64_t *t = malloc(4096);
    if (!t) return DP_ERR_NOMEM;
    int found = 0, tries = 0; /* each try walks the kernel's tables: a few, not every page of a hostile image */
    for (uint64_t pa = 0x1000; pa < SELF_MAP_LIMIT && !found && tries < MAX_SELF_MAPS; pa += 0x1000)
        if (!table(d, pa, t) && self_mapped(t, pa)) found = try_dtb(d, g, pa, DP_PAGING_X86_64, "self-map"), tries++;
    free(t);
    return found;
}

/* Every vCPU of a normal guest shares the kernel's root: a few distinct ones are tried, kernel-mode
 * vCPUs first (a user CR3 may map only the shadow); an x86 CR3 as PAE, then as non-PAE. */
static int try_vcpus(struct dp_dump *d, struct dp_guest *g, int x64, int x86)
{
    unsigned tries = 0;
    int rc = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < d->notes.n_vcpus && tries < MAX_VCPU_ROOTS; i++) {
            const struct dp_vcpu *v = &d->notes.vcpus[i];
            if (((v->cs & 3) == 0) != !pass || (i && v->cr3 == d->notes.vcpus[i - 1].cr3)) continue;
            tries++;
            if ((x64 && (rc = try_dtb(d, g, v->cr3, DP_PAGING_X86_64, "vcpu"))) ||
                (x86 && (rc = try_dtb(d, g, v->cr3, DP_PAGING_X86_PAE, "vcpu"))) ||
                (x86 && (rc = try_dtb(d, g, v->cr3, DP_PAGING_X86, "vcpu"))))
                return rc;
        }
    return 0;
}

static int scan_x86_self_maps(struct dp_dump *d, struct dp_guest *g)
{
    enum dp_paging paging;
    int rc = 0;
    uint64_t pa = 0;
    for (int tries = 0; !rc && tries < MAX_SELF_MAPS; tries++) {
        if (!(pa = dp_guest_x86_self_map(d, pa, SELF_MAP_LIMIT, &paging))) break;
        rc = try_dtb(d, g, pa, paging, "self-map");
        pa++;
    }
    return rc;
}

/* The container's architecture (ELF class, CPU notes) says which searches apply; a raw image tries both. */
static int find_kernel(struct dp_dump *d, struct dp_guest *g)
{
    int x64 = d->info.arch != DP_ARCH_X86, x86 = d->info.arch != DP_ARCH_X64;
    header_note(d, g);
    int rc = g->dtb ? try_dtb(d, g, g->dtb, DP_PAGING_X86_64, "header") : 0;
    if (rc) return rc;
    g->module_list = g->kdbg = g->kdbg_copy = 0; /* a header that did not lead to modules is not used */
    g->header_cpus = 0;
    d->info.ps_active_process_head = 0;
    if ((rc = try_vcpus(d, g, x64, x86))) return rc;
    if (x64 && ((rc = try_dtb(d, g, low_stub_pml4(d), DP_PAGING_X86_64, "low stub")) || (rc = scan_self_map(d, g))))
        return rc;
    return x86 ? scan_x86_self_maps(d, g) : 0;
}

static void forget(struct dp_dump *d, unsigned ptr_size)
{
    d->info.ptr_size = ptr_size;
    dp_xlat_free(d->xlat);
    d->xlat = NULL;
    d->info.directory_table_base = 0;
    d->info.paging = DP_PAGING_NONE;
    d->info.ps_active_process_head = 0;
}

int dp_guest_open(struct dp_dump *d, char *err, size_t errlen)
{
    enum dp_arch arch = d->info.arch;
    if (d->info.os || d->header_size || (arch != DP_ARCH_X64 && arch != DP_ARCH_X86 && arch != DP_ARCH_UNKNOWN))
        return DP_OK;
    if (d->phys_kind == DP_PHYS_NONE) return DP_OK;
    struct dp_guest g = {0};
    unsigned ptr_size = d->info.ptr_size;
    int rc = find_kernel(d, &g);
    if (rc < 0) return dp_dump_fail(err, errlen, d->path, rc, "out of memory");
    if (!rc) {
        forget(d, ptr_size);
        return DP_OK;
    }
    int x64 = g.paging == DP_PAGING_X86_64;
    d->info.arch = x64 ? DP_ARCH_X64 : DP_ARCH_X86;
    d->info.machine_type = x64 ? 0x8664 : 0x14c;
    d->info.os = "windows";
    rc = dp_guest_find_kdbg(d, &g);
    if (!rc) rc = dp_guest_bugcheck_and_cpus(d, &g);
    char kdbg[64] = "not found";
    if (g.kdbg_how) snprintf(kdbg, sizeof kdbg, "at %llx (%s)", (unsigned long long)g.kdbg, g.kdbg_how);
    snprintf(d->guest, sizeof d->guest,
             "Windows %s guest: page-table root %llx (%s), ntoskrnl at %llx, %zu modules, KDBG %s, %u CPUs",
             x64 ? "x64" : g.paging == DP_PAGING_X86_PAE ? "x86 PAE" : "x86", (unsigned long long)g.dtb, g.dtb_how,
             (unsigned long long)d->modules[0].base, d->n_modules, kdbg, d->info.nr_cpus);
    free(g.kdbg_plain);
    return rc == DP_ERR_NOMEM ? dp_dump_fail(err, errlen, d->path, rc, "out of memory") : DP_OK;
}
