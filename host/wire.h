/* What an isolated plugin sends back to the host: the findings and artifact rows it added, then
 * its status. The host decodes it as hostile input: the child may have been corrupted. */
#ifndef DP_HOST_WIRE_H
#define DP_HOST_WIRE_H

#include <stddef.h>

#include "context.h"

struct dp_wbuf {
    unsigned char *data;
    size_t len, cap;
    int oom;
};

void dp_wbuf_free(struct dp_wbuf *b);
/* Appends; on failure sets oom and drops this and every later append. */
void dp_wbuf_put(struct dp_wbuf *b, const void *p, size_t n);

/* Encodes findings [findings_from, end) and journal rows [journal_from, end), then the end record. */
int dp_wire_encode(const struct dp_ctx *c, size_t findings_from, size_t journal_from, int status, const char *error,
                   struct dp_wbuf *out);

/* Applies what BUF holds to C as if PLUGIN had added it. *complete tells whether the end record
 * arrived (a child that died mid-way sends none). */
int dp_wire_decode(struct dp_ctx *c, const char *plugin, const unsigned char *buf, size_t len, int *complete,
                   int *status, char *error, size_t errlen);

#endif
