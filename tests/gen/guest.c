/* `guest:` - what a Windows guest's memory holds for a finder that has no dump header: the x64 low
 * stub, KiBugCheckData, KiProcessorBlock with each KPRCB's CONTEXT pointer (x86: the CONTEXT inside the
 * KPRCB, at OffsetPrcbProcStateContext), the live registers of the vCPUs after the first (QEMU's CPU
 * notes), the Windows 8+ encoded KDBG (x64), and the x86 self-map of the page tables. Applied after
 * patches, so the KDBG is encoded with everything the scenario wrote into it. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

#define KDBG_BUGCHECK_DATA 0x88
#define KDBG_PROCESSOR_BLOCK 0x218
#define KDBG_PRCB_CONTEXT 0x338
#define KDBG_PRCB_PROC_STATE_CONTEXT 0x2bc /* x86: the CONTEXT embedded in the KPRCB */
#define PRCB_SIZE 0x8000u
#define X86_PRCB_SIZE 0x1000u
#define X64_CONTEXT_SIZE 0x4d0u
#define X86_CONTEXT_SIZE 0x2ccu
#define X86_SELF_SLOT 0x300u /* non-PAE: the page directory at 0xC0300000 */
#define PAE_SELF_PD 3u       /* PAE: the fourth directory maps the four at 0xC0600000 */

/* PROCESSOR_START_BLOCK: jmp over the block (E9 rel16 with operand-size prefix ignored: E9 ?? 06 00
 * 01 00 00 00 as MemProcFS matches it), kernel entry at +0x70, PML4 at +0xA0 */
static int low_stub(struct gen *g, uint64_t pa)
{
    uint8_t b[0xa8] = {0xe9, 0x4c, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00};
    put_le(b + 0x70, g->n_mods ? g->mods[0].base + g->mods[0].entry_rva : 0, 8);
    put_le(b + 0xa0, g->cr3, 8);
    return pm_write(g, pa, b, sizeof b);
}

/* A pointer as the KDBG's ULONG64 fields hold it: sign-extended on x86. */
static uint64_t kdbg_ptr(const struct gen *g, uint64_t va)
{
    return is64(g) ? va : (uint64_t)(int64_t)(int32_t)(uint32_t)va;
}

/* KiBugCheckData: the code and four parameters, ULONG_PTR-wide */
static int bugcheck_data(struct gen *g, uint64_t va)
{
    uint64_t q[5] = {g->bugcheck, g->bug_params[0], g->bug_params[1], g->bug_params[2], g->bug_params[3]};
    unsigned w = ptr_size(g);
    for (unsigned i = 0; i < 5; i++)
        if (vm_put(g, va + w * i, q[i], w)) return -1;
    return vm_put(g, g->kdbg_va + KDBG_BUGCHECK_DATA, kdbg_ptr(g, va), 8);
}

/* One KPRCB per processor; CPU 0's CONTEXT is the scenario's when it bug-checked (KeBugCheckEx saved
 * it there), the others' stay zero. x64: the KPRCB points at its CONTEXT (OffsetPrcbContext); x86: the
 * CONTEXT is inside it (OffsetPrcbProcStateContext). */
