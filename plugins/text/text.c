/* Text sink: reads like the WinDbg sections users know (!analyze -v, !pool, !sysinfo ...). */
#include <dumppipe/dumppipe.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *arch_name(const struct dp_dump_info *i)
{
    switch (i->paging) {
    case DP_PAGING_X86: return "x86";
    case DP_PAGING_X86_PAE: return "x86 (PAE)";
    case DP_PAGING_X86_64: return "x64";
    case DP_PAGING_AARCH64: return "arm64";
    default: break;
    }
    return i->arch == DP_ARCH_X64 ? "x64" : i->arch == DP_ARCH_X86 ? "x86" : i->arch == DP_ARCH_ARM64 ? "arm64" : "unknown";
}

/* FILETIME counts 100 ns ticks from 1601; Unix time starts 11644473600 s later. */
static void print_filetime(FILE *f, uint64_t ft)
{
    time_t t = (time_t)(ft / 10000000u) - (time_t)11644473600;
    struct tm tm;
    char buf[64];
    if (ft && gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm)) fprintf(f, "System time:  %s\n", buf);
}

static void print_header(dp_ctx *c, FILE *f)
{
    const struct dp_dump_info *i = dp_dump_info(c);
    int w = i->ptr_size == 8 ? 16 : 8;
    fprintf(f, "Dump:         %s\n", i->path);
    if (strcmp(i->format, "none") != 0) {
        fprintf(f, "Format:       %s, %s, %s, %u processor%s\n", i->format, i->dump_type, arch_name(i), i->nr_cpus,
                i->nr_cpus == 1 ? "" : "s");
        if (i->os_build) fprintf(f, "Windows:      build %u (%s)\n", i->os_build, i->os_major == 0xf ? "free" : i->os_major == 0xc ? "checked" : "unknown");
        print_filetime(f, i->system_time);
    }
    if (i->has_bugcheck)
        fprintf(f, "Bugcheck:     %08" PRIx32 " (%0*" PRIx64 ", %0*" PRIx64 ", %0*" PRIx64 ", %0*" PRIx64 ")\n", i->bugcheck_code, w,
                i->bugcheck_params[0], w, i->bugcheck_params[1], w, i->bugcheck_params[2], w, i->bugcheck_params[3]);
    fputs("\n*******************************************************************************\n"
          "*                                                                             *\n"
          "*                        Bugcheck Analysis                                    *\n"
          "*                                                                             *\n"
          "*******************************************************************************\n\n",
          f);
}

static const char *severity_name(enum dp_severity s)
{
    static const char *const n[] = {"info", "warning", "ERROR", "CRITICAL"};
    return (unsigned)s <= DP_SEV_CRITICAL ? n[s] : "?";
}

static void print_field(FILE *f, const struct dp_field *e)
{
    fprintf(f, "    %s = ", e->key);
    switch (e->type) {
    case DP_T_ADDR: fprintf(f, "%" PRIx64 "\n", e->v.u64); break;
    case DP_T_U64: fprintf(f, "0x%" PRIx64 "\n", e->v.u64); break;
    case DP_T_I64: fprintf(f, "%" PRId64 "\n", e->v.i64); break;
    case DP_T_BOOL: fprintf(f, "%s\n", e->v.b ? "true" : "false"); break;
    case DP_T_STR: fprintf(f, "%s\n", e->v.str); break;
    case DP_T_BYTES: fprintf(f, "(%zu bytes)\n", e->v.bytes.len); break;
    }
}

static void print_finding(dp_ctx *c, FILE *f, const struct dp_finding *x)
{
    fprintf(f, "[%s] %s: %s (confidence %u%%)\n", x->plugin, severity_name(x->severity), x->title, x->confidence);
    if (x->details && *x->details) {
        size_t n = strlen(x->details);
        fprintf(f, "%s%s", x->details, x->details[n - 1] == '\n' ? "" : "\n");
    }
    if (dp_opt_bool(c, "evidence"))
        for (size_t k = 0; k < x->n_evidence; k++) print_field(f, &x->evidence[k]);
    fputc('\n', f);
}

/* The keys `!analyze -v` prints under "Debugging Details", before the stack. */
static void print_details(dp_ctx *c, FILE *f)
{
    const struct dp_dump_info *i = dp_dump_info(c);
    const struct dp_summary *s = dp_summary(c);
    int w = i->ptr_size == 8 ? 16 : 8;
    if (i->has_bugcheck) {
        fprintf(f, "BUGCHECK_CODE:  %" PRIx32 "\n\n", i->bugcheck_code);
        for (int k = 0; k < 4; k++) fprintf(f, "BUGCHECK_P%d: %0*" PRIx64 "\n", k + 1, w, i->bugcheck_params[k]);
        fputc('\n', f);
    }
    if (s->process_name) fprintf(f, "PROCESS_NAME:  %s\n\n", s->process_name);
    if (s->current_irql >= 0) fprintf(f, "CURRENT_IRQL:  %x\n\n", (unsigned)s->current_irql);
}

