#include "sw_os.h"

#include <ctype.h>
#include <string.h>

/* "\\SystemRoot\\system32\\drivers\\Ntfs.sys" -> "Ntfs", as a pointer and a length. */
static const char *short_name(const char *module, size_t *len)
{
    const char *base = module;
    for (const char *p = module; *p; p++)
        if (*p == '\\' || *p == '/') base = p + 1;
    const char *dot = strrchr(base, '.');
    *len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return base;
}

static int same_char(char a, char b) { return tolower((unsigned char)a) == tolower((unsigned char)b); }

int sw_os_pattern_matches(const char *pattern, size_t len, const char *module)
{
    if (!pattern || !module || !len) return 0;
    size_t n;
    const char *name = short_name(module, &n);
    int prefix = pattern[len - 1] == '*';
    size_t want = prefix ? len - 1 : len;
    /* a pattern written with its extension ("Ntfs.sys") is shortened the same way */
    for (size_t i = 0; i < want; i++)
        if (pattern[i] == '.' && !prefix) want = i;
    if (prefix ? n < want : n != want) return 0;
    for (size_t i = 0; i < want; i++)
        if (!same_char(pattern[i], name[i])) return 0;
    return 1;
}

/* Calls MATCH on each pattern of LIST (one a line, '#' comments, blanks trimmed) until it says yes. */
static int any_line(const char *list, int (*match)(const char *p, size_t len, const void *arg), const void *arg)
{
    for (const char *line = list; line && *line;) {
        size_t len = strcspn(line, "\n");
        const char *end = line + len, *hash = memchr(line, '#', len);
        const char *p = line, *q = hash ? hash : end;
        while (p < q && isspace((unsigned char)*p)) p++;
        while (q > p && isspace((unsigned char)q[-1])) q--;
        if (q > p && match(p, (size_t)(q - p), arg)) return 1;
        line = *end ? end + 1 : end;
    }
    return 0;
}

static int os_line(const char *p, size_t len, const void *module) { return sw_os_pattern_matches(p, len, module); }

int sw_os_listed(const char *list, const char *module) { return any_line(list, os_line, module); }

int sw_is_os_module(const char *module, const char *const *extra, size_t n_extra)
{
    if (!module || !*module) return 0;
    if (sw_os_listed(sw_builtin_os_modules, module)) return 1;
    for (size_t i = 0; i < n_extra; i++)
        if (extra[i] && sw_os_pattern_matches(extra[i], strlen(extra[i]), module)) return 1;
    return 0;
}

size_t sw_first_non_os(const char *const *modules, size_t n, const char *const *extra, size_t n_extra)
{
    for (size_t i = 0; i < n; i++)
        if (modules[i] && *modules[i] && !sw_is_os_module(modules[i], extra, n_extra)) return i;
    return n;
}

static int same_text(const char *a, size_t n, const char *b, size_t m)
{
    if (n != m) return 0;
    for (size_t i = 0; i < n; i++)
        if (!same_char(a[i], b[i])) return 0;
    return 1;
}

/* One "module!function*" pattern against a symbol's module and function. */
static int skip_matches(const char *p, size_t len, const char *mod, size_t mod_len, const char *fn, size_t fn_len)
{
    const char *bang = memchr(p, '!', len);
    if (!bang || !same_text(p, (size_t)(bang - p), mod, mod_len)) return 0;
    const char *f = bang + 1;
    size_t flen = len - (size_t)(f - p);
    if (flen && f[flen - 1] == '*') return fn_len >= flen - 1 && same_text(f, flen - 1, fn, flen - 1);
    return same_text(f, flen, fn, fn_len);
}

struct skip_target {
    const char *mod, *fn;
    size_t mod_len, fn_len;
};

static int skip_line(const char *p, size_t len, const void *arg)
{
    const struct skip_target *t = arg;
    return skip_matches(p, len, t->mod, t->mod_len, t->fn, t->fn_len);
}

int sw_skip_listed(const char *list, const char *symbol)
{
    const char *bang = symbol ? strchr(symbol, '!') : NULL;
    if (!bang || !bang[1]) return 0;
    const char *plus = strstr(bang + 1, "+0x");
    struct skip_target t = {.mod = symbol, .mod_len = (size_t)(bang - symbol), .fn = bang + 1,
                            .fn_len = plus ? (size_t)(plus - bang - 1) : strlen(bang + 1)};
    return any_line(list, skip_line, &t);
}

int sw_is_machinery(const char *symbol) { return sw_skip_listed(sw_builtin_skip_functions, symbol); }
