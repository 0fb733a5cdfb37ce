/* Finding the fault's own context: what the parameters name, else what the stack holds. */
#include "sw_context.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CONTEXT_CONTROL_BIT 0x1u /* with the architecture bit: the control registers (ip, sp) are valid */

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

static uint64_t field(const uint8_t *b, int off, unsigned n) { return off < 0 ? 0 : le(b + off, n); }

/* Code segment selectors Windows uses: x64 kernel 0x10, user 0x33, WOW64 0x23; x86 kernel 0x08, user 0x1b. */
static int plausible_cs(enum dp_arch arch, uint64_t cs)
{
    if (arch == DP_ARCH_X64) return cs == 0x10 || cs == 0x33 || cs == 0x23;
    if (arch == DP_ARCH_X86) return cs == 0x08 || cs == 0x1b;
    return 1;
}

__attribute__((format(printf, 3, 4))) static int fail(struct sw_fault *out, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
    return rc;
}

int sw_read_context(const struct sw_env *e, const struct sw_layout *l, uint64_t va, struct sw_fault *out)
{
    uint8_t b[0x4d0];
    unsigned ps = sw_ptr_size(e);
    const char *what = l->kind == SW_CTX_TRAP ? "trap frame" : "context record";
    out->valid_seg = 0;
    if (l->size > sizeof b || e->read(e->user, va, b, l->size) != DP_OK)
        return fail(out, DP_ERR_FAULT, "the %s at %" PRIx64 " is not in the dump", what, va);
    struct dp_regs r = {.arch = l->arch};
    uint32_t valid = 0;
    for (unsigned i = 0; i < l->n_gpr; i++)
        if (l->gpr[i] >= 0) r.gpr[i] = field(b, l->gpr[i], ps), valid |= 1u << i;
    r.ip = field(b, l->ip, ps);
    r.flags = field(b, l->flags, 4);
    r.fp = field(b, l->fp, ps);
    for (unsigned i = 0; i < 6; i++) out->seg[i] = field(b, l->seg[i], l->seg_size), out->valid_seg |= (l->seg[i] >= 0) << i;
    if (l->sp == -2) /* x86 trap: the CPU pushed ss:esp only when coming from user mode */
        r.sp = (out->seg[0] & 1) ? field(b, 0x74, 4) : va + 0x74;
    else
        r.sp = field(b, l->sp, ps);
    if (l->arch != DP_ARCH_ARM64) r.gpr[4] = r.sp, valid |= 1u << 4;
    if (l->context_flags >= 0) {
        uint64_t flags = field(b, l->context_flags, 4);
        if (!(flags & l->arch_flag) || !(flags & CONTEXT_CONTROL_BIT))
            return fail(out, DP_ERR_BAD_DATA, "the context record at %" PRIx64 " has ContextFlags %" PRIx64 ", no control registers",
                        va, flags);
    }
    if (l->seg[0] >= 0 && !plausible_cs(l->arch, out->seg[0]))
        return fail(out, DP_ERR_BAD_DATA, "the %s at %" PRIx64 " has code segment %" PRIx64 ", which Windows does not use", what,
                    va, out->seg[0]);
    out->layout = l;
    out->kind = l->kind;
    out->va = va;
    out->regs = r;
    out->valid = valid;
    out->partial = l->kind == SW_CTX_TRAP;
    return DP_OK;
}

/* EXCEPTION_RECORD: ExceptionCode 0, ExceptionFlags 4, ExceptionRecord 8, then pointer-sized
 * ExceptionAddress, NumberParameters (u32) and ExceptionInformation[15] (x64 0x10, 0x18, 0x20; x86 0xc,
 * 0x10, 0x14). */
static unsigned exr_address(unsigned ps) { return 8 + ps; }

int sw_read_exr(const struct sw_env *e, uint64_t va, struct sw_exr *out)
{
    unsigned ps = sw_ptr_size(e), n_off = 8 + 2 * ps, info = ps == 8 ? 0x20 : 0x14;
    uint8_t b[0x98];
    size_t size = info + SW_EXR_MAX_PARAMS * ps;
    if (e->read(e->user, va, b, size) != DP_OK) return DP_ERR_FAULT;
    memset(out, 0, sizeof *out);
    out->va = va;
    out->code = (uint32_t)le(b, 4);
    out->flags = (uint32_t)le(b + 4, 4);
    out->address = le(b + exr_address(ps), ps);
    out->n_params = (uint32_t)le(b + n_off, 4);
    if (out->n_params > SW_EXR_MAX_PARAMS) return DP_ERR_BAD_DATA;
    for (unsigned i = 0; i < out->n_params; i++) out->params[i] = le(b + info + i * ps, ps);
    return DP_OK;
}

static uint64_t param(const struct sw_ctx_env *ce, unsigned n) { return n >= 1 && n <= 4 ? ce->params[n - 1] : 0; }

