/* A finished job's outcome in Redis: result and bucket count, dead letter, or a noted error. */
#ifndef DP_QUEUE_RECORD_H
#define DP_QUEUE_RECORD_H

#include "job.h"
#include "queue_internal.h"

enum { DPQ_DOWN = -1, DPQ_FAILED = 0, DPQ_RECORDED = 1, DPQ_DUPLICATE = 2 };

/* What makes a result the same result: (dump SHA-256, dumppipe version, pipeline). */
struct dpq_ident {
    const char *version, *pipeline, *consumer;
};

/* Records J's result (j->out), counts its bucket once per identity and acknowledges the job.
 * DPQ_RECORDED or DPQ_DUPLICATE with the bucket in MSG; DPQ_FAILED with why in MSG when the record
 * says the triage failed (the job stays pending); DPQ_DOWN when Redis is unreachable. */
int dpq_record_result(struct dpq_conn *k, const struct dpq_job *j, const struct dpq_ident *id, char *msg, size_t msglen);
/* Moves J to the dead-letter stream with ERROR and acknowledges it. */
int dpq_dead_letter(struct dpq_conn *k, const struct dpq_job *j, const char *error, const char *consumer);
/* Keeps ERROR as the job's last error, for whoever dead-letters it later. */
int dpq_note_error(struct dpq_conn *k, const struct dpq_job *j, const char *error);
/* The last error noted for JOB_ID, or a sentence saying its worker stopped. */
int dpq_last_error(struct dpq_conn *k, const char *job_id, char *buf, size_t len);

#endif
