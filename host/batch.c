#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch_internal.h"
#include "step.h"
#include "supervise.h"
#include "sympath.h"

enum { DP_DUMP_SLACK_MS = 60000, DP_MAX_JOBS = 128 };

struct job_arg {
    struct batch *b;
    const char *path;
};

static void job_child(int fd, void *arg)
{
    struct job_arg *a = arg;
    struct chan ch = {.fd = fd, .b = a->b};
    dp_batch_job(a->b, a->path, &ch);
    /* what this child's symbol searches created (a temporary store) goes with it; the parent
     * searches no symbols itself, so nothing it shares is removed */
    dp_sympath_free(a->b->o->sympath);
}

/* ---- the parent: jobs ---- */

struct job {
    struct batch *b;
    struct job_arg arg;
    struct dp_sv sv;
    size_t shown; /* bytes of the reply already decoded for progress */
    int start_errno;
};

static void on_child_data(struct dp_sv *w, void *arg)
{
    struct job *j = arg;
    struct decoded d = {0};
    j->shown = dp_batch_decode(j->b, &d, w->reply.data, j->shown, w->reply.len);
}

/* Why a child gave no result, as the input's status and one line naming the file. */
static int explain_death(const struct batch *b, const struct job *j, const struct decoded *d, const char **status,
                         char *msg, size_t len)
{
    const char *path = j->arg.path, *stage = d->stage ? d->stage : "the triage";
    const struct dp_sv *w = &j->sv;
    char sig[32];
    *status = "crashed";
    if (j->start_errno) {
        *status = "unreadable";
        snprintf(msg, len, "%s: cannot start a child process to triage it: %s", path, strerror(j->start_errno));
        return DP_EXIT_INTERNAL;
    }
    if (w->killed_for && strcmp(w->killed_for, "timeout") == 0)
        *status = "timeout", snprintf(msg, len, "%s: timed out after %.3g s (dump_timeout) in %s", path,
                                      (double)b->timeout_ms / 1000.0, stage);
    else if (w->killed_for && strcmp(w->killed_for, "memory") == 0)
        *status = "memory", snprintf(msg, len, "%s: exceeded the memory limit of %llu MiB (dump_memory) in %s", path,
                                     (unsigned long long)(b->memory_bytes >> 20), stage);
    else if (w->killed_for)
        snprintf(msg, len, "%s: %s sent back more than 256 MiB", path, stage);
    else if (WIFSIGNALED(w->wstatus))
        snprintf(msg, len, "%s: %s crashed (%s)", path, stage, dp_sv_signal_name(WTERMSIG(w->wstatus), sig, sizeof sig));
    else
        snprintf(msg, len, "%s: %s ended (exit status %d) without a result", path, stage, WEXITSTATUS(w->wstatus));
    return DP_EXIT_BAD_DUMP;
}

static void write_outputs(struct batch *b, const unsigned char *const *out, const size_t *len)
{
    for (size_t i = 0; i < b->p->sinks.len; i++) dp_outputs_write(b->outs, i, out[i], len[i]);
}

/* A record for an input whose child died: rendered here, on a context without a dump. */
static int render_failure(struct batch *b, const char *path, const struct decoded *d, const char *status, const char *msg)
{
    struct dp_run_info run = {.tool_version = DP_VERSION, .pipeline = b->p->path, .input_path = path,
                              .input_sha256 = d->have_input ? d->sha256 : NULL, .input_size = d->size,
                              .input_status = status, .input_error = msg};
    struct membufs m;
    int rc = dp_membufs_open(&m, b->p->sinks.len) == 0 ? dp_render_failure(b->p, &run, b->o->verbosity, m.f)
                                                      : DP_EXIT_INTERNAL;
    if (dp_membufs_close(&m) != 0) rc = DP_EXIT_INTERNAL;
    if (rc != DP_EXIT_INTERNAL) write_outputs(b, (const unsigned char *const *)m.data, m.len);
    dp_membufs_free(&m);
    return rc;
}

/* Writes one input's reports, prints its error line, counts its bucket; returns its exit code. */
static int deliver(struct batch *b, const struct job *j, const unsigned char *buf, size_t len)
{
    struct decoded d = {0};
    dp_batch_decode(NULL, &d, buf, 0, len);
    const char *path = j->arg.path, *status = d.status, *error = d.error;
    char msg[1200];
    int rc = d.exit;
    if (d.have_result) {
        write_outputs(b, d.out, d.out_len);
    } else {
        rc = explain_death(b, j, &d, &status, msg, sizeof msg);
        error = msg;
        rc = dp_exit_worst(rc, render_failure(b, path, &d, status, msg));
    }
    if (*error) {
        char line[2400];
        dp_one_line(error, path, line, sizeof line);
        dp_progress_clear(&b->prog);
        fprintf(stderr, "dumppipe: %s\n", line);
    }
    if (b->o->summary) {
        char failed[64], q[1024];
        snprintf(failed, sizeof failed, "(%s)", status);
        if (dp_buckets_add(&b->buckets, d.have_result && *d.bucket ? d.bucket : failed, d.have_result ? d.culprit : "",
                           dp_quote_path(path, q, sizeof q)) != DP_OK)
            rc = DP_EXIT_INTERNAL;
    }
    dp_progress_dump_done(&b->prog);
    return rc;
}

