/* `dumppipe worker`: takes jobs from the consumer group, triages each in a child, records the outcome.
 * One thread, one loop: the children's pipes are polled between Redis calls, so a slow Redis never
 * blocks a child's output and a lost connection only delays the recording. */
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "worker.h"

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig, stopping = 1; }

static size_t count(const struct dpq_worker *w, enum dpq_job_state st)
{
    size_t n = 0;
    for (size_t i = 0; i < w->entries; i++) n += w->jobs[i].state == st;
    return n;
}

/* How many more jobs may start: -j N children at a time, and a free entry for each. Finished jobs
 * wait in their own entries to be recorded, so the next child starts before the last is recorded. */
static size_t room(const struct dpq_worker *w)
{
    size_t running = count(w, DPQ_JOB_RUNNING), free = count(w, DPQ_JOB_FREE);
    size_t r = running < w->slots ? w->slots - running : 0;
    return r < free ? r : free;
}

static void ensure_group(struct dpq_worker *w)
{
    const struct dpq_names *n = &w->q.names;
    /* From 0: jobs submitted before the first worker started are work too. */
    const char *argv[] = {"XGROUP", "CREATE", n->jobs, n->group, "0", "MKSTREAM"};
    redisReply *r = dpq_cmd(&w->k, 6, argv);
    if (!r) return;
    if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, "BUSYGROUP", 9) == 0) w->group_ready = 1;
    else dpq_is_error(r, "XGROUP CREATE");
    dpq_free(r);
}

/* An error reply; NOGROUP means Redis lost the group (restarted without persistence): create it again. */
static void reply_error(struct dpq_worker *w, redisReply *r, const char *what)
{
    if (strncmp(r->str, "NOGROUP", 7) == 0) w->group_ready = 0;
    else dpq_is_error(r, what);
}

static void finish(struct dpq_worker *w, struct dpq_job *j, const char *error)
{
    int rc;
    if (!error) {
        char msg[1024];
        rc = dpq_record_result(&w->k, j, &w->id, msg, sizeof msg);
        if (rc == DPQ_DOWN) return; /* kept DONE: recorded once Redis is back */
        if (rc == DPQ_RECORDED) w->recorded++;
        else if (rc == DPQ_DUPLICATE) w->duplicates++;
        else {
            finish(w, j, msg); /* the record says the triage failed: a failed delivery */
            return;
        }
    } else {
        if (w->verbose) fprintf(stderr, "dumppipe worker: %s (job %s, delivery %lld): %s\n", j->path, j->id, j->deliveries, error);
        rc = j->deliveries >= w->max_deliveries ? dpq_dead_letter(&w->k, j, error, w->id.consumer) : dpq_note_error(&w->k, j, error);
        if (rc == DPQ_DOWN) return;
        if (j->deliveries >= w->max_deliveries) w->dead++;
        else w->failed++; /* stays pending: reclaimed after the visibility timeout */
    }
    j->state = DPQ_JOB_FREE;
}

static void finish_done(struct dpq_worker *w)
{
    for (size_t i = 0; i < w->entries && dpq_conn_up(&w->k); i++) {
        struct dpq_job *j = &w->jobs[i];
        if (j->state != DPQ_JOB_DONE) continue;
        char err[1024];
        finish(w, j, dpq_job_outcome(j, err, sizeof err) == 0 ? NULL : err);
    }
}

static struct dpq_job *free_slot(struct dpq_worker *w)
{
    if (!room(w)) return NULL;
    for (size_t i = 0; i < w->entries; i++)
        if (w->jobs[i].state == DPQ_JOB_FREE) return &w->jobs[i];
    return NULL;
}

static int is_hex64(const char *s)
{
    size_t i = 0;
    while (i < 64 && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) i++;
    return i == 64 && !s[64];
}

/* Fills J from a stream entry [id, [field, value, ...]]; 0, or -1 with why in ERR. */
static int parse_entry(const redisReply *e, struct dpq_job *j, char *err, size_t errlen)
{
    memset(j->path, 0, sizeof j->path);
    j->sha[0] = j->submitted[0] = 0;
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        e->element[0]->len >= sizeof j->id)
        return snprintf(err, errlen, "unreadable stream entry"), -1;
    snprintf(j->id, sizeof j->id, "%s", e->element[0]->str);
    const redisReply *f = e->element[1];
    if (f->type != REDIS_REPLY_ARRAY) return snprintf(err, errlen, "the job was deleted from the stream"), -1;
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        if (!strcmp(k->str, "path") && v->len < sizeof j->path) memcpy(j->path, v->str, v->len + 1);
        else if (!strcmp(k->str, "sha256") && v->len < sizeof j->sha) memcpy(j->sha, v->str, v->len + 1);
        else if (!strcmp(k->str, "submitted") && v->len < sizeof j->submitted) memcpy(j->submitted, v->str, v->len + 1);
    }
    if (j->path[0] != '/' || strlen(j->path) != (size_t)strnlen(j->path, sizeof j->path))
        return snprintf(err, errlen, "malformed job: no absolute path"), -1;
    if (!is_hex64(j->sha)) return snprintf(err, errlen, "malformed job: no SHA-256"), -1;
    return 0;
}

