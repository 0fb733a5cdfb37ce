#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define DP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_UNDER_ASAN 1
#endif
#endif

enum { DP_MAX_REPLY = 256 << 20, DP_POLL_MS = 10 };

static const char *status_text(int rc)
{
    switch (rc) {
    case DP_ERR_FAULT: return "memory it needed is not in the dump";
    case DP_ERR_BAD_DATA: return "corrupt data";
    case DP_ERR_NOT_APPLICABLE: return "not applicable to this dump";
    case DP_ERR_NOMEM: return "out of memory";
    case DP_ERR_INVALID: return "invalid argument";
    case DP_ERR_NOT_FOUND: return "not found";
    case DP_ERR_IO: return "I/O error";
    }
    return "error";
}

int dp_step_call_plugin(struct dp_ctx *c, const struct dp_step_config *s)
{
    const struct dp_plugin *d = s->desc;
    void *state = NULL;
    dp_ctx_begin_step(c, s->id ? s->id : d->name, d->options, s->opts, s->n_opts);
    c->cur_provides = d->provides;
    int rc = d->init ? d->init(c, &state) : DP_OK;
    if (rc == DP_OK) {
        rc = d->run(c, state);
        if (d->fini) d->fini(c, state);
    }
    return rc;
}

static void set_failed(struct dp_step_outcome *out, const char *plugin, int rc, const char *msg)
{
    out->status = "failed";
    snprintf(out->message, sizeof out->message, "%s failed: %s", plugin, msg && *msg ? msg : status_text(rc));
}

/* What run() returned: DP_OK, "does not apply to this dump" (skipped, not a failure), or a failure. */
static void set_result(struct dp_step_outcome *out, const char *plugin, int rc, const char *msg)
{
    if (rc == DP_OK) {
        out->status = "ok", out->message[0] = 0;
    } else if (rc == DP_ERR_NOT_APPLICABLE) {
        out->status = "skipped";
        snprintf(out->message, sizeof out->message, "%s", msg && *msg ? msg : status_text(rc));
    } else {
        set_failed(out, plugin, rc, msg);
    }
}

void dp_step_run_inprocess(struct dp_ctx *c, const struct dp_step_config *s, struct dp_step_outcome *out)
{
    c->error[0] = 0;
    int rc = dp_step_call_plugin(c, s);
    set_result(out, s->id ? s->id : s->desc->name, rc, c->error);
    dp_ctx_end_step(c);
}

/* ---- the child ---- */

static void write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

/* /proc/PID/statm: 0 size, 1 resident, 2 shared (file-backed resident: the dump's mapping). */
static long statm_field(pid_t pid, int field)
{
    char path[64];
    long v[3] = {0, 0, 0};
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fscanf(f, "%ld %ld %ld", &v[0], &v[1], &v[2]) == 3;
    fclose(f);
    return ok ? v[field] * sysconf(_SC_PAGESIZE) : -1;
}

/* What the plugin itself holds: resident memory that is not the dump's (or a library's) file pages,
 * so scanning a 2 GiB dump does not count as using 2 GiB. */
static long private_resident(pid_t pid)
{
    long rss = statm_field(pid, 1), shared = statm_field(pid, 2);
    return rss < 0 || shared < 0 ? -1 : rss - shared;
}

/* Address-space limit as a backstop (sanitizers reserve terabytes of shadow, so not under ASan);
 * the parent's resident-size watch is what enforces the configured limit. */
static void limit_address_space(uint64_t memory_bytes)
{
#ifndef DP_UNDER_ASAN
    long now = statm_field(getpid(), 0);
    if (now > 0) {
        rlim_t cap = (rlim_t)now + (rlim_t)memory_bytes * 2;
        struct rlimit rl = {cap, cap};
        setrlimit(RLIMIT_AS, &rl);
    }
#else
    (void)memory_bytes;
#endif
}

/* A crash in the child must end it with the signal, so the parent can name it; sanitizer
 * runtimes install handlers that would turn it into an ordinary exit. */
static void default_crash_signals(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], SIG_DFL);
}

static _Noreturn void child_main(struct dp_ctx *c, const struct dp_step_config *s, int fd, uint64_t memory_bytes)
{
    default_crash_signals();
    limit_address_space(memory_bytes);
    size_t f0 = c->findings.len, j0 = c->journal.len;
    int rc = dp_step_call_plugin(c, s);
    struct dp_wbuf b = {0};
    dp_wire_encode(c, f0, j0, rc, c->error, &b);
    write_all(fd, b.data, b.len);
    /* _exit: the parent's stdio buffers and atexit handlers belong to the parent */
    _exit(b.oom ? 3 : 0);
}

