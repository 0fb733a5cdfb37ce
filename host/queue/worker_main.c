/* `dumppipe worker` options: what the triage child runs, how long a job may take, when a job is
 * someone else's (visibility timeout) and when it is dead. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "pipeline_find.h"
#include "sympath.h"
#include "symbols.h"
#include "sympath_setup.h"
#include "triage.h"
#include "util.h"
#include "worker.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dumppipe worker [--redis URL] [-j N] [-p PIPELINE] [-L DIR]... [--consumer NAME]\n"
            "                       [--job-timeout DURATION] [--claim-idle DURATION] [--max-deliveries N] [-v]\n"
            "  triages the jobs of the stream, N at a time, each in its own supervised child (json record)\n"
            "  -j N               jobs at a time (default: the number of CPUs)\n"
            "  -p PIPELINE, -L DIR  the pipeline (loaded once) and plugin directories\n"
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

/* The worker's one pipeline: loaded, its sinks replaced by json (the record), its plugins bound and
 * its symbol files read here, once; each job's child inherits them. 0, or -1 after a message. */
static int load_pipeline(struct dpq_worker *w, const char *path, const char *const *dirs, size_t n_dirs,
                         struct dp_loader *l, struct dp_pipeline **p, struct dp_symtab **syms)
{
    char err[2048];
    if (dp_pipeline_load(path, p, err, sizeof err) != DP_OK) return fprintf(stderr, "dumppipe worker: %s\n", err), -1;
    for (size_t i = 0; i < n_dirs; i++) dp_loader_add_dir(l, dirs[i]);
    dp_loader_add_env(l);
    for (size_t i = 0; i < (*p)->plugin_dirs.len; i++) dp_loader_add_dir(l, *(const char **)dp_vec_at(&(*p)->plugin_dirs, i));
    dp_loader_add_defaults(l);
    (*p)->sinks.len = 0;
    struct dp_step_config *s = dp_vec_push(&(*p)->sinks);
    if (!s) return fprintf(stderr, "dumppipe worker: out of memory\n"), -1;
    s->id = s->plugin = "json";
    s->pos = (struct dp_pos){"dumppipe worker", 1, 1};
    if (dp_pipeline_bind(*p, l, err, sizeof err) != DP_OK) return fprintf(stderr, "dumppipe worker: %s\n", err), -1;
    if (dp_sympath_setup(NULL, 0, *p, &w->run.sympath) != DP_OK || dp_sympath_load_files(w->run.sympath, syms) != DP_OK)
        return -1;
    w->batch = (struct batch){.p = *p, .symtab = *syms, .o = &w->run};
    dp_batch_limits(&w->batch);
    /* the job timeout bounds the pipeline's own per-dump limit */
    if (w->timeout_ms < w->batch.timeout_ms) w->batch.timeout_ms = w->timeout_ms;
    return 0;
}

static int duration(const char *s, uint64_t *ms, const char *what)
{
    if (dp_parse_duration_ms(s, ms) == 0 && *ms > 0) return 0;
    return fprintf(stderr, "dumppipe worker: %s: bad duration '%s' (e.g. 500ms, 30s, 2m)\n", what, s), -1;
}

struct dirs {
    const char *dir[32];
    size_t n;
};

static int parse(struct dpq_worker *w, int argc, char **argv, const char **pipeline, uint64_t *slots, struct dirs *d)
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
            if (d->n == sizeof d->dir / sizeof *d->dir) return fprintf(stderr, "dumppipe worker: too many -L\n"), -1;
            d->dir[d->n++] = optarg;
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
    struct dpq_worker w = {.timeout_ms = 3600 * 1000, .claim_idle_ms = 60 * 1000, .max_deliveries = 3,
                           .run = {.isolation = -1, .supervise = 1}};
    const char *pipeline = NULL;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t slots = ncpu > 0 ? (uint64_t)ncpu : 1;
    struct dirs dirs = {.n = 0};
    if (parse(&w, argc, argv, &pipeline, &slots, &dirs) != 0) return usage(stderr), DP_EXIT_USAGE;
    if (dpq_conf_finish(&w.q) != 0 || pipeline_ident(pipeline, pipe_id) != 0) return DP_EXIT_USAGE;
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
    struct dp_arena *a = dp_arena_new();
    struct dp_loader *l = dp_loader_new();
    struct dp_pipeline *p = NULL;
    struct dp_symtab *syms = NULL;
    int rc = DP_EXIT_INTERNAL;
    if (a && l) {
        const char *path = pipeline ? pipeline : dp_pipeline_find(a, "triage.yaml", NULL);
        rc = load_pipeline(&w, path, dirs.dir, dirs.n, l, &p, &syms) == 0 ? dpq_worker_run(&w) : DP_EXIT_USAGE;
    }
    dp_symtab_free(syms);
    dp_sympath_free(w.run.sympath);
    dp_pipeline_free(p);
    dp_loader_free(l);
    dp_arena_free(a);
    for (size_t i = 0; i < w.entries; i++) free(w.jobs[i].out);
    free(w.jobs);
    return rc;
}
