#include "wire.h"

#include <stdlib.h>
#include <string.h>

enum {
    W_FINDING = 'F',
    W_ROW = 'A',
    W_END = 'E',
    W_MAX_STRING = 16 << 20,
    W_MAX_FIELDS = 1 << 16,
};
static const char w_magic[4] = {'D', 'P', 'W', '1'};

void dp_wbuf_free(struct dp_wbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void dp_wbuf_put(struct dp_wbuf *b, const void *p, size_t n)
{
    if (b->oom || !n) return; /* memcpy from NULL is undefined even for 0 bytes */
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n) cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u8(struct dp_wbuf *b, uint8_t v) { dp_wbuf_put(b, &v, 1); }
static void put_u32(struct dp_wbuf *b, uint32_t v) { dp_wbuf_put(b, &v, 4); }
static void put_u64(struct dp_wbuf *b, uint64_t v) { dp_wbuf_put(b, &v, 8); }

static void put_str(struct dp_wbuf *b, const char *s)
{
    if (!s) {
        put_u32(b, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    put_u32(b, (uint32_t)(n > W_MAX_STRING ? W_MAX_STRING : n));
    dp_wbuf_put(b, s, n > W_MAX_STRING ? W_MAX_STRING : n);
}

static void put_fields(struct dp_wbuf *b, const struct dp_field *f, size_t n)
{
    put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put_str(b, f[i].key);
        put_u8(b, (uint8_t)f[i].type);
        if (f[i].type == DP_T_STR) put_str(b, f[i].v.str);
        else if (f[i].type == DP_T_BYTES) {
            put_u32(b, (uint32_t)f[i].v.bytes.len);
            dp_wbuf_put(b, f[i].v.bytes.data, f[i].v.bytes.len);
        } else if (f[i].type == DP_T_BOOL) put_u64(b, (uint64_t)f[i].v.b);
        else put_u64(b, f[i].v.u64);
    }
}

/* Each record is kind + u32 length + payload, so the reader can bound it before parsing. */
static size_t begin_record(struct dp_wbuf *b, uint8_t kind)
{
    put_u8(b, kind);
    put_u32(b, 0);
    return b->len;
}

static void end_record(struct dp_wbuf *b, size_t start)
{
    if (b->oom) return;
    uint32_t n = (uint32_t)(b->len - start);
    memcpy(b->data + start - 4, &n, 4);
}

int dp_wire_encode(const struct dp_ctx *c, size_t findings_from, size_t journal_from, int status, const char *error,
                   struct dp_wbuf *out)
{
    dp_wbuf_put(out, w_magic, sizeof w_magic);
    for (size_t i = findings_from; i < c->findings.len; i++) {
        const struct dp_finding *f = dp_vec_at(&c->findings, i);
        size_t r = begin_record(out, W_FINDING);
        put_str(out, f->code);
        put_u8(out, (uint8_t)f->severity);
        put_u8(out, (uint8_t)f->confidence);
        put_str(out, f->title);
        put_str(out, f->details);
        put_fields(out, f->evidence, f->n_evidence);
        end_record(out, r);
    }
    for (size_t i = journal_from; i < c->journal.len; i++) {
        const struct dp_journal_entry *j = dp_vec_at(&c->journal, i);
        const struct dp_artifact *a = dp_vec_at(&c->artifacts, j->artifact);
        const struct dp_record *row = dp_vec_at(&a->rows, j->row);
        size_t r = begin_record(out, W_ROW);
        put_str(out, a->name);
        put_fields(out, row->fields, row->n_fields);
        end_record(out, r);
    }
    size_t r = begin_record(out, W_END);
    put_u32(out, (uint32_t)status);
    put_str(out, error);
    end_record(out, r);
    return out->oom ? DP_ERR_NOMEM : DP_OK;
}

/* ---- decoding ---- */

struct reader {
    const unsigned char *p, *end;
    struct dp_arena *scratch;
    int bad;
};

static int take(struct reader *r, void *out, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) return r->bad = 1, -1;
    memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

static uint32_t get_u32(struct reader *r)
{
    uint32_t v = 0;
    take(r, &v, 4);
    return v;
}

static uint64_t get_u64(struct reader *r)
{
    uint64_t v = 0;
    take(r, &v, 8);
    return v;
}

static uint8_t get_u8(struct reader *r)
{
    uint8_t v = 0;
    take(r, &v, 1);
    return v;
}

static const char *get_str(struct reader *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || n == UINT32_MAX) return NULL;
    if (n > W_MAX_STRING || (size_t)(r->end - r->p) < n || memchr(r->p, 0, n)) return r->bad = 1, NULL;
    char *s = dp_arena_alloc(r->scratch, (size_t)n + 1);
    if (!s) return r->bad = 1, NULL;
    memcpy(s, r->p, n);
    r->p += n;
    return s;
}

static const struct dp_field *get_fields(struct reader *r, size_t *n_out)
{
    uint32_t n = get_u32(r);
    /* each field takes at least 13 bytes on the wire: a count beyond that is a lie */
    if (r->bad || n > W_MAX_FIELDS || (size_t)(r->end - r->p) / 13 < n) return r->bad = 1, NULL;
    struct dp_field *f = dp_arena_alloc(r->scratch, (n ? n : 1) * sizeof *f);
    if (!f) return r->bad = 1, NULL;
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        f[i].key = get_str(r);
        f[i].type = (enum dp_type)get_u8(r);
        if (!f[i].key) r->bad = 1;
        switch (f[i].type) {
        case DP_T_STR: f[i].v.str = get_str(r); r->bad |= !f[i].v.str; break;
        case DP_T_BYTES: {
            uint32_t len = get_u32(r);
            if (r->bad || (size_t)(r->end - r->p) < len) return r->bad = 1, NULL;
            f[i].v.bytes.data = r->p;
            f[i].v.bytes.len = len;
            r->p += len;
            break;
        }
        case DP_T_BOOL: f[i].v.b = get_u64(r) != 0; break;
        case DP_T_U64: case DP_T_I64: case DP_T_ADDR: f[i].v.u64 = get_u64(r); break;
        default: r->bad = 1;
        }
    }
    *n_out = n;
    return r->bad ? NULL : f;
}

