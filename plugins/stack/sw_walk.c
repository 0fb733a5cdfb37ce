/* The walk itself: one step per frame, frame pointer or unwind data first, stack scan when they fail. */
#include "sw_walk.h"

#include <stdlib.h>
#include <string.h>

/* What the walker knows when it starts a frame. */
struct cursor {
    uint64_t ip;
    enum sw_source source;
    int weak;
    uint64_t slot;       /* lowest stack address not yet explained: scans start here */
    uint64_t fp;         /* x86: this frame's EBP, when fp_ok */
    int fp_ok;
    struct dp_regs regs; /* registers for the unwinder, when regs_ok (x86: esp/ebp/ebx/esi/edi) */
    int regs_ok;
};

static int stack_word(const struct sw_stack *st, uint64_t va, unsigned ps, uint64_t *v)
{
    if (va < st->lo || va >= st->hi || st->hi - va < ps) return 0;
    const uint8_t *p = st->bytes + (va - st->lo);
    *v = 0;
    for (unsigned i = ps; i-- > 0;) *v = (*v << 8) | p[i];
    return 1;
}

/* Reads page by page from sp until a page is missing or MAX bytes are in. */
static int load_stack(const struct sw_env *e, uint64_t sp, uint64_t max, struct sw_stack *st)
{
    if (max > SW_MAX_STACK_BYTES) max = SW_MAX_STACK_BYTES;
    if (sp > UINT64_MAX - max) max = UINT64_MAX - sp;
    st->bytes = malloc(max ? (size_t)max : 1);
    if (!st->bytes) return DP_ERR_NOMEM;
    st->lo = st->hi = sp;
    while (st->hi - sp < max) {
        uint64_t page_end = (st->hi | 0xfff) + 1;
        uint64_t len = page_end - st->hi;
        if (page_end == 0 || len > max - (st->hi - sp)) len = max - (st->hi - sp);
        if (e->read(e->user, st->hi, st->bytes + (st->hi - sp), (size_t)len) != DP_OK) break;
        st->hi += len;
    }
    return st->hi > st->lo ? DP_OK : DP_ERR_FAULT;
}

static void next_frame(struct cursor *c, uint64_t ip, enum sw_source src, enum sw_ret verdict, uint64_t slot)
{
    c->ip = ip;
    c->source = src;
    c->weak = verdict == SW_RET_IN_MODULE;
    c->slot = slot;
}

/* Upward from c->slot, the first value that passes as a return address. */
static int scan(const struct sw_env *e, const struct sw_stack *st, const struct cursor *c, uint64_t *slot,
                uint64_t *value, enum sw_ret *verdict)
{
    unsigned ps = sw_ptr_size(e);
    uint64_t s = c->slot + (ps - c->slot % ps) % ps;
    for (; s >= c->slot && stack_word(st, s, ps, value); s += ps) {
        *verdict = sw_check_return(e, *value);
        if (*verdict != SW_RET_NO) return *slot = s, 1;
    }
    return 0;
}

static int step_frame_pointer(const struct sw_env *e, const struct sw_stack *st, struct cursor *c, struct sw_frame *f)
{
    unsigned ps = sw_ptr_size(e);
    uint64_t saved = 0, ret = 0;
    if (!c->fp_ok || !stack_word(st, c->fp, ps, &saved) || !stack_word(st, c->fp + ps, ps, &ret)) return 0;
    enum sw_ret verdict = sw_check_return(e, ret);
    if (verdict == SW_RET_NO) return 0;
    f->sp = c->fp;
    f->ret = ret;
    next_frame(c, ret, SW_SRC_FRAME_POINTER, verdict, c->fp + 2ull * ps);
    /* x86: the unwinder goes on from the caller's registers; ebx/esi/edi stay as they were */
    c->regs.ip = ret;
    c->regs.sp = c->regs.gpr[4] = c->fp + 2ull * ps;
    c->regs.fp = c->regs.gpr[5] = saved;
    c->fp_ok = sw_fp_link_ok(c->fp, saved, st->lo, st->hi, ps);
    c->fp = saved;
    return 1;
}

/* x86: one FrameData/FPO program run with esp moved up by SHIFT bytes. */
static int unwind_x86_at(const struct sw_env *e, const struct sw_stack *st, const struct cursor *c, uint64_t shift,
                         struct dp_regs *r, enum sw_ret *verdict)
{
    *r = c->regs;
    if (c->source != SW_SRC_CONTEXT) r->ip--; /* the call's last byte: see step_unwind */
    r->sp = r->gpr[4] = c->regs.sp + shift;
    int rc = e->unwind(e->user, r);
    if (rc != DP_OK) return rc;
    *verdict = r->sp > c->regs.sp + shift && r->sp <= st->hi ? sw_check_return(e, r->ip) : SW_RET_NO;
    return DP_OK;
}

/* x86: the FrameData/FPO record of the module's PDB (frames without a frame pointer). Programs find
 * the return address at .raSearch = esp + locals + saved registers; esp is exact in the context's
 * frame, but below a caller's locals sit the arguments it pushed for its callee, which the record
 * does not count. So, as debuggers search from .raSearch, the program is run with esp moved up word
 * by word until the return address it gives follows a call. */
