/* ARM64 stack walk over the frame-record chain. The Windows ARM64 ABI requires x29 to point at the
 * {previous x29, x30} pair every non-leaf function saves, "for compatibility with fast stack walking"
 * (learn.microsoft.com, ARM64 ABI conventions): [fp] is the caller's frame record, [fp+8] the return
 * address into the caller (an LR value: the branch-with-link is the instruction before it).
 *
 * Frame 0 runs at pc. Its return address is normally the one in the frame record at x29; a leaf function
 * (or one caught before its prologue) has its return address in LR only, and x29 still points at its
 * caller's record. */
#include "sw_walk.h"

#include <string.h>

#define ARM64_VA_BITS 48

/* Saved LR and FP values may carry pointer-authentication bits above the virtual address. Bit 55
 * selects the translation table: kernel addresses get their upper bits set again, user ones cleared. */
uint64_t sw_arm64_strip_pac(uint64_t v)
{
    const uint64_t va_mask = (1ull << ARM64_VA_BITS) - 1;
    return (v >> 55) & 1 ? v | ~va_mask : v & va_mask;
}

struct chain {
    const struct sw_env *e;
    uint64_t lo, limit; /* frame records must lie in [lo, limit) */
};

/* Reads the frame record at FP: the caller's FP and the return address, PAC bits stripped. */
static int record_at(const struct chain *ch, uint64_t fp, uint64_t *prev, uint64_t *ret)
{
    uint64_t rec[2];
    if (!sw_fp_in_stack(fp, ch->lo, ch->limit, 8) || fp % 16 != 0) return 0;
    if (ch->e->read(ch->e->user, fp, rec, sizeof rec) != DP_OK) return 0;
    *prev = sw_arm64_strip_pac(rec[0]);
    *ret = sw_arm64_strip_pac(rec[1]);
    return 1;
}

/* Is LR the caller of the function at PC, not yet saved in a frame record? A leaf keeps its return
 * address in LR only. LR also holds a stale value after any earlier call the function made, pointing
 * into the function itself; without unwind data the function's bounds are unknown, so only an LR that
 * returns after a call into another module counts (a checked call: never a guess). */
static int caller_in_lr(const struct sw_env *e, uint64_t pc, uint64_t lr)
{
    uint64_t pc_base = 0, lr_base = 0;
    int exec;
    if (sw_check_return(e, lr) != SW_RET_AFTER_CALL || !e->module_at(e->user, lr, &lr_base, &exec)) return 0;
    return !e->module_at(e->user, pc, &pc_base, &exec) || pc_base != lr_base;
}

static struct sw_frame *push(struct sw_stack *st, uint64_t ip, uint64_t sp, enum sw_source src, enum sw_ret how)
{
    struct sw_frame *f = &st->frames[st->n++];
    *f = (struct sw_frame){.ip = ip, .sp = sp, .source = src, .weak = how == SW_RET_IN_MODULE};
    if (sp + 16 > st->hi) st->hi = sp + 16;
    return f;
}

int sw_walk_arm64(const struct sw_env *e, const struct dp_regs *regs, uint64_t max_bytes, size_t max_frames,
                  struct sw_stack *st)
{
    memset(st, 0, sizeof *st);
    if (!regs || e->arch != DP_ARCH_ARM64) return DP_ERR_NOT_APPLICABLE;
    if (max_bytes > SW_MAX_STACK_BYTES) max_bytes = SW_MAX_STACK_BYTES;
    if (max_frames > SW_MAX_FRAMES) max_frames = SW_MAX_FRAMES;
    uint64_t probe;
    if (!max_frames || e->read(e->user, regs->sp, &probe, sizeof probe) != DP_OK) return DP_ERR_FAULT;
    struct chain ch = {e, regs->sp, regs->sp > UINT64_MAX - max_bytes ? UINT64_MAX : regs->sp + max_bytes};
    st->lo = st->hi = regs->sp;

    uint64_t fp = sw_arm64_strip_pac(regs->fp), prev = 0, ret = 0, lr = sw_arm64_strip_pac(regs->gpr[30]);
    struct sw_frame *f = push(st, regs->ip, regs->sp, SW_SRC_CONTEXT, SW_RET_AFTER_CALL);
    int have = record_at(&ch, fp, &prev, &ret);
    if (lr && (!have || lr != ret) && caller_in_lr(e, regs->ip, lr) && st->n < max_frames) {
        f->ret = lr;
        f = push(st, lr, regs->sp, SW_SRC_CONTEXT, sw_check_return(e, lr));
    }
    while (have && st->n < max_frames) {
        enum sw_ret how = sw_check_return(e, ret);
        if (how == SW_RET_NO) break;
        f->ret = ret;
        f->sp = fp; /* as x86 shows a frame's EBP: the record that holds its return address */
        f = push(st, ret, fp + 16, SW_SRC_FRAME_POINTER, how);
        /* the caller's record lies above this one, within one frame's size: anything else ends the chain */
        if (!sw_fp_link_ok(fp, prev, ch.lo, ch.limit, 8)) break;
        fp = prev;
        have = record_at(&ch, fp, &prev, &ret);
    }
    return DP_OK;
}
