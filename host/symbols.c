/* Breakpad text symbol files: MODULE os arch id debug_file / FUNC [m] addr size param_size name /
 * PUBLIC [m] addr param_size name; all numbers hexadecimal, addresses relative to the module base. */
#include "symbols.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

#define DP_SYMBOL_FILE_MAX (2ull << 30)

#define SYM_MAX_LINE (64 * 1024) /* longer than any demangled C++ name dump_syms writes */
#define SYM_MAX_MODULE_NAME 256

struct sym_entry {
    uint32_t addr, size; /* size 0 for PUBLIC */
    const char *name;
};

struct sym_module {
    const char *short_name;
    struct dp_vec funcs, publics; /* struct sym_entry, sorted by addr once loaded */
};

struct dp_symtab {
    struct dp_arena *arena; /* names */
    struct dp_vec modules;  /* struct sym_module */
};

struct dp_symtab *dp_symtab_new(void)
{
    struct dp_symtab *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (!(t->arena = dp_arena_new())) {
        free(t);
        return NULL;
    }
    dp_vec_init(&t->modules, sizeof(struct sym_module));
    return t;
}

static void module_release(struct sym_module *m)
{
    dp_vec_free(&m->funcs);
    dp_vec_free(&m->publics);
}

void dp_symtab_free(struct dp_symtab *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->modules.len; i++) module_release(dp_vec_at(&t->modules, i));
    dp_vec_free(&t->modules);
    dp_arena_free(t->arena);
    free(t);
}

/* ---- module names ---- */

static int stem_in(const char *stem, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && strncasecmp(stem, *list, n) == 0) return 1;
    return 0;
}

size_t dp_module_short_name(const char *name, char *out, size_t len)
{
    static const char *const kernels[] = {"ntoskrnl", "ntkrnlpa", "ntkrnlmp", "ntkrpamp", "ntkrla57", NULL};
    static const char *const hals[] = {"hal", "halacpi", "halaacpi", "halapic", "halmacpi", "halmps", "halmaps", "halsp", NULL};
    if (!name) name = "";
    for (const char *p = name; *p; p++)
        if (*p == '\\' || *p == '/') name = p + 1;
    const char *dot = strrchr(name, '.');
    size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    if (stem_in(name, n, kernels)) return (size_t)snprintf(out, len, "nt");
    if (stem_in(name, n, hals)) return (size_t)snprintf(out, len, "hal");
    return (size_t)snprintf(out, len, "%.*s", (int)n, name);
}

int dp_format_symbol(char *buf, size_t len, const char *module, const char *sym, uint64_t disp)
{
    if (!buf || !len) return DP_ERR_INVALID;
    if (!module) module = "";
    unsigned long long d = (unsigned long long)disp;
    int n;
    if (sym && disp) n = snprintf(buf, len, "%s!%s+0x%llx", module, sym, d);
    else if (sym) n = snprintf(buf, len, "%s!%s", module, sym);
    else if (disp) n = snprintf(buf, len, "%s+0x%llx", module, d);
    else n = snprintf(buf, len, "%s", module);
    return n >= 0 && (size_t)n < len ? DP_OK : DP_ERR_INVALID;
}

/* ---- parsing ---- */

