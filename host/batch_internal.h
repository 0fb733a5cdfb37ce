/* Between batch.c (the parent: scheduling, writing) and batch_job.c (a dump's triage in its child,
 * and the frames it sends back). Internal to the host. */
#ifndef DP_HOST_BATCH_INTERNAL_H
#define DP_HOST_BATCH_INTERNAL_H

#include "batch.h"
#include "outputs.h"
#include "progress.h"
#include "wire.h"

struct batch {
    const struct dp_pipeline *p;
    const struct dp_symtab *symtab;
    const struct dp_run_options *o;
    struct dp_outputs *outs;
    struct dp_progress_line prog;
    struct dp_buckets buckets;
    uint64_t timeout_ms, memory_bytes, as_budget;
};

/* A dump's child limits (timeout, memory, address-space budget) from B's pipeline and options. */
void dp_batch_limits(struct batch *b);

/* Where a triage reports: a pipe to the parent (fd), or memory in this process (--no-isolation). */
struct chan {
    int fd;
    struct dp_wbuf mem;
    struct batch *b;
    uint64_t progress_ms;
};

/* Sinks render into memory; the parent writes each dump's bytes in input order. */
struct membufs {
    FILE *f[DP_MAX_OUTPUTS];
    char *data[DP_MAX_OUTPUTS];
    size_t len[DP_MAX_OUTPUTS], n;
};
int dp_membufs_open(struct membufs *m, size_t n);
int dp_membufs_close(struct membufs *m);
void dp_membufs_free(struct membufs *m);

/* The triage of PATH, reported through CH as frames. */
void dp_batch_job(struct batch *b, const char *path, struct chan *ch);

/* What the frames of one dump said. */
struct decoded {
    int have_input, have_result;
    uint64_t size;
    char sha256[65];
    const char *stage, *status, *error, *bucket, *culprit;
    int exit;
    const unsigned char *out[DP_MAX_OUTPUTS];
    size_t out_len[DP_MAX_OUTPUTS];
};
/* Handles the complete frames in BUF[from..len) into D (progress frames go to B's progress line
 * unless B is NULL); returns where the first incomplete frame starts. */
size_t dp_batch_decode(struct batch *b, struct decoded *d, const unsigned char *buf, size_t from, size_t len);

#endif
