/* Context lifecycle, findings, the blackboard, options and logging. */
#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "ctx_dump.h"
#include "ctx_image.h"
#include "pipeline.h" /* dp_yaml_bool: options read as the pipeline validated them */

static struct dp_ctx *ctx_alloc(int verbosity)
{
    struct dp_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->api = &dp_host_api_table;
    c->arena = dp_arena_new();
    c->disasm = dp_disasm_new();
    if (!c->arena || !c->disasm) {
        dp_ctx_free(c);
        return NULL;
    }
    dp_vec_init(&c->findings, sizeof(struct dp_finding));
    dp_vec_init(&c->artifacts, sizeof(struct dp_artifact));
    dp_vec_init(&c->journal, sizeof(struct dp_journal_entry));
    dp_vec_init(&c->steps, sizeof(struct dp_step_result));
    dp_vec_init(&c->symbols_unverified, sizeof(const char *));
    c->sink_out = stdout;
    c->verbosity = verbosity;
    c->run.tool_version = DP_VERSION;
    c->run.input_status = "ok";
    return c;
}

struct dp_ctx *dp_ctx_new(struct dp_dump *dump, const struct dp_symtab *symtab, int verbosity)
{
    struct dp_ctx *c = ctx_alloc(verbosity);
    if (!c) return NULL;
    c->dump = dump;
    c->symtab = symtab;
    if (dp_ctx_index_modules(c) != DP_OK) {
        dp_ctx_free(c);
        return NULL;
    }
    return c;
}

struct dp_ctx *dp_ctx_new_none(const char *path, int verbosity)
{
    struct dp_ctx *c = ctx_alloc(verbosity);
    if (!c) return NULL;
    struct dp_dump_info *i = &c->info_none;
    i->path = path ? dp_arena_strdup(c->arena, path) : "(none)";
    i->format = "none";
    i->dump_type = "none";
    i->page_size = 4096;
    return c;
}

struct dp_ctx *dp_ctx_new_explain(uint32_t code, const uint64_t params[4], int verbosity)
{
    struct dp_ctx *c = dp_ctx_new_none(NULL, verbosity);
    if (!c) return NULL;
    struct dp_dump_info *i = &c->info_none;
    i->has_bugcheck = 1;
    i->bugcheck_code = code;
    int wide = 0;
    for (int k = 0; k < 4; k++) {
        i->bugcheck_params[k] = params[k];
        wide |= params[k] > UINT32_MAX;
    }
    i->ptr_size = wide ? 8 : 4;
    i->arch = wide ? DP_ARCH_X64 : DP_ARCH_X86;
    return c;
}

void dp_ctx_free(struct dp_ctx *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->artifacts.len; i++) dp_vec_free(&((struct dp_artifact *)dp_vec_at(&c->artifacts, i))->rows);
    dp_vec_free(&c->artifacts);
    dp_vec_free(&c->findings);
    dp_vec_free(&c->journal);
    dp_vec_free(&c->steps);
    dp_vec_free(&c->symbols_unverified);
    dp_ctx_forget_module_keys(c);
    dp_ctx_release_images(c);
    dp_ctx_release_modules(c);
    dp_disasm_free(c->disasm);
    dp_arena_free(c->arena);
    free(c);
}

void dp_ctx_begin_step(struct dp_ctx *c, const char *plugin, const struct dp_option *schema,
                       const struct dp_opt_value *opts, size_t n_opts)
{
    c->cur_plugin = plugin;
    c->cur_schema = schema;
    c->cur_opts = opts;
    c->n_cur_opts = n_opts;
    c->error[0] = 0;
}

void dp_ctx_end_step(struct dp_ctx *c)
{
    c->cur_plugin = NULL;
    c->cur_schema = NULL;
    c->cur_provides = NULL;
    c->cur_opts = NULL;
    c->n_cur_opts = 0;
}

int dp_ctx_add_step_result(struct dp_ctx *c, const char *plugin, const char *version, const char *status,
                           const char *message, double seconds)
{
    struct dp_step_result *r = dp_vec_push(&c->steps);
    if (!r) return DP_ERR_NOMEM;
    r->plugin = dp_arena_strdup(c->arena, plugin);
    r->version = version ? dp_arena_strdup(c->arena, version) : NULL;
    r->status = dp_arena_strdup(c->arena, status);
    r->message = message ? dp_arena_strdup(c->arena, message) : NULL;
    r->seconds = seconds;
    return DP_OK;
}

/* ---- typed values are deep-copied into the arena: the caller's memory may vanish with its child ---- */

