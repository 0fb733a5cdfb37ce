/* A batch: every input triaged in its own supervised child, N at a time, reports written in
 * input order; failures become records too. */
#ifndef DP_HOST_BATCH_H
#define DP_HOST_BATCH_H

#include <stdio.h>

#include "triage.h"
#include "util.h"

struct dp_symtab;
struct dp_outputs;

/* Triages PATHS[0..N) into OUTS; returns the worst enum dp_exit. */
int dp_batch_run(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *const *paths, size_t n,
                 const struct dp_run_options *o, struct dp_outputs *outs);

/* --summary: buckets in order of count (then first appearance). */
struct dp_buckets {
    struct dp_arena *arena;
    struct dp_vec rows; /* struct dp_bucket_row */
};
struct dp_bucket_row {
    const char *bucket, *culprit, *first, *last;
    size_t count, first_index;
};
int dp_buckets_add(struct dp_buckets *b, const char *bucket, const char *culprit, const char *path);
/* The table; 0, or -1 when F could not be written. */
int dp_buckets_print(struct dp_buckets *b, FILE *f, size_t n_dumps);
void dp_buckets_free(struct dp_buckets *b);

#endif
