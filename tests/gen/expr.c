/* Values in scenarios: numbers, symbolic addresses ("driver+0x36532", "nt!KeBugCheckEx+0x1b") and
 * byte programs ("6a 2c 68 {driver+0x68d08} e8 <driver+0x65c50>") that mix raw bytes with addresses. */
#include "dpgen.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Decimal, or hex with 0x; the whole text must be consumed (so "2ndfilter" is a name, not 2). */
static int parse_num(const char *s, size_t len, uint64_t *out)
{
    char buf[40];
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    int base = (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) ? 16 : 10;
    if (!isxdigit((unsigned char)buf[base == 16 ? 2 : 0]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

struct module *mod_find(struct gen *g, const char *name)
{
    for (size_t i = 0; i < g->n_mods; i++) {
        struct module *m = &g->mods[i];
        if (ascii_casecmp(m->name, name) == 0 || (m->alias && ascii_casecmp(m->alias, name) == 0))
            return m;
    }
    return NULL;
}

int mod_export(struct module *m, const char *name, uint32_t *rva)
{
    for (size_t i = 0; i < m->n_exports; i++) /* exact case: "Dispatch" and "dispatch" differ */
        if (strcmp(m->exports[i].name, name) == 0) {
            *rva = m->exports[i].rva;
            return 0;
        }
    return -1;
}

static int eval_symbol(struct gen *g, node_t *where, const char *tok, size_t len, uint64_t *out)
{
    char name[160];
    if (len >= sizeof(name))
        return fail(g, where, "symbol too long");
    memcpy(name, tok, len);
    name[len] = 0;
    char *bang = strchr(name, '!');
    if (bang)
        *bang = 0;
    struct module *m = mod_find(g, name);
    if (!m)
        return fail(g, where, "unknown module '%s'", name);
    uint32_t rva = 0;
    if (bang && mod_export(m, bang + 1, &rva) != 0)
        return fail(g, where, "module %s has no export '%s'", m->name, bang + 1);
    *out = m->base + rva;
    return 0;
}

int ex_eval(struct gen *g, node_t *where, const char *text, uint64_t *out)
{
    uint64_t acc = 0;
    int sign = 1, have_term = 0;
    const char *p = text;
    while (*p) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if (*p == '+' || *p == '-') {
            if (have_term == 0 && p != text && sign == -1)
                return fail(g, where, "bad expression '%s'", text);
            sign = *p == '-' ? -1 : 1;
            have_term = 0;
            p++;
            continue;
        }
        if (have_term)
            return fail(g, where, "missing operator in '%s'", text);
        size_t len = strcspn(p, "+- \t");
        uint64_t v = 0;
        if (parse_num(p, len, &v) != 0 && eval_symbol(g, where, p, len, &v) != 0)
            return -1;
        acc = sign > 0 ? acc + v : acc - v;
        have_term = 1;
        sign = 1;
        p += len;
    }
    if (!have_term)
        return fail(g, where, "empty or incomplete expression '%s'", text);
    *out = acc;
    return 0;
}

int ex_u64(struct gen *g, node_t *n, uint64_t *out)
{
    const char *t = sc_text(n);
    if (!t)
        return fail(g, n, "expected a number or address expression");
    return ex_eval(g, n, t, out);
}

int ex_opt_u64(struct gen *g, node_t *map, const char *key, uint64_t dflt, uint64_t *out)
{
    node_t *n = sc_get(g->sc, map, key);
    if (!n) {
        *out = dflt;
        return 0;
    }
    return ex_u64(g, n, out);
}

int ex_opt_bool(struct gen *g, node_t *map, const char *key, int dflt, int *out)
{
    node_t *n = sc_get(g->sc, map, key);
    const char *t = sc_text(n);
    if (!n) {
        *out = dflt;
        return 0;
    }
    if (t && (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "1")))
        *out = 1;
    else if (t && (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "0")))
        *out = 0;
    else
        return fail(g, n, "%s: expected true or false", key);
    return 0;
}

int ex_str(struct gen *g, node_t *map, const char *key, const char *dflt, const char **out)
{
    node_t *n = sc_get(g->sc, map, key);
    if (!n) {
        *out = dflt;
        return 0;
    }
    if (!sc_text(n))
        return fail(g, n, "%s: expected a string", key);
    *out = sc_text(n);
    return 0;
}

