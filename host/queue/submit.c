/* `dumppipe submit`: one job per dump on the jobs stream (path, SHA-256, size, submit time). */
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue_internal.h"
#include "triage.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: dumppipe submit [--redis URL] [--wait SECONDS] [-q] DUMP...\n"
               "  adds one job per dump to the jobs stream; prints each job's id, SHA-256 and path\n"
               "  --wait SECONDS   how long to wait for Redis (default 10)\n"
               "  -q               print nothing but errors\n%s"
               "exit codes: 0 all submitted, 1 Redis unreachable, 2 usage, 3 a dump could not be read\n",
            dpq_common_usage());
}

struct job {
    char path[PATH_MAX], sha[65], size[24], when[24];
};

/* Fills J from the file; 0, or -1 with the reason printed. */
static int describe(const char *arg, struct job *j)
{
    char err[PATH_MAX + 200];
    uint64_t size = 0;
    if (!realpath(arg, j->path)) return fprintf(stderr, "dumppipe: %s: %m\n", arg), -1;
    int fd = dp_open_regular(j->path, "dump", 0, &size, err, sizeof err);
    if (fd < 0) return fprintf(stderr, "dumppipe: %s\n", err), -1;
    int rc = dp_sha256_fd(fd, j->sha);
    close(fd);
    if (rc) return fprintf(stderr, "dumppipe: %s: cannot read: %s\n", arg, strerror(rc)), -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(j->size, sizeof j->size, "%llu", (unsigned long long)size);
    snprintf(j->when, sizeof j->when, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    return 0;
}

/* XADD, retried while Redis comes back within the wait; the entry id is printed. */
static int add(struct dpq_conn *k, const struct job *j, uint64_t wait_ms, int quiet)
{
    const char *argv[] = {"XADD", k->conf->names.jobs, "*", "path", j->path, "sha256", j->sha,
                          "size", j->size, "submitted", j->when};
    for (;;) {
        if (dpq_conn_wait(k, wait_ms) != 0) return fprintf(stderr, "dumppipe: redis unreachable, %s not submitted\n", j->path), -1;
        redisReply *r = dpq_cmd(k, 11, argv);
        if (!r) continue;
        int ok = !dpq_is_error(r, "XADD") && r->type == REDIS_REPLY_STRING;
        if (ok && !quiet) printf("%s %s %s\n", r->str, j->sha, j->path);
        dpq_free(r);
        return ok ? 0 : -1;
    }
}

int dpq_submit_main(int argc, char **argv)
{
    static const struct option longopts[] = {DPQ_COMMON_LONGOPTS, {"wait", 1, 0, 'w'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    struct dpq_conf q = {0};
    uint64_t wait_ms = 10000;
    int quiet = 0, ch;
    while ((ch = getopt_long(argc, argv, "+qh", longopts, NULL)) != -1) {
        int c = dpq_common_option(&q, ch, optarg);
        if (c < 0) return DP_EXIT_USAGE;
        if (c) continue;
        if (ch == 'q') quiet = 1;
        else if (ch == 'w' && dp_parse_u64(optarg, &wait_ms) == 0 && wait_ms <= 86400) wait_ms *= 1000;
        else if (ch == 'h') return usage(stdout), DP_EXIT_OK;
        else return usage(stderr), DP_EXIT_USAGE;
    }
    if (optind == argc) return fprintf(stderr, "dumppipe submit: no dump given\n"), usage(stderr), DP_EXIT_USAGE;
    if (dpq_conf_finish(&q) != 0) return DP_EXIT_USAGE;
    struct dpq_conn k;
    dpq_conn_init(&k, &q);
    int rc = DP_EXIT_OK;
    struct job *j = malloc(sizeof *j);
    if (!j) return DP_EXIT_INTERNAL;
    for (int i = optind; i < argc && rc != DP_EXIT_INTERNAL; i++) {
        if (describe(argv[i], j) != 0) rc = DP_EXIT_BAD_DUMP;
        else if (add(&k, j, wait_ms, quiet) != 0) rc = DP_EXIT_INTERNAL;
    }
    free(j);
    dpq_conn_close(&k);
    if (fflush(stdout) != 0) rc = DP_EXIT_INTERNAL;
    return rc;
}
