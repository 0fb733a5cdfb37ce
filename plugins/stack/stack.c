/* stack: CONTEXT, STACK_TEXT and the culprit, the last lines of `!analyze -v`, without a symbol server.
 * Walks the crashing CPU's stack (sw_walk.c), finds the context the fault happened in as `!analyze`
 * does (sw_context.c) and walks again from there, names each frame through the host's symbol service,
 * publishes stack.frame rows and votes for the faulting frame's module and the first module on the
 * stack that is not Windows'. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>

#include "sw_context.h"
#include "sw_report.h"
#include "sw_walk.h"

#define SW_MAX_SECTIONS 96

static const struct dp_option sw_options[] = {
    DP_OPTION("os_modules", DP_OPT_STRING_LIST, NULL, "more module names that belong to the operating system (name or prefix*)"),
    DP_OPTION("max_frames", DP_OPT_INT, "128", "frames to walk at most", .min = 1, .max = 256),
    DP_OPTION("max_stack", DP_OPT_INT, "65536", "bytes of stack to read above the stack pointer at most", .min = 64, .max = 1048576),
    {0},
};

/* Stack slots come from the dump; code for the call-before-return check also from module images the
 * symbol path found where a small dump lacks it. */
static int env_read(void *user, uint64_t va, void *buf, size_t len) { return dp_read_virt_image(user, va, buf, len); }

static int env_module_at(void *user, uint64_t addr, uint64_t *base, int *exec)
{
    dp_ctx *ctx = user;
    const struct dp_module *m = dp_module_by_addr(ctx, addr);
    if (!m) return 0;
    *base = m->base;
    struct dp_section secs[SW_MAX_SECTIONS];
    size_t n = dp_module_sections(ctx, m, secs, SW_MAX_SECTIONS);
    if (n > SW_MAX_SECTIONS) n = SW_MAX_SECTIONS;
    *exec = n ? 0 : -1;
    for (size_t i = 0; i < n; i++)
        if (secs[i].executable && addr - secs[i].va < secs[i].size) *exec = 1;
    return 1;
}

static int env_decode(void *user, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    dp_ctx *ctx = user;
    return dp_disasm(ctx, dp_dump_info(ctx)->arch, code, len, addr, out);
}

static int env_unwind(void *user, struct dp_regs *regs) { return dp_unwind_frame(user, regs); }

static int64_t clamp_opt(dp_ctx *ctx, const char *name, int64_t lo, int64_t hi)
{
    int64_t v = dp_opt_int(ctx, name);
    return v < lo ? lo : v > hi ? hi : v;
}

/* Per run, on the heap: the host may triage many dumps in one process. */
struct sw_run_state {
    struct sw_stack st;    /* from the bug-check context */
    struct sw_stack fault_st; /* from the fault's context, when one was found */
    struct sw_fault fault;
    struct sw_named_frame frames[SW_MAX_FRAMES];
};

static int walk_and_report(dp_ctx *ctx, struct sw_run_state *w);

