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

int sw_os_listed(const char *list, const char *module)
{
    for (const char *line = list; line && *line;) {
        size_t len = strcspn(line, "\n");
        const char *end = line + len;
        const char *hash = memchr(line, '#', len);
        const char *p = line, *q = hash ? hash : end;
        while (p < q && isspace((unsigned char)*p)) p++;
        while (q > p && isspace((unsigned char)q[-1])) q--;
        if (q > p && sw_os_pattern_matches(p, (size_t)(q - p), module)) return 1;
        line = *end ? end + 1 : end;
    }
    return 0;
}

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
