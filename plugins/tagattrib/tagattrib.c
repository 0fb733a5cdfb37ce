/* tagattrib: who owns a pool tag? Tables (built-in, pooltag.txt files, inline lines) and, better, the
 * dump itself: the module whose code passes the tag to the pool allocator. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tag_evidence.h"
#include "tag_report.h"
#include "tag_sources.h"
#include "tag_table.h"

#define MAX_QUERIES 32

static const struct dp_option tagattrib_options[] = {
    DP_OPTION("pooltag_files", DP_OPT_STRING_LIST, NULL, "files in pooltag.txt format (TAG - binary - description)", .flags = DP_OPT_PATH),
    DP_OPTION("tags", DP_OPT_STRING_LIST, NULL, "extra tag lines in pooltag.txt syntax"),
    DP_OPTION("tags_of_interest", DP_OPT_STRING_LIST, NULL, "tags to attribute besides the corrupt block's and neighbours'"),
    DP_OPTION("code_search", DP_OPT_BOOL, "true", "search the loaded modules' code for the tags"),
    {0},
};
static const char *const tagattrib_provides[] = {"tag.owner", "culprit.vote", NULL};
static const char *const tagattrib_consumes[] = {"pool.corrupt_block", "pool.neighbour", "?stack.culprit", NULL};

static unsigned add_query(struct tag_query *q, unsigned n, const char *text, const char *role, uint64_t block)
{
    uint32_t tag;
    if (!text || !*text || strlen(text) > 4) return n;
    tag = dp_pool_tag_value(text) & ~DP_POOL_PROTECTED;
    for (unsigned i = 0; i < n; i++)
        if (q[i].tag == tag) return n;
    if (n >= MAX_QUERIES) return n;
    memset(&q[n], 0, sizeof q[n]);
    q[n].tag = tag;
    for (int i = 0; i < 4; i++) q[n].text[i] = (char)((tag >> (8 * i)) & 0xff);
    q[n].role = role;
    q[n].block = block;
    return n + 1;
}

static unsigned collect_queries(dp_ctx *c, struct tag_query *q)
{
    unsigned n = 0;
    for (size_t i = 0; i < dp_artifact_count(c, "pool.corrupt_block"); i++) {
        const struct dp_record *r = dp_artifact_get(c, "pool.corrupt_block", i);
        n = add_query(q, n, dp_record_str(r, "tag"), "corrupt block", dp_record_u64(r, "addr", 0));
    }
    for (size_t i = 0; i < dp_artifact_count(c, "pool.neighbour"); i++) {
        const struct dp_record *r = dp_artifact_get(c, "pool.neighbour", i);
        const char *rel = dp_record_str(r, "relation");
        int prev = rel && strcmp(rel, "previous") == 0;
        n = add_query(q, n, dp_record_str(r, "tag"), prev ? "previous neighbour" : "next neighbour",
                      dp_record_u64(r, "addr", 0));
    }
    for (size_t i = 0; i < dp_opt_list_count(c, "tags_of_interest"); i++)
        n = add_query(q, n, dp_opt_list_string(c, "tags_of_interest", i), "asked for", 0);
    return n;
}

static int tagattrib_run(dp_ctx *c, void *state)
{
    if (dp_require_windows(c) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    struct tag_db db;
    struct tag_query *q = calloc(MAX_QUERIES, sizeof *q);
    struct tag_search_stats stats = {0};
    unsigned n;
    int rc;
    (void)state;
    if (!q) {
        dp_set_error(c, "out of memory");
        return DP_ERR_NOMEM;
    }
    tag_db_init(&db);
    rc = tag_sources_load(c, &db);
    n = collect_queries(c, q);
    if (rc == DP_OK && n == 0) tag_report_nothing(c);
    if (rc == DP_OK && n > 0 && dp_opt_bool(c, "code_search")) tag_search_modules(c, q, n, &stats);
    for (unsigned i = 0; rc == DP_OK && i < n; i++) rc = tag_report_query(c, &db, &q[i], &stats);
    tag_db_free(&db);
    free(q);
    return rc;
}

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "tagattrib", .version = "1.0",
          .description = "names the owner of pool tags from tables and from code in the dump",
          .options = tagattrib_options, .provides = tagattrib_provides, .consumes = tagattrib_consumes,
          .run = tagattrib_run);