static int processor_block(struct gen *g, uint64_t va, uint64_t ctx_off)
{
    unsigned n = g->processors ? g->processors : 1, w = ptr_size(g);
    uint64_t size = is64(g) ? PRCB_SIZE : X86_PRCB_SIZE, ctx_size = is64(g) ? X64_CONTEXT_SIZE : X86_CONTEXT_SIZE;
    if (ctx_off < 8 || ctx_off > size - (is64(g) ? 8 : ctx_size))
        return fail(g, NULL, "guest.prcb_context: 8 .. 0x%llx", (unsigned long long)(size - (is64(g) ? 8 : ctx_size)));
    for (unsigned i = 0; i < n; i++) {
        uint64_t prcb = vm_heap_alloc(g, size), ctx = prcb + ctx_off;
        if (vm_ensure(g, prcb, size) || vm_put(g, va + w * i, prcb, w)) return -1;
        if (is64(g)) {
            ctx = align_up(vm_heap_alloc(g, X64_CONTEXT_SIZE + 16), 16);
            if (vm_ensure(g, ctx, X64_CONTEXT_SIZE) || vm_put(g, prcb + ctx_off, ctx, 8)) return -1;
        }
        if (i == 0 && g->bugcheck && vm_write(g, ctx, g->context, ctx_size)) return -1;
    }
    return vm_put(g, g->kdbg_va + KDBG_PROCESSOR_BLOCK, kdbg_ptr(g, va), 8) ||
           vm_put(g, g->kdbg_va + (is64(g) ? KDBG_PRCB_CONTEXT : KDBG_PRCB_PROC_STATE_CONTEXT), ctx_off, 2);
}

/* x86 Windows maps its page tables at 0xC0000000: non-PAE, directory entry 0x300 is the directory;
 * PAE, the fourth directory's entries 0..3 are the four directories (those the PDPT has). */
static int self_map(struct gen *g)
{
    uint8_t e[8];
    if (g->arch == ARCH_X86) {
        uint64_t pd = g->cr3 & ~(uint64_t)PAGE_MASK;
        put_le(e, pd | 0x63, 4);
        return pm_write(g, pd + 4 * X86_SELF_SLOT, e, 4);
    }
    uint64_t pdpt[4];
    if (pm_read(g, g->cr3 & ~0x1full, pdpt, sizeof pdpt)) return -1;
    if (!(pdpt[PAE_SELF_PD] & 1)) return fail(g, NULL, "guest.self_map: nothing mapped at 0xC0000000 and up");
    for (unsigned i = 0; i < 4; i++) {
        if (!(pdpt[i] & 1)) continue;
        put_le(e, (pdpt[i] & 0x000ffffffffff000ull) | 0x63, 8);
        if (pm_write(g, (pdpt[PAE_SELF_PD] & 0x000ffffffffff000ull) + 8 * i, e, 8)) return -1;
    }
    return 0;
}

static uint64_t encode(uint64_t v, uint64_t never, uint64_t always, uint64_t flag)
{
    unsigned r = (uint8_t)never & 63;
    v = __builtin_bswap64(v ^ always) ^ flag;
    v = r ? v >> r | v << (64 - r) : v;
    return v ^ never;
}

/* Keeps a plain copy in the heap (what virtio-win's fwcfg driver hands QEMU), then encodes in place. */
static int kdbg_encoding(struct gen *g, node_t *n)
{
    static const char *const keys[] = {"wait_never", "wait_always", "flag", "never", "always", NULL};
    uint64_t never_va, always_va, flag, never, always, size = 0;
    if (ex_check_keys(g, n, keys) || ex_opt_u64(g, n, "wait_never", 0, &never_va) ||
        ex_opt_u64(g, n, "wait_always", 0, &always_va) || ex_opt_u64(g, n, "flag", 0, &flag) ||
        ex_opt_u64(g, n, "never", 0x5a17c3e9b2d4f681ull, &never) || ex_opt_u64(g, n, "always", 0x0f1e2d3c4b5a6978ull, &always))
        return -1;
    if (!never_va || !always_va || !flag || !g->kdbg_va) return fail(g, n, "guest.kdbg_encoding: wait_never, wait_always, flag and a kernel.kdbg");
    if (vm_read(g, g->kdbg_va + 0x14, &size, 4)) return -1;
    uint8_t *plain = xcalloc(1, size);
    int rc = vm_read(g, g->kdbg_va, plain, size);
    g->kdbg_copy_va = vm_heap_alloc(g, size);
    rc = rc || vm_write(g, g->kdbg_copy_va, plain, size) || vm_put(g, never_va, never, 8) ||
         vm_put(g, always_va, always, 8) || vm_put(g, flag, 1, 1);
    for (uint64_t o = 0; rc == 0 && o + 8 <= size; o += 8)
        rc = vm_put(g, g->kdbg_va + o, encode(get_le(plain + o, 8), never, always, flag), 8);
    free(plain);
    return rc;
}