static int copy_fields(struct dp_arena *a, const struct dp_field *in, size_t n, const struct dp_field **out)
{
    struct dp_field *f = n ? dp_arena_alloc(a, n * sizeof *f) : NULL;
    if (n && !f) return DP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!in[i].key) return DP_ERR_INVALID;
        f[i] = in[i];
        f[i].key = dp_arena_strdup(a, in[i].key);
        switch (in[i].type) {
        case DP_T_STR:
            f[i].v.str = dp_arena_strdup(a, in[i].v.str ? in[i].v.str : "");
            break;
        case DP_T_BYTES:
            if (in[i].v.bytes.len && !in[i].v.bytes.data) return DP_ERR_INVALID;
            f[i].v.bytes.data = dp_arena_memdup(a, in[i].v.bytes.data, in[i].v.bytes.len);
            break;
        case DP_T_U64: case DP_T_I64: case DP_T_ADDR: case DP_T_BOOL:
            break;
        default:
            return DP_ERR_INVALID;
        }
    }
    *out = f;
    return DP_OK;
}

int dp_ctx_add_finding(struct dp_ctx *c, const char *plugin, const struct dp_finding *in)
{
    if (!in || !in->code || !in->title || (unsigned)in->severity > DP_SEV_CRITICAL) return DP_ERR_INVALID;
    struct dp_finding f = *in;
    f.plugin = dp_arena_strdup(c->arena, plugin ? plugin : "host");
    f.code = dp_arena_strdup(c->arena, in->code);
    f.title = dp_arena_strdup(c->arena, in->title);
    f.details = in->details ? dp_arena_strdup(c->arena, in->details) : NULL;
    f.confidence = in->confidence > 100 ? 100 : in->confidence;
    int rc = copy_fields(c->arena, in->evidence, in->n_evidence, &f.evidence);
    if (rc) return rc;
    struct dp_finding *slot = dp_vec_push(&c->findings);
    if (!slot) return DP_ERR_NOMEM;
    *slot = f;
    return DP_OK;
}

static struct dp_artifact *find_artifact(const struct dp_ctx *c, const char *name, size_t *index)
{
    for (size_t i = 0; i < c->artifacts.len; i++) {
        struct dp_artifact *a = dp_vec_at(&c->artifacts, i);
        if (strcmp(a->name, name) == 0) {
            if (index) *index = i;
            return a;
        }
    }
    return NULL;
}

const struct dp_artifact *dp_ctx_artifact(const struct dp_ctx *c, const char *name)
{
    return name ? find_artifact(c, name, NULL) : NULL;
}

int dp_ctx_publish(struct dp_ctx *c, const char *publisher, const char *artifact, const struct dp_field *fields,
                   size_t n)
{
    if (!artifact || !*artifact || (n && !fields)) return DP_ERR_INVALID;
    size_t ai;
    struct dp_artifact *a = find_artifact(c, artifact, &ai);
    if (!a) {
        a = dp_vec_push(&c->artifacts);
        if (!a) return DP_ERR_NOMEM;
        a->name = dp_arena_strdup(c->arena, artifact);
        dp_vec_init(&a->rows, sizeof(struct dp_record));
        ai = c->artifacts.len - 1;
    }
    struct dp_record r = {.publisher = dp_arena_strdup(c->arena, publisher ? publisher : "host"), .n_fields = n};
    int rc = copy_fields(c->arena, fields, n, &r.fields);
    if (rc) return rc;
    struct dp_record *slot = dp_vec_push(&a->rows);
    struct dp_journal_entry *j = slot ? dp_vec_push(&c->journal) : NULL;
    if (!j) return DP_ERR_NOMEM;
    *slot = r;
    j->artifact = ai;
    j->row = a->rows.len - 1;
    return DP_OK;
}

/* ---- SDK entry points for findings and artifacts ---- */

static int api_add_finding(dp_ctx *c, const struct dp_finding *f) { return dp_ctx_add_finding(c, c->cur_plugin, f); }

/* Publishing is declared: a pipeline's order is checked against `provides` before anything runs. */
static int api_publish(dp_ctx *c, const char *name, const struct dp_field *f, size_t n)
{
    const char *const *p = c->cur_provides;
    while (name && p && *p && strcmp(*p, name) != 0) p++;
    if (!name || !p || !*p) {
        snprintf(c->error, sizeof c->error, "published '%s', which is not in the plugin's provides", name ? name : "(null)");
        return DP_ERR_INVALID;
    }
    return dp_ctx_publish(c, c->cur_plugin, name, f, n);
}

static size_t api_artifact_count(dp_ctx *c, const char *name)
{
    const struct dp_artifact *a = dp_ctx_artifact(c, name);
    return a ? a->rows.len : 0;
}

static const struct dp_record *api_artifact_get(dp_ctx *c, const char *name, size_t i)
{
    const struct dp_artifact *a = dp_ctx_artifact(c, name);
    return a ? dp_vec_at(&a->rows, i) : NULL;
}

static size_t api_artifact_names(dp_ctx *c, const char **out, size_t max)
{
    for (size_t i = 0; i < c->artifacts.len && i < max; i++) out[i] = ((struct dp_artifact *)dp_vec_at(&c->artifacts, i))->name;
    return c->artifacts.len;
}

/* ---- options: the pipeline's value, else the schema's default ---- */

static const struct dp_option *schema_option(dp_ctx *c, const char *name)
{
    for (const struct dp_option *o = c->cur_schema; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return o;
    return NULL;
}

static const struct dp_opt_value *opt_value(dp_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_cur_opts; i++)
        if (strcmp(c->cur_opts[i].name, name) == 0) return &c->cur_opts[i];
    return NULL;
}

