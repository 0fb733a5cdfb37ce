#include "triage.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx_dump.h"
#include "ctx_image.h"
#include "dump/dump.h"
#include "step.h"
#include "summary.h"

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A plugin that fails becomes a finding, so sinks report it beside everyone else's results. */
static void record_failure(struct dp_ctx *c, const char *plugin, const struct dp_step_outcome *o)
{
    struct dp_field ev[] = {DP_STR("plugin", plugin), DP_STR("status", o->status)};
    struct dp_finding f = {.code = "host.plugin.failed", .severity = DP_SEV_ERROR, .confidence = 100,
                           .title = o->message, .evidence = ev, .n_evidence = 2};
    dp_ctx_add_finding(c, "host", &f);
}

/* A plugin that does not apply says why; that reads as information under its own name. */
static void record_skip(struct dp_ctx *c, const char *plugin, const struct dp_step_outcome *o)
{
    char title[640];
    snprintf(title, sizeof title, "not applicable: %s", o->message);
    struct dp_finding f = {.code = "step.not_applicable", .severity = DP_SEV_INFO, .confidence = 100, .title = title};
    dp_ctx_add_finding(c, plugin, &f);
}

static int run_steps(struct dp_ctx *c, const struct dp_pipeline *p, const struct dp_run_options *o)
{
    int isolate = o->isolation >= 0 ? o->isolation : p->isolation, failed = 0;
    for (size_t i = 0; i < p->steps.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->steps, i);
        struct dp_step_outcome out = {0};
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (isolate) {
            uint64_t t = s->timeout_ms ? s->timeout_ms : p->timeout_ms ? p->timeout_ms : DP_DEFAULT_TIMEOUT_MS;
            uint64_t m = s->memory_bytes ? s->memory_bytes : p->memory_bytes ? p->memory_bytes : DP_DEFAULT_MEMORY_BYTES;
            dp_step_run_isolated(c, s, t, m, &out);
        } else {
            dp_step_run_inprocess(c, s, &out);
        }
        if (strcmp(out.status, "skipped") == 0) {
            record_skip(c, s->id, &out);
        } else if (strcmp(out.status, "ok") != 0) {
            failed = 1;
            record_failure(c, s->id, &out);
        }
        dp_ctx_add_step_result(c, s->id, s->desc->version, out.status, out.message[0] ? out.message : NULL,
                               seconds_since(&t0));
    }
    return failed;
}

static FILE *open_output(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "a");
    if (!f) snprintf(err, errlen, "%s: cannot write output: %m", path);
    return f;
}

int dp_run_sinks(struct dp_ctx *c, const struct dp_pipeline *p, const struct dp_run_options *o)
{
    int rc = DP_EXIT_OK;
    for (size_t i = 0; i < p->sinks.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->sinks, i);
        const char *path = o->output_file ? o->output_file : s->output;
        char err[600];
        FILE *out = path ? open_output(path, err, sizeof err) : stdout;
        if (!out) {
            fprintf(stderr, "dumppipe: %s\n", err);
            rc = DP_EXIT_INTERNAL;
            continue;
        }
        c->sink_out = out;
        struct dp_step_outcome oc = {0};
        dp_step_run_inprocess(c, s, &oc);
        if (strcmp(oc.status, "ok") != 0) {
            fprintf(stderr, "dumppipe: %s\n", oc.message);
            rc = DP_EXIT_PLUGIN_FAILED;
        }
        if (out != stdout && fclose(out) != 0) rc = DP_EXIT_INTERNAL;
        c->sink_out = stdout;
    }
    if (fflush(stdout) != 0) rc = DP_EXIT_INTERNAL;
    return rc;
}

int dp_triage_dump(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *dump_path,
                   const struct dp_run_options *o)
{
    char err[1024];
    struct dp_dump *d = NULL;
    int rc = dp_dump_open_format(dump_path, o->dump_format, &d, err, sizeof err);
    if (rc != DP_OK) {
        fprintf(stderr, "dumppipe: %s\n", err);
        return rc == DP_ERR_NOMEM ? DP_EXIT_INTERNAL : DP_EXIT_BAD_DUMP;
    }
    struct dp_ctx *c = dp_ctx_new(d, symtab, o->verbosity);
    if (!c) {
        dp_dump_close(d);
        fprintf(stderr, "dumppipe: %s: out of memory\n", dump_path);
        return DP_EXIT_INTERNAL;
    }
    c->run.pipeline = p->path;
    c->run.input_path = dump_path;
    c->sympath = o->sympath;
    if (dp_ctx_identify_modules(c) != DP_OK) {
        dp_ctx_free(c);
        dp_dump_close(d);
        fprintf(stderr, "dumppipe: %s: out of memory\n", dump_path);
        return DP_EXIT_INTERNAL;
    }
    if (dp_dump_guest(d)) dp_log(c, DP_LOG_INFO, "%s: %s", dump_path, dp_dump_guest(d));
    dp_ctx_preload_symbols(c); /* after the keys; a failure leaves modules to load lazily, in each step */
    int failed = run_steps(c, p, o);
    dp_ctx_report_symbol_misses(c);
    int result = dp_summary_build(c) == DP_OK ? DP_EXIT_OK : DP_EXIT_INTERNAL;
    int sinks = dp_run_sinks(c, p, o);
    if (sinks != DP_EXIT_OK) result = sinks;
    else if (failed) result = DP_EXIT_PLUGIN_FAILED;
    dp_ctx_free(c);
    dp_dump_close(d);
    return result;
}