static int cpus(struct gen *g, node_t *list)
{
    static const char *const keys[] = {"rip", "rsp", "rbp", NULL};
    for (size_t i = 0; i < sc_len(list) && i + 1 < GUEST_MAX_CPUS; i++) {
        node_t *c = sc_at(g->sc, list, i);
        uint64_t *r = g->guest_cpus[i + 1];
        if (ex_check_keys(g, c, keys) || ex_opt_u64(g, c, "rip", 0, &r[0]) || ex_opt_u64(g, c, "rsp", 0, &r[1]) ||
            ex_opt_u64(g, c, "rbp", 0, &r[2]))
            return -1;
    }
    return sc_len(list) + 1 > GUEST_MAX_CPUS ? fail(g, list, "guest.cpus: at most %d", GUEST_MAX_CPUS - 1) : 0;
}

int guest_build(struct gen *g, node_t *n)
{
    static const char *const keys[] = {"low_stub", "bugcheck_data", "processor_block", "prcb_context", "cpus",
                                       "kdbg_encoding", "self_map", NULL};
    if (!n) return 0;
    if (g->arch == ARCH_ARM64) return fail(g, n, "guest: x64 and x86 scenarios only");
    uint64_t stub, bcd, block, ctx_off;
    int self;
    /* x86 default: KPRCB.ProcessorState.ContextFrame of Windows 2003 (ProcessorState at KPRCB+0x18) */
    if (ex_check_keys(g, n, keys) || ex_opt_u64(g, n, "low_stub", 0, &stub) ||
        ex_opt_u64(g, n, "bugcheck_data", 0, &bcd) || ex_opt_u64(g, n, "processor_block", 0, &block) ||
        ex_opt_u64(g, n, "prcb_context", is64(g) ? 0x6500 : 0x18, &ctx_off) || ex_opt_bool(g, n, "self_map", 0, &self))
        return -1;
    if ((bcd || block) && !g->kdbg_va) return fail(g, n, "guest: bugcheck_data and processor_block need a kernel.kdbg");
    node_t *list = sc_get(g->sc, n, "cpus"), *enc = sc_get(g->sc, n, "kdbg_encoding");
    if (!is64(g) && (stub || enc)) return fail(g, n, "guest: low_stub and kdbg_encoding are x64's");
    if (is64(g) && self) return fail(g, n, "guest.self_map: x86 scenarios (x64: a patch of the PML4)");
    if ((stub && low_stub(g, stub)) || (bcd && bugcheck_data(g, bcd)) || (block && processor_block(g, block, ctx_off)) ||
        (list && cpus(g, list)))
        return -1;
    if (enc && kdbg_encoding(g, enc)) return -1;
    return self ? self_map(g) : 0; /* last: nothing may map pages through the directories after it */
}

/* QEMU note of CPU cpu >= 1: rip, rsp, rbp as the scenario gives them (QEMUCPUState: rsp is the 7th
 * GPR, rbp the 8th, rip after the 16) */
void guest_cpu_state(const struct gen *g, unsigned cpu, uint8_t *st)
{
    if (!cpu || cpu >= GUEST_MAX_CPUS) return;
    put_le(st + 8 + 16 * 8, g->guest_cpus[cpu][0], 8);
    put_le(st + 8 + 6 * 8, g->guest_cpus[cpu][1], 8);
    put_le(st + 8 + 7 * 8, g->guest_cpus[cpu][2], 8);
}

/* The fwcfg driver's header was captured at boot: no bug check in it; BugcheckParameter1 (0x40)
 * holds its decoded KDBG copy's address. */
void guest_fwcfg_header(const struct gen *g, uint8_t *h)
{
    if (g->arch != ARCH_X64) return;
    memset(h + 0x38, 0, 0x28);
    put_le(h + 0x40, g->kdbg_copy_va, 8);
}
