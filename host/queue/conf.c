/* Names in Redis and the options that change them, shared by submit, worker and buckets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

static int set_name(char *dst, size_t n, const char *v, const char *what)
{
    if (!*v || strlen(v) >= n) return fprintf(stderr, "dumppipe: %s: empty or longer than %zu bytes\n", what, n - 1), -1;
    memcpy(dst, v, strlen(v) + 1);
    return 1;
}

int dpq_common_option(struct dpq_conf *q, int code, const char *arg)
{
    struct dpq_names *n = &q->names;
    switch (code) {
    case DPQ_OPT_REDIS: q->url_text = arg; return 1;
    case DPQ_OPT_PREFIX:
        if (!*arg || strlen(arg) > 100) return fprintf(stderr, "dumppipe: --prefix: empty or longer than 100 bytes\n"), -1;
        q->prefix = arg;
        return 1;
    case DPQ_OPT_STREAM: return set_name(n->jobs, sizeof n->jobs, arg, "--stream");
    case DPQ_OPT_GROUP: return set_name(n->group, sizeof n->group, arg, "--group");
    case DPQ_OPT_RESULTS: return set_name(n->results, sizeof n->results, arg, "--results");
    case DPQ_OPT_DEAD: return set_name(n->dead, sizeof n->dead, arg, "--dead");
    default: return 0;
    }
}

static void derive(char *dst, size_t n, const char *prefix, const char *suffix)
{
    if (!*dst) snprintf(dst, n, "%s:%s", prefix, suffix);
}

int dpq_conf_finish(struct dpq_conf *q)
{
    const char *url = q->url_text ? q->url_text : getenv("DUMPPIPE_REDIS");
    char err[600];
    if (dpq_url_parse(url ? url : "redis://127.0.0.1:6379", &q->url, err, sizeof err) != 0)
        return fprintf(stderr, "dumppipe: --redis %s\n", err), -1;
    const char *p = q->prefix ? q->prefix : "dumppipe";
    struct dpq_names *n = &q->names;
    derive(n->jobs, sizeof n->jobs, p, "jobs");
    if (!*n->group) snprintf(n->group, sizeof n->group, "triage");
    derive(n->results, sizeof n->results, p, "results");
    derive(n->dead, sizeof n->dead, p, "dead");
    derive(n->done, sizeof n->done, p, "done");
    derive(n->buckets, sizeof n->buckets, p, "buckets");
    derive(n->examples, sizeof n->examples, p, "examples");
    derive(n->errors, sizeof n->errors, p, "errors");
    return 0;
}

const char *dpq_common_usage(void)
{
    return "  --redis URL      redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]\n"
           "                   (default $DUMPPIPE_REDIS, else redis://127.0.0.1:6379)\n"
           "  --prefix P       start of every key name (default dumppipe)\n"
           "  --stream NAME    the jobs stream (default P:jobs)\n"
           "  --group NAME     the workers' consumer group (default triage)\n"
           "  --results NAME   the results stream (default P:results)\n"
           "  --dead NAME      the dead-letter stream (default P:dead)\n";
}
