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
    DP_EXIT_BAD_DUMP = 3,      /* dump unreadable or malformed, or its triage crashed or hit a limit */
    DP_EXIT_PLUGIN_FAILED = 4, /* a plugin failed; the others' findings were still reported */
};

/* The worse of two exit codes: bad dump > plugin failure > internal > usage-free success. */
int dp_exit_worst(int a, int b);

struct dp_run_options {
    int isolation; /* plugin steps in children; -1: as the pipeline says */
    int verbosity;
    const char *output_file; /* -O: overrides every sink's output */
    int supervise;           /* each dump in its own supervised child (0: --no-isolation, or a library caller) */
    int jobs;                /* dumps at a time; 0: one per CPU */
    uint64_t dump_timeout_ms, dump_memory_bytes; /* 0: the pipeline's, else the defaults */
    int summary;                                 /* --summary: a bucket table at the end */
    int progress;                                /* -1: on a terminal; 0 never */
    struct dp_sympath *sympath; /* the run's symbol path (-s, pipeline, environment); NULL: none */
    const char *dump_format; /* --format: NULL or "auto" (by content), "raw" (flat physical image) */
};

/* What the triage tells whoever watches it (the batch runner, possibly across a pipe). */
struct dp_triage_hooks {
    void (*stage)(void *arg, const char *what); /* what runs now, so a crash can be named */
    void (*input)(void *arg, uint64_t size, const char *sha256);
    void (*progress)(void *arg, const char *plugin, uint64_t done, uint64_t total, const char *what);
    void *arg;
};

struct dp_triage_result {
    int exit;           /* enum dp_exit */
    const char *status; /* dp_run_info.input_status: "ok", "unreadable", "malformed", "memory" */
    char error[1024];   /* one line naming the file; empty when status is "ok" */
    char bucket[256], culprit[256];
};

/* Hashes, opens and triages PATH, rendering sink i into OUTS[i]; a dump that cannot be opened
 * still gets its record (a context without a dump whose run info says why). */
void dp_triage_one(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *path,
                   const struct dp_run_options *o, FILE **outs, const struct dp_triage_hooks *h,
                   struct dp_triage_result *r);

/* The record of an input that was not triaged (RUN says why), rendered by every sink into OUTS. */
int dp_render_failure(const struct dp_pipeline *p, const struct dp_run_info *run, int verbosity, FILE **outs);

/* Renders C through the pipeline's sinks, sink i into OUTS[i]. */
int dp_render(struct dp_ctx *c, const struct dp_pipeline *p, FILE **outs);

/* One dump in this process, written to the pipeline's outputs (library callers, fuzzing). */
int dp_triage_dump(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *dump_path,
                   const struct dp_run_options *o);

#endif
