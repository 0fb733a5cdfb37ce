/* The crashing CPU: bug check code and parameters, the CONTEXT record (reference 1.10) and the
 * kernel stack, including a frame-pointer chain built from a list of return addresses. */
#include "dpgen.h"

#include <string.h>

struct reg { const char *name, *alias; unsigned off, width; };

static const struct reg x86_regs[] = {
    {"edi", NULL, 0x9C, 4}, {"esi", NULL, 0xA0, 4}, {"ebx", NULL, 0xA4, 4}, {"edx", NULL, 0xA8, 4},
    {"ecx", NULL, 0xAC, 4}, {"eax", NULL, 0xB0, 4}, {"ebp", "fp", 0xB4, 4}, {"eip", "ip", 0xB8, 4},
    {"cs", NULL, 0xBC, 4},  {"eflags", "flags", 0xC0, 4}, {"esp", "sp", 0xC4, 4}, {"ss", NULL, 0xC8, 4},
    {"gs", NULL, 0x8C, 4},  {"fs", NULL, 0x90, 4},  {"es", NULL, 0x94, 4},  {"ds", NULL, 0x98, 4},
    {NULL, NULL, 0, 0}};
static const struct reg x64_regs[] = {
    {"cs", NULL, 0x38, 2},  {"ds", NULL, 0x3A, 2},  {"es", NULL, 0x3C, 2},  {"fs", NULL, 0x3E, 2},
    {"gs", NULL, 0x40, 2},  {"ss", NULL, 0x42, 2},  {"eflags", "flags", 0x44, 4}, {"rax", NULL, 0x78, 8},
    {"rcx", NULL, 0x80, 8}, {"rdx", NULL, 0x88, 8}, {"rbx", NULL, 0x90, 8}, {"rsp", "sp", 0x98, 8},
    {"rbp", "fp", 0xA0, 8}, {"rsi", NULL, 0xA8, 8}, {"rdi", NULL, 0xB0, 8}, {"r8", NULL, 0xB8, 8},
    {"r9", NULL, 0xC0, 8},  {"r10", NULL, 0xC8, 8}, {"r11", NULL, 0xD0, 8}, {"r12", NULL, 0xD8, 8},
    {"r13", NULL, 0xE0, 8}, {"r14", NULL, 0xE8, 8}, {"r15", NULL, 0xF0, 8}, {"rip", "ip", 0xF8, 8},
    {NULL, NULL, 0, 0}};

static const struct reg *find_reg(const struct gen *g, const char *name)
{
    static struct reg arm64; /* filled per lookup: x0..x30 are computed, not tabled */
    if (g->arch == ARCH_ARM64) {
        arm64 = (struct reg){name, NULL, 0, 0};
        return arm64_reg(name, &arm64.off, &arm64.width) ? NULL : &arm64;
    }
    for (const struct reg *r = is64(g) ? x64_regs : x86_regs; r->name; r++)
        if (!strcmp(r->name, name) || (r->alias && !strcmp(r->alias, name)))
            return r;
    return NULL;
}

/* Kernel-mode defaults: flat kernel selectors, interrupts enabled; x64 MxCsr in both places it lives
 * (kdmp-parser checks they agree). */
static void context_defaults(struct gen *g)
{
    uint8_t *c = g->context;
    memset(c, 0, sizeof(g->context));
    if (g->arch == ARCH_ARM64) {
        arm64_context_defaults(c);
    } else if (is64(g)) {
        put_le(c + 0x30, 0x10001F, 4); /* CONTEXT_AMD64 | control, integer, segments, float, debug */
        put_le(c + 0x34, 0x1F80, 4);
        put_le(c + 0x100 + 0x18, 0x1F80, 4);
        put_le(c + 0x38, 0x10, 2), put_le(c + 0x3A, 0x2B, 2), put_le(c + 0x3C, 0x2B, 2);
        put_le(c + 0x3E, 0x53, 2), put_le(c + 0x40, 0x2B, 2), put_le(c + 0x42, 0x18, 2);
        put_le(c + 0x44, 0x286, 4);
    } else {
        put_le(c, 0x1001F, 4); /* CONTEXT_i386 | control, integer, segments, float, debug */
        put_le(c + 0xBC, 0x08, 4), put_le(c + 0xC8, 0x10, 4), put_le(c + 0x94, 0x23, 4);
        put_le(c + 0x98, 0x23, 4), put_le(c + 0x90, 0x30, 4);
        put_le(c + 0xC0, 0x286, 4);
    }
}

static int parse_context(struct gen *g, node_t *ctx)
{
    context_defaults(g);
    if (ctx && !sc_is_map(ctx))
        return fail(g, ctx, "context: expected a mapping register: value");
    for (yaml_node_pair_t *p = ctx ? ctx->data.mapping.pairs.start : NULL; ctx && p < ctx->data.mapping.pairs.top; p++) {
        node_t *k = yaml_document_get_node(&g->sc->doc, p->key), *v = yaml_document_get_node(&g->sc->doc, p->value);
        const struct reg *r = sc_text(k) ? find_reg(g, sc_text(k)) : NULL;
        uint64_t val;
        if (!r)
            return fail(g, k, "unknown register '%s' for this architecture", sc_text(k) ? sc_text(k) : "?");
        if (ex_u64(g, v, &val))
            return -1;
        put_le(g->context + r->off, val, r->width);
    }
    const struct reg *r = find_reg(g, "ip"); /* one at a time: ARM64 lookups share one slot */
    g->ip = get_le(g->context + r->off, r->width);
    r = find_reg(g, "sp");
    g->sp = get_le(g->context + r->off, r->width);
    return 0;
}

