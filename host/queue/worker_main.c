/* `dumppipe worker` options: what the triage child runs, how long a job may take, when a job is
 * someone else's (visibility timeout) and when it is dead. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "triage.h"
#include "util.h"
#include "worker.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dumppipe worker [--redis URL] [-j N] [-p PIPELINE] [-L DIR]... [--consumer NAME]\n"
            "                       [--job-timeout DURATION] [--claim-idle DURATION] [--max-deliveries N] [-v]\n"
            "  triages the jobs of the stream, N at a time, each in its own `dumppipe -o json` child\n"
            "  -j N               jobs at a time (default: the number of CPUs)\n"
            "  -p PIPELINE, -L DIR  passed to the triage child\n"
            "  --consumer NAME    this worker's name in the group (default HOST-PID)\n"
            "  --job-timeout D    a triage running longer is killed and counts as a failed delivery (default 1h)\n"
            "  --claim-idle D     visibility timeout: a job whose worker was silent this long is taken over (default 60s)\n"
            "  --max-deliveries N a job failing on its Nth delivery goes to the dead-letter stream (default 3)\n"
            "%s"
            "SIGTERM or SIGINT: no new jobs; the jobs in hand are finished and recorded, then exit 0\n",
            dpq_common_usage());
}

/* The pipeline's part of a result's identity: a hash of its text, so the same pipeline file under
 * another path on another machine is the same pipeline. */
static int pipeline_ident(const char *path, char out[17])
{
    if (!path) return snprintf(out, 17, "default"), 0;
    char err[PATH_MAX + 200], hex[65];
    uint64_t size;
    int fd = dp_open_regular(path, "pipeline", 1 << 20, &size, err, sizeof err);
    if (fd < 0) return fprintf(stderr, "dumppipe: %s\n", err), -1;
    int rc = dp_sha256_fd(fd, hex);
    close(fd);
    if (rc) return fprintf(stderr, "dumppipe: %s: %s\n", path, strerror(rc)), -1;
    memcpy(out, hex, 16), out[16] = 0;
    return 0;
}

static void ignore(void *user, const char *path, const struct dp_loaded_plugin *p, const char *err)
{
    (void)user, (void)path, (void)p, (void)err;
}

/* Loads the plugins once here, so each job's child finds them in memory instead of linking them
 * again; the child still resolves its pipeline's plugins itself. The loader is kept for the run. */
static struct dp_loader *warm_plugins(const struct dpq_worker *w)
{
    struct dp_loader *l = dp_loader_new();
    if (!l) return NULL;
    for (size_t i = 3; i + 1 < w->argc; i++)
        if (!strcmp(w->argv[i], "-L")) dp_loader_add_dir(l, w->argv[++i]);
    dp_loader_add_env(l);
    dp_loader_add_defaults(l);
    dp_loader_scan(l, ignore, NULL);
    return l;
}

static int push(struct dpq_worker *w, const char *a)
{
    if (w->argc + 3 >= sizeof w->argv / sizeof *w->argv) return fprintf(stderr, "dumppipe worker: too many options\n"), -1;
    w->argv[w->argc++] = a;
    return 0;
}

static int duration(const char *s, uint64_t *ms, const char *what)
{
    if (dp_parse_duration_ms(s, ms) == 0 && *ms > 0) return 0;
    return fprintf(stderr, "dumppipe worker: %s: bad duration '%s' (e.g. 500ms, 30s, 2m)\n", what, s), -1;
}

static int parse(struct dpq_worker *w, int argc, char **argv, const char **pipeline, uint64_t *slots)
{
    enum { O_CONSUMER = 1, O_TIMEOUT, O_IDLE, O_MAX };
    static const struct option longopts[] = {DPQ_COMMON_LONGOPTS, {"consumer", 1, 0, O_CONSUMER}, {"job-timeout", 1, 0, O_TIMEOUT},
                                             {"claim-idle", 1, 0, O_IDLE}, {"max-deliveries", 1, 0, O_MAX},
                                             {"pipeline", 1, 0, 'p'}, {"plugin-dir", 1, 0, 'L'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    uint64_t v;
    int ch;
    while ((ch = getopt_long(argc, argv, "+j:p:L:vh", longopts, NULL)) != -1) {
        int c = dpq_common_option(&w->q, ch, optarg);
        if (c < 0) return -1;
        if (c) continue;
        switch (ch) {
        case 'j':
            if (dp_parse_u64(optarg, slots) != 0 || *slots < 1 || *slots > DPQ_MAX_SLOTS)
                return fprintf(stderr, "dumppipe worker: -j takes 1..%d\n", DPQ_MAX_SLOTS), -1;
            break;
        case 'p': *pipeline = optarg; break;
        case 'L':
            if (push(w, "-L") || push(w, optarg)) return -1;
            break;
        case 'v': w->verbose = 1; break;
        case O_CONSUMER: w->id.consumer = optarg; break;
        case O_TIMEOUT:
            if (duration(optarg, &w->timeout_ms, "--job-timeout")) return -1;
            break;
        case O_IDLE:
            if (duration(optarg, &w->claim_idle_ms, "--claim-idle")) return -1;
            break;
        case O_MAX:
            if (dp_parse_u64(optarg, &v) != 0 || v < 1 || v > 1000) return fprintf(stderr, "dumppipe worker: --max-deliveries takes 1..1000\n"), -1;
            w->max_deliveries = (long long)v;
            break;
        case 'h': usage(stdout), exit(DP_EXIT_OK);
        default: return -1;
        }
    }
    if (optind != argc) return fprintf(stderr, "dumppipe worker: unexpected argument '%s'\n", argv[optind]), -1;
    return 0;
}

int dpq_worker_main(int argc, char **argv)
{
    static char consumer[300], pipe_id[17];
    struct dpq_worker w = {.timeout_ms = 3600 * 1000, .claim_idle_ms = 60 * 1000, .max_deliveries = 3};
    const char *pipeline = NULL;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t slots = ncpu > 0 ? (uint64_t)ncpu : 1;
    w.argv[0] = "dumppipe", w.argv[1] = "-o", w.argv[2] = "json", w.argc = 3;
    if (parse(&w, argc, argv, &pipeline, &slots) != 0) return usage(stderr), DP_EXIT_USAGE;
    if (dpq_conf_finish(&w.q) != 0 || pipeline_ident(pipeline, pipe_id) != 0) return DP_EXIT_USAGE;
    if (pipeline) push(&w, "-p"), push(&w, pipeline);
    push(&w, "--"), push(&w, NULL), w.argv[w.argc] = NULL; /* the dump's path goes in the last slot */
    if (!w.id.consumer) {
        char host[256] = "host";
        gethostname(host, sizeof host - 1);
        snprintf(consumer, sizeof consumer, "%s-%ld", host, (long)getpid());
        w.id.consumer = consumer;
    }
    w.id.version = DP_VERSION, w.id.pipeline = pipe_id;
    w.slots = slots, w.entries = 2 * slots;
    w.jobs = calloc(w.entries, sizeof *w.jobs);
    if (!w.jobs) return DP_EXIT_INTERNAL;
    struct dp_loader *warm = warm_plugins(&w);
    int rc = dpq_worker_run(&w);
    dp_loader_free(warm);
    for (size_t i = 0; i < w.entries; i++) free(w.jobs[i].out);
    free(w.jobs);
    return rc;
}
