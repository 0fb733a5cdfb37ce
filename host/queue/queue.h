/* dumppipe on Redis Streams: `submit` adds jobs, `worker` triages them, `buckets` lists the top buckets.
 * Data model and failure behaviour: docs/scale-out.md. */
#ifndef DP_QUEUE_H
#define DP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct redisContext;
struct redisReply;

/* redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N] */
struct dpq_url {
    char host[256];   /* empty for a unix socket */
    char path[256];   /* the unix socket */
    char user[128], password[256];
    int port, db;
};
/* 0, or -1 with a one-line reason in err. */
int dpq_url_parse(const char *s, struct dpq_url *u, char *err, size_t errlen);

/* Names in Redis (docs/scale-out.md). Every key starts with the prefix. */
struct dpq_names {
    char jobs[192], group[128], results[192], dead[192], done[192], buckets[192], examples[192], errors[192];
};

struct dpq_conf {
    const char *url_text, *prefix;
    struct dpq_url url;
    struct dpq_names names;
    const char *consumer; /* worker's name in the group */
};

/* The options every queue command shares, for getopt_long tables. */
enum { DPQ_OPT_REDIS = 1000, DPQ_OPT_PREFIX, DPQ_OPT_STREAM, DPQ_OPT_GROUP, DPQ_OPT_RESULTS, DPQ_OPT_DEAD };
#define DPQ_COMMON_LONGOPTS                                                                                            \
    {"redis", 1, 0, DPQ_OPT_REDIS}, {"prefix", 1, 0, DPQ_OPT_PREFIX}, {"stream", 1, 0, DPQ_OPT_STREAM},                \
        {"group", 1, 0, DPQ_OPT_GROUP}, {"results", 1, 0, DPQ_OPT_RESULTS}, {"dead", 1, 0, DPQ_OPT_DEAD}
/* 1 when CODE was a common option (ARG stored), 0 when not one, -1 on a bad value (message printed). */
int dpq_common_option(struct dpq_conf *q, int code, const char *arg);
/* Parses the URL ($DUMPPIPE_REDIS or redis://127.0.0.1:6379 unless --redis) and fills the names left
 * empty from the prefix; 0, or -1 with a message printed. */
int dpq_conf_finish(struct dpq_conf *q);
const char *dpq_common_usage(void);

/* A connection that survives Redis going away: a failed command drops it, and the next call
 * reconnects once the backoff (100 ms doubling to 5 s) has passed. */
struct dpq_conn {
    const struct dpq_conf *conf;
    struct redisContext *c;
    uint64_t next_try_ms;
    unsigned backoff_ms;
    int warned;
};
void dpq_conn_init(struct dpq_conn *k, const struct dpq_conf *conf);
void dpq_conn_close(struct dpq_conn *k);
/* 1 when connected (connecting if due), 0 while down. */
int dpq_conn_up(struct dpq_conn *k);
/* Runs a command given as argv; NULL when Redis is unreachable (the connection is then dropped)
 *; an error reply is returned as such. */
struct redisReply *dpq_cmd(struct dpq_conn *k, int argc, const char **argv);
/* Blocks up to WAIT_MS until connected; 0 on success. */
int dpq_conn_wait(struct dpq_conn *k, uint64_t wait_ms);

uint64_t dpq_now_ms(void);

/* The three commands; each returns an enum dp_exit. ARGV[0] is the command's name. */
int dpq_submit_main(int argc, char **argv);
int dpq_worker_main(int argc, char **argv);
int dpq_buckets_main(int argc, char **argv);
/* Dispatches `dumppipe submit|worker|buckets ...`; returns -1 when ARGV[1] is none of them. */
int dpq_main(int argc, char **argv);

#endif
