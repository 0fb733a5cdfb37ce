/* The run's symbol path from the command line, the pipeline and the environment (sympath_setup.c). */
#ifndef DP_HOST_SYMPATH_SETUP_H
#define DP_HOST_SYMPATH_SETUP_H

#include "pipeline.h"

struct dp_sympath;
struct dp_symtab;

/* -s SPECS, then P's `symbols:`, then $DUMPPIPE_SYMBOL_PATH, then $_NT_SYMBOL_PATH. Errors are
 * printed (one line); DP_OK or DP_ERR_INVALID (a usage error) or DP_ERR_NOMEM. */
int dp_sympath_setup(const char *const *specs, size_t n_specs, const struct dp_pipeline *p, struct dp_sympath **out);
/* The Breakpad .sym files among the path's FILE entries, loaded into *OUT (NULL when there are none). */
int dp_sympath_load_breakpad(const struct dp_sympath *sp, struct dp_symtab **out);

#endif
