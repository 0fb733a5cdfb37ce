#ifndef DP_HOST_SUMMARY_H
#define DP_HOST_SUMMARY_H
#include "context.h"
/* Weighs the culprit.vote rows and builds the failure bucket (docs/bucket.md). */
int dp_summary_build(struct dp_ctx *c);
#endif
