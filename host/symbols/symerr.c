#include "symerr.h"

#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stdio.h>

int dp_symerr(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    if (!err || !errlen) return DP_ERR_BAD_DATA;
    int n = snprintf(err, errlen, "%s: ", name);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return DP_ERR_BAD_DATA;
}
