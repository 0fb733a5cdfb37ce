/* One job's triage: the batch's per-dump child (dp_batch_job) forked from the worker, which loaded
 * and bound the pipeline once, so a job costs one fork. The worker never parses dump bytes itself:
 * a dump that crashes or hangs the reader costs only its child. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch_internal.h"
#include "job.h"
#include "sympath.h"

struct child_arg {
    struct batch *b;
    const char *path;
};

static void child(int fd, void *arg)
{
    struct child_arg *a = arg;
    /* Its own process group: a SIGTERM to the worker's group lets the jobs in hand finish. */
    setpgid(0, 0);
    signal(SIGTERM, SIG_DFL), signal(SIGINT, SIG_DFL), signal(SIGPIPE, SIG_DFL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0) _exit(127);
    struct chan ch = {.fd = fd, .b = a->b};
    dp_batch_job(a->b, a->path, &ch);
    dp_sympath_free(a->b->o->sympath); /* this child's temporary symbol store goes with it */
}

int dpq_job_start(struct dpq_job *j, struct batch *b)
{
    /* the child has its own copy of ARG: a stack variable outlives the fork */
    struct child_arg a = {b, j->path};
    if (dp_sv_start(&j->sv, b->timeout_ms, b->memory_bytes, child, &a) != 0) return -1;
    j->out_len = 0;
    j->state = DPQ_JOB_RUNNING;
    return 0;
}

void dpq_jobs_poll(struct dpq_job *jobs, size_t n, int timeout_ms)
{
    struct dp_sv *live[DPQ_MAX_SLOTS * 2];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof live / sizeof *live; i++)
        if (jobs[i].state == DPQ_JOB_RUNNING) live[k++] = &jobs[i].sv;
    if (k) dp_sv_poll(live, k, timeout_ms);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == DPQ_JOB_RUNNING && jobs[i].sv.done) jobs[i].state = DPQ_JOB_DONE;
}

static int keep_record(struct dpq_job *j, const unsigned char *p, size_t n)
{
    if (n + 1 > j->out_cap) {
        char *q = realloc(j->out, n + 1);
        if (!q) return -1;
        j->out = q, j->out_cap = n + 1;
    }
    memcpy(j->out, p, n);
    j->out[n] = 0, j->out_len = n;
    return 0;
}

/* Why the child gave no record, in one line. */
static void explain(const struct dp_sv *w, const struct decoded *d, char *err, size_t errlen)
{
    const char *stage = d->stage ? d->stage : "the triage";
    char sig[32];
    if (d->have_result) snprintf(err, errlen, "triage ended without a record: %s", *d->error ? d->error : "no message");
    else if (w->killed_for && !strcmp(w->killed_for, "timeout"))
        snprintf(err, errlen, "triage took longer than %.3g s (job timeout) in %s (killed)", (double)w->timeout_ms / 1000.0, stage);
    else if (w->killed_for && !strcmp(w->killed_for, "memory"))
        snprintf(err, errlen, "triage exceeded the memory limit of %llu MiB in %s (killed)", (unsigned long long)(w->memory_bytes >> 20), stage);
    else if (w->killed_for) snprintf(err, errlen, "%s sent back more than %zu MiB (killed)", stage, w->max_reply >> 20);
    else if (WIFSIGNALED(w->wstatus))
        snprintf(err, errlen, "%s crashed (%s)", stage, dp_sv_signal_name(WTERMSIG(w->wstatus), sig, sizeof sig));
    else snprintf(err, errlen, "%s ended (exit status %d) without a record", stage, WEXITSTATUS(w->wstatus));
}

int dpq_job_outcome(struct dpq_job *j, char *err, size_t errlen)
{
    struct decoded d = {0};
    dp_batch_decode(NULL, &d, j->sv.reply.data, 0, j->sv.reply.len);
    int rc = 0;
    /* the worker's pipeline has one sink, json: its bytes are the record */
    if (!d.have_result || !d.out[0] || !d.out_len[0] || d.out[0][0] != '{') explain(&j->sv, &d, err, errlen), rc = -1;
    else if (keep_record(j, d.out[0], d.out_len[0]) != 0) snprintf(err, errlen, "out of memory for the record"), rc = -1;
    dp_sv_free(&j->sv);
    return rc;
}
