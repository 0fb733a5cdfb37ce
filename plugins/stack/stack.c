/* stack: STACK_TEXT and the culprit, the last lines of `!analyze -v`, without a symbol server.
 * Walks the crashing CPU's stack (sw_walk.c), names each frame through the host's symbol service,
 * publishes stack.frame rows and votes for the first module on the stack that is not Windows'. */
#include <dumppipe/dumppipe.h>
#include <stdlib.h>

#include "sw_report.h"
#include "sw_walk.h"

#define SW_MAX_SECTIONS 96

static const struct dp_option sw_options[] = {
    {"os_modules", DP_OPT_STRING_LIST, NULL, 0, "more module names that belong to the operating system (name or prefix*)"},
    {"max_frames", DP_OPT_INT, "128", 0, "frames to walk at most (1..256)"},
    {"max_stack", DP_OPT_INT, "65536", 0, "bytes of stack to read above the stack pointer at most (up to 1 MiB)"},
    {NULL, 0, NULL, 0, NULL},
};

static int env_read(void *user, uint64_t va, void *buf, size_t len) { return dp_read_virt(user, va, buf, len); }

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
    struct sw_stack st;
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
    free(w);
    return rc;
}

static int walk_and_report(dp_ctx *ctx, struct sw_run_state *w)
{
    const struct dp_dump_info *info = dp_dump_info(ctx);
    struct dp_regs regs;
    if (info->arch != DP_ARCH_X86 && info->arch != DP_ARCH_X64) {
        dp_set_error(ctx, "stack walking needs an x86 or x64 dump");
        return DP_ERR_NOT_APPLICABLE;
    }
    int rc = dp_get_regs(ctx, &regs);
    if (rc != DP_OK) {
        dp_set_error(ctx, "the dump has no context record of the crashing processor");
        return rc;
    }
    struct sw_env env = {.user = ctx, .arch = info->arch, .read = env_read, .module_at = env_module_at,
                         .decode = env_decode, .unwind = info->arch == DP_ARCH_X64 ? env_unwind : NULL};
    struct sw_stack *st = &w->st;
    rc = sw_walk(&env, &regs, (uint64_t)clamp_opt(ctx, "max_stack", 64, SW_MAX_STACK_BYTES),
                 (size_t)clamp_opt(ctx, "max_frames", 1, SW_MAX_FRAMES), st);
    if (rc != DP_OK) {
        dp_set_error(ctx, "the stack at %llx is not in the dump", (unsigned long long)regs.sp);
        return rc;
    }
    struct sw_named_frame *frames = w->frames;
    for (size_t i = 0; i < st->n; i++) {
        frames[i].f = &st->frames[i];
        frames[i].module = dp_module_by_addr(ctx, st->frames[i].ip);
        dp_symbolize(ctx, st->frames[i].ip, frames[i].symbol, sizeof frames[i].symbol);
    }
    sw_report_stack(ctx, st, frames, sw_ptr_size(&env));
    sw_report_culprit(ctx, frames, st->n);
    return DP_OK;
}

static const char *const sw_provides[] = {"stack.frame", "culprit.vote", NULL};
static const char *const sw_consumes[] = {"pool.corrupt_block", "tag.owner", "codeptr.hit", "bugcheck.address", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "stack", .version = "1.0",
          .description = "walks the crashing stack (STACK_TEXT) and blames the first non-OS module on it",
          .options = sw_options, .provides = sw_provides, .consumes = sw_consumes, .run = sw_run);