static int run_inprocess(struct batch *b, const char *const *paths, size_t n)
{
    int rc = DP_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        struct chan ch = {.fd = -1, .b = b};
        dp_batch_job(b, paths[i], &ch);
        struct job j = {.b = b, .arg = {b, paths[i]}};
        rc = dp_exit_worst(rc, ch.mem.oom ? DP_EXIT_INTERNAL : deliver(b, &j, ch.mem.data, ch.mem.len));
        dp_wbuf_free(&ch.mem);
    }
    return rc;
}

static void start(struct batch *b, struct job *j, const char *path)
{
    memset(j, 0, sizeof *j);
    j->b = b;
    j->arg = (struct job_arg){b, path};
    if (dp_sv_start(&j->sv, b->timeout_ms, b->memory_bytes, job_child, &j->arg) != 0) {
        j->start_errno = errno;
        j->sv.done = 1;
        return;
    }
    j->sv.on_data = on_child_data;
    j->sv.arg = j;
}

static int jobs_wanted(const struct dp_run_options *o)
{
    long n = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > DP_MAX_JOBS ? DP_MAX_JOBS : (int)n;
}

/* N children at a time; reports leave in input order, so at most a window of finished ones wait. */
static int run_supervised(struct batch *b, const char *const *paths, size_t n)
{
    size_t par = (size_t)jobs_wanted(b->o), window = par * 4, next_start = 0, next_out = 0;
    struct job *ring = calloc(window, sizeof *ring);
    if (!ring) return fprintf(stderr, "dumppipe: out of memory\n"), DP_EXIT_INTERNAL;
    int rc = DP_EXIT_OK;
    while (next_out < n) {
        size_t running = 0;
        struct dp_sv *live[DP_MAX_JOBS];
        for (size_t i = next_out; i < next_start; i++)
            if (!ring[i % window].sv.done) live[running++] = &ring[i % window].sv;
        while (running < par && next_start < n && next_start - next_out < window) {
            struct job *j = &ring[next_start % window];
            start(b, j, paths[next_start++]);
            if (!j->sv.done) live[running++] = &j->sv;
        }
        if (running) dp_sv_poll(live, running, 50);
        while (next_out < next_start && ring[next_out % window].sv.done) {
            struct job *j = &ring[next_out % window];
            rc = dp_exit_worst(rc, deliver(b, j, j->sv.reply.data, j->sv.reply.len));
            dp_sv_free(&j->sv);
            next_out++;
        }
    }
    free(ring);
    return rc;
}

/* A dump's child may run every step to its limit, plus opening and rendering. */
static uint64_t default_timeout(const struct dp_pipeline *p)
{
    uint64_t t = DP_DUMP_SLACK_MS;
    for (size_t i = 0; i < p->steps.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->steps, i);
        t += s->timeout_ms ? s->timeout_ms : p->timeout_ms ? p->timeout_ms : DP_DEFAULT_TIMEOUT_MS;
    }
    return t < DP_MAX_TIMEOUT_MS ? t : DP_MAX_TIMEOUT_MS;
}

static uint64_t largest_step_memory(const struct dp_pipeline *p, uint64_t at_least)
{
    for (size_t i = 0; i < p->steps.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->steps, i);
        uint64_t m = s->memory_bytes ? s->memory_bytes : p->memory_bytes ? p->memory_bytes : DP_DEFAULT_MEMORY_BYTES;
        if (m > at_least) at_least = m;
    }
    return at_least;
}

void dp_batch_limits(struct batch *b)
{
    const struct dp_pipeline *p = b->p;
    const struct dp_run_options *o = b->o;
    b->timeout_ms = o->dump_timeout_ms ? o->dump_timeout_ms : p->dump_timeout_ms ? p->dump_timeout_ms : default_timeout(p);
    b->memory_bytes = o->dump_memory_bytes ? o->dump_memory_bytes
                      : p->dump_memory_bytes ? p->dump_memory_bytes : DP_DEFAULT_MEMORY_BYTES;
    b->as_budget = largest_step_memory(p, b->memory_bytes);
}

int dp_batch_run(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *const *paths, size_t n,
                 const struct dp_run_options *o, struct dp_outputs *outs)
{
    struct batch b = {.p = p, .symtab = symtab, .o = o, .outs = outs};
    dp_batch_limits(&b);
    dp_progress_init(&b.prog, n, o->progress);
    int rc = o->supervise ? run_supervised(&b, paths, n) : run_inprocess(&b, paths, n);
    dp_progress_clear(&b.prog);
    if (o->summary && dp_buckets_print(&b.buckets, stdout, n) != 0) {
        fprintf(stderr, "dumppipe: standard output: cannot write the summary: %s\n", strerror(errno ? errno : EIO));
        rc = dp_exit_worst(rc, DP_EXIT_INTERNAL);
    }
    dp_buckets_free(&b.buckets);
    return rc;
}

int dp_triage_dump(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *dump_path,
                   const struct dp_run_options *o)
{
    struct dp_outputs outs;
    int rc = dp_outputs_open(&outs, p, o->output_file, NULL);
    if (rc != DP_EXIT_OK) return rc;
    rc = dp_batch_run(p, symtab, &dump_path, 1, o, &outs);
    return dp_exit_worst(rc, dp_outputs_close(&outs));
}
