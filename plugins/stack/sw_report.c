/* STACK_TEXT and stack.frame rows. */
#include "sw_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *sw_source_name(enum sw_source s)
{
    static const char *const names[] = {"context", "frame-pointer", "unwind", "scan"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "scan";
}

void sw_format_frame(char *out, size_t len, unsigned ptr_size, const struct sw_frame *f, const char *symbol)
{
    char sp[24], ret[24];
    sw_format_addr(sp, sizeof sp, ptr_size, f->sp);
    sw_format_addr(ret, sizeof ret, ptr_size, f->ret);
    snprintf(out, len, "%s %s %s", sp, ret, symbol);
}

void sw_function_of(const char *symbol, char *out, size_t len)
{
    const char *bang = symbol ? strchr(symbol, '!') : NULL;
    if (!len) return;
    out[0] = 0;
    if (!bang || !bang[1]) return;
    const char *plus = strstr(bang + 1, "+0x");
    size_t n = plus ? (size_t)(plus - bang - 1) : strlen(bang + 1);
    snprintf(out, len, "%.*s", (int)n, bang + 1);
}

static void publish_frame(dp_ctx *ctx, size_t i, const struct sw_named_frame *nf)
{
    const struct sw_frame *f = nf->f;
    const struct dp_field row[] = {
        DP_U64("index", i), DP_ADDR("sp", f->sp), DP_ADDR("ret", f->ret), DP_ADDR("ip", f->ip),
        DP_STR("symbol", nf->symbol), DP_STR("module", nf->module ? nf->module->name : ""),
        DP_STR("source", sw_source_name(f->source)), DP_U64("confidence", f->weak ? 40 : f->source == SW_SRC_SCAN ? 70 : 95),
    };
    dp_publish(ctx, "stack.frame", row, sizeof row / sizeof row[0]);
}

void sw_report_stack(dp_ctx *ctx, const struct sw_stack *st, const struct sw_named_frame *frames, unsigned ptr_size,
                     const char *command)
{
    struct dp_text t;
    size_t scanned = 0, weak = 0;
    dp_text_init(&t);
    dp_text_printf(&t, "STACK_TEXT:\n");
    for (size_t i = 0; i < st->n; i++) {
        const struct sw_frame *f = frames[i].f;
        if (f->source == SW_SRC_SCAN && !scanned++)
            dp_text_printf(&t, "WARNING: Stack unwind information not available. Following frames may be wrong.\n");
        weak += f->weak != 0;
        char line[256];
        sw_format_frame(line, sizeof line, ptr_size, f, frames[i].symbol);
        dp_text_printf(&t, "%s\n", line);
        publish_frame(ctx, i, &frames[i]);
    }
    if (weak)
        dp_text_printf(&t, "\n%zu frame%s accepted by module range alone (the module's code is not in the dump, so no "
                       "call before the return address could be checked): lower confidence.\n", weak, weak == 1 ? "" : "s");
    char title[256];
    snprintf(title, sizeof title, "%zu frame%s from %s%s%s%s", st->n, st->n == 1 ? "" : "s", st->n ? frames[0].symbol : "?",
             command && *command ? " (" : "", command && *command ? command : "", command && *command ? ")" : "");
    if (scanned) snprintf(title + strlen(title), sizeof title - strlen(title), ", some found by scanning the stack");
    const struct dp_field ev[] = {DP_U64("frames", st->n), DP_U64("scanned", scanned), DP_U64("weak", weak),
                                  DP_ADDR("stack_low", st->lo), DP_ADDR("stack_high", st->hi)};
    struct dp_finding fd = {.code = "stack.text", .severity = DP_SEV_INFO,
                            .confidence = weak ? 40 : scanned ? 70 : 95, .title = title, .details = dp_text_str(&t),
                            .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &fd);
    dp_text_free(&t);
}
