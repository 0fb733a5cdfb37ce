/* Breakpad text symbol files: MODULE os arch id debug_file / FUNC [m] addr size param_size name /
 * PUBLIC [m] addr param_size name; all numbers hexadecimal, addresses relative to the module base. */
#include <ctype.h>
#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "symfile.h"
#include "util.h"

#define SYM_MAX_LINE (64 * 1024) /* longer than any demangled C++ name dump_syms writes */
#define SYM_MAX_MODULE_NAME 256

/* ---- parsing ---- */

struct sym_parser {
    struct dp_symfile *f;
    int have_module;
    const char *path;
    size_t line_no;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int parse_error(struct sym_parser *p, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        int n = snprintf(p->err, p->errlen, "%s:%zu: ", p->path, p->line_no);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return DP_ERR_BAD_DATA;
}

/* One hexadecimal field followed by a single space; advances *s past both. */
static int hex_field(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    int digits = 0;
    for (; isxdigit((unsigned char)*p); p++, digits++) {
        if (digits == 16) return 0;
        v = v << 4 | (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
    }
    if (!digits || *p != ' ') return 0;
    *s = p + 1;
    *out = v;
    return 1;
}

static int module_record(struct sym_parser *p, const char *rest)
{
    if (p->have_module) return parse_error(p, "second MODULE record (one module per file)");
    const char *name = rest, *id = NULL;
    size_t id_len = 0;
    for (int field = 0; field < 3; field++) { /* os, arch, id */
        const char *sp = strchr(name, ' ');
        if (!sp || sp == name) return parse_error(p, "MODULE needs: os arch id debug_file");
        if (field == 2) id = name, id_len = (size_t)(sp - name);
        name = sp + 1;
    }
    if (!*name || strlen(name) > SYM_MAX_MODULE_NAME) return parse_error(p, "MODULE debug file name missing or too long");
    if (!(p->f->pdb_name = dp_arena_strdup(p->f->arena, name))) return DP_ERR_NOMEM;
    /* the id is the PDB's GUID and age, the symbol-store key itself */
    if (id_len > 32 && id_len < sizeof p->f->id && strspn(id, "0123456789abcdefABCDEF") >= id_len)
        for (size_t i = 0; i < id_len; i++) p->f->id[i] = (char)toupper((unsigned char)id[i]);
    p->have_module = 1;
    return DP_OK;
}

/* FUNC [m] addr size param_size name / PUBLIC [m] addr param_size name */
static int symbol_record(struct sym_parser *p, const char *rest, int is_func)
{
    const char *kind = is_func ? "FUNC" : "PUBLIC";
    if (!p->have_module) return parse_error(p, "%s before the MODULE record", kind);
    if (rest[0] == 'm' && rest[1] == ' ') rest += 2; /* "multiple": the code is shared by several names */
    uint64_t addr, size = 0, params;
    if (!hex_field(&rest, &addr) || (is_func && !hex_field(&rest, &size)) || !hex_field(&rest, &params))
        return parse_error(p, "%s: malformed hexadecimal field", kind);
    if (!*rest) return parse_error(p, "%s: name missing", kind);
    if (addr > UINT32_MAX || size > UINT32_MAX - addr) return parse_error(p, "%s: address past 4 GiB", kind);
    const char *name = dp_arena_strdup(p->f->arena, rest);
    if (!name) return DP_ERR_NOMEM;
    /* a FUNC of size 0 covers nothing; it still names its first byte */
    return dp_symidx_add(&p->f->idx, (uint32_t)addr, is_func ? (uint32_t)(size ? size : 1) : 0, 0, name);
}

static int parse_line(struct sym_parser *p, char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (!n) return DP_OK;
    if (strncmp(line, "MODULE ", 7) == 0) return module_record(p, line + 7);
    if (!p->have_module) return parse_error(p, "file does not start with a MODULE record");
    if (strncmp(line, "FUNC ", 5) == 0) return symbol_record(p, line + 5, 1);
    if (strncmp(line, "PUBLIC ", 7) == 0) return symbol_record(p, line + 7, 0);
    return DP_OK; /* FILE, INFO, STACK, INLINE and line records: not needed to name an address */
}

int dp_breakpad_load(struct dp_symfile *f, const char *text, size_t len, char *err, size_t errlen)
{
    struct sym_parser p = {.f = f, .path = f->path, .err = err, .errlen = errlen};
    f->kind = "sym";
    int rc = DP_OK;
    char *line = malloc(SYM_MAX_LINE + 1);
    if (!line) return DP_ERR_NOMEM;
    for (size_t pos = 0; rc == DP_OK && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        p.line_no++;
        if (n > SYM_MAX_LINE) rc = parse_error(&p, "line longer than %d bytes", SYM_MAX_LINE);
        else if (memchr(text + pos, 0, n)) rc = parse_error(&p, "NUL byte in a text file");
        else {
            memcpy(line, text + pos, n);
            line[n] = 0;
            rc = parse_line(&p, line);
        }
        pos += n;
    }
    free(line);
    if (rc == DP_OK && !p.have_module) rc = parse_error(&p, "no MODULE record");
    if (rc == DP_OK) dp_symidx_sort(&f->idx);
    return rc;
}
