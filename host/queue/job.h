/* A job taken from the stream and the child process that triages it. */
#ifndef DP_QUEUE_JOB_H
#define DP_QUEUE_JOB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { DPQ_MAX_SLOTS = 256 };
enum dpq_job_state { DPQ_JOB_FREE, DPQ_JOB_RUNNING, DPQ_JOB_DONE };

struct dpq_job {
    enum dpq_job_state state;
    char id[48], sha[65], submitted[24];
    char path[PATH_MAX];
    long long deliveries;
    pid_t pid;
    int fd[2]; /* the child's stdout (the record) and stderr */
    int status, timed_out, too_big;
    uint64_t deadline;
    char *out; /* the record */
    size_t out_len, out_cap;
    char err[1024];
    size_t err_len;
};

/* Starts ARGV (ARGV[ARGC - 1] is set to the dump's path) for J; 0 or -1 (fork/pipe failed). */
int dpq_job_start(struct dpq_job *j, const char **argv, size_t argc, uint64_t now, uint64_t timeout_ms);
/* Reads the running children's output for up to TIMEOUT_MS, kills those past their deadline and
 * marks the finished ones DPQ_JOB_DONE. */
void dpq_jobs_poll(struct dpq_job *jobs, size_t n, int timeout_ms, uint64_t now);
/* For a finished job: 0 when its record is in j->out, else -1 with why in ERR. */
int dpq_job_outcome(struct dpq_job *j, char *err, size_t errlen);

#endif