static int sw_run(dp_ctx *ctx, void *state)
{
    if (dp_require_windows(ctx) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    (void)state;
    struct sw_run_state *w = calloc(1, sizeof *w);
    if (!w) return DP_ERR_NOMEM;
    int rc = walk_and_report(ctx, w);
    sw_stack_release(&w->st);
    sw_stack_release(&w->fault_st);
    free(w);
    return rc;
}

/* The fault's context, and the walk from it; the bug-check stack when none is found or its stack is
 * not in the dump. */
static const struct sw_stack *fault_walk(dp_ctx *ctx, const struct sw_env *env, struct sw_run_state *w, uint64_t max_stack,
                                         size_t max_frames)
{
    const struct dp_dump_info *info = dp_dump_info(ctx);
    struct sw_ctx_env ce = {.env = env, .bugcheck_code = info->has_bugcheck ? info->bugcheck_code : 0,
                            .params = info->bugcheck_params, .stack = &w->st};
    struct sw_fault *f = &w->fault;
    if (info->has_bugcheck) sw_find_fault(&ce, f);
    else snprintf(f->why, sizeof f->why, "the dump records no bug check");
    if (f->kind != SW_CTX_NONE && sw_walk(env, &f->regs, max_stack, max_frames, &w->fault_st) != DP_OK) {
        snprintf(f->why, sizeof f->why, "the stack of the %s at %llx (sp %llx) is not in the dump",
                 f->kind == SW_CTX_TRAP ? "trap frame" : "context record", (unsigned long long)f->va,
                 (unsigned long long)f->regs.sp);
        f->kind = SW_CTX_NONE;
    }
    sw_report_fault(ctx, f, sw_ptr_size(env));
    return f->kind != SW_CTX_NONE ? &w->fault_st : &w->st;
}

/* Frame 0 of the fault's own stack; or, walking from the bug check, the frame at the faulting
 * instruction the parameters give. */
static struct sw_site fault_site(const struct sw_run_state *w, const struct sw_stack *st, const char *command)
{
    struct sw_site s = {.command = command};
    if (w->fault.kind != SW_CTX_NONE) return s.has_site = st->n > 0, s;
    for (size_t i = 0; w->fault.has_want_ip && i < st->n; i++)
        if (st->frames[i].ip == w->fault.want_ip) return s.has_site = 1, s.site = i, s;
    return s;
}

static int walk_and_report(dp_ctx *ctx, struct sw_run_state *w)
{
    const struct dp_dump_info *info = dp_dump_info(ctx);
    struct dp_regs regs;
    int rc = dp_get_regs(ctx, &regs);
    if (rc != DP_OK) {
        dp_set_error(ctx, "the dump has no context record of the crashing processor");
        return rc;
    }
    struct sw_env env = {.user = ctx, .arch = info->arch, .read = env_read, .module_at = env_module_at,
                         .decode = env_decode,
                         .unwind = info->arch == DP_ARCH_X64 || info->arch == DP_ARCH_X86 ? env_unwind : NULL};
    uint64_t max_stack = (uint64_t)clamp_opt(ctx, "max_stack", 64, SW_MAX_STACK_BYTES);
    size_t max_frames = (size_t)clamp_opt(ctx, "max_frames", 1, SW_MAX_FRAMES);
    rc = sw_walk(&env, &regs, max_stack, max_frames, &w->st);
    if (rc == DP_ERR_NOT_APPLICABLE) { /* sw_walk dispatches per architecture */
        dp_set_error(ctx, "no stack walker for this dump's architecture");
        return rc;
    }
    if (rc != DP_OK) {
        dp_set_error(ctx, "the stack at %llx is not in the dump", (unsigned long long)regs.sp);
        return rc == DP_ERR_FAULT ? DP_ERR_NOT_APPLICABLE : rc; /* nothing to walk: does not apply */
    }
    const struct sw_stack *st = fault_walk(ctx, &env, w, max_stack, max_frames);
    struct sw_named_frame *frames = w->frames;
    for (size_t i = 0; i < st->n; i++) {
        frames[i].f = &st->frames[i];
        frames[i].module = dp_module_by_addr(ctx, st->frames[i].ip);
        dp_symbolize(ctx, st->frames[i].ip, frames[i].symbol, sizeof frames[i].symbol);
    }
    char command[64];
    sw_context_command(command, sizeof command, &w->fault);
    sw_report_stack(ctx, st, frames, sw_ptr_size(&env), command);
    struct sw_site site = fault_site(w, st, command);
    sw_report_culprit(ctx, frames, st->n, &site);
    return sw_report_other_cpus(ctx, &env, max_stack, max_frames);
}

static const char *const sw_provides[] = {"stack.frame", "stack.context", "stack.culprit", "culprit.vote", NULL};
/* '?': reinforcing evidence, read when an earlier step published it (tagattrib reads stack.culprit) */
static const char *const sw_consumes[] = {"bugcheck.address", "?pool.corrupt_block", "?tag.owner", "?codeptr.hit", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "stack", .version = "1.1",
          .description = "finds the fault's context (.cxr/.trap/.exr), walks its stack (STACK_TEXT) and blames the faulting module",
          .options = sw_options, .provides = sw_provides, .consumes = sw_consumes, .run = sw_run);
