/* Where the sinks write: standard output, -O, or each sink's `output:`. Opened once per run, after
 * checking that none of them is one of the run's inputs; every write and close is checked. */
#ifndef DP_HOST_OUTPUTS_H
#define DP_HOST_OUTPUTS_H

#include <stdio.h>
#include <sys/types.h>

#include "pipeline.h"

/* A file the run reads (dump, pipeline, symbol file), by identity rather than by name. */
struct dp_file_id {
    dev_t dev;
    ino_t ino;
    const char *path, *role;
};
/* Appends PATH's identity to IDS (struct dp_file_id) when it exists; PATH must outlive IDS. */
int dp_file_id_add(struct dp_vec *ids, const char *path, const char *role);

enum { DP_MAX_OUTPUTS = 64 };

struct dp_outputs {
    struct {
        const char *path; /* NULL: standard output */
        FILE *f;
        int failed;
    } dest[DP_MAX_OUTPUTS];
    size_t n_dest, n_sinks;
    size_t sink_dest[DP_MAX_OUTPUTS]; /* sink i writes to dest[sink_dest[i]] */
};

/* Refuses (exit 2) an output that is one of INPUTS, then opens every output afresh (exit 1 when
 * one cannot be). Returns an enum dp_exit, with the one-line error printed. */
int dp_outputs_open(struct dp_outputs *o, const struct dp_pipeline *p, const char *override, const struct dp_vec *inputs);
FILE *dp_outputs_file(struct dp_outputs *o, size_t sink);
/* Writes DATA to sink's output and flushes it; after the first error that output is skipped. */
void dp_outputs_write(struct dp_outputs *o, size_t sink, const void *data, size_t len);
/* Flushes and closes; returns DP_EXIT_INTERNAL when any output could not be written. */
int dp_outputs_close(struct dp_outputs *o);
/* The name of sink's output in messages. */
const char *dp_outputs_name(const struct dp_outputs *o, size_t sink, char *buf, size_t len);

#endif
