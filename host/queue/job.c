/* One job's triage: `dumppipe -o json [pipeline options] -- DUMP` in a forked child process, whose one
 * JSON record is read from a pipe. The worker never parses dump bytes itself: a dump that crashes or
 * hangs the reader costs only its child. The child runs the command line's own entry point without
 * exec: a fresh process would spend more time linking its libraries than triaging a small dump. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "job.h"

enum { OUT_CAP = 64 << 20 };

static void child(int argc, char **argv, int out, int err, pid_t parent)
{
    /* The child dies with its worker (kill -9 included), so a reclaimed job never runs twice here. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    /* Its own process group: a SIGTERM to the worker's group lets the jobs in hand finish. */
    setpgid(0, 0);
    signal(SIGTERM, SIG_DFL), signal(SIGINT, SIG_DFL), signal(SIGPIPE, SIG_DFL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    optind = 0; /* getopt starts afresh */
    int rc = dp_cli_main(argc, argv);
    _exit(fflush(stdout) == 0 && fflush(stderr) == 0 ? rc : 1);
}

int dpq_job_start(struct dpq_job *j, const char **argv, size_t argc, uint64_t now, uint64_t timeout_ms)
{
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) return -1;
    if (pipe2(err, O_CLOEXEC) != 0) return close(out[0]), close(out[1]), -1;
    argv[argc - 1] = j->path;
    fflush(stdout), fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) child((int)argc, (char **)argv, out[1], err[1], parent);
    close(out[1]), close(err[1]);
    if (pid < 0) return close(out[0]), close(err[0]), -1;
    j->pid = pid;
    j->fd[0] = out[0], j->fd[1] = err[0];
    j->out_len = j->err_len = 0;
    j->deadline = now + timeout_ms;
    j->timed_out = j->too_big = 0;
    j->state = DPQ_JOB_RUNNING;
    return 0;
}

static void append(struct dpq_job *j, const char *b, size_t n)
{
    if (j->out_len + n > OUT_CAP) {
        j->too_big = 1;
        kill(j->pid, SIGKILL);
        return;
    }
    if (j->out_len + n + 1 > j->out_cap) {
        size_t cap = (j->out_len + n + 1) * 2;
        char *p = realloc(j->out, cap);
        if (!p) {
            j->too_big = 1;
            kill(j->pid, SIGKILL);
            return;
        }
        j->out = p, j->out_cap = cap;
    }
    memcpy(j->out + j->out_len, b, n);
    j->out_len += n;
    j->out[j->out_len] = 0;
}

/* Keeps the tail of stderr: its last line says why a dump failed. */
static void append_err(struct dpq_job *j, const char *b, size_t n)
{
    if (n >= sizeof j->err) b += n - (sizeof j->err - 1), n = sizeof j->err - 1;
    if (j->err_len + n >= sizeof j->err) {
        size_t keep = sizeof j->err - 1 - n;
        memmove(j->err, j->err + j->err_len - keep, keep);
        j->err_len = keep;
    }
    memcpy(j->err + j->err_len, b, n);
    j->err_len += n;
    j->err[j->err_len] = 0;
}

static void drain(struct dpq_job *j, int which)
{
    char buf[65536];
    ssize_t n = read(j->fd[which], buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        close(j->fd[which]);
        j->fd[which] = -1;
    } else if (which == 0) append(j, buf, (size_t)n);
    else append_err(j, buf, (size_t)n);
}

/* Both pipes closed: the child is gone or going; collect its status. */
static void reap(struct dpq_job *j)
{
    while (waitpid(j->pid, &j->status, 0) < 0 && errno == EINTR) {}
    j->state = DPQ_JOB_DONE;
}

void dpq_jobs_poll(struct dpq_job *jobs, size_t n, int timeout_ms, uint64_t now)
{
    struct pollfd pf[2 * DPQ_MAX_SLOTS];
    struct dpq_job *owner[2 * DPQ_MAX_SLOTS];
    int which[2 * DPQ_MAX_SLOTS];
    nfds_t np = 0;
    for (size_t i = 0; i < n; i++) {
        struct dpq_job *j = &jobs[i];
        if (j->state != DPQ_JOB_RUNNING || np + 2 > sizeof pf / sizeof *pf) continue;
        if (now >= j->deadline && !j->timed_out) j->timed_out = 1, kill(-j->pid, SIGKILL), kill(j->pid, SIGKILL);
        for (int w = 0; w < 2; w++)
            if (j->fd[w] >= 0) pf[np] = (struct pollfd){j->fd[w], POLLIN, 0}, owner[np] = j, which[np++] = w;
        if (j->fd[0] < 0 && j->fd[1] < 0) reap(j);
    }
    if (np == 0 || poll(pf, np, timeout_ms) <= 0) return;
    for (nfds_t i = 0; i < np; i++) {
        if (!pf[i].revents) continue;
        drain(owner[i], which[i]);
        if (owner[i]->fd[0] < 0 && owner[i]->fd[1] < 0) reap(owner[i]);
    }
}

static const char *last_line(struct dpq_job *j)
{
    while (j->err_len && (j->err[j->err_len - 1] == '\n' || j->err[j->err_len - 1] == '\r')) j->err[--j->err_len] = 0;
    char *nl = strrchr(j->err, '\n');
    return nl ? nl + 1 : j->err;
}

int dpq_job_outcome(struct dpq_job *j, char *err, size_t errlen)
{
    int st = j->status;
    if (j->timed_out) snprintf(err, errlen, "triage took longer than the job timeout (killed)");
    else if (j->too_big) snprintf(err, errlen, "the triage record was larger than %d MiB (killed)", OUT_CAP >> 20);
    else if (WIFSIGNALED(st)) snprintf(err, errlen, "triage killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (j->out_len == 0 || j->out[0] != '{')
        snprintf(err, errlen, "triage exited %d without a record: %s", WEXITSTATUS(st), *last_line(j) ? last_line(j) : "no message");
    else return 0;
    return -1;
}