static int write_list(struct gen *g, node_t *list, uint64_t at, int down)
{
    unsigned ps = ptr_size(g);
    for (size_t i = 0; i < sc_len(list); i++) {
        uint64_t v;
        if (ex_u64(g, sc_at(g->sc, list, i), &v) || vm_put(g, down ? at - ps * (i + 1) : at + ps * i, v, ps))
            return -1;
    }
    return 0;
}

/* Frame i at fp_i: [fp_i] = fp_{i+1} (saved frame pointer), [fp_i + ptr] = return address; optional
 * args above the return address and locals below fp. */
static int write_frames(struct gen *g, node_t *stack, node_t *frames)
{
    static const char *const keys[] = {"fp", "ret", "args", "locals", NULL};
    unsigned ps = ptr_size(g);
    uint64_t last_fp;
    if (ex_opt_u64(g, stack, "last_fp", 0, &last_fp))
        return -1;
    for (size_t i = 0; i < sc_len(frames); i++) {
        node_t *f = sc_at(g->sc, frames, i), *next = sc_at(g->sc, frames, i + 1);
        uint64_t fp, ret, next_fp = last_fp;
        if (ex_check_keys(g, f, keys) || ex_opt_u64(g, f, "fp", 0, &fp) || ex_u64(g, sc_get(g->sc, f, "ret"), &ret) ||
            (next && ex_opt_u64(g, next, "fp", 0, &next_fp)))
            return -1;
        uint64_t top = fp + ps * (2 + sc_len(sc_get(g->sc, f, "args")));
        if (fp < g->stack_lo + ps * sc_len(sc_get(g->sc, f, "locals")) || top > g->stack_hi || fp % ps)
            return fail(g, f, "frame at 0x%llx does not fit the stack", (unsigned long long)fp);
        if (next && next_fp < top)
            return fail(g, next, "frames must ascend without overlapping the previous frame's args");
        if (vm_put(g, fp, next_fp, ps) || vm_put(g, fp + ps, ret, ps) ||
            write_list(g, sc_get(g->sc, f, "args"), fp + 2 * ps, 0) ||
            write_list(g, sc_get(g->sc, f, "locals"), fp, 1))
            return -1;
    }
    return 0;
}

static int write_stack_data(struct gen *g, node_t *list)
{
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *item = sc_at(g->sc, list, i);
        struct bytes b = {0};
        uint64_t va;
        int rc = ex_u64(g, sc_get(g->sc, item, "va"), &va);
        if (rc == 0)
            rc = ex_data(g, item, va, &b, NULL);
        if (rc == 0 && (va < g->stack_lo || va + b.n > g->stack_hi))
            rc = fail(g, item, "stack data at 0x%llx is outside the stack", (unsigned long long)va);
        if (rc == 0)
            rc = vm_write(g, va, b.p, b.n);
        bytes_free(&b);
        if (rc)
            return -1;
    }
    return 0;
}

static int build_stack(struct gen *g, node_t *stack)
{
    static const char *const keys[] = {"base", "size", "frames", "last_fp", "data", NULL};
    uint64_t size;
    if (!stack)
        return 0;
    if (ex_check_keys(g, stack, keys) || ex_opt_u64(g, stack, "base", 0, &g->stack_lo) ||
        ex_opt_u64(g, stack, "size", 0x3000, &size))
        return -1;
    if (!g->stack_lo || (g->stack_lo | size) & PAGE_MASK || !size || size > 0x100000)
        return fail(g, stack, "stack: page-aligned base and size (at most 1 MiB) are needed");
    g->stack_hi = g->stack_lo + size;
    if (g->sp && (g->sp < g->stack_lo || g->sp >= g->stack_hi))
        return fail(g, stack, "the context's stack pointer is outside the stack");
    if (vm_ensure(g, g->stack_lo, size))
        return -1;
    return write_frames(g, stack, sc_get(g->sc, stack, "frames")) ||
           write_stack_data(g, sc_get(g->sc, stack, "data")) ? -1 : 0;
}

int cpu_build(struct gen *g, node_t *bugcheck, node_t *context, node_t *stack)
{
    static const char *const keys[] = {"code", "params", NULL};
    node_t *params = sc_get(g->sc, bugcheck, "params");
    if (ex_check_keys(g, bugcheck, keys) || ex_opt_u64(g, bugcheck, "code", 0, &g->bugcheck))
        return -1;
    if (sc_len(params) > 4 || (params && !sc_is_seq(params)))
        return fail(g, params, "bugcheck.params: at most four values");
    for (size_t i = 0; i < sc_len(params); i++)
        if (ex_u64(g, sc_at(g->sc, params, i), &g->bug_params[i]))
            return -1;
    if (!is64(g) && (g->bugcheck > 0xffffffffu || g->bug_params[0] > 0xffffffffu || g->bug_params[1] > 0xffffffffu ||
                     g->bug_params[2] > 0xffffffffu || g->bug_params[3] > 0xffffffffu))
        return fail(g, bugcheck, "bug check values must fit 32 bits on x86");
    return parse_context(g, context) || build_stack(g, stack) ? -1 : 0;
}
