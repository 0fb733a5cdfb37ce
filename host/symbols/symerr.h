/* The one-line error of a symbol file: "NAME: what is wrong". */
#ifndef DP_HOST_SYMBOLS_SYMERR_H
#define DP_HOST_SYMBOLS_SYMERR_H

#include <stddef.h>

/* Writes "NAME: " and the formatted text into err; returns DP_ERR_BAD_DATA. */
int dp_symerr(char *err, size_t errlen, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