/* ---- the parent ---- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct watch {
    pid_t pid;
    int fd;
    uint64_t deadline, memory_bytes;
    struct dp_wbuf reply;
    const char *killed_for; /* "timeout", "memory", "reply" */
};

static void watch_child(struct watch *w)
{
    unsigned char chunk[65536];
    for (;;) {
        struct pollfd p = {w->fd, POLLIN, 0};
        int n = poll(&p, 1, DP_POLL_MS);
        if (n > 0) {
            ssize_t k = read(w->fd, chunk, sizeof chunk);
            if (k == 0) return;
            if (k < 0 && errno != EINTR) return;
            if (k > 0) {
                if (w->reply.len + (size_t)k > DP_MAX_REPLY) w->killed_for = "reply";
                else {
                    struct dp_wbuf *b = &w->reply;
                    if (b->cap - b->len < (size_t)k) {
                        size_t cap = b->cap ? b->cap * 2 : 65536;
                        while (cap - b->len < (size_t)k) cap *= 2;
                        unsigned char *d = realloc(b->data, cap);
                        if (!d) w->killed_for = "reply";
                        else b->data = d, b->cap = cap;
                    }
                    if (!w->killed_for) memcpy(b->data + b->len, chunk, (size_t)k), b->len += (size_t)k;
                }
            }
        }
        if (!w->killed_for && now_ms() >= w->deadline) w->killed_for = "timeout";
        if (!w->killed_for && private_resident(w->pid) > (long)w->memory_bytes) w->killed_for = "memory";
        if (w->killed_for) {
            kill(w->pid, SIGKILL);
            return;
        }
    }
}

static void judge(struct dp_ctx *c, const struct dp_step_config *s, struct watch *w, int wstatus, uint64_t timeout_ms,
                  struct dp_step_outcome *out)
{
    const char *name = s->id ? s->id : s->desc->name;
    if (w->killed_for && strcmp(w->killed_for, "timeout") == 0) {
        out->status = "timeout";
        snprintf(out->message, sizeof out->message, "%s timed out after %.3g s", name, (double)timeout_ms / 1000.0);
        return;
    }
    if (w->killed_for && strcmp(w->killed_for, "memory") == 0) {
        out->status = "memory";
        snprintf(out->message, sizeof out->message, "%s exceeded its memory limit of %llu MiB", name,
                 (unsigned long long)(w->memory_bytes >> 20));
        return;
    }
    if (w->killed_for) return set_failed(out, name, DP_ERR_BAD_DATA, "sent back more than 256 MiB of results");
    if (WIFSIGNALED(wstatus)) {
        out->status = "crashed";
        snprintf(out->message, sizeof out->message, "%s failed: SIG%s (%s)", name, sigabbrev_np(WTERMSIG(wstatus)) ?: "?",
                 strsignal(WTERMSIG(wstatus)));
        return;
    }
    int complete, status;
    char err[512];
    int rc = dp_wire_decode(c, name, w->reply.data, w->reply.len, &complete, &status, err, sizeof err);
    if (!complete) {
        char why[128];
        snprintf(why, sizeof why, "exited with status %d without finishing (did it call exit()?)", WEXITSTATUS(wstatus));
        return set_failed(out, name, DP_ERR_BAD_DATA, rc == DP_OK ? why : "sent back malformed results");
    }
    set_result(out, name, status, err);
}

void dp_step_run_isolated(struct dp_ctx *c, const struct dp_step_config *s, uint64_t timeout_ms,
                          uint64_t memory_bytes, struct dp_step_outcome *out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return set_failed(out, s->id ? s->id : s->desc->name, DP_ERR_IO, "cannot create a pipe");
    fflush(NULL); /* or the child would inherit, and might flush, our buffered output */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return set_failed(out, s->id ? s->id : s->desc->name, DP_ERR_IO, "cannot fork");
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(c, s, fds[1], memory_bytes);
    }
    close(fds[1]);
    struct watch w = {.pid = pid, .fd = fds[0], .deadline = now_ms() + timeout_ms, .memory_bytes = memory_bytes};
    watch_child(&w);
    close(fds[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    judge(c, s, &w, wstatus, timeout_ms, out);
    dp_wbuf_free(&w.reply);
}
