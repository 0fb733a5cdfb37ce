#ifndef DP_HOST_SUMMARY_H
#define DP_HOST_SUMMARY_H
#include "context.h"
/* Weighs the culprit.vote rows and builds the failure bucket and the `!analyze -v` keys (docs/bucket.md). */
int dp_summary_build(struct dp_ctx *c);

/* summary_keys.c: PROCESS_NAME and CURRENT_IRQL from the dump; the kernel's image name. */
void dp_summary_dump_keys(struct dp_ctx *c);
const char *dp_summary_image_name(struct dp_ctx *c, const struct dp_module *m);
#endif
