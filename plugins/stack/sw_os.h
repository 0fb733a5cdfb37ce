/* Which modules belong to the operating system: the built-in list (os_modules.txt, compiled in)
 * plus names a pipeline adds. Pure text matching, no host needed. */
#ifndef SW_OS_H
#define SW_OS_H

#include <stddef.h>

extern const char sw_builtin_os_modules[]; /* os_modules.txt, embedded at build time */

/* Does PATTERN (LEN bytes: a name without extension, optionally ending in '*') name MODULE?
 * MODULE is compared without its directory and last extension, case-insensitively. */
int sw_os_pattern_matches(const char *pattern, size_t len, const char *module);

/* Is MODULE named by a line of LIST (one pattern a line, '#' starts a comment)? */
int sw_os_listed(const char *list, const char *module);

/* Is MODULE an operating-system module: in the built-in list or one of EXTRA[0..n_extra)? */
int sw_is_os_module(const char *module, const char *const *extra, size_t n_extra);

/* Index of the first of MODULES[0..n) (one per frame, NULL where a frame is in no module) that is
 * not an operating-system module; n when every frame belongs to the OS. */
size_t sw_first_non_os(const char *const *modules, size_t n, const char *const *extra, size_t n_extra);

extern const char sw_builtin_skip_functions[]; /* skip_functions.txt, embedded at build time */

/* Is SYMBOL ("nt!KeBugCheckEx+0x1b", as dp_symbolize writes it) a function of LIST (lines of
 * `module!function`, function patterns may end in '*')? "nt+0x3f5a80" never is: no function known. */
int sw_skip_listed(const char *list, const char *symbol);
int sw_is_machinery(const char *symbol);

#endif
