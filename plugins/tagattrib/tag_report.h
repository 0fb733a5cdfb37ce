/* tag.owner rows, culprit votes and the pool.tag.owner finding for one tag. */
#ifndef TAGATTRIB_TAG_REPORT_H
#define TAGATTRIB_TAG_REPORT_H

#include <dumppipe/dumppipe.h>

#include "tag_evidence.h"
#include "tag_table.h"

int tag_report_query(dp_ctx *c, const struct tag_db *db, const struct tag_query *q,
                     const struct tag_search_stats *st);
void tag_report_nothing(dp_ctx *c);

/* "driver.sys" and "driver" name the same module. */
int tag_same_module(const char *a, const char *b);

#endif
