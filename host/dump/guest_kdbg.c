/* The KDBG of a Windows x64 guest, its bug-check data and every CPU's registers.
 * KDBG: the header's address when its tag reads "KDBG"; the fwcfg driver's decoded copy; a tag scan of
 * ntoskrnl (tag at +0x10, KernBase at +0x18); else the Windows 8+ encoding, undone PDB-free as
 * Volatility 2's win8_kdbg does: KdCopyDataBlock starts with cmp byte [rip+KdpDataBlockEncoded], 0,
 * then loads KiWaitNever and KiWaitAlways and the block's address RIP-relatively. Per qword:
 * v ^= KiWaitNever; v = rotl64(v, (u8)KiWaitNever); v ^= &KdpDataBlockEncoded; v = bswap64(v);
 * v ^= KiWaitAlways (MemProcFS m_vfsroot.c). Offsets are QEMU win_dump.c's: KiBugCheckData at +0x88,
 * MmPfnDatabase at +0xC0, KiProcessorBlock at +0x218, OffsetPrcbContext at +0x338. The block is the
 * same on x86 (KDDEBUGGER_DATA64: its pointers are ULONG64, sign-extended), but KiProcessorBlock holds
 * 32-bit pointers, KiBugCheckData five ULONGs, and the KPRCB embeds the CONTEXT (ProcessorState.
 * ContextFrame) at OffsetPrcbProcStateContext (u16 at +0x2BC; wdbgexts.h) instead of pointing at one. */
#include "guest.h"

#include "../pe.h"

#include <stdlib.h>

#define KDBG_TAG 0x4742444bu /* "KDBG" */
#define KDBG_MIN 0x340u
#define KDBG_MAX 0x1000u
#define KDBG_BUGCHECK_DATA 0x88
#define KDBG_PFN_DATABASE 0xc0
#define KDBG_PROCESSOR_BLOCK 0x218
#define KDBG_PRCB_CONTEXT 0x338
#define KDBG_PRCB_PROC_STATE_CONTEXT 0x2bc
#define MAX_SCAN (64u << 20)   /* bytes of ntoskrnl read in one search */
#define CODE_WINDOW 0x100u     /* bytes after the cmp in which the loads are looked for */
#define MAX_CPUS 1024u

static int rd_virt(void *user, uint64_t va, void *buf, size_t len) { return dp_dump_read_virt(user, va, buf, len); }

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int kdbg_plain_at(struct dp_dump *d, uint64_t va, uint64_t base)
{
    uint8_t h[0x20];
    if (!va || dp_dump_read_virt(d, va, h, sizeof h)) return 0;
    uint32_t tag;
    memcpy(&tag, h + 0x10, 4);
    return tag == KDBG_TAG && (!base || rd64(h + 0x18) == base);
}

/* Reads [va, va + len) into buf, absent pages as zeros. */
static void read_zeroed(struct dp_dump *d, uint64_t va, uint8_t *buf, size_t len)
{
    for (size_t o = 0; o < len; o += DP_PAGE_SIZE) {
        size_t n = len - o < DP_PAGE_SIZE ? len - o : DP_PAGE_SIZE;
        if (dp_dump_read_virt(d, va + o, buf + o, n)) memset(buf + o, 0, n);
    }
}

/* The image's sections, each read whole (bounded), handed to fn until it returns nonzero. */
typedef int (*section_fn)(struct dp_dump *d, struct dp_guest *g, uint64_t va, const uint8_t *p, size_t n);
static int each_section(struct dp_dump *d, struct dp_guest *g, int executable, section_fn fn)
{
    struct dp_pe *pe = NULL;
    if (dp_pe_open(rd_virt, d, g->kernel_base, g->kernel_size, &pe)) return 0;
    struct dp_section s[DP_PE_MAX_SECTIONS];
    size_t n = dp_pe_sections(pe, s, DP_PE_MAX_SECTIONS);
    dp_pe_close(pe);
    int done = 0;
    size_t budget = MAX_SCAN;
    for (size_t i = 0; i < n && i < DP_PE_MAX_SECTIONS && !done; i++) {
        if (!!s[i].executable != executable || !s[i].size || s[i].size > budget) continue;
        budget -= s[i].size;
        uint8_t *p = malloc(s[i].size);
        if (!p) return DP_ERR_NOMEM;
        read_zeroed(d, s[i].va, p, s[i].size);
        done = fn(d, g, s[i].va, p, s[i].size);
        free(p);
    }
    return done;
}

/* KernBase as the block holds it: sign-extended on x86. */
static uint64_t kdbg_base(const struct dp_dump *d, uint64_t base)
{
    return d->info.ptr_size == 4 ? (uint64_t)(int64_t)(int32_t)(uint32_t)base : base;
}

static int tag_scan(struct dp_dump *d, struct dp_guest *g, uint64_t va, const uint8_t *p, size_t n)
{
    uint64_t base = kdbg_base(d, g->kernel_base);
    for (size_t o = 0; o + 0x20 <= n; o += d->info.ptr_size) {
        uint32_t tag;
        memcpy(&tag, p + o + 0x10, 4);
        if (tag == KDBG_TAG && rd64(p + o + 0x18) == base) {
            g->kdbg = va + o;
            return 1;
        }
    }
    return 0;
}

