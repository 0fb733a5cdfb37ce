/* What a finished job leaves in Redis. Each outcome is one Lua script, so "record the result, count
 * its bucket, acknowledge the job" happens at once or not at all; a script that starts with XACK
 * returning 0 (already acknowledged) changes nothing, so a retry after a lost reply is harmless. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

/* KEYS: jobs done results buckets examples errors
 * ARGV: group job-id result-key record worker path sha256 pipeline version
 * Returns {"recorded"|"duplicate"|"error", bucket-or-error}. A record whose triage crashed, timed out,
 * ran out of memory or could not read the file is an error (retried, then dead-lettered): those may
 * pass on another machine or later. A malformed dump is a result: it will not get better. */
static const char record_lua[] =
    "local ok, d = pcall(cjson.decode, ARGV[4])\n"
    "if not ok or type(d) ~= 'table' then return {'error', 'the triage record is not JSON'} end\n"
    "local function s(v) if type(v) == 'string' then return v end return nil end\n"
    "local inp = type(d.input) == 'table' and d.input or {}\n"
    "local st = s(inp.status) or 'ok'\n"
    "if st == 'crashed' or st == 'timeout' or st == 'memory' or st == 'unreadable' then\n"
    "  return {'error', 'triage ' .. st .. ': ' .. (s(inp.error) or 'no message')} end\n"
    "if s(inp.sha256) and inp.sha256 ~= ARGV[7] then\n"
    "  return {'error', 'the dump changed since it was submitted (sha256 now ' .. inp.sha256 .. ')'} end\n"
    "local sum = type(d.summary) == 'table' and d.summary or {}\n"
    "local bucket = s(sum.bucket) or (st == 'malformed' and 'INVALID_DUMP') or 'NO_BUCKET'\n"
    "local culprit = type(sum.culprit) == 'table' and s(sum.culprit.module) or ''\n"
    "if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return {'duplicate', bucket} end\n"
    "redis.call('HDEL', KEYS[6], ARGV[2])\n"
    "if redis.call('HSETNX', KEYS[2], ARGV[3], '') == 0 then return {'duplicate', bucket} end\n"
    "local id = redis.call('XADD', KEYS[3], '*', 'key', ARGV[3], 'job', ARGV[2], 'path', ARGV[6], 'sha256', ARGV[7],\n"
    "  'status', st, 'bucket', bucket, 'culprit', culprit, 'pipeline', ARGV[8], 'version', ARGV[9],\n"
    "  'worker', ARGV[5], 'record', ARGV[4])\n"
    "redis.call('HSET', KEYS[2], ARGV[3], id)\n"
    "redis.call('ZINCRBY', KEYS[4], 1, bucket)\n"
    "redis.call('HSETNX', KEYS[5], bucket, ARGV[6])\n"
    "return {'recorded', bucket}\n";

/* KEYS: jobs dead errors; ARGV: group job-id path sha256 submitted deliveries error worker */
static const char dead_lua[] =
    "if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end\n"
    "redis.call('HDEL', KEYS[3], ARGV[2])\n"
    "redis.call('XADD', KEYS[2], '*', 'job', ARGV[2], 'path', ARGV[3], 'sha256', ARGV[4], 'submitted', ARGV[5],\n"
    "  'deliveries', ARGV[6], 'error', ARGV[7], 'worker', ARGV[8])\n"
    "return 1\n";

static redisReply *eval(struct dpq_conn *k, const char *script, int nkeys, const char **keys, int nargs, const char **args)
{
    const char *argv[32];
    char nk[8];
    snprintf(nk, sizeof nk, "%d", nkeys);
    int n = 0;
    argv[n++] = "EVAL", argv[n++] = script, argv[n++] = nk;
    for (int i = 0; i < nkeys; i++) argv[n++] = keys[i];
    for (int i = 0; i < nargs; i++) argv[n++] = args[i];
    return dpq_cmd(k, n, argv);
}

int dpq_record_result(struct dpq_conn *k, const struct dpq_job *j, const struct dpq_ident *id, char *msg, size_t msglen)
{
    const struct dpq_names *n = &k->conf->names;
    char key[256];
    snprintf(key, sizeof key, "%s:%s:%s", j->sha, id->version, id->pipeline);
    const char *keys[] = {n->jobs, n->done, n->results, n->buckets, n->examples, n->errors};
    const char *args[] = {n->group, j->id, key, j->out, id->consumer, j->path, j->sha, id->pipeline, id->version};
    redisReply *r = eval(k, record_lua, 6, keys, 9, args);
    if (!r) return DPQ_DOWN;
    int rc = DPQ_FAILED;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
        r->element[1]->type == REDIS_REPLY_STRING) {
        snprintf(msg, msglen, "%s", r->element[1]->str);
        rc = strcmp(r->element[0]->str, "error") == 0 ? DPQ_FAILED
             : strcmp(r->element[0]->str, "recorded") == 0 ? DPQ_RECORDED : DPQ_DUPLICATE;
    } else snprintf(msg, msglen, "recording the result failed: %s", r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
    dpq_free(r);
    return rc;
}

int dpq_dead_letter(struct dpq_conn *k, const struct dpq_job *j, const char *error, const char *consumer)
{
    const struct dpq_names *n = &k->conf->names;
    char dl[24];
    snprintf(dl, sizeof dl, "%lld", j->deliveries);
    const char *keys[] = {n->jobs, n->dead, n->errors};
    const char *args[] = {n->group, j->id, j->path, j->sha, j->submitted, dl, error, consumer};
    redisReply *r = eval(k, dead_lua, 3, keys, 8, args);
    if (!r) return DPQ_DOWN;
    int bad = dpq_is_error(r, "dead-letter");
    dpq_free(r);
    return bad ? DPQ_FAILED : DPQ_RECORDED;
}

int dpq_note_error(struct dpq_conn *k, const struct dpq_job *j, const char *error)
{
    const char *argv[] = {"HSET", k->conf->names.errors, j->id, error};
    redisReply *r = dpq_cmd(k, 4, argv);
    if (!r) return DPQ_DOWN;
    int bad = dpq_is_error(r, "HSET");
    dpq_free(r);
    return bad ? DPQ_FAILED : DPQ_RECORDED;
}

int dpq_last_error(struct dpq_conn *k, const char *job_id, char *buf, size_t len)
{
    const char *argv[] = {"HGET", k->conf->names.errors, job_id};
    redisReply *r = dpq_cmd(k, 3, argv);
    if (!r) return DPQ_DOWN;
    snprintf(buf, len, "%s", r->type == REDIS_REPLY_STRING ? r->str : "the worker holding it stopped (killed or lost)");
    dpq_free(r);
    return DPQ_RECORDED;
}
