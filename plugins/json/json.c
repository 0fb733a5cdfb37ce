/* JSON sink: one object per dump, schema in docs/json-schema.json (versioned by schema_version). */
#include <dumppipe/dumppipe.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define JSON_SCHEMA_VERSION 1

struct out {
    FILE *f;
    int pretty, depth;
};

static void nl(struct out *o)
{
    if (!o->pretty) return;
    fputc('\n', o->f);
    for (int i = 0; i < o->depth; i++) fputs("  ", o->f);
}

/* Length of the well-formed UTF-8 sequence at P (RFC 3629: no overlongs, surrogates or code
 * points past U+10FFFF), 0 when P starts none. P is NUL-terminated, so the checks stop at the end. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
        (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

static void str(struct out *o, const char *s)
{
    fputc('"', o->f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        size_t n;
        if (*p == '"' || *p == '\\') fprintf(o->f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", o->f);
        else if (*p == '\t') fputs("\\t", o->f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(o->f, "\\u%04x", *p);
        else if (*p < 0x80) fputc(*p, o->f);
        else if ((n = utf8_len(p))) fwrite(p, 1, n, o->f), p += n - 1;
        else fputs("\\ufffd", o->f); /* JSON is UTF-8: a stray byte becomes the replacement character */
    }
    fputc('"', o->f);
}

static void key(struct out *o, const char *k, int first)
{
    if (!first) fputc(',', o->f);
    nl(o);
    str(o, k);
    fputs(o->pretty ? ": " : ":", o->f);
}

static void open_(struct out *o, char c) { fputc(c, o->f), o->depth++; }
static void close_(struct out *o, char c) { o->depth--, nl(o), fputc(c, o->f); }

static void addr(struct out *o, uint64_t v) { fprintf(o->f, "\"0x%" PRIx64 "\"", v); }

static void value(struct out *o, const struct dp_field *f)
{
    switch (f->type) {
    case DP_T_ADDR: addr(o, f->v.u64); break;
    case DP_T_U64: fprintf(o->f, "%" PRIu64, f->v.u64); break;
    case DP_T_I64: fprintf(o->f, "%" PRId64, f->v.i64); break;
    case DP_T_BOOL: fputs(f->v.b ? "true" : "false", o->f); break;
    case DP_T_STR: str(o, f->v.str); break;
    case DP_T_BYTES:
        fputc('"', o->f);
        for (size_t i = 0; i < f->v.bytes.len; i++) fprintf(o->f, "%02x", ((const uint8_t *)f->v.bytes.data)[i]);
        fputc('"', o->f);
        break;
    }
}

