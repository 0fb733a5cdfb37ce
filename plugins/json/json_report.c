/* Report sections built from the host's own answers rather than from one plugin's text: the module
 * list (what a back end needs to fetch symbols), frames resolved with dp_symbol_lookup (so they carry
 * a numeric module offset whoever walked the stack), and the culprit with one reason per vote. */
#include "json_report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void json_tool_and_input(dp_ctx *c, struct jw *w)
{
    const struct dp_run_info *r = dp_run_info(c);
    jw_key(w, "tool"), jw_open(w, '{');
    jw_kstr(w, "name", "dumppipe");
    jw_kstr(w, "version", r->tool_version);
    jw_close(w, '}');
    jw_key(w, "input"), jw_open(w, '{');
    jw_kstr(w, "path", r->input_path);
    jw_kuint(w, "size", r->input_size);
    jw_kstr(w, "sha256", r->input_sha256);
    jw_kstr(w, "status", r->input_status ? r->input_status : "ok");
    jw_kstr(w, "error", r->input_error);
    jw_close(w, '}');
    jw_kstr(w, "pipeline", r->pipeline);
}

void json_modules(dp_ctx *c, struct jw *w)
{
    jw_key(w, "modules"), jw_open(w, '[');
    for (size_t i = 0; i < dp_module_count(c); i++) {
        const struct dp_module *m = dp_module_get(c, i);
        if (!m) continue;
        char key[40];
        /* the symbol-store key of the image itself: TimeDateStamp (8 hex digits) then SizeOfImage */
        snprintf(key, sizeof key, "%08X%llx", m->timestamp, (unsigned long long)m->size);
        jw_item(w), jw_open(w, '{');
        jw_kstr(w, "name", m->name);
        jw_khex(w, "base", m->base);
        jw_khex(w, "size", m->size);
        jw_kuint(w, "timestamp", m->timestamp);
        jw_kuint(w, "checksum", m->checksum);
        jw_kstr(w, "image_key", m->timestamp && m->size ? key : NULL);
        jw_kstr(w, "pdb_name", m->pdb_name);
        jw_kstr(w, "pdb_id", m->pdb_id);
        jw_kstr(w, "symbol_status", m->symbol_status);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

/* One frame of the stack plugin's stack.frame rows (sdk/ARTIFACTS.md): only its addresses are taken;
 * module, offset and function come from the host, as for every other address. */
static void frame(dp_ctx *c, struct jw *w, const struct dp_record *r)
{
    uint64_t ip = dp_record_u64(r, "ip", 0);
    struct dp_symbol s;
    char text[DP_SYMBOLIZE_MAX];
    int known = dp_symbol_lookup(c, ip, &s) == DP_OK && s.module;
    if (dp_symbolize(c, ip, text, sizeof text) != DP_OK) text[0] = 0;
    jw_item(w), jw_open(w, '{');
    jw_kuint(w, "index", dp_record_u64(r, "index", 0));
    jw_khex(w, "ip", ip);
    jw_khex(w, "sp", dp_record_u64(r, "sp", 0));
    jw_khex(w, "return_address", dp_record_u64(r, "ret", 0));
    jw_kstr(w, "module", known ? s.module->name : NULL);
    jw_key(w, "module_offset"), known ? jw_uint(w, s.module_offset) : jw_null(w);
    jw_kstr(w, "function", known ? s.function : NULL);
    jw_key(w, "function_offset"), known && s.function ? jw_uint(w, s.displacement) : jw_null(w);
    jw_kstr(w, "symbol", text);
    jw_kstr(w, "symbol_source", known ? s.source : NULL);
    jw_kstr(w, "trust", dp_record_str(r, "source"));
    jw_kuint(w, "confidence", dp_record_u64(r, "confidence", 0));
    jw_close(w, '}');
}

void json_stack(dp_ctx *c, struct jw *w)
{
    jw_key(w, "stack"), jw_open(w, '[');
    for (size_t i = 0; i < dp_artifact_count(c, "stack.frame"); i++) frame(c, w, dp_artifact_get(c, "stack.frame", i));
    jw_close(w, ']');
}

/* The votes for the culprit module, one reason each (the host adds up their weights). */
static void reasons(dp_ctx *c, struct jw *w, const char *culprit)
{
    jw_key(w, "reasons"), jw_open(w, '[');
    for (size_t i = 0; i < dp_artifact_count(c, "culprit.vote"); i++) {
        const struct dp_record *r = dp_artifact_get(c, "culprit.vote", i);
        const char *m = dp_record_str(r, "module"), *why = dp_record_str(r, "reason");
        if (!m || strcasecmp(m, culprit) != 0 || !why || !*why) continue;
        jw_item(w), jw_open(w, '{');
        jw_kstr(w, "plugin", r->publisher);
        jw_kstr(w, "reason", why);
        jw_kuint(w, "weight", dp_record_u64(r, "weight", 0));
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

void json_summary(dp_ctx *c, struct jw *w)
{
    const struct dp_summary *s = dp_summary(c);
    jw_key(w, "summary"), jw_open(w, '{');
    jw_key(w, "culprit");
    if (!s || !s->culprit_module) jw_null(w);
    else {
        jw_open(w, '{');
        jw_kstr(w, "module", s->culprit_module);
        jw_kuint(w, "confidence", s->culprit_confidence);
        reasons(c, w, s->culprit_module);
        jw_close(w, '}');
    }
    jw_kstr(w, "bucket", s ? s->bucket : NULL);
    if (s) {
        /* the `!analyze -v` keys of the summary (docs/bucket.md); null while unknown */
        jw_kstr(w, "failure_id_hash", s->failure_id_hash);
        jw_kstr(w, "symbol_name", s->symbol_name);
        jw_kstr(w, "module_name", s->module_name);
        jw_kstr(w, "image_name", s->image_name);
        jw_kstr(w, "process_name", s->process_name);
        jw_kstr(w, "stack_command", s->stack_command);
        jw_key(w, "image_timestamp"), s->image_timestamp ? jw_uint(w, s->image_timestamp) : jw_null(w);
        jw_key(w, "current_irql"), s->current_irql >= 0 ? jw_int(w, s->current_irql) : jw_null(w);
    }
    jw_close(w, '}');
}
