/* The worker's state, filled from the command line by worker_main.c and run by worker.c. */
#ifndef DP_QUEUE_WORKER_H
#define DP_QUEUE_WORKER_H

#include "batch_internal.h"
#include "job.h"
#include "record.h"

struct dpq_worker {
    struct dpq_conf q;
    struct dpq_conn k;
    struct dpq_ident id;
    struct dpq_job *jobs;
    size_t slots, entries; /* -j N; entries = 2N (N running, N finished and waiting to be recorded) */
    struct batch batch;        /* the pipeline, loaded and bound once, with one json sink; the children's limits */
    struct dp_run_options run; /* what each child's triage runs with */
    uint64_t timeout_ms, claim_idle_ms, next_claim, next_beat;
    long long max_deliveries;
    int group_ready, verbose;
    unsigned long long recorded, duplicates, failed, dead;
};

/* Runs until SIGTERM/SIGINT, then finishes the jobs in hand; returns an enum dp_exit. */
int dpq_worker_run(struct dpq_worker *w);

#endif
