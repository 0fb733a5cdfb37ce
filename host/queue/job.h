/* A job taken from the stream and the supervised child that triages it. */
#ifndef DP_QUEUE_JOB_H
#define DP_QUEUE_JOB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "supervise.h"

enum { DPQ_MAX_SLOTS = 256 };
enum dpq_job_state { DPQ_JOB_FREE, DPQ_JOB_RUNNING, DPQ_JOB_DONE };

struct batch;

struct dpq_job {
    enum dpq_job_state state;
    char id[48], sha[65], submitted[24];
    char path[PATH_MAX];
    long long deliveries;
    struct dp_sv sv; /* the triage child: its frames, limits and end */
    char *out;       /* the record (the json sink's bytes), NUL-terminated */
    size_t out_len, out_cap;
};

/* Starts J's triage under B (the worker's bound pipeline, one json sink) in a supervised child;
 * 0 or -1 (errno: fork/pipe failed). */
int dpq_job_start(struct dpq_job *j, struct batch *b);
/* Reads the running children's frames for up to TIMEOUT_MS, enforcing their limits, and marks the
 * finished ones DPQ_JOB_DONE. */
void dpq_jobs_poll(struct dpq_job *jobs, size_t n, int timeout_ms);
/* For a finished job: 0 when its record is in j->out, else -1 with why in ERR. The child's
 * frames are freed either way. */
int dpq_job_outcome(struct dpq_job *j, char *err, size_t errlen);

#endif
