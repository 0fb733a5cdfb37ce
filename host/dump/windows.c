/* Windows kernel crash dumps (PAGEDUMP / PAGEDU64): the main header, its context record, and the
 * choice of page store by DumpType. Offsets: shared/reference/windows-dump-format.md sections 1.2-1.5, 1.10. */
#include "dump_internal.h"

#define SIG_PAGE 0x45474150u /* "PAGE" */
#define SIG_DUMP 0x504d5544u /* "DUMP" */
#define SIG_DU64 0x34365544u /* "DU64" */
#define MACHINE_I386 0x14cu
#define MACHINE_AMD64 0x8664u
#define MACHINE_ARM64 0xaa64u
#define MACHINE_ARMNT 0x1c4u

/* Where the fields we use sit in the 32-bit and the 64-bit header. */
struct win_layout {
    uint32_t header_size, ptr_size;
    uint32_t dtb, pfn_db, module_list, process_head, machine, nr_cpus, bugcheck, bugcheck_params;
    uint32_t kdbg, context, dump_type, system_time;
};

static const struct win_layout layout32 = {
    .header_size = 0x1000, .ptr_size = 4, .dtb = 0x10, .pfn_db = 0x14, .module_list = 0x18,
    .process_head = 0x1c, .machine = 0x20, .nr_cpus = 0x24, .bugcheck = 0x28, .bugcheck_params = 0x2c,
    .kdbg = 0x60, .context = 0x320, .dump_type = 0xf88, .system_time = 0xfc0,
};
static const struct win_layout layout64 = {
    .header_size = 0x2000, .ptr_size = 8, .dtb = 0x10, .pfn_db = 0x18, .module_list = 0x20,
    .process_head = 0x28, .machine = 0x30, .nr_cpus = 0x34, .bugcheck = 0x38, .bugcheck_params = 0x40,
    .kdbg = 0x80, .context = 0x348, .dump_type = 0xf98, .system_time = 0xfa8,
};
#define X86_PAE_ENABLED 0x5c
#define X86_CONTEXT_SIZE 0x2cc
#define X64_CONTEXT_SIZE 0x4d0
#define ARM64_CONTEXT_SIZE 0x390 /* ARM64_NT_CONTEXT: X0..X28 0x08, Fp 0xF0, Lr 0xF8, Sp 0x100, Pc 0x108 */
#define ARM64_CONTEXT_FLAG 0x400000u /* CONTEXT_ARM64, in every ContextFlags an ARM64 writer stores */
#define CONTEXT_ARCH_MASK 0xff0000u  /* the architecture byte: exactly CONTEXT_ARM64, unlike the "PAGE" fill */

int dp_win_is_crashdump(const struct dp_map *m)
{
    if (!dp_map_has(m, 0, 8) || dp_le32(m, 0) != SIG_PAGE) return 0;
    uint32_t valid = dp_le32(m, 4);
    return valid == SIG_DUMP || valid == SIG_DU64;
}

static int context_size(const struct dp_dump *d)
{
    if (d->info.arch == DP_ARCH_ARM64) return ARM64_CONTEXT_SIZE;
    return d->info.ptr_size == 8 ? X64_CONTEXT_SIZE : X86_CONTEXT_SIZE;
}

/* ARM64: a record without the CONTEXT_ARM64 flag was never written (the header buffer is "PAGE"-filled). */
static int parse_arm64(struct dp_regs *r, const uint8_t *c)
{
    uint32_t flags, cpsr;
    memcpy(&flags, c, 4);
    memcpy(&cpsr, c + 4, 4);
    if ((flags & CONTEXT_ARCH_MASK) != ARM64_CONTEXT_FLAG) return 0;
    for (unsigned i = 0; i < 31; i++) memcpy(&r->gpr[i], c + 8 + 8 * i, 8); /* X0..X28, Fp, Lr */
    memcpy(&r->sp, c + 0x100, 8);
    memcpy(&r->ip, c + 0x108, 8);
    r->fp = r->gpr[29];
    r->flags = cpsr;
    return 1;
}

/* Reads the registers from the CONTEXT record c (context_size bytes); keeps the ones held before when
 * the record is not a written one. */
static void parse_context(struct dp_dump *d, const uint8_t *c)
{
    struct dp_regs r = {.arch = d->info.arch};
    if (d->info.arch == DP_ARCH_X64) {
        for (unsigned i = 0; i < 16; i++) memcpy(&r.gpr[i], c + 0x78 + 8 * i, 8); /* Rax..R15, hardware order */
        memcpy(&r.ip, c + 0xf8, 8);
        uint32_t fl;
        memcpy(&fl, c + 0x44, 4);
        r.flags = fl;
    } else if (d->info.arch == DP_ARCH_X86) {
        /* The x86 CONTEXT stores Edi..Eax downwards, then Ebp, Eip, ..., Esp. */
        static const uint16_t gpr_off[8] = {0xb0, 0xac, 0xa8, 0xa4, 0xc4, 0xb4, 0xa0, 0x9c};
        uint32_t v;
        for (unsigned i = 0; i < 8; i++) memcpy(&v, c + gpr_off[i], 4), r.gpr[i] = v;
        memcpy(&v, c + 0xb8, 4), r.ip = v;
        memcpy(&v, c + 0xc0, 4), r.flags = v;
    } else if (d->info.arch == DP_ARCH_ARM64) {
        if (!parse_arm64(&r, c)) return;
    } else {
        return;
    }
    if (d->info.arch != DP_ARCH_ARM64) r.sp = r.gpr[4], r.fp = r.gpr[5];
    d->regs = r;
    d->has_regs = 1;
}