static const char *opt_scalar(dp_ctx *c, const char *name)
{
    const struct dp_opt_value *v = opt_value(c, name);
    if (v && !v->is_list) return v->scalar;
    const struct dp_option *o = schema_option(c, name);
    return o ? o->default_value : NULL;
}

static const char *api_opt_string(dp_ctx *c, const char *name) { return opt_scalar(c, name); }

/* Integers as validated by pipeline_bind.c: durations in ms, sizes in bytes, addresses above
 * INT64_MAX with their bits intact. */
static int64_t opt_number(dp_ctx *c, const char *name, const char *s)
{
    const struct dp_option *o = schema_option(c, name);
    unsigned flags = o ? o->flags : 0;
    int64_t v;
    uint64_t u;
    if (!s) return 0;
    if (flags & DP_OPT_DURATION) return dp_parse_duration_ms(s, &u) == 0 ? (int64_t)u : 0;
    if (flags & DP_OPT_SIZE) return dp_parse_size(s, &u) == 0 ? (int64_t)u : 0;
    if (dp_parse_i64(s, &v) == 0) return v;
    return dp_parse_u64(s, &u) == 0 ? (int64_t)u : 0;
}

static int64_t api_opt_int(dp_ctx *c, const char *name) { return opt_number(c, name, opt_scalar(c, name)); }

static int api_opt_bool(dp_ctx *c, const char *name)
{
    int b = 0;
    const char *s = opt_scalar(c, name);
    return s && dp_yaml_bool(s, &b) == 0 ? b : 0;
}

static int api_opt_isset(dp_ctx *c, const char *name) { return opt_value(c, name) != NULL; }

static size_t api_opt_list_count(dp_ctx *c, const char *name)
{
    const struct dp_opt_value *v = opt_value(c, name);
    return v && v->is_list ? v->n_items : 0;
}

static const char *api_opt_list_string(dp_ctx *c, const char *name, size_t i)
{
    const struct dp_opt_value *v = opt_value(c, name);
    return v && v->is_list && i < v->n_items ? v->items[i] : NULL;
}

static int64_t api_opt_list_int(dp_ctx *c, const char *name, size_t i)
{
    return opt_number(c, name, api_opt_list_string(c, name, i));
}

/* ---- logging and errors ---- */

static void api_logv(dp_ctx *c, enum dp_log_level level, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if ((int)level > 1 + c->verbosity || (unsigned)level > DP_LOG_DEBUG) return;
    fprintf(stderr, "dumppipe: %s: %s: ", c->cur_plugin ? c->cur_plugin : "host", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void api_set_errorv(dp_ctx *c, const char *fmt, va_list ap) { vsnprintf(c->error, sizeof c->error, fmt, ap); }

/* ---- for sinks ---- */

static void *api_sink_stream(dp_ctx *c) { return c->sink_out; }
static size_t api_finding_count(dp_ctx *c) { return c->findings.len; }
static const struct dp_finding *api_finding_get(dp_ctx *c, size_t i) { return dp_vec_at(&c->findings, i); }
static size_t api_step_count(dp_ctx *c) { return c->steps.len; }
static const struct dp_step_result *api_step_get(dp_ctx *c, size_t i) { return dp_vec_at(&c->steps, i); }
static const struct dp_summary *api_summary(dp_ctx *c) { return &c->summary; }
static const struct dp_run_info *api_run_info(dp_ctx *c) { return &c->run; }

static void api_progress(dp_ctx *c, uint64_t done, uint64_t total, const char *what)
{
    if (c->progress_fn) c->progress_fn(c->progress_arg, c->cur_plugin, done, total, what ? what : "");
}

const struct dp_host_api dp_host_api_table = {
    .size = sizeof(struct dp_host_api),
    .abi_major = DP_ABI_MAJOR,
    .abi_minor = DP_ABI_MINOR,
    DP_CTX_DUMP_API_ENTRIES,
    .add_finding = api_add_finding,
    .publish = api_publish,
    .artifact_count = api_artifact_count,
    .artifact_get = api_artifact_get,
    .opt_string = api_opt_string,
    .opt_int = api_opt_int,
    .opt_bool = api_opt_bool,
    .opt_isset = api_opt_isset,
    .opt_list_count = api_opt_list_count,
    .opt_list_string = api_opt_list_string,
    .opt_list_int = api_opt_list_int,
    .logv = api_logv,
    .set_errorv = api_set_errorv,
    .sink_stream = api_sink_stream,
    .finding_count = api_finding_count,
    .finding_get = api_finding_get,
    .step_count = api_step_count,
    .step_get = api_step_get,
    .summary = api_summary,
    .artifact_names = api_artifact_names,
    .symbol_lookup = dp_ctx_symbol_lookup,
    .progress = api_progress,
    .run_info = api_run_info,
    .read_virt_image = dp_ctx_read_virt_image,
    .module_image_file = dp_ctx_module_image_file,
};
