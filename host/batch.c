#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "outputs.h"
#include "progress.h"
#include "step.h"
#include "supervise.h"

/* What a triage child sends its parent, as frames: a type byte, a u32 length, the payload. */
enum { F_INPUT = 'I', F_STAGE = 'S', F_PROGRESS = 'P', F_OUTPUT = 'O', F_RESULT = 'R', F_HEAD = 5 };
enum { DP_DUMP_SLACK_MS = 60000, DP_MAX_JOBS = 128 };

struct batch {
    const struct dp_pipeline *p;
    const struct dp_symtab *symtab;
    const struct dp_run_options *o;
    struct dp_outputs *outs;
    struct dp_progress_line prog;
    struct dp_buckets buckets;
    uint64_t timeout_ms, memory_bytes, as_budget;
};

/* Where a triage reports: a pipe to the parent (fd), or memory in this process (--no-isolation). */
struct chan {
    int fd;
    struct dp_wbuf mem;
    struct batch *b;
    uint64_t progress_ms;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void wbuf_put(struct dp_wbuf *w, const void *p, size_t n)
{
    if (w->oom || !n) return;
    if (w->cap - w->len < n) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap - w->len < n) cap *= 2;
        unsigned char *d = realloc(w->data, cap);
        if (!d) {
            w->oom = 1;
            return;
        }
        w->data = d, w->cap = cap;
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

/* One frame from up to three pieces, written with one write() so that a small frame from a
 * plugin's child (progress) never interleaves with another. */
static void emit(struct chan *ch, int type, const void *a, size_t na, const void *b, size_t nb, const void *c, size_t nc)
{
    struct dp_wbuf f = {0};
    uint32_t len = (uint32_t)(na + nb + nc);
    unsigned char t = (unsigned char)type;
    wbuf_put(&f, &t, 1), wbuf_put(&f, &len, 4), wbuf_put(&f, a, na), wbuf_put(&f, b, nb), wbuf_put(&f, c, nc);
    if (f.oom) _exit(3); /* the parent reports an unfinished triage */
    if (ch->fd >= 0) dp_sv_write_all(ch->fd, f.data, f.len);
    else wbuf_put(&ch->mem, f.data, f.len);
    dp_wbuf_free(&f);
}

static void emit_str(struct chan *ch, int type, const char *s) { emit(ch, type, s, strlen(s) + 1, NULL, 0, NULL, 0); }

static void hook_stage(void *arg, const char *what) { emit_str(arg, F_STAGE, what); }

static void hook_input(void *arg, uint64_t size, const char *sha256)
{
    struct chan *ch = arg;
    emit(ch, F_INPUT, &size, 8, sha256, 65, NULL, 0);
    /* a child mapping the dump: the address space may hold the file plus the allowed memory */
    if (ch->fd >= 0) dp_sv_limit_address_space(ch->b->as_budget, size);
}

static void hook_progress(void *arg, const char *plugin, uint64_t done, uint64_t total, const char *what)
{
    struct chan *ch = arg;
    if (ch->fd < 0) return dp_progress_plugin(&ch->b->prog, plugin ? plugin : "?", done, total, what);
    uint64_t now = now_ms();
    if (now - ch->progress_ms < 100 && done != total) return;
    ch->progress_ms = now;
    char text[200];
    int n = snprintf(text, sizeof text, "%s%c%s", plugin ? plugin : "?", 0, what);
    uint64_t nums[2] = {done, total};
    emit(ch, F_PROGRESS, nums, 16, text, n < 0 ? 0 : (size_t)n >= sizeof text ? sizeof text : (size_t)n + 1, NULL, 0);
}

/* Sinks render into memory; the parent writes each dump's bytes in input order. */
struct membufs {
    FILE *f[DP_MAX_OUTPUTS];
    char *data[DP_MAX_OUTPUTS];
    size_t len[DP_MAX_OUTPUTS], n;
};

static int membufs_open(struct membufs *m, size_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    for (size_t i = 0; i < n; i++)
        if (!(m->f[i] = open_memstream(&m->data[i], &m->len[i]))) return -1;
    return 0;
}

static int membufs_close(struct membufs *m)
{
    int bad = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->f[i] && fclose(m->f[i]) != 0) bad = 1;
    return bad ? -1 : 0;
}

static void membufs_free(struct membufs *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->data[i]);
}

/* The triage of one input, reported through CH (in the child, or in-process). */
static void run_job(struct batch *b, const char *path, struct chan *ch)
{
    struct dp_triage_hooks h = {hook_stage, hook_input, hook_progress, ch};
    struct dp_triage_result r;
    struct membufs m;
    if (membufs_open(&m, b->p->sinks.len) != 0) {
        membufs_close(&m), membufs_free(&m);
        return; /* no result frame: the parent reports the unfinished triage */
    }
    dp_triage_one(b->p, b->symtab, path, b->o, m.f, &h, &r);
    if (membufs_close(&m) != 0) r.exit = DP_EXIT_INTERNAL;
    for (size_t i = 0; i < m.n; i++) {
        uint32_t sink = (uint32_t)i;
        emit(ch, F_OUTPUT, &sink, 4, m.data[i], m.len[i], NULL, 0);
    }
    membufs_free(&m);
    char text[2048];
    int n = snprintf(text, sizeof text, "%s%c%s%c%s%c%s", r.status, 0, r.error, 0, r.bucket, 0, r.culprit);
    int32_t exit = r.exit;
    emit(ch, F_RESULT, &exit, 4, text, n < 0 || (size_t)n >= sizeof text ? sizeof text : (size_t)n + 1, NULL, 0);
}

