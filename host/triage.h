/* Triage of one dump: open it, run the pipeline's steps over one context, summarise, render. */
#ifndef DP_HOST_TRIAGE_H
#define DP_HOST_TRIAGE_H

#include <stdio.h>

#include "pipeline.h"

struct dp_symtab;

/* Documented exit codes (README): the worst outcome of all dumps wins. */
enum dp_exit {
    DP_EXIT_OK = 0,
    DP_EXIT_INTERNAL = 1,      /* out of memory, cannot write the output */
    DP_EXIT_USAGE = 2,         /* bad command line or invalid pipeline */
    DP_EXIT_BAD_DUMP = 3,      /* dump unreadable or malformed */
    DP_EXIT_PLUGIN_FAILED = 4, /* a plugin failed; the others' findings were still reported */
};

struct dp_run_options {
    int isolation; /* -1: as the pipeline says */
    int verbosity;
    const char *output_file; /* -O: overrides every sink's output */
    struct dp_sympath *sympath; /* the run's symbol path (-s, pipeline, environment); NULL: none */
    const char *dump_format; /* --format: NULL or "auto" (by content), "raw" (flat physical image) */
};

/* Returns an enum dp_exit; a dump-level error line goes to stderr. */
int dp_triage_dump(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *dump_path,
                   const struct dp_run_options *o);

/* Renders C through the pipeline's sinks. */
int dp_run_sinks(struct dp_ctx *c, const struct dp_pipeline *p, const struct dp_run_options *o);

#endif