static int apply_record(struct dp_ctx *c, const char *plugin, uint8_t kind, struct reader *r, int *complete,
                        int *status, char *error, size_t errlen)
{
    if (kind == W_FINDING) {
        struct dp_finding f = {0};
        f.code = get_str(r);
        f.severity = (enum dp_severity)get_u8(r);
        f.confidence = get_u8(r);
        f.title = get_str(r);
        f.details = get_str(r);
        f.evidence = get_fields(r, &f.n_evidence);
        if (r->bad) return DP_ERR_BAD_DATA;
        return dp_ctx_add_finding(c, plugin, &f);
    }
    if (kind == W_ROW) {
        const char *name = get_str(r);
        size_t n = 0;
        const struct dp_field *f = get_fields(r, &n);
        if (r->bad || !name) return DP_ERR_BAD_DATA;
        return dp_ctx_publish(c, plugin, name, f, n);
    }
    if (kind == W_END) {
        *status = (int)get_u32(r);
        const char *e = get_str(r);
        snprintf(error, errlen, "%s", e ? e : "");
        *complete = !r->bad;
        return r->bad ? DP_ERR_BAD_DATA : DP_OK;
    }
    return DP_ERR_BAD_DATA;
}

int dp_wire_decode(struct dp_ctx *c, const char *plugin, const unsigned char *buf, size_t len, int *complete,
                   int *status, char *error, size_t errlen)
{
    *complete = 0;
    *status = DP_OK;
    error[0] = 0;
    if (len < sizeof w_magic || memcmp(buf, w_magic, sizeof w_magic) != 0) return len ? DP_ERR_BAD_DATA : DP_OK;
    struct reader r = {buf + sizeof w_magic, buf + len, dp_arena_new(), 0};
    if (!r.scratch) return DP_ERR_NOMEM;
    int rc = DP_OK;
    while (rc == DP_OK && r.p < r.end && !*complete) {
        uint8_t kind = get_u8(&r);
        uint32_t n = get_u32(&r);
        if (r.bad || (size_t)(r.end - r.p) < n) {
            rc = DP_ERR_BAD_DATA; /* a record cut short: the child died while writing */
            break;
        }
        struct reader sub = {r.p, r.p + n, r.scratch, 0};
        rc = apply_record(c, plugin, kind, &sub, complete, status, error, errlen);
        r.p += n;
    }
    dp_arena_free(r.scratch);
    return rc;
}
