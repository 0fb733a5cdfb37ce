/* Supervised children: a forked process with a wall-clock limit, a memory limit (private resident
 * memory, so pages of the mapped dump do not count) and a pipe for its results. One mechanism for
 * both plugin steps and per-dump triage children; a crash ends the child, never the supervisor. */
#ifndef DP_HOST_SUPERVISE_H
#define DP_HOST_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wire.h"

struct dp_sv {
    pid_t pid;
    int fd;    /* read end of the child's pipe, non-blocking; -1 once closed */
    int pidfd; /* readable when the child ends, so its end is seen at once; -1 if unsupported */
    uint64_t timeout_ms, deadline, memory_bytes;
    size_t max_reply;
    struct dp_wbuf reply;   /* everything the child wrote */
    const char *killed_for; /* NULL, or why we killed it: "timeout", "memory", "reply" */
    int done, wstatus;
    /* called after new bytes arrived in reply (e.g. to show progress before the child ends) */
    void (*on_data)(struct dp_sv *w, void *arg);
    void *arg;
};

/* Forks; the child runs FN(write_fd, ARG) with crash signals at their defaults, dies with its
 * parent, and _exit(0)s when FN returns. Returns 0, or -1 (errno) when no child could be made. */
int dp_sv_start(struct dp_sv *w, uint64_t timeout_ms, uint64_t memory_bytes, void (*fn)(int fd, void *arg),
                void *arg);

/* Waits up to POLL_MS for output or an end from any unfinished child of W[0..N), enforcing every
 * child's limits; finished children are reaped (done = 1, wstatus set). */
void dp_sv_poll(struct dp_sv *const *w, size_t n, int poll_ms);
/* Until W is done. */
void dp_sv_wait(struct dp_sv *w);
void dp_sv_free(struct dp_sv *w);

/* In a child: an address-space limit of what is mapped now + EXTRA + twice MEMORY_BYTES, a
 * backstop for allocations faster than the supervisor's watch (not under sanitizers). */
void dp_sv_limit_address_space(uint64_t memory_bytes, uint64_t extra);

/* "SIGBUS" for SIGBUS; "signal N" when unnamed. */
const char *dp_sv_signal_name(int sig, char *buf, size_t len);

/* Writes all of P to FD (a pipe to the supervisor); 0 or -1. */
int dp_sv_write_all(int fd, const void *p, size_t n);

#endif
