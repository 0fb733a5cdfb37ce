/* The stacks of the other CPUs. A hang has no faulting thread: the CPU spinning on a lock, or waiting
 * for one another holds, is found only by reading every CPU's stack, as `!running -t` shows them.
 * Dumps that keep every CPU's registers apart (a Windows guest in a hypervisor-side dump) get one
 * stack.cpu finding per CPU besides the one stack.text already walked. */
#include <stdio.h>
#include <stdlib.h>

#include "sw_report.h"

static void report_cpu(dp_ctx *ctx, size_t cpu, const struct sw_stack *st, unsigned ptr_size)
{
    struct dp_text t;
    dp_text_init(&t);
    dp_text_printf(&t, "CPU %zu STACK_TEXT:\n", cpu);
    char first[SW_SYMBOL_LEN] = "?";
    for (size_t i = 0; i < st->n; i++) {
        char symbol[SW_SYMBOL_LEN], line[256];
        dp_symbolize(ctx, st->frames[i].ip, symbol, sizeof symbol);
        if (!i) snprintf(first, sizeof first, "%s", symbol);
        sw_format_frame(line, sizeof line, ptr_size, &st->frames[i], symbol);
        dp_text_printf(&t, "%s\n", line);
    }
    char title[256];
    snprintf(title, sizeof title, "CPU %zu: %zu frame%s from %s", cpu, st->n, st->n == 1 ? "" : "s", first);
    const struct dp_field ev[] = {DP_U64("cpu", cpu), DP_U64("frames", st->n), DP_ADDR("ip", st->n ? st->frames[0].ip : 0)};
    struct dp_finding fd = {.code = "stack.cpu", .severity = DP_SEV_INFO, .confidence = 95, .title = title,
                            .details = dp_text_str(&t), .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &fd);
    dp_text_free(&t);
}

int sw_report_other_cpus(dp_ctx *ctx, const struct sw_env *env, uint64_t max_stack, size_t max_frames)
{
    size_t n = dp_cpu_count(ctx), current = dp_cpu_current(ctx);
    struct sw_stack *st = n > 1 ? calloc(1, sizeof *st) : NULL;
    if (n > 1 && !st) return DP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        struct dp_regs regs;
        if (i == current || dp_get_cpu_regs(ctx, i, &regs) != DP_OK) continue;
        if (sw_walk(env, &regs, max_stack, max_frames, st) == DP_OK) report_cpu(ctx, i, st, sw_ptr_size(env));
        else dp_log(ctx, DP_LOG_INFO, "CPU %zu: its stack at %llx is not in the dump", i, (unsigned long long)regs.sp);
        sw_stack_release(st);
    }
    free(st);
    return DP_OK;
}