static uint64_t kdbg_decode(uint64_t v, uint64_t never, uint64_t always, uint64_t flag)
{
    unsigned r = (uint8_t)never & 63;
    v ^= never;
    v = r ? v << r | v >> (64 - r) : v;
    v ^= flag;
    return __builtin_bswap64(v) ^ always;
}

struct kdbg_keys {
    uint64_t flag, never, always, block;
};

/* After cmp byte [rip+d], 0: the first two REX.W mov/xor r64,[rip+d] are KiWaitNever then
 * KiWaitAlways, the first REX.W lea r64,[rip+d] the block. */
static int keys_after(const uint8_t *p, size_t n, size_t at, uint64_t va, struct kdbg_keys *k)
{
    int loads = 0;
    k->block = 0;
    for (size_t o = at; o + 7 <= n && o < at + CODE_WINDOW; o++) {
        uint8_t rex = p[o], op = p[o + 1], modrm = p[o + 2];
        if ((rex & 0xfb) != 0x48 || (modrm & 0xc7) != 0x05) continue; /* REX.W (R free), [rip+disp32] */
        int32_t disp;
        memcpy(&disp, p + o + 3, 4);
        uint64_t target = va + o + 7 + (uint64_t)(int64_t)disp;
        if ((op == 0x8b || op == 0x33) && loads < 2) {
            if (loads++) k->always = target;
            else k->never = target;
        } else if (op == 0x8d && !k->block) k->block = target;
        if (loads == 2 && k->block) return 1;
    }
    return 0;
}

static int decode_at(struct dp_dump *d, struct dp_guest *g, const struct kdbg_keys *k)
{
    uint8_t flag;
    uint64_t never, always, enc[4];
    if (dp_dump_read_virt(d, k->flag, &flag, 1) || flag != 1 || dp_dump_read_virt(d, k->never, &never, 8) ||
        dp_dump_read_virt(d, k->always, &always, 8) || dp_dump_read_virt(d, k->block, enc, sizeof enc))
        return 0;
    uint64_t tag = kdbg_decode(enc[2], never, always, k->flag), size = tag >> 32;
    if ((uint32_t)tag != KDBG_TAG || kdbg_decode(enc[3], never, always, k->flag) != g->kernel_base ||
        size < KDBG_MIN || size > KDBG_MAX)
        return 0;
    uint8_t *plain = malloc(size);
    if (!plain) return DP_ERR_NOMEM;
    for (uint64_t o = 0; o + 8 <= size; o += 8) {
        uint64_t v;
        if (dp_dump_read_virt(d, k->block + o, &v, 8)) {
            free(plain);
            return 0;
        }
        v = kdbg_decode(v, never, always, k->flag);
        memcpy(plain + o, &v, 8);
    }
    g->kdbg = k->block;
    g->kdbg_plain = plain;
    g->kdbg_size = (uint32_t)size;
    return 1;
}

static int code_scan(struct dp_dump *d, struct dp_guest *g, uint64_t va, const uint8_t *p, size_t n)
{
    for (size_t o = 0; o + 7 <= n; o++) {
        if (p[o] != 0x80 || p[o + 1] != 0x3d || p[o + 6] != 0) continue;
        int32_t disp;
        memcpy(&disp, p + o + 2, 4);
        struct kdbg_keys k = {.flag = va + o + 7 + (uint64_t)(int64_t)disp};
        if (!keys_after(p, n, o + 7, va, &k)) continue;
        int rc = decode_at(d, g, &k);
        if (rc) return rc;
    }
    return 0;
}

int dp_guest_find_kdbg(struct dp_dump *d, struct dp_guest *g)
{
    if (!g->kernel_base && d->n_modules) { /* the header path: ntoskrnl heads the module list */
        g->kernel_base = d->modules[0].base;
        g->kernel_size = (uint32_t)d->modules[0].size;
    }
    int rc = 0;
    if (g->kdbg_how) return DP_OK; /* found already, for the module list */
    if (kdbg_plain_at(d, g->kdbg, g->kernel_base)) g->kdbg_how = "header";
    else if (kdbg_plain_at(d, g->kdbg_copy, g->kernel_base)) g->kdbg = g->kdbg_copy, g->kdbg_how = "fwcfg copy";
    else if ((rc = each_section(d, g, 0, tag_scan)) > 0) g->kdbg_how = "tag scan";
    else if (!rc && d->info.ptr_size == 8 && (rc = each_section(d, g, 1, code_scan)) > 0) g->kdbg_how = "decoded";
    if (rc < 0) return rc;
    if (!g->kdbg_how) g->kdbg = 0;
    d->info.kd_debugger_data_block = g->kdbg;
    return DP_OK;
}

int dp_guest_kdbg_field(struct dp_dump *d, const struct dp_guest *g, uint32_t off, unsigned width, uint64_t *out)
{
    *out = 0;
    if (!g->kdbg_how) return DP_ERR_NOT_FOUND;
    if (!g->kdbg_plain) return dp_dump_read_virt(d, g->kdbg + off, out, width);
    if (off > g->kdbg_size || width > g->kdbg_size - off) return DP_ERR_NOT_FOUND;
    memcpy(out, g->kdbg_plain + off, width);
    return DP_OK;
}

