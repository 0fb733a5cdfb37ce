/* Text renderings of a decoded bug check, laid out as WinDbg's `!analyze -v` / `!analyze -show` head. */
#ifndef BUGCHECK_BC_FORMAT_H
#define BUGCHECK_BC_FORMAT_H

#include <stddef.h>

#include "bc_db.h"

/* Hex digits per parameter: 8 for 4-byte pointers, 16 for 8-byte ones (anything else: 8, unless a
 * parameter needs more). */
unsigned bc_param_width(unsigned ptr_size, const uint64_t params[4]);

/* The analysis text: name and code, description, "Arguments:" and one line per parameter; with FULL the
 * longer explanation and the table of known subtype values follow. Writes at most CAP bytes including
 * the NUL (BUF may be NULL when CAP is 0) and returns the length the whole text needs, as snprintf does. */
size_t bc_format_analysis(const struct bc_decoded *d, unsigned ptr_size, int full, char *buf, size_t cap);

/* One line for the finding's title: "BAD_POOL_HEADER (0x19): a pool block header size is corrupt." */
size_t bc_format_title(const struct bc_decoded *d, char *buf, size_t cap);

/* The four parameters as "0x20 0xa34583b8 0xa34584f0 0xa270001". */
size_t bc_format_params(const struct bc_decoded *d, char *buf, size_t cap);

#endif
