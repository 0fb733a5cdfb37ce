#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define DP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_UNDER_ASAN 1
#endif
#endif

enum { DP_SV_MAX_CHILDREN = 256 };

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

/* What the child itself holds: resident memory that is not the dump's (or a library's) file pages,
 * so scanning a 2 GiB dump does not count as using 2 GiB. */
static long private_resident(pid_t pid)
{
    long rss = statm_field(pid, 1), shared = statm_field(pid, 2);
    return rss < 0 || shared < 0 ? -1 : rss - shared;
}

void dp_sv_limit_address_space(uint64_t memory_bytes, uint64_t extra)
{
#ifndef DP_UNDER_ASAN
    long now = statm_field(getpid(), 0);
    if (now > 0) {
        rlim_t cap = (rlim_t)now + (rlim_t)extra + (rlim_t)memory_bytes * 2;
        struct rlimit rl = {cap, cap};
        setrlimit(RLIMIT_AS, &rl);
    }
#else
    (void)memory_bytes, (void)extra;
#endif
}

/* A crash in the child must end it with the signal, so the parent can name it; sanitizer
 * runtimes install handlers that would turn it into an ordinary exit. */
static void default_crash_signals(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], SIG_DFL);
}

int dp_sv_write_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

int dp_sv_start(struct dp_sv *w, uint64_t timeout_ms, uint64_t memory_bytes, void (*fn)(int fd, void *arg), void *arg)
{
    int fds[2];
    memset(w, 0, sizeof *w);
    w->fd = w->pidfd = -1;
    w->timeout_ms = timeout_ms;
    w->memory_bytes = memory_bytes;
    w->max_reply = 256u << 20;
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    fflush(NULL); /* or the child would inherit, and might flush, our buffered output */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]), close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        default_crash_signals();
        /* a supervisor killed for its own limit takes its children with it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        fn(fds[1], arg);
        /* _exit: the parent's stdio buffers and atexit handlers belong to the parent */
        _exit(0);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    w->pid = pid;
    w->fd = fds[0];
    w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    w->deadline = dp_now_ms() + timeout_ms;
    return 0;
}

static void append(struct dp_sv *w, const unsigned char *p, size_t k)
{
    if (w->reply.len + k > w->max_reply) w->killed_for = "reply";
    else dp_wbuf_put(&w->reply, p, k);
    if (w->reply.oom) w->killed_for = "reply";
}

/* Reads what is there; at end of file (every writer gone) closes our end. */
static void drain(struct dp_sv *w)
{
    unsigned char chunk[65536];
    if (w->fd < 0) return;
    size_t before = w->reply.len;
    int eof = 0;
    while (!w->killed_for) {
        ssize_t k = read(w->fd, chunk, sizeof chunk);
        if (k > 0) append(w, chunk, (size_t)k);
        else if (k < 0 && errno == EINTR) continue;
        else {
            eof = k == 0;
            break;
        }
    }
    if (w->reply.len != before && w->on_data) w->on_data(w, w->arg);
    if (eof) { /* poll ignores a negative descriptor, so an ended pipe does not spin us */
        close(w->fd);
        w->fd = -1;
    }
}

static void reap(struct dp_sv *w, int block)
{
    int st;
    pid_t r;
    while ((r = waitpid(w->pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r != w->pid) return;
    w->wstatus = st;
    w->done = 1;
    /* what the child wrote before it ended is in the pipe; a grandchild may still hold the write end */
    drain(w);
    if (w->fd >= 0) close(w->fd);
    if (w->pidfd >= 0) close(w->pidfd);
    w->fd = w->pidfd = -1;
}

static void check_limits(struct dp_sv *w)
{
    if (!w->killed_for && dp_now_ms() >= w->deadline) w->killed_for = "timeout";
    if (!w->killed_for && private_resident(w->pid) > (long)w->memory_bytes) w->killed_for = "memory";
    if (w->killed_for) {
        kill(w->pid, SIGKILL);
        reap(w, 1);
    }
}

void dp_sv_poll(struct dp_sv *const *w, size_t n, int poll_ms)
{
    struct pollfd p[2 * DP_SV_MAX_CHILDREN];
    size_t map[DP_SV_MAX_CHILDREN], k = 0;
    for (size_t i = 0; i < n && k < DP_SV_MAX_CHILDREN; i++) {
        if (w[i]->done) continue;
        /* without a pidfd, a child whose pipe has ended is looked at again soon */
        if (w[i]->fd < 0 && w[i]->pidfd < 0 && poll_ms > 1) poll_ms = 1;
        p[2 * k] = (struct pollfd){w[i]->fd, POLLIN, 0};
        p[2 * k + 1] = (struct pollfd){w[i]->pidfd, POLLIN, 0};
        map[k++] = i;
    }
    if (!k) return;
    poll(p, 2 * k, poll_ms);
    for (size_t j = 0; j < k; j++) {
        struct dp_sv *c = w[map[j]];
        if (p[2 * j].revents) drain(c);
        reap(c, 0);
        if (!c->done) check_limits(c);
    }
}

void dp_sv_wait(struct dp_sv *w)
{
    while (!w->done) dp_sv_poll(&w, 1, 10);
}

void dp_sv_free(struct dp_sv *w)
{
    if (w->fd >= 0) close(w->fd);
    if (w->pidfd >= 0) close(w->pidfd);
    w->fd = w->pidfd = -1;
    dp_wbuf_free(&w->reply);
}

const char *dp_sv_signal_name(int sig, char *buf, size_t len)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev) snprintf(buf, len, "SIG%s", abbrev);
    else snprintf(buf, len, "signal %d", sig);
    return buf;
}