int dp_guest_kdbg_ptr(struct dp_dump *d, const struct dp_guest *g, uint32_t off, uint64_t *out)
{
    int rc = dp_guest_kdbg_field(d, g, off, 8, out);
    if (d->info.ptr_size == 4) *out &= 0xffffffffull;
    return rc;
}

/* A pointer-sized value at va. */
static int read_ptr(struct dp_dump *d, uint64_t va, uint64_t *out)
{
    *out = 0;
    return dp_dump_read_virt(d, va, out, d->info.ptr_size);
}

static void bugcheck(struct dp_dump *d, const struct dp_guest *g)
{
    uint64_t at, data[5];
    if (dp_guest_kdbg_ptr(d, g, KDBG_BUGCHECK_DATA, &at)) return;
    for (unsigned i = 0; i < 5; i++)
        if (read_ptr(d, at + (uint64_t)i * d->info.ptr_size, &data[i])) return;
    d->info.bugcheck_code = (uint32_t)data[0];
    d->info.has_bugcheck = (uint32_t)data[0] != 0; /* 0: the guest was running when it was dumped */
    if (d->info.has_bugcheck) memcpy(d->info.bugcheck_params, data + 1, sizeof d->info.bugcheck_params);
}

/* CPU i's registers as the PRCB's CONTEXT holds them (saved at the bug check), else as QEMU's note
 * holds them (live). Returns 1 (PRCB), 2 (note) or 0 (neither). */
static int cpu_regs(struct dp_dump *d, const struct dp_guest *g, size_t i, uint64_t prcb_block, uint64_t ctx_off,
                    struct dp_regs *out)
{
    uint64_t prcb = 0, ctx = 0;
    unsigned w = d->info.ptr_size;
    d->regs = (struct dp_regs){0}; /* parse_context keeps what was there when the record is not a written one */
    if (d->info.has_bugcheck && prcb_block && ctx_off && !read_ptr(d, prcb_block + w * i, &prcb) && prcb &&
        (w == 4 ? (ctx = prcb + ctx_off) : !read_ptr(d, prcb + ctx_off, &ctx)) && ctx && !dp_win_set_context_at(d, ctx) &&
        d->regs.ip) {
        *out = d->regs;
        return 1;
    }
    (void)g;
    if (i >= d->notes.n_vcpus || !d->notes.vcpus[i].rip) return 0; /* a zeroed state is none */
    const struct dp_vcpu *v = &d->notes.vcpus[i];
    *out = (struct dp_regs){.arch = d->info.arch, .ip = v->rip, .sp = v->rsp, .fp = v->gpr[5]};
    memcpy(out->gpr, v->gpr, sizeof v->gpr);
    return 2;
}

static size_t cpu_count(struct dp_dump *d, const struct dp_guest *g, uint64_t prcb_block)
{
    size_t n = d->notes.n_vcpus > g->header_cpus ? d->notes.n_vcpus : g->header_cpus;
    if (d->notes.n_prstatus > n) n = d->notes.n_prstatus; /* a CPU note each, even without QEMU's */
    uint64_t prcb;
    while (prcb_block && n < MAX_CPUS && !read_ptr(d, prcb_block + (uint64_t)d->info.ptr_size * n, &prcb) && prcb) n++;
    return n;
}

int dp_guest_bugcheck_and_cpus(struct dp_dump *d, struct dp_guest *g)
{
    bugcheck(d, g);
    uint64_t pfn_var = 0, block = 0, ctx_off = 0;
    if (!dp_guest_kdbg_ptr(d, g, KDBG_PFN_DATABASE, &pfn_var) && pfn_var) read_ptr(d, pfn_var, &d->info.pfn_database);
    dp_guest_kdbg_ptr(d, g, KDBG_PROCESSOR_BLOCK, &block);
    dp_guest_kdbg_field(d, g, d->info.ptr_size == 4 ? KDBG_PRCB_PROC_STATE_CONTEXT : KDBG_PRCB_CONTEXT, 2, &ctx_off);
    size_t n = cpu_count(d, g, block);
    d->info.nr_cpus = (uint32_t)n;
    if (!n) return DP_OK;
    d->cpu_regs = calloc(n, sizeof *d->cpu_regs);
    if (!d->cpu_regs) return DP_ERR_NOMEM;
    int current = -1, from_prcb = 0;
    for (size_t i = 0; i < n; i++) {
        int how = cpu_regs(d, g, i, block, ctx_off, &d->cpu_regs[i]);
        /* the bug-check CPU: the first whose PRCB holds a context; without a bug check, CPU 0 */
        if (how && (current < 0 || (how == 1 && !from_prcb))) current = (int)i, from_prcb = how == 1;
    }
    d->n_cpu_regs = n;
    d->has_regs = current >= 0;
    if (current >= 0) d->regs = d->cpu_regs[current], d->current_cpu = (size_t)current;
    return DP_OK;
}