/* A job this worker now owns: start it, or dead-letter it when it was delivered too often or is malformed. */
static void take(struct dpq_worker *w, const redisReply *e, long long deliveries)
{
    struct dpq_job *j = free_slot(w);
    char err[1024];
    j->deliveries = deliveries;
    if (parse_entry(e, j, err, sizeof err) != 0) {
        if (!j->id[0]) return;
        j->deliveries = w->max_deliveries; /* a malformed job will not get better */
    } else if (deliveries > w->max_deliveries) {
        if (dpq_last_error(&w->k, j->id, err, sizeof err) == DPQ_DOWN) return; /* still pending: retried */
    } else {
        if (dpq_job_start(j, &w->batch) == 0) return;
        snprintf(err, sizeof err, "cannot start the triage child: %m");
    }
    j->state = DPQ_JOB_DONE;
    finish(w, j, err);
    if (j->state == DPQ_JOB_DONE) j->state = DPQ_JOB_FREE; /* Redis down: the job stays pending there */
}

static long long deliveries_of(struct dpq_worker *w, const char *id)
{
    const char *argv[] = {"XPENDING", w->q.names.jobs, w->q.names.group, id, id, "1"};
    redisReply *r = dpq_cmd(&w->k, 6, argv);
    long long n = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements == 4 && r->element[0]->element[3]->type == REDIS_REPLY_INTEGER)
        n = r->element[0]->element[3]->integer;
    dpq_free(r);
    return n;
}

/* XAUTOCLAIM: jobs idle longer than the visibility timeout belong to a worker that died or lost its way. */
static void claim(struct dpq_worker *w, size_t room)
{
    char idle[24], cnt[24];
    snprintf(idle, sizeof idle, "%llu", (unsigned long long)w->claim_idle_ms);
    snprintf(cnt, sizeof cnt, "%zu", room);
    const struct dpq_names *n = &w->q.names;
    const char *argv[] = {"XAUTOCLAIM", n->jobs, n->group, w->id.consumer, idle, "0-0", "COUNT", cnt};
    redisReply *r = dpq_cmd(&w->k, 8, argv);
    if (!r) return;
    if (r->type == REDIS_REPLY_ERROR) reply_error(w, r, "XAUTOCLAIM");
    else if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && r->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *list = r->element[1];
        for (size_t i = 0; i < list->elements && free_slot(w); i++) {
            const redisReply *e = list->element[i];
            if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 || e->element[0]->type != REDIS_REPLY_STRING) continue;
            long long d = deliveries_of(w, e->element[0]->str);
            if (d > 0) take(w, e, d);
        }
    }
    dpq_free(r);
}

static void read_new(struct dpq_worker *w, size_t room, int block_ms)
{
    char cnt[24], blk[24];
    snprintf(cnt, sizeof cnt, "%zu", room);
    snprintf(blk, sizeof blk, "%d", block_ms);
    const struct dpq_names *n = &w->q.names;
    const char *argv[] = {"XREADGROUP", "GROUP", n->group, w->id.consumer, "COUNT", cnt, "BLOCK", blk, "STREAMS", n->jobs, ">"};
    redisReply *r = dpq_cmd(&w->k, 11, argv);
    if (!r) return;
    if (r->type == REDIS_REPLY_ERROR) reply_error(w, r, "XREADGROUP");
    else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
             r->element[0]->elements == 2 && r->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *list = r->element[0]->element[1];
        for (size_t i = 0; i < list->elements && free_slot(w); i++) take(w, list->element[i], 1);
    }
    dpq_free(r);
}

/* XCLAIM JUSTID by the owner resets a long job's idle time, so nobody takes it while it runs. */
static void heartbeat(struct dpq_worker *w)
{
    const struct dpq_names *n = &w->q.names;
    for (size_t i = 0; i < w->entries; i++) {
        if (w->jobs[i].state == DPQ_JOB_FREE) continue;
        const char *argv[] = {"XCLAIM", n->jobs, n->group, w->id.consumer, "0", w->jobs[i].id, "JUSTID"};
        dpq_free(dpq_cmd(&w->k, 7, argv));
    }
}

static void fetch(struct dpq_worker *w, uint64_t now)
{
    size_t n = room(w);
    if (n && now >= w->next_claim) {
        claim(w, n);
        w->next_claim = now + (w->claim_idle_ms / 2 < 2000 ? w->claim_idle_ms / 2 : 2000);
        n = room(w);
    }
    /* Block in Redis only with nothing to watch; with children running, look and go back to them. */
    if (n) read_new(w, n, count(w, DPQ_JOB_RUNNING) || count(w, DPQ_JOB_DONE) ? 1 : 500);
}

int dpq_worker_run(struct dpq_worker *w)
{
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a Redis that went away is an error to retry, not a reason to die */
    dpq_conn_init(&w->k, &w->q);
    while (!stopping || count(w, DPQ_JOB_RUNNING) + count(w, DPQ_JOB_DONE)) {
        uint64_t now = dpq_now_ms();
        int up = dpq_conn_up(&w->k);
        if (up && !w->group_ready) ensure_group(w);
        if (!stopping && up && w->group_ready) fetch(w, dpq_now_ms());
        finish_done(w);
        if (up && now >= w->next_beat) {
            heartbeat(w);
            w->next_beat = now + w->claim_idle_ms / 3;
        }
        int busy = count(w, DPQ_JOB_RUNNING) > 0;
        dpq_jobs_poll(w->jobs, w->entries, busy ? 100 : 0);
        if (!busy && (!dpq_conn_up(&w->k) || !w->group_ready)) nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    }
    fprintf(stderr, "dumppipe worker %s: %llu recorded, %llu duplicates, %llu failed (to be retried), %llu dead-lettered\n",
            w->id.consumer, w->recorded, w->duplicates, w->failed, w->dead);
    dpq_conn_close(&w->k);
    return 0;
}
