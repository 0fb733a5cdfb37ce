/* The JSON writer. Strings from dumps (export names, SMBIOS, module names) are arbitrary bytes: every
 * byte that does not start a well-formed UTF-8 sequence is written as U+FFFD, so the output always
 * parses, whatever a plugin or a dump hands us. */
#include "json_out.h"

#include <inttypes.h>
#include <math.h>

#define JW_MAX_SAFE 9007199254740991ull /* 2^53 - 1: the largest integer every JSON reader keeps exact */

static void newline(struct jw *w)
{
    if (!w->pretty) return;
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
}

static void separate(struct jw *w)
{
    if (!w->first) fputc(',', w->f);
    w->first = 0;
}

void jw_item(struct jw *w)
{
    separate(w);
    newline(w);
}

void jw_open(struct jw *w, char c)
{
    fputc(c, w->f);
    w->depth++;
    w->first = 1;
}

void jw_close(struct jw *w, char c)
{
    w->depth--;
    if (!w->first) newline(w);
    fputc(c, w->f);
    w->first = 0;
}

void jw_str(struct jw *w, const char *s)
{
    if (!s) return jw_null(w);
    fputc('"', w->f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = dp_utf8_len((const char *)p);
        if (n == 0) fputs("\\ufffd", w->f), n = 1;
        else if (*p == '"' || *p == '\\') fprintf(w->f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", w->f);
        else if (*p == '\t') fputs("\\t", w->f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(w->f, "\\u%04x", *p);
        else fwrite(p, 1, n, w->f);
        p += n;
    }
    fputc('"', w->f);
}

void jw_key(struct jw *w, const char *k)
{
    separate(w);
    newline(w);
    jw_str(w, k);
    fputs(w->pretty ? ": " : ":", w->f);
}

void jw_null(struct jw *w) { fputs("null", w->f); }
void jw_bool(struct jw *w, int b) { fputs(b ? "true" : "false", w->f); }
void jw_hex(struct jw *w, uint64_t v) { fprintf(w->f, "\"0x%" PRIx64 "\"", v); }

void jw_uint(struct jw *w, uint64_t v)
{
    if (v <= JW_MAX_SAFE) fprintf(w->f, "%" PRIu64, v);
    else jw_hex(w, v);
}

void jw_int(struct jw *w, int64_t v)
{
    if (v >= -(int64_t)JW_MAX_SAFE && v <= (int64_t)JW_MAX_SAFE) fprintf(w->f, "%" PRId64, v);
    else fprintf(w->f, "\"%" PRId64 "\"", v);
}

void jw_double(struct jw *w, double v)
{
    if (isfinite(v)) fprintf(w->f, "%.6f", v);
    else jw_null(w);
}

void jw_field(struct jw *w, const struct dp_field *f)
{
    switch (f->type) {
    case DP_T_ADDR: jw_hex(w, f->v.u64); return;
    case DP_T_U64: jw_uint(w, f->v.u64); return;
    case DP_T_I64: jw_int(w, f->v.i64); return;
    case DP_T_BOOL: jw_bool(w, f->v.b); return;
    case DP_T_STR: jw_str(w, f->v.str); return;
    case DP_T_BYTES:
        fputc('"', w->f);
        for (size_t i = 0; i < f->v.bytes.len; i++) fprintf(w->f, "%02x", ((const uint8_t *)f->v.bytes.data)[i]);
        fputc('"', w->f);
        return;
    }
    jw_null(w);
}

void jw_kstr(struct jw *w, const char *k, const char *s) { jw_key(w, k), jw_str(w, s); }
void jw_kuint(struct jw *w, const char *k, uint64_t v) { jw_key(w, k), jw_uint(w, v); }
void jw_khex(struct jw *w, const char *k, uint64_t v) { jw_key(w, k), jw_hex(w, v); }