/* The lowest structure on the stack (the most recent) whose ip is the faulting instruction, or, for a
 * trap frame when no instruction is known, whose FaultAddress is the address touched. */
static int search(const struct sw_ctx_env *ce, enum sw_ctx_kind kind, uint64_t want_ip, uint64_t data, struct sw_fault *out)
{
    const struct sw_layout *l = sw_layout_for(ce->env->arch, kind);
    const struct sw_stack *st = ce->stack;
    unsigned ps = sw_ptr_size(ce->env);
    if (!l || !st || !st->bytes || (!want_ip && (!data || l->fault_address < 0))) return 0;
    int key = want_ip ? l->ip : l->fault_address;
    uint64_t want = want_ip ? want_ip : data;
    for (uint64_t va = st->lo; va < st->hi && st->hi - va >= l->size; va += ps) {
        if (le(st->bytes + (va - st->lo) + key, ps) != want) continue;
        struct sw_fault f = *out;
        if (sw_read_context(ce->env, l, va, &f) == DP_OK) return *out = f, 1;
    }
    return 0;
}

static int search_exr(const struct sw_ctx_env *ce, struct sw_fault *out)
{
    const struct sw_stack *st = ce->stack;
    unsigned ps = sw_ptr_size(ce->env);
    if (!st || !st->bytes || !out->has_want_ip || !out->has_code) return 0;
    for (uint64_t va = st->lo; va < st->hi && st->hi - va >= exr_address(ps) + ps; va += ps) {
        const uint8_t *p = st->bytes + (va - st->lo);
        if (le(p, 4) != out->code || le(p + exr_address(ps), ps) != out->want_ip) continue;
        if (sw_read_exr(ce->env, va, &out->exr) == DP_OK) return out->has_exr = 1;
    }
    return 0;
}

static int named(const struct sw_ctx_env *ce, enum sw_ctx_kind kind, unsigned n, struct sw_fault *out)
{
    const struct sw_layout *l = sw_layout_for(ce->env->arch, kind);
    if (!n || !param(ce, n)) return 0;
    if (!l) return fail(out, 0, "no %s layout for this architecture", kind == SW_CTX_TRAP ? "trap frame" : "context record");
    if (sw_read_context(ce->env, l, param(ce, n), out) != DP_OK) return 0;
    out->param = n;
    return 1;
}

static void exception_record(const struct sw_ctx_env *ce, const struct sw_rule *r, struct sw_fault *out)
{
    if (r->exr && param(ce, r->exr) && sw_read_exr(ce->env, param(ce, r->exr), &out->exr) == DP_OK) {
        out->has_exr = 1, out->exr_param = r->exr;
    } else if (r->search != SW_FIND_NONE) {
        search_exr(ce, out);
    }
    if (out->has_exr && !out->has_code) out->has_code = 1, out->code = out->exr.code;
    if (out->has_exr && !out->has_want_ip) out->has_want_ip = 1, out->want_ip = out->exr.address;
}

int sw_find_fault(const struct sw_ctx_env *ce, struct sw_fault *out)
{
    memset(out, 0, sizeof *out);
    const struct sw_rule *r = sw_rule_for(ce->bugcheck_code);
    if (!r) {
        snprintf(out->why, sizeof out->why, "bug check 0x%" PRIX32 " names no context of a fault", ce->bugcheck_code);
        return DP_OK;
    }
    if (r->exc) out->has_code = 1, out->code = (uint32_t)param(ce, r->exc);
    if (r->ip && param(ce, r->ip)) out->has_want_ip = 1, out->want_ip = param(ce, r->ip);
    exception_record(ce, r, out);
    if (named(ce, SW_CTX_CONTEXT, r->cxr, out) || named(ce, SW_CTX_TRAP, r->trap, out)) return DP_OK;
    uint64_t ip = out->has_want_ip ? out->want_ip : 0, data = r->data ? param(ce, r->data) : 0;
    if (r->search == SW_FIND_ANY && search(ce, SW_CTX_CONTEXT, ip, 0, out)) return DP_OK;
    if (r->search != SW_FIND_NONE && search(ce, SW_CTX_TRAP, ip, data, out)) return DP_OK;
    if (!*out->why) {
        if (r->search == SW_FIND_NONE)
            snprintf(out->why, sizeof out->why, "the context the parameters name is not in the dump");
        else if (ip)
            snprintf(out->why, sizeof out->why, "no %s on the stack holds ip %0*" PRIx64,
                     r->search == SW_FIND_ANY ? "context record or trap frame" : "trap frame", (int)sw_ptr_size(ce->env) * 2, ip);
        else
            snprintf(out->why, sizeof out->why, "the parameters give no faulting instruction to look for");
    }
    out->kind = SW_CTX_NONE;
    return DP_OK;
}