static int step_unwind_x86(const struct sw_env *e, const struct sw_stack *st, struct cursor *c, struct sw_frame *f)
{
    if (!c->regs_ok || !e->unwind) return 0;
    struct dp_regs r, first;
    enum sw_ret verdict = SW_RET_NO, first_verdict = SW_RET_NO;
    int found = 0;
    for (uint64_t shift = 0; shift <= SW_RA_SEARCH_BYTES && !found; shift += 4) {
        int rc = unwind_x86_at(e, st, c, shift, &r, &verdict);
        if (rc == DP_ERR_NOT_APPLICABLE || rc == DP_ERR_NOT_FOUND || rc == DP_ERR_INVALID) return 0; /* no record */
        if (rc != DP_OK) continue;
        if (shift == 0) first = r, first_verdict = verdict;
        found = verdict == SW_RET_AFTER_CALL;
    }
    if (!found) { /* code not in the dump to check: the record's own answer, by module range */
        if (first_verdict != SW_RET_IN_MODULE) return 0;
        r = first, verdict = first_verdict;
    }
    f->sp = r.sp - 8; /* as for scanned frames: the slot below the return address */
    f->ret = r.ip;
    next_frame(c, r.ip, SW_SRC_UNWIND, verdict, r.sp);
    c->regs = r;
    c->fp = r.fp;
    c->fp_ok = sw_fp_in_stack(r.fp, st->lo, st->hi, 4) && r.fp >= r.sp; /* a caller's EBP is above its esp */
    return 1;
}

/* x64: unwind data, or a leaf function's return address at [rsp]. */
static int step_unwind(const struct sw_env *e, const struct sw_stack *st, struct cursor *c, struct sw_frame *f)
{
    if (!c->regs_ok || !e->unwind) return 0;
    struct dp_regs r = c->regs;
    int exec;
    uint64_t base;
    /* a return address may sit just past its function's end (a call to a no-return function):
     * look the function up by the call instruction's last byte */
    if (c->source != SW_SRC_CONTEXT) r.ip--;
    int rc = e->unwind(e->user, &r);
    if (rc == DP_ERR_NOT_FOUND && e->module_at(e->user, c->regs.ip, &base, &exec)) {
        if (!stack_word(st, c->regs.sp, 8, &r.ip)) return 0;
        r.sp = r.gpr[4] = c->regs.sp + 8;
        rc = DP_OK;
    }
    if (rc != DP_OK || r.sp <= c->regs.sp || r.sp > st->hi) return 0;
    enum sw_ret verdict = sw_check_return(e, r.ip);
    if (verdict == SW_RET_NO) return 0;
    f->sp = c->regs.sp;
    f->ret = r.ip;
    next_frame(c, r.ip, SW_SRC_UNWIND, verdict, r.sp);
    c->regs = r;
    return 1;
}

static int step_scan(const struct sw_env *e, const struct sw_stack *st, struct cursor *c, struct sw_frame *f)
{
    unsigned ps = sw_ptr_size(e);
    uint64_t slot = 0, value = 0, saved = 0;
    enum sw_ret verdict;
    if (!scan(e, st, c, &slot, &value, &verdict)) return 0;
    f->sp = e->arch == DP_ARCH_X64 ? c->slot : slot - ps;
    f->ret = value;
    next_frame(c, value, SW_SRC_SCAN, verdict, slot + ps);
    /* Pick the chain up again: if the scanned frame had a frame pointer, the slot below its return
     * address holds the caller's. The next step checks that guess like any other link. */
    c->fp_ok = stack_word(st, slot - ps, ps, &saved) && sw_fp_link_ok(slot - ps, saved, st->lo, st->hi, ps);
    c->fp = saved;
    /* x64: unwinding resumes with the frame's sp; nonvolatile registers are stale, which only
     * functions that address their frame through rbp notice, and their result is checked too */
    c->regs.ip = value;
    c->regs.sp = c->regs.gpr[4] = slot + ps;
    if (e->arch == DP_ARCH_X86) c->regs.fp = c->regs.gpr[5] = saved;
    return 1;
}

int sw_walk(const struct sw_env *e, const struct dp_regs *regs, uint64_t max_bytes, size_t max_frames,
            struct sw_stack *st)
{
    if (e->arch == DP_ARCH_ARM64) return sw_walk_arm64(e, regs, max_bytes, max_frames, st);
    memset(st, 0, sizeof *st);
    if (!regs || (e->arch != DP_ARCH_X86 && e->arch != DP_ARCH_X64)) return DP_ERR_NOT_APPLICABLE;
    int rc = load_stack(e, regs->sp, max_bytes, st);
    if (rc != DP_OK) return rc;
    unsigned ps = sw_ptr_size(e);
    struct cursor c = {.ip = regs->ip, .source = SW_SRC_CONTEXT, .slot = regs->sp, .fp = regs->fp,
                       .regs = *regs, .regs_ok = e->unwind != NULL};
    c.fp_ok = e->arch == DP_ARCH_X86 && sw_fp_in_stack(regs->fp, st->lo, st->hi, ps);
    if (max_frames > SW_MAX_FRAMES) max_frames = SW_MAX_FRAMES;
    while (st->n < max_frames) {
        struct sw_frame *f = &st->frames[st->n++];
        *f = (struct sw_frame){.ip = c.ip, .sp = e->arch == DP_ARCH_X86 && c.fp_ok ? c.fp : c.slot,
                               .source = c.source, .weak = c.weak};
        uint64_t before = c.slot;
        int found = e->arch == DP_ARCH_X64 ? step_unwind(e, st, &c, f)
                                           : step_unwind_x86(e, st, &c, f) || step_frame_pointer(e, st, &c, f);
        if (!found) found = step_scan(e, st, &c, f);
        if (!found || c.slot <= before) break; /* the stack ends, or a step went nowhere */
    }
    return DP_OK;
}

void sw_stack_release(struct sw_stack *st)
{
    free(st->bytes);
    st->bytes = NULL;
}

int sw_stack_scanned(const struct sw_stack *st)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->frames[i].source == SW_SRC_SCAN) return 1;
    return 0;
}
