#include "triage.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx_dump.h"
#include "ctx_image.h"
#include "dump/dump.h"
#include "util.h"
#include "step.h"
#include "summary.h"

static void stage(const struct dp_triage_hooks *h, const char *what);

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

static int run_steps(struct dp_ctx *c, const struct dp_pipeline *p, const struct dp_run_options *o,
                     const struct dp_triage_hooks *h)
{
    int isolate = o->isolation >= 0 ? o->isolation : p->isolation, failed = 0;
    for (size_t i = 0; i < p->steps.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->steps, i);
        char what[160];
        snprintf(what, sizeof what, "the %splugin %s", isolate ? "" : "in-process ", s->id);
        stage(h, what);
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

int dp_exit_worst(int a, int b)
{
    static const int rank[] = {[DP_EXIT_OK] = 0, [DP_EXIT_INTERNAL] = 1, [DP_EXIT_USAGE] = 4,
                               [DP_EXIT_BAD_DUMP] = 3, [DP_EXIT_PLUGIN_FAILED] = 2};
    return rank[b] > rank[a] ? b : a;
}

int dp_render(struct dp_ctx *c, const struct dp_pipeline *p, FILE **outs)
{
    int rc = DP_EXIT_OK;
    for (size_t i = 0; i < p->sinks.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->sinks, i);
        c->sink_out = outs[i];
        struct dp_step_outcome oc = {0};
        dp_step_run_inprocess(c, s, &oc);
        if (strcmp(oc.status, "ok") != 0) {
            fprintf(stderr, "dumppipe: %s\n", oc.message);
            rc = DP_EXIT_PLUGIN_FAILED;
        }
        c->sink_out = stdout;
    }
    return rc;
}

int dp_render_failure(const struct dp_pipeline *p, const struct dp_run_info *run, int verbosity, FILE **outs)
{
    struct dp_ctx *c = dp_ctx_new_none(run->input_path, verbosity);
    if (!c) return DP_EXIT_INTERNAL;
    c->run = *run;
    int rc = dp_render(c, p, outs);
    dp_ctx_free(c);
    return rc;
}

/* The reader a dump goes to, by its first bytes, so a crash while opening it can be named. */
static const char *reader_name(int fd)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *reader;
    } readers[] = {
        {"PAGEDUMP", 8, "the Windows dump reader"}, {"PAGEDU64", 8, "the Windows dump reader"},
        {"\x7f" "ELF", 4, "the ELF reader (libkdumpfile)"},
        {"KDUMP   ", 8, "the kdump reader (libkdumpfile)"}, {"DISKDUMP", 8, "the kdump reader (libkdumpfile)"},
    };
    char head[8] = {0};
    ssize_t n = pread(fd, head, sizeof head, 0);
    for (size_t i = 0; n > 0 && i < sizeof readers / sizeof *readers; i++)
        if ((size_t)n >= readers[i].len && memcmp(head, readers[i].magic, readers[i].len) == 0) return readers[i].reader;
    return "the dump reader"; /* raw, Xen, VMware or a format libkdumpfile knows */
}

static void set_error(struct dp_triage_result *r, int exit, const char *status, const char *msg)
{
    r->exit = exit;
    r->status = status;
    snprintf(r->error, sizeof r->error, "%s", msg);
}

/* Size, SHA-256 and reader of PATH, read as a regular file (never parsed here). */
static int inspect(const char *path, struct dp_run_info *run, char *hex, const char **reader,
                   struct dp_triage_result *r)
{
    char err[1024];
    int fd = dp_open_regular(path, "dump", 0, &run->input_size, err, sizeof err);
    if (fd < 0) return set_error(r, DP_EXIT_BAD_DUMP, "unreadable", err), -1;
    *reader = reader_name(fd);
    int rc = dp_sha256_fd(fd, hex);
    close(fd);
    if (rc) return snprintf(err, sizeof err, "%s: cannot read the dump: %s", path, strerror(rc)),
                  set_error(r, DP_EXIT_BAD_DUMP, "unreadable", err), -1;
    run->input_sha256 = hex;
    return 0;
}

static void stage(const struct dp_triage_hooks *h, const char *what)
{
    if (h && h->stage) h->stage(h->arg, what);
}

static void record_outcome(struct dp_ctx *c, struct dp_triage_result *r)
{
    snprintf(r->bucket, sizeof r->bucket, "%s", c->summary.bucket ? c->summary.bucket : "");
    snprintf(r->culprit, sizeof r->culprit, "%s", c->summary.culprit_module ? c->summary.culprit_module : "");
}

void dp_triage_one(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *path,
                   const struct dp_run_options *o, FILE **outs, const struct dp_triage_hooks *h,
                   struct dp_triage_result *r)
{
    char hex[65], err[1024];
    const char *reader = NULL;
    struct dp_run_info run = {.tool_version = DP_VERSION, .pipeline = p->path, .input_path = path, .input_status = "ok"};
    memset(r, 0, sizeof *r);
    r->status = "ok";
    struct dp_dump *d = NULL;
    if (inspect(path, &run, hex, &reader, r) == 0) {
        if (h && h->input) h->input(h->arg, run.input_size, hex);
        stage(h, reader);
        int rc = dp_dump_open_format(path, o->dump_format, &d, err, sizeof err);
        if (rc != DP_OK)
            set_error(r, rc == DP_ERR_NOMEM ? DP_EXIT_INTERNAL : DP_EXIT_BAD_DUMP,
                      rc == DP_ERR_NOMEM ? "memory" : rc == DP_ERR_IO ? "unreadable" : "malformed", err);
    }
    struct dp_ctx *c = d ? dp_ctx_new(d, symtab, o->verbosity) : NULL;
    if (c) c->sympath = o->sympath;
    if (c && dp_ctx_identify_modules(c) != DP_OK) dp_ctx_free(c), c = NULL;
    if (d && !c) snprintf(err, sizeof err, "%s: out of memory", path), set_error(r, DP_EXIT_INTERNAL, "memory", err);
    if (!c) {
        run.input_status = r->status;
        run.input_error = r->error;
        stage(h, "the sinks");
        r->exit = dp_exit_worst(r->exit, dp_render_failure(p, &run, o->verbosity, outs));
        dp_dump_close(d);
        return;
    }
    c->run = run;
    if (h) c->progress_fn = h->progress, c->progress_arg = h->arg;
    stage(h, "the triage");
    if (dp_dump_guest(d)) dp_log(c, DP_LOG_INFO, "%s: %s", path, dp_dump_guest(d));
    dp_ctx_preload_symbols(c); /* after the keys; a failure leaves modules to load lazily, in each step */
    int failed = run_steps(c, p, o, h);
    dp_ctx_report_symbol_misses(c);
    if (dp_summary_build(c) != DP_OK) r->exit = DP_EXIT_INTERNAL;
    record_outcome(c, r);
    stage(h, "the sinks");
    r->exit = dp_exit_worst(r->exit, dp_render(c, p, outs));
    if (failed) r->exit = dp_exit_worst(r->exit, DP_EXIT_PLUGIN_FAILED);
    dp_ctx_free(c);
    dp_dump_close(d);
}