struct job_arg {
    struct batch *b;
    const char *path;
};

static void job_child(int fd, void *arg)
{
    struct job_arg *a = arg;
    struct chan ch = {.fd = fd, .b = a->b};
    run_job(a->b, a->path, &ch);
}

/* ---- the parent: decoding what a child sent ---- */

struct decoded {
    int have_input, have_result;
    uint64_t size;
    char sha256[65];
    const char *stage, *status, *error, *bucket, *culprit;
    int exit;
    const unsigned char *out[DP_MAX_OUTPUTS];
    size_t out_len[DP_MAX_OUTPUTS];
};

/* The NUL-terminated string at *P within END, advancing *P; NULL when there is none. */
static const char *take_str(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *nul = *p < end ? memchr(*p, 0, (size_t)(end - *p)) : NULL;
    if (!nul) return NULL;
    const char *s = (const char *)*p;
    *p = nul + 1;
    return s;
}

static void on_frame(struct batch *b, struct decoded *d, int type, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    if (type == F_INPUT && len == 8 + 65 && p[len - 1] == 0) {
        d->have_input = 1;
        memcpy(&d->size, p, 8);
        memcpy(d->sha256, p + 8, 65);
    } else if (type == F_STAGE && len && p[len - 1] == 0) {
        d->stage = (const char *)p;
    } else if (type == F_PROGRESS && len > 16) {
        uint64_t nums[2];
        memcpy(nums, p, 16);
        p += 16;
        const char *plugin = take_str(&p, end), *what = take_str(&p, end);
        if (b && plugin && what) dp_progress_plugin(&b->prog, plugin, nums[0], nums[1], what);
    } else if (type == F_OUTPUT && len >= 4) {
        uint32_t sink;
        memcpy(&sink, p, 4);
        if (sink < DP_MAX_OUTPUTS) d->out[sink] = p + 4, d->out_len[sink] = len - 4;
    } else if (type == F_RESULT && len > 4) {
        int32_t exit;
        memcpy(&exit, p, 4);
        p += 4;
        d->status = take_str(&p, end), d->error = take_str(&p, end);
        d->bucket = take_str(&p, end), d->culprit = take_str(&p, end);
        d->exit = exit >= DP_EXIT_OK && exit <= DP_EXIT_PLUGIN_FAILED ? exit : DP_EXIT_INTERNAL;
        d->have_result = d->culprit != NULL;
    }
}

/* Handles the complete frames in BUF[from..len); returns where the first incomplete one starts.
 * B is NULL when progress frames should be skipped (already shown). */
static size_t decode(struct batch *b, struct decoded *d, const unsigned char *buf, size_t from, size_t len)
{
    while (len - from >= F_HEAD) {
        uint32_t n;
        memcpy(&n, buf + from + 1, 4);
        if (n > len - from - F_HEAD) break;
        on_frame(b, d, buf[from], buf + from + F_HEAD, n);
        from += F_HEAD + n;
    }
    return from;
}

/* ---- the parent: jobs ---- */

struct job {
    struct batch *b;
    struct job_arg arg;
    struct dp_sv sv;
    size_t shown; /* bytes of the reply already decoded for progress */
    int state;    /* 0 free, 1 running, 2 finished */
    int start_errno;
};

static void on_child_data(struct dp_sv *w, void *arg)
{
    struct job *j = arg;
    struct decoded d = {0};
    j->shown = decode(j->b, &d, w->reply.data, j->shown, w->reply.len);
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
    int rc = membufs_open(&m, b->p->sinks.len) == 0 ? dp_render_failure(b->p, &run, b->o->verbosity, m.f)
                                                      : DP_EXIT_INTERNAL;
    if (membufs_close(&m) != 0) rc = DP_EXIT_INTERNAL;
    if (rc != DP_EXIT_INTERNAL) write_outputs(b, (const unsigned char *const *)m.data, m.len);
    membufs_free(&m);
    return rc;
}

/* Writes one input's reports, prints its error line, counts its bucket; returns its exit code. */
static int deliver(struct batch *b, const struct job *j, const unsigned char *buf, size_t len)
{
    struct decoded d = {0};
    decode(NULL, &d, buf, 0, len);
    const char *path = j ? j->arg.path : NULL, *status = d.status, *error = d.error;
    char msg[1200];
    int rc = d.exit;
    if (d.have_result) {
        write_outputs(b, d.out, d.out_len);
    } else {
        rc = j ? explain_death(b, j, &d, &status, msg, sizeof msg) : DP_EXIT_INTERNAL;
        if (!j) status = "memory", snprintf(msg, sizeof msg, "%s: out of memory", d.stage ? d.stage : "triage");
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
        run_job(b, paths[i], &ch);
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
    j->state = 1;
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
            j->state = 0;
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

int dp_batch_run(const struct dp_pipeline *p, const struct dp_symtab *symtab, const char *const *paths, size_t n,
                 const struct dp_run_options *o, struct dp_outputs *outs)
{
    struct batch b = {.p = p, .symtab = symtab, .o = o, .outs = outs};
    b.timeout_ms = o->dump_timeout_ms ? o->dump_timeout_ms : p->dump_timeout_ms ? p->dump_timeout_ms : default_timeout(p);
    b.memory_bytes = o->dump_memory_bytes ? o->dump_memory_bytes
                     : p->dump_memory_bytes ? p->dump_memory_bytes : DP_DEFAULT_MEMORY_BYTES;
    b.as_budget = largest_step_memory(p, b.memory_bytes);
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
