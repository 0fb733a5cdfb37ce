/* Running one analyzer step, in a forked child (the default) or in-process. */
#ifndef DP_HOST_STEP_H
#define DP_HOST_STEP_H

#include <dumppipe/dumppipe.h>
#include <stdint.h>

#include "context.h"
#include "pipeline.h"

enum { DP_DEFAULT_TIMEOUT_MS = 60000 };
#define DP_DEFAULT_MEMORY_BYTES (2048ull << 20)

struct dp_step_outcome {
    const char *status; /* "ok", "failed", "crashed", "timeout", "memory" */
    char message[600];
};

/* Runs the step; what it adds lands in C; a failure becomes the outcome, never the host's problem. */
void dp_step_run_inprocess(struct dp_ctx *c, const struct dp_step_config *s, struct dp_step_outcome *out);
void dp_step_run_isolated(struct dp_ctx *c, const struct dp_step_config *s, uint64_t timeout_ms,
                          uint64_t memory_bytes, struct dp_step_outcome *out);

/* init, run, fini; returns run's status (or init's) with C's error message set. */
int dp_step_call_plugin(struct dp_ctx *c, const struct dp_step_config *s);

#endif
