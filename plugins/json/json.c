/* JSON sink: one object per input, schema docs/json-schema.json (schema_version 2; what version 1's
 * fields meant: docs/json-schema-v1.md). It renders also an input that could not be triaged. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "json_report.h"

#define JSON_SCHEMA_VERSION 2

/* Keys repeat when a plugin adds the same key twice; JSON objects cannot, so later ones get _2, _3. */
static void fields(struct jw *w, const struct dp_field *f, size_t n)
{
    jw_open(w, '{');
    for (size_t i = 0; i < n; i++) {
        unsigned dup = 1;
        for (size_t j = 0; j < i; j++) dup += strcmp(f[j].key, f[i].key) == 0;
        char k[256];
        snprintf(k, sizeof k, dup > 1 ? "%s_%u" : "%s", f[i].key, dup);
        jw_key(w, k), jw_field(w, &f[i]);
    }
    jw_close(w, '}');
}

static const char *arch_name(enum dp_arch a)
{
    static const char *const n[] = {"unknown", "x86", "x64", "arm64"};
    return (unsigned)a <= DP_ARCH_ARM64 ? n[a] : "unknown";
}

static const char *paging_name(enum dp_paging p)
{
    static const char *const n[] = {"none", "x86", "x86-pae", "x86-64", "aarch64"};
    return (unsigned)p <= DP_PAGING_AARCH64 ? n[p] : "none";
}

/* FILETIME (100 ns since 1601) as ISO 8601 UTC, NULL when unknown or out of range. */
static const char *filetime_utc(uint64_t ft, char *buf, size_t len)
{
    const uint64_t epoch_delta = 116444736000000000ull; /* 1601-01-01 to 1970-01-01 in 100 ns */
    struct tm tm;
    if (ft <= epoch_delta) return NULL;
    time_t t = (time_t)((ft - epoch_delta) / 10000000u);
    if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return NULL;
    return buf;
}

static void bugcheck(struct jw *w, const struct dp_dump_info *i)
{
    jw_key(w, "bugcheck");
    if (!i->has_bugcheck) return jw_null(w);
    jw_open(w, '{');
    jw_khex(w, "code", i->bugcheck_code);
    jw_key(w, "parameters"), jw_open(w, '[');
    for (int k = 0; k < 4; k++) jw_item(w), jw_hex(w, i->bugcheck_params[k]);
    jw_close(w, ']');
    jw_close(w, '}');
}

static void dump_object(dp_ctx *c, struct jw *w)
{
    const struct dp_run_info *r = dp_run_info(c);
    const struct dp_dump_info *i = dp_dump_info(c);
    char when[40];
    jw_key(w, "dump");
    if (r->input_status && strcmp(r->input_status, "ok") != 0) return jw_null(w);
    jw_open(w, '{');
    jw_kstr(w, "path", i->path);
    jw_kstr(w, "format", i->format);
    jw_kstr(w, "dump_type", i->dump_type);
    jw_kstr(w, "arch", arch_name(i->arch));
    jw_kstr(w, "paging", paging_name(i->paging));
    jw_kuint(w, "ptr_size", i->ptr_size);
    jw_kuint(w, "processors", i->nr_cpus);
    jw_kstr(w, "os", i->os);
    jw_kstr(w, "os_release", i->os_release);
    jw_kuint(w, "os_major", i->os_major);
    jw_kuint(w, "os_build", i->os_build);
    jw_kuint(w, "machine_type", i->machine_type);
    jw_khex(w, "system_time", i->system_time);
    jw_kstr(w, "system_time_utc", filetime_utc(i->system_time, when, sizeof when));
    bugcheck(w, i);
    jw_close(w, '}');
}

static void findings(dp_ctx *c, struct jw *w)
{
    static const char *const sev[] = {"info", "warning", "error", "critical"};
    jw_key(w, "findings"), jw_open(w, '[');
    for (size_t i = 0; i < dp_finding_count(c); i++) {
        const struct dp_finding *f = dp_finding_get(c, i);
        jw_item(w), jw_open(w, '{');
        jw_kstr(w, "plugin", f->plugin);
        jw_kstr(w, "code", f->code);
        jw_kstr(w, "severity", sev[(unsigned)f->severity <= DP_SEV_CRITICAL ? f->severity : 0]);
        jw_kuint(w, "confidence", f->confidence);
        jw_kstr(w, "title", f->title);
        jw_kstr(w, "details", f->details);
        jw_key(w, "evidence"), fields(w, f->evidence, f->n_evidence);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void artifacts(dp_ctx *c, struct jw *w)
{
    const char *names[256];
    size_t n = dp_artifact_names(c, names, 256);
    jw_key(w, "artifacts"), jw_open(w, '{');
    for (size_t i = 0; i < n && i < 256; i++) {
        jw_key(w, names[i]), jw_open(w, '[');
        for (size_t r = 0; r < dp_artifact_count(c, names[i]); r++) {
            const struct dp_record *rec = dp_artifact_get(c, names[i], r);
            jw_item(w), jw_open(w, '{');
            jw_kstr(w, "publisher", rec->publisher);
            jw_key(w, "fields"), fields(w, rec->fields, rec->n_fields);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    jw_close(w, '}');
}

static void steps(dp_ctx *c, struct jw *w)
{
    jw_key(w, "steps"), jw_open(w, '[');
    for (size_t i = 0; i < dp_step_count(c); i++) {
        const struct dp_step_result *r = dp_step_get(c, i);
        jw_item(w), jw_open(w, '{');
        jw_kstr(w, "plugin", r->plugin);
        jw_kstr(w, "version", r->version);
        jw_kstr(w, "status", r->status);
        jw_kstr(w, "message", r->message && *r->message ? r->message : NULL);
        jw_key(w, "seconds"), jw_double(w, r->seconds);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static int json_run(dp_ctx *c, void *state)
{
    (void)state;
    struct jw w = {dp_sink_stream(c), dp_opt_bool(c, "pretty"), 0, 1};
    jw_open(&w, '{');
    jw_kstr(&w, "schema", "dumppipe-triage");
    jw_kuint(&w, "schema_version", JSON_SCHEMA_VERSION);
    json_tool_and_input(c, &w);
    dump_object(c, &w);
    json_modules(c, &w);
    json_stack(c, &w);
    findings(c, &w);
    artifacts(c, &w);
    json_summary(c, &w);
    steps(c, &w);
    jw_close(&w, '}');
    fputc('\n', w.f);
    return ferror(w.f) ? DP_ERR_IO : DP_OK;
}

static const struct dp_option json_options[] = {
    DP_OPTION("pretty", DP_OPT_BOOL, "false", "indent the output (default: one line per dump, JSON Lines)"),
    {0},
};

DP_PLUGIN(.kind = DP_KIND_SINK, .name = "json", .version = "2.0", .license = "MIT",
          .description = "Renders each dump as one JSON object (schema_version 2: docs/json-schema.json)",
          .options = json_options, .run = json_run);