struct sym_parser {
    struct dp_symtab *t;
    struct sym_module mod;
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
    const char *name = rest;
    for (int field = 0; field < 3; field++) { /* os, arch, id */
        const char *sp = strchr(name, ' ');
        if (!sp || sp == name) return parse_error(p, "MODULE needs: os arch id debug_file");
        name = sp + 1;
    }
    if (!*name || strlen(name) > SYM_MAX_MODULE_NAME) return parse_error(p, "MODULE debug file name missing or too long");
    char short_name[SYM_MAX_MODULE_NAME + 1];
    dp_module_short_name(name, short_name, sizeof short_name);
    for (size_t i = 0; i < p->t->modules.len; i++) {
        const struct sym_module *m = dp_vec_at(&p->t->modules, i);
        if (strcasecmp(m->short_name, short_name) == 0)
            return parse_error(p, "symbols for module '%s' are already loaded", short_name);
    }
    if (!(p->mod.short_name = dp_arena_strdup(p->t->arena, short_name))) return DP_ERR_NOMEM;
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
    struct sym_entry *e = dp_vec_push(is_func ? &p->mod.funcs : &p->mod.publics);
    if (!e) return DP_ERR_NOMEM;
    e->addr = (uint32_t)addr, e->size = (uint32_t)size;
    if (!(e->name = dp_arena_strdup(p->t->arena, rest))) return DP_ERR_NOMEM;
    return DP_OK;
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

static int cmp_entry(const void *a, const void *b)
{
    const struct sym_entry *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

static int parse_stream(struct sym_parser *p, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = DP_OK;
    while (rc == DP_OK && (got = getline(&line, &cap, f)) >= 0) {
        p->line_no++;
        if ((size_t)got > SYM_MAX_LINE) rc = parse_error(p, "line longer than %d bytes", SYM_MAX_LINE);
        else if (memchr(line, 0, (size_t)got)) rc = parse_error(p, "NUL byte in a text file");
        else rc = parse_line(p, line);
    }
    free(line);
    if (rc == DP_OK && ferror(f)) rc = parse_error(p, "read error: %s", strerror(errno));
    if (rc == DP_OK && !p->have_module) rc = parse_error(p, "no MODULE record");
    return rc;
}

int dp_symtab_load(struct dp_symtab *t, const char *path, char *err, size_t errlen)
{
    if (!t || !path) return DP_ERR_INVALID;
    struct sym_parser p = {.t = t, .path = path, .err = err, .errlen = errlen};
    dp_vec_init(&p.mod.funcs, sizeof(struct sym_entry));
    dp_vec_init(&p.mod.publics, sizeof(struct sym_entry));
    /* a FIFO or /dev/zero would block or grow without end: regular files only, capped */
    int fd = dp_open_regular(path, "symbol file", DP_SYMBOL_FILE_MAX, NULL, err, errlen);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0) close(fd), snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return DP_ERR_IO;
    }
    int rc = parse_stream(&p, f);
    fclose(f);
    struct sym_module *slot = rc == DP_OK ? dp_vec_push(&t->modules) : NULL;
    if (rc == DP_OK && !slot) rc = DP_ERR_NOMEM;
    if (rc != DP_OK) {
        if (rc == DP_ERR_NOMEM && err && errlen) snprintf(err, errlen, "%s: out of memory", path);
        module_release(&p.mod);
        return rc;
    }
    if (p.mod.funcs.len > 1) qsort(p.mod.funcs.data, p.mod.funcs.len, sizeof(struct sym_entry), cmp_entry);
    if (p.mod.publics.len > 1) qsort(p.mod.publics.data, p.mod.publics.len, sizeof(struct sym_entry), cmp_entry);
    *slot = p.mod;
    return DP_OK;
}

/* ---- lookup ---- */

/* The last entry at or below rva, or NULL. */
static const struct sym_entry *floor_entry(const struct dp_vec *v, uint32_t rva)
{
    size_t lo = 0, hi = v->len;
    const struct sym_entry *e = v->data;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].addr <= rva) lo = mid + 1;
        else hi = mid;
    }
    return lo ? &e[lo - 1] : NULL;
}

int dp_symtab_lookup(const struct dp_symtab *t, const char *module_name, uint32_t rva, const char **name, uint32_t *disp)
{
    if (!t || !module_name || !name || !disp) return DP_ERR_INVALID;
    char want[SYM_MAX_MODULE_NAME + 1];
    dp_module_short_name(module_name, want, sizeof want);
    for (size_t i = 0; i < t->modules.len; i++) {
        const struct sym_module *m = dp_vec_at(&t->modules, i);
        if (strcasecmp(m->short_name, want) != 0) continue;
        const struct sym_entry *f = floor_entry(&m->funcs, rva);
        if (!f || rva - f->addr >= f->size) f = floor_entry(&m->publics, rva);
        if (!f) return DP_ERR_NOT_FOUND;
        *name = f->name;
        *disp = rva - f->addr;
        return DP_OK;
    }
    return DP_ERR_NOT_FOUND;
}
