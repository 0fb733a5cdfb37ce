/* One Redis connection that reconnects with backoff: a worker outlives a Redis restart. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "queue_internal.h"

enum { BACKOFF_MIN_MS = 100, BACKOFF_MAX_MS = 5000 };

uint64_t dpq_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void dpq_conn_init(struct dpq_conn *k, const struct dpq_conf *conf)
{
    memset(k, 0, sizeof *k);
    k->conf = conf;
    k->backoff_ms = BACKOFF_MIN_MS;
}

void dpq_conn_close(struct dpq_conn *k)
{
    if (k->c) redisFree(k->c);
    k->c = NULL;
}

static void drop(struct dpq_conn *k, const char *why)
{
    if (!k->warned) fprintf(stderr, "dumppipe: redis: %s; retrying\n", why);
    k->warned = 1;
    dpq_conn_close(k);
    k->next_try_ms = dpq_now_ms() + k->backoff_ms;
    k->backoff_ms = k->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : k->backoff_ms * 2;
}

/* AUTH and SELECT; 0 when both went through. */
static int handshake(struct dpq_conn *k)
{
    const struct dpq_url *u = &k->conf->url;
    char db[16];
    snprintf(db, sizeof db, "%d", u->db);
    const char *auth[] = {"AUTH", u->user, u->password}, *sel[] = {"SELECT", db};
    redisReply *r = NULL;
    if (u->password[0]) {
        /* AUTH password, or AUTH user password (Redis 6 ACL) */
        r = u->user[0] ? redisCommandArgv(k->c, 3, auth, NULL) : redisCommandArgv(k->c, 2, (const char *[]){auth[0], auth[2]}, NULL);
        if (!r || r->type == REDIS_REPLY_ERROR) goto bad;
        freeReplyObject(r);
    }
    if (u->db) {
        r = redisCommandArgv(k->c, 2, sel, NULL);
        if (!r || r->type == REDIS_REPLY_ERROR) goto bad;
        freeReplyObject(r);
    }
    return 0;
bad:
    fprintf(stderr, "dumppipe: redis: %s\n", r ? r->str : k->c->errstr);
    if (r) freeReplyObject(r);
    return -1;
}

int dpq_conn_up(struct dpq_conn *k)
{
    if (k->c) return 1;
    if (dpq_now_ms() < k->next_try_ms) return 0;
    const struct dpq_url *u = &k->conf->url;
    struct timeval tv = {2, 0};
    k->c = u->path[0] ? redisConnectUnixWithTimeout(u->path, tv) : redisConnectWithTimeout(u->host, u->port, tv);
    if (!k->c || k->c->err) {
        char why[800];
        const char *e = k->c ? k->c->errstr : "out of memory";
        if (u->path[0]) snprintf(why, sizeof why, "cannot connect to %s: %s", u->path, e);
        else snprintf(why, sizeof why, "cannot connect to %s:%d: %s", u->host, u->port, e);
        drop(k, why);
        return 0;
    }
    /* A command that hangs (a partition) must not stall the worker forever. */
    redisSetTimeout(k->c, (struct timeval){30, 0});
    if (handshake(k) != 0) {
        drop(k, "authentication or database selection failed");
        return 0;
    }
    if (k->warned) fprintf(stderr, "dumppipe: redis: connected again\n");
    k->warned = 0;
    k->backoff_ms = BACKOFF_MIN_MS;
    return 1;
}

int dpq_conn_wait(struct dpq_conn *k, uint64_t wait_ms)
{
    uint64_t end = dpq_now_ms() + wait_ms;
    while (!dpq_conn_up(k)) {
        uint64_t now = dpq_now_ms();
        if (now >= end) return -1;
        uint64_t until = k->next_try_ms < end ? k->next_try_ms : end;
        if (until > now) nanosleep(&(struct timespec){0, (long)(until - now) * 1000000L}, NULL);
    }
    return 0;
}

redisReply *dpq_cmd(struct dpq_conn *k, int argc, const char **argv)
{
    if (!dpq_conn_up(k)) return NULL;
    redisReply *r = redisCommandArgv(k->c, argc, argv, NULL);
    if (!r) drop(k, k->c->errstr[0] ? k->c->errstr : "connection lost");
    return r;
}

void dpq_free(redisReply *r)
{
    if (r) freeReplyObject(r);
}

int dpq_is_error(const redisReply *r, const char *what)
{
    if (!r || r->type != REDIS_REPLY_ERROR) return 0;
    fprintf(stderr, "dumppipe: redis: %s: %s\n", what, r->str);
    return 1;
}
