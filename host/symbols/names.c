/* The names dumppipe prints: WinDbg's module names and "module!symbol+0xdisp". */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "symbols.h"

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

