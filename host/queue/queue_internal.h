/* Shared between the queue's files, not part of the command-line surface. */
#ifndef DP_QUEUE_INTERNAL_H
#define DP_QUEUE_INTERNAL_H

#include "queue.h"

/* Frees a hiredis reply (NULL allowed). */
void dpq_free(struct redisReply *r);
/* 1 when R is an error reply, which is then printed with WHAT. */
int dpq_is_error(const struct redisReply *r, const char *what);

#endif