/* Keys repeat when a plugin adds the same key twice; JSON objects cannot, so later ones get _2, _3. */
static void fields(struct out *o, const struct dp_field *f, size_t n)
{
    open_(o, '{');
    for (size_t i = 0; i < n; i++) {
        unsigned dup = 1;
        for (size_t j = 0; j < i; j++) dup += strcmp(f[j].key, f[i].key) == 0;
        char k[256];
        if (dup > 1) snprintf(k, sizeof k, "%s_%u", f[i].key, dup);
        key(o, dup > 1 ? k : f[i].key, i == 0);
        value(o, &f[i]);
    }
    close_(o, '}');
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

static void dump_object(dp_ctx *c, struct out *o)
{
    const struct dp_dump_info *i = dp_dump_info(c);
    open_(o, '{');
    key(o, "path", 1), str(o, i->path);
    key(o, "format", 0), str(o, i->format);
    key(o, "dump_type", 0), str(o, i->dump_type);
    key(o, "arch", 0), str(o, arch_name(i->arch));
    key(o, "paging", 0), str(o, paging_name(i->paging));
    key(o, "ptr_size", 0), fprintf(o->f, "%u", i->ptr_size);
    key(o, "processors", 0), fprintf(o->f, "%u", i->nr_cpus);
    key(o, "os_build", 0), fprintf(o->f, "%u", i->os_build);
    key(o, "machine_type", 0), fprintf(o->f, "%u", i->machine_type);
    key(o, "system_time", 0), fprintf(o->f, "%" PRIu64, i->system_time);
    key(o, "bugcheck", 0);
    if (!i->has_bugcheck) fputs("null", o->f);
    else {
        open_(o, '{');
        key(o, "code", 1), fprintf(o->f, "\"0x%" PRIx32 "\"", i->bugcheck_code);
        key(o, "parameters", 0), fputc('[', o->f);
        for (int k = 0; k < 4; k++) fputs(k ? "," : "", o->f), addr(o, i->bugcheck_params[k]);
        fputc(']', o->f);
        close_(o, '}');
    }
    close_(o, '}');
}

static void null_or_str(struct out *o, const char *s) { s ? str(o, s) : (void)fputs("null", o->f); }

/* Which program wrote the record and which input it is about; present for every input, including
 * one that could not be triaged (status says why, error is its one-line message). */
static void tool_and_input(dp_ctx *c, struct out *o)
{
    const struct dp_run_info *r = dp_run_info(c);
    key(o, "tool", 0), open_(o, '{');
    key(o, "name", 1), str(o, "dumppipe");
    key(o, "version", 0), str(o, r->tool_version);
    close_(o, '}');
    key(o, "input", 0), open_(o, '{');
    key(o, "path", 1), null_or_str(o, r->input_path);
    key(o, "size", 0), fprintf(o->f, "%" PRIu64, r->input_size);
    key(o, "sha256", 0), null_or_str(o, r->input_sha256);
    key(o, "status", 0), str(o, r->input_status ? r->input_status : "ok");
    key(o, "error", 0), null_or_str(o, r->input_error);
    close_(o, '}');
}

static void findings(dp_ctx *c, struct out *o)
{
    static const char *const sev[] = {"info", "warning", "error", "critical"};
    open_(o, '[');
    for (size_t i = 0; i < dp_finding_count(c); i++) {
        const struct dp_finding *f = dp_finding_get(c, i);
        if (i) fputc(',', o->f);
        nl(o), open_(o, '{');
        key(o, "plugin", 1), str(o, f->plugin);
        key(o, "code", 0), str(o, f->code);
        key(o, "severity", 0), str(o, sev[f->severity <= DP_SEV_CRITICAL ? f->severity : 0]);
        key(o, "confidence", 0), fprintf(o->f, "%u", f->confidence);
        key(o, "title", 0), str(o, f->title);
        key(o, "details", 0), f->details ? str(o, f->details) : (void)fputs("null", o->f);
        key(o, "evidence", 0), fields(o, f->evidence, f->n_evidence);
        close_(o, '}');
    }
    close_(o, ']');
}

static void artifacts(dp_ctx *c, struct out *o)
{
    const char *names[256];
    size_t n = dp_artifact_names(c, names, 256);
    open_(o, '{');
    for (size_t i = 0; i < n && i < 256; i++) {
        key(o, names[i], i == 0), open_(o, '[');
        for (size_t r = 0; r < dp_artifact_count(c, names[i]); r++) {
            const struct dp_record *rec = dp_artifact_get(c, names[i], r);
            if (r) fputc(',', o->f);
            nl(o), open_(o, '{');
            key(o, "publisher", 1), str(o, rec->publisher);
            key(o, "fields", 0), fields(o, rec->fields, rec->n_fields);
            close_(o, '}');
        }
        close_(o, ']');
    }
    close_(o, '}');
}

static void summary_and_steps(dp_ctx *c, struct out *o)
{
    const struct dp_summary *s = dp_summary(c);
    key(o, "summary", 0), open_(o, '{');
    key(o, "culprit", 1);
    if (!s->culprit_module) fputs("null", o->f);
    else {
        open_(o, '{');
        key(o, "module", 1), str(o, s->culprit_module);
        key(o, "confidence", 0), fprintf(o->f, "%u", s->culprit_confidence);
        key(o, "reasons", 0), str(o, s->culprit_reason);
        close_(o, '}');
    }
    key(o, "bucket", 0), s->bucket ? str(o, s->bucket) : (void)fputs("null", o->f);
    /* the `!analyze -v` keys of the summary (docs/bucket.md); null while unknown */
    const struct {
        const char *name, *value;
    } keys[] = {{"failure_id_hash", s->failure_id_hash}, {"symbol_name", s->symbol_name}, {"module_name", s->module_name},
                {"image_name", s->image_name}, {"process_name", s->process_name}, {"stack_command", s->stack_command}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        key(o, keys[i].name, 0), keys[i].value ? str(o, keys[i].value) : (void)fputs("null", o->f);
    key(o, "image_timestamp", 0), s->image_timestamp ? (void)fprintf(o->f, "%u", (unsigned)s->image_timestamp) : (void)fputs("null", o->f);
    key(o, "current_irql", 0), s->current_irql >= 0 ? (void)fprintf(o->f, "%d", s->current_irql) : (void)fputs("null", o->f);
    close_(o, '}');
    key(o, "steps", 0), open_(o, '[');
    for (size_t i = 0; i < dp_step_count(c); i++) {
        const struct dp_step_result *r = dp_step_get(c, i);
        if (i) fputc(',', o->f);
        nl(o), open_(o, '{');
        key(o, "plugin", 1), str(o, r->plugin);
        key(o, "status", 0), str(o, r->status);
        key(o, "message", 0), r->message ? str(o, r->message) : (void)fputs("null", o->f);
        key(o, "seconds", 0), fprintf(o->f, "%.6f", r->seconds);
        close_(o, '}');
    }
    close_(o, ']');
}

static int json_run(dp_ctx *c, void *state)
{
    (void)state;
    struct out o = {dp_sink_stream(c), dp_opt_bool(c, "pretty"), 0};
    open_(&o, '{');
    key(&o, "schema", 1), str(&o, "dumppipe-triage");
    key(&o, "schema_version", 0), fprintf(o.f, "%d", JSON_SCHEMA_VERSION);
    tool_and_input(c, &o);
    key(&o, "dump", 0), dump_object(c, &o);
    key(&o, "findings", 0), findings(c, &o);
    key(&o, "artifacts", 0), artifacts(c, &o);
    summary_and_steps(c, &o);
    close_(&o, '}');
    fputc('\n', o.f);
    return ferror(o.f) ? DP_ERR_IO : DP_OK;
}

static const struct dp_option json_options[] = {
    {"pretty", DP_OPT_BOOL, "false", 0, "indent the output (default: one line per dump, JSON Lines)"},
    {0},
};

DP_PLUGIN(.kind = DP_KIND_SINK, .name = "json", .version = "1.0",
          .description = "Renders each dump as one JSON object (schema: docs/json-schema.json)", .options = json_options,
          .run = json_run);