int dp_win_set_context(struct dp_dump *d, uint64_t off, char *err, size_t errlen)
{
    if (!dp_map_has(&d->map, off, (uint64_t)context_size(d)))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "context record at 0x%llx lies outside the file (size 0x%zx)", (unsigned long long)off,
                            d->map.size);
    parse_context(d, d->map.base + off);
    return DP_OK;
}

int dp_win_set_context_at(struct dp_dump *d, uint64_t va)
{
    uint8_t c[X64_CONTEXT_SIZE > ARM64_CONTEXT_SIZE ? X64_CONTEXT_SIZE : ARM64_CONTEXT_SIZE];
    int rc = dp_dump_read_virt(d, va, c, (size_t)context_size(d));
    if (!rc) parse_context(d, c);
    return rc;
}

static int check_machine(struct dp_dump *d, int is64, uint32_t machine, char *err, size_t errlen)
{
    if (!is64 && machine == MACHINE_I386) {
        d->info.arch = DP_ARCH_X86;
        d->info.paging = d->map.base[X86_PAE_ENABLED] ? DP_PAGING_X86_PAE : DP_PAGING_X86;
        return DP_OK;
    }
    if (is64 && machine == MACHINE_AMD64) {
        d->info.arch = DP_ARCH_X64;
        d->info.paging = DP_PAGING_X86_64;
        return DP_OK;
    }
    if (is64 && machine == MACHINE_ARM64) {
        d->info.arch = DP_ARCH_ARM64;
        d->info.paging = DP_PAGING_AARCH64;
        return DP_OK;
    }
    if (machine == MACHINE_ARMNT)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "32-bit ARM (ARMNT, machine 0x1c4) dumps are not supported: no ARMv7 translation or "
                            "context decoding");
    return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "%s header with machine type 0x%x",
                        is64 ? "PAGEDU64" : "PAGEDUMP", machine);
}

static void parse_info(struct dp_dump *d, const struct win_layout *l)
{
    const struct dp_map *m = &d->map;
    struct dp_dump_info *i = &d->info;
    i->format = "windows-crashdump";
    i->ptr_size = l->ptr_size;
    i->page_size = DP_PAGE_SIZE;
    i->os_major = dp_le32(m, 8);
    i->os_build = dp_le32(m, 0xc);
    i->directory_table_base = dp_leptr(m, l->dtb, l->ptr_size);
    i->pfn_database = dp_leptr(m, l->pfn_db, l->ptr_size);
    i->ps_loaded_module_list = dp_leptr(m, l->module_list, l->ptr_size);
    i->ps_active_process_head = dp_leptr(m, l->process_head, l->ptr_size);
    i->machine_type = dp_le32(m, l->machine);
    i->nr_cpus = dp_le32(m, l->nr_cpus);
    i->bugcheck_code = dp_le32(m, l->bugcheck);
    for (unsigned k = 0; k < 4; k++) i->bugcheck_params[k] = dp_leptr(m, l->bugcheck_params + k * l->ptr_size, l->ptr_size);
    /* The writer pre-fills the header with "PAGE": a code still reading so was never written. */
    i->has_bugcheck = i->bugcheck_code != 0 && i->bugcheck_code != SIG_PAGE;
    i->kd_debugger_data_block = dp_leptr(m, l->kdbg, l->ptr_size);
    uint64_t t = dp_le64(m, l->system_time);
    i->system_time = t == ((uint64_t)SIG_PAGE << 32 | SIG_PAGE) ? 0 : t;
}

/* Picks the page store for the DumpType and loads it. */
static int load_pages(struct dp_dump *d, uint32_t type, char *err, size_t errlen)
{
    int is64 = d->info.ptr_size == 8;
    switch (type) {
    case 1: d->info.dump_type = "complete"; return dp_win_load_runs(d, err, errlen);
    case 2:
        d->info.dump_type = "kernel";
        if (is64) break;
        return dp_win_load_summary32(d, err, errlen);
    case 3: d->info.dump_type = "header-only"; return DP_OK;
    case 4: d->info.dump_type = "small"; return dp_win_load_triage(d, err, errlen);
    case 5:
    case 6: return dp_win_load_bitmap(d, d->header_size, err, errlen);
    case 8:
    case 9:
    case 0xa:
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "RDMP range-list dumps (DumpType %u) are not supported", type);
    default: break;
    }
    return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "unsupported DumpType %u for a %s header", type,
                        is64 ? "64-bit" : "32-bit");
}

int dp_win_open(struct dp_dump *d, char *err, size_t errlen)
{
    int is64 = dp_le32(&d->map, 4) == SIG_DU64;
    const struct win_layout *l = is64 ? &layout64 : &layout32;
    if (!dp_map_has(&d->map, 0, l->header_size))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "truncated header: %zu bytes, a %s header needs 0x%x", d->map.size,
                            is64 ? "PAGEDU64" : "PAGEDUMP", l->header_size);
    d->header_size = l->header_size;
    int rc = check_machine(d, is64, dp_le32(&d->map, l->machine), err, errlen);
    if (rc) return rc;
    parse_info(d, l);
    parse_context(d, d->map.base + l->context);
    rc = load_pages(d, dp_le32(&d->map, l->dump_type), err, errlen);
    if (rc) return rc;
    if (d->phys_kind == DP_PHYS_NONE || d->info.paging == DP_PAGING_NONE) return DP_OK;
    rc = dp_xlat_new(d, err, errlen);
    if (rc) return rc;
    return dp_modules_walk(d, err, errlen);
}