/* Typos in optional keys would otherwise silently give defaults. */
int ex_check_keys(struct gen *g, node_t *map, const char *const *allowed)
{
    if (!map)
        return 0;
    if (!sc_is_map(map))
        return fail(g, map, "expected a mapping");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        node_t *kn = yaml_document_get_node(&g->sc->doc, p->key);
        const char *k = sc_text(kn);
        size_t i = 0;
        while (allowed[i] && (!k || strcmp(allowed[i], k) != 0))
            i++;
        if (!allowed[i])
            return fail(g, kn, "unknown key '%s'", k ? k : "?");
    }
    return 0;
}

/* One bracketed field of a byte program: {EXPR} absolute pointer, <EXPR> rel32 to the field's end. */
static int prog_field(struct gen *g, node_t *n, const char **pp, uint64_t dest_va, struct bytes *out,
                      struct u64vec *relocs)
{
    char close = **pp == '{' ? '}' : '>';
    const char *start = *pp + 1, *end = strchr(start, close);
    char expr[160];
    uint64_t v;
    if (!end || (size_t)(end - start) >= sizeof(expr))
        return fail(g, n, "unterminated %c...%c field", **pp, close);
    memcpy(expr, start, (size_t)(end - start));
    expr[end - start] = 0;
    if (ex_eval(g, n, expr, &v) != 0)
        return -1;
    if (close == '}') {
        if (relocs)
            u64vec_push(relocs, out->n);
        bytes_put_le(out, v, ptr_size(g));
    } else {
        if (!dest_va)
            return fail(g, n, "a <rel32> field needs a virtual destination");
        int64_t rel = (int64_t)(v - (dest_va + out->n + 4));
        if (rel < INT32_MIN || rel > INT32_MAX)
            return fail(g, n, "<%s> is out of rel32 range", expr);
        bytes_put_le(out, (uint64_t)rel, 4);
    }
    *pp = end + 1;
    return 0;
}

static int prog_run(struct gen *g, node_t *n, const char *p, uint64_t dest_va, struct bytes *out,
                    struct u64vec *relocs)
{
    while (*p) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (*p == '{' || *p == '<') {
            if (prog_field(g, n, &p, dest_va, out, relocs) != 0)
                return -1;
        } else if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end)
                return fail(g, n, "unterminated quoted characters");
            bytes_put(out, p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
            char hex[3] = {p[0], p[1], 0};
            uint8_t b = (uint8_t)strtoul(hex, NULL, 16);
            bytes_put(out, &b, 1);
            p += 2;
        } else {
            return fail(g, n, "bad byte program near '%.12s'", p);
        }
    }
    return 0;
}

static int seq_values(struct gen *g, node_t *seq, unsigned width, struct bytes *out)
{
    if (!sc_is_seq(seq))
        return fail(g, seq, "expected a list of values");
    for (size_t i = 0; i < sc_len(seq); i++) {
        uint64_t v;
        if (ex_u64(g, sc_at(g->sc, seq, i), &v) != 0)
            return -1;
        bytes_put_le(out, v, width);
    }
    return 0;
}

static void put_utf16(struct bytes *out, const char *s)
{
    for (; *s; s++) /* scenario strings are ASCII; that is all the dumps we model need */
        bytes_put_le(out, (uint8_t)*s, 2);
}

int ex_data(struct gen *g, node_t *item, uint64_t dest_va, struct bytes *out, struct u64vec *relocs)
{
    static const char *const kinds[] = {"bytes", "dwords", "qwords", "words", "ptrs", "ascii", "utf16"};
    node_t *found = NULL;
    size_t kind = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        node_t *n = sc_get(g->sc, item, kinds[i]);
        if (n && found)
            return fail(g, n, "give one of bytes/dwords/qwords/words/ptrs/ascii/utf16 per item");
        if (n) {
            found = n;
            kind = i;
        }
    }
    if (!found)
        return fail(g, item, "no data (bytes/dwords/qwords/words/ptrs/ascii/utf16)");
    switch (kind) {
    case 0:
        if (!sc_text(found))
            return fail(g, found, "bytes: expected a string");
        return prog_run(g, found, sc_text(found), dest_va, out, relocs);
    case 1: return seq_values(g, found, 4, out);
    case 2: return seq_values(g, found, 8, out);
    case 3: return seq_values(g, found, 2, out);
    case 4: return seq_values(g, found, ptr_size(g), out);
    case 5:
        if (!sc_text(found))
            return fail(g, found, "ascii: expected a string");
        bytes_put(out, sc_text(found), strlen(sc_text(found)));
        return 0;
    default:
        if (!sc_text(found))
            return fail(g, found, "utf16: expected a string");
        put_utf16(out, sc_text(found));
        return 0;
    }
}