static void print_summary(dp_ctx *c, FILE *f)
{
    const struct dp_summary *s = dp_summary(c);
    if (s->symbol_name) fprintf(f, "SYMBOL_NAME:  %s\n\n", s->symbol_name);
    if (s->culprit_module) {
        fprintf(f, "MODULE_NAME: %s\n\nIMAGE_NAME:  %s\n\n", s->module_name ? s->module_name : s->culprit_module,
                s->image_name ? s->image_name : s->culprit_module);
        if (s->image_timestamp) fprintf(f, "IMAGE_TIMESTAMP:  %08" PRIx32 "\n\n", s->image_timestamp);
    }
    if (s->stack_command) fprintf(f, "STACK_COMMAND:  %s\n\n", s->stack_command);
    if (s->culprit_module)
        fprintf(f, "CULPRIT_CONFIDENCE: %u%%\n\nCULPRIT_REASONS: %s\n\n", s->culprit_confidence,
                s->culprit_reason ? s->culprit_reason : "");
    if (s->bucket) fprintf(f, "FAILURE_BUCKET_ID:  %s\n\n", s->bucket);
    if (s->failure_id_hash) fprintf(f, "FAILURE_ID_HASH:  %s\n", s->failure_id_hash);
    for (size_t i = 0; i < dp_step_count(c); i++) {
        const struct dp_step_result *r = dp_step_get(c, i);
        if (strcmp(r->status, "ok") != 0) fprintf(f, "STEP_FAILED: %s: %s\n", r->plugin, r->message ? r->message : r->status);
    }
    fputc('\n', f);
}

/* WinDbg's `lm`: range, module, symbol state ("deferred": nothing asked for a name in it yet). */
static void print_modules(dp_ctx *c, FILE *f)
{
    int w = dp_dump_info(c)->ptr_size == 8 ? 16 : 8;
    fprintf(f, "%-*s %-*s module name\n", w + 1, "start", w + 1, "end");
    for (size_t i = 0; i < dp_module_count(c); i++) {
        const struct dp_module *m = dp_module_get(c, i);
        const char *st = m->symbol_status;
        char state[32];
        if (!st) snprintf(state, sizeof state, "(deferred)");
        else snprintf(state, sizeof state, "(%s symbols)", strcmp(st, "none") == 0 ? "no" : st);
        uint64_t end = m->base + m->size;
        if (w == 16)
            fprintf(f, "%08" PRIx64 "`%08" PRIx64 " %08" PRIx64 "`%08" PRIx64, m->base >> 32, m->base & 0xffffffffu, end >> 32,
                    end & 0xffffffffu);
        else
            fprintf(f, "%08" PRIx64 " %08" PRIx64, m->base, end);
        fprintf(f, "   %-12s %-18s %s\n", m->name ? m->name : "?", state, m->symbol_file ? m->symbol_file : "");
    }
    fputc('\n', f);
}

static int text_run(dp_ctx *c, void *state)
{
    (void)state;
    FILE *f = dp_sink_stream(c);
    const struct dp_run_info *run = dp_run_info(c);
    if (run->input_status && strcmp(run->input_status, "ok") != 0) {
        /* an input that was not triaged: its one-line error stands in for the report */
        fprintf(f, "Dump:         %s\nERROR:        %s (%s)\n\n", dp_dump_info(c)->path,
                run->input_error ? run->input_error : "not triaged", run->input_status);
        return ferror(f) ? DP_ERR_IO : DP_OK;
    }
    int dump = strcmp(dp_dump_info(c)->format, "none") != 0, details = 0;
    print_header(c, f);
    for (size_t i = 0; i < dp_finding_count(c); i++) {
        const struct dp_finding *x = dp_finding_get(c, i);
        print_finding(c, f, x);
        /* WinDbg lists the debugging details right after the bug check's arguments */
        if (dump && !details && x->code && !strcmp(x->code, "bugcheck.code")) print_details(c, f), details = 1;
    }
    if (dump && !details) print_details(c, f);
    if (dump) print_summary(c, f);
    if (dp_opt_bool(c, "modules")) print_modules(c, f);
    return ferror(f) ? DP_ERR_IO : DP_OK;
}

static const struct dp_option text_options[] = {
    DP_OPTION("evidence", DP_OPT_BOOL, "false", "also list every finding's evidence fields"),
    DP_OPTION("modules", DP_OPT_BOOL, "false", "end with the loaded modules and their symbol state, as WinDbg's lm"),
    {0},
};

DP_PLUGIN(.kind = DP_KIND_SINK, .name = "text", .version = "1.0",
          .description = "Renders findings as text that reads like WinDbg's !analyze -v", .options = text_options,
          .run = text_run);
