/* The run's symbol path from the command line, the pipeline and the environment (sympath_setup.c). */
#ifndef DP_HOST_SYMPATH_SETUP_H
#define DP_HOST_SYMPATH_SETUP_H

#include "pipeline.h"

struct dp_sympath;
struct dp_symtab;

/* -s SPECS, then P's `symbols:`, then $DUMPPIPE_SYMBOL_PATH, then $_NT_SYMBOL_PATH. Errors are
 * printed (one line); DP_OK or DP_ERR_INVALID (a usage error) or DP_ERR_NOMEM. */
int dp_sympath_setup(const char *const *specs, size_t n_specs, const struct dp_pipeline *p, struct dp_sympath **out);
/* The path's FILE entries (PDB, ISF, .sym), loaded into *OUT through the process-wide cache (NULL
 * when there are none). A file that does not load is printed and fails the call. */
int dp_sympath_load_files(const struct dp_sympath *sp, struct dp_symtab **out);

#endif
