/* `dumppipe buckets`: the top buckets, as a crash back end lists its top crashers. */
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_internal.h"
#include "triage.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: dumppipe buckets [--redis URL] [-n N]\n"
               "  prints the N (default 20) buckets with the most dumps, with an example dump of each,\n"
               "  then how many results, pending jobs and dead letters there are\n%s",
            dpq_common_usage());
}

static long long integer(struct dpq_conn *k, int argc, const char **argv)
{
    redisReply *r = dpq_cmd(k, argc, argv);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 && r->element[0]->type == REDIS_REPLY_INTEGER)
        v = r->element[0]->integer; /* XPENDING's summary starts with the count */
    dpq_free(r);
    return v;
}

static int print_top(struct dpq_conn *k, const char *top)
{
    const struct dpq_names *n = &k->conf->names;
    const char *argv[] = {"ZREVRANGE", n->buckets, "0", top, "WITHSCORES"};
    redisReply *r = dpq_cmd(k, 5, argv);
    if (!r || dpq_is_error(r, "ZREVRANGE") || r->type != REDIS_REPLY_ARRAY) return dpq_free(r), -1;
    printf("%8s  %-60s  %s\n", "COUNT", "FAILURE_BUCKET_ID", "EXAMPLE");
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *bucket = r->element[i]->str, *score = r->element[i + 1]->str;
        const char *hget[] = {"HGET", n->examples, bucket};
        redisReply *ex = dpq_cmd(k, 3, hget);
        printf("%8s  %-60s  %s\n", score, bucket, ex && ex->type == REDIS_REPLY_STRING ? ex->str : "-");
        dpq_free(ex);
    }
    dpq_free(r);
    return 0;
}

int dpq_buckets_main(int argc, char **argv)
{
    static const struct option longopts[] = {DPQ_COMMON_LONGOPTS, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    struct dpq_conf q = {0};
    uint64_t top = 20;
    int ch;
    while ((ch = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
        int c = dpq_common_option(&q, ch, optarg);
        if (c < 0) return DP_EXIT_USAGE;
        if (c) continue;
        if (ch == 'n' && dp_parse_u64(optarg, &top) == 0 && top >= 1 && top <= 100000) continue;
        if (ch == 'h') return usage(stdout), DP_EXIT_OK;
        return usage(stderr), DP_EXIT_USAGE;
    }
    if (optind != argc || dpq_conf_finish(&q) != 0) return usage(stderr), DP_EXIT_USAGE;
    struct dpq_conn k;
    dpq_conn_init(&k, &q);
    char last[24];
    snprintf(last, sizeof last, "%llu", (unsigned long long)top - 1);
    int rc = DP_EXIT_INTERNAL;
    if (dpq_conn_wait(&k, 5000) != 0) fprintf(stderr, "dumppipe buckets: redis unreachable\n");
    else if (print_top(&k, last) == 0) {
        const struct dpq_names *n = &q.names;
        long long results = integer(&k, 2, (const char *[]){"XLEN", n->results});
        long long dead = integer(&k, 2, (const char *[]){"XLEN", n->dead});
        long long pending = integer(&k, 3, (const char *[]){"XPENDING", n->jobs, n->group});
        long long buckets = integer(&k, 2, (const char *[]){"ZCARD", n->buckets});
        printf("\n%lld results in %lld buckets, %lld jobs pending, %lld dead letters\n", results, buckets,
               pending < 0 ? 0 : pending, dead);
        rc = fflush(stdout) == 0 ? DP_EXIT_OK : DP_EXIT_INTERNAL;
    }
    dpq_conn_close(&k);
    return rc;
}
