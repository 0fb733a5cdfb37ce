/* An analyzer built on other plugins' artifacts: for each corrupt pool block poolwalk found, names
 * the owner of its tag when tagattrib found one. It shows the two things every such plugin needs:
 * reading rows of the blackboard, and saying "not applicable" properly when there is nothing to read.
 *
 * Pipeline: steps [poolwalk, tagattrib, blockowner] (blockowner after the steps it reads from;
 * dumppipe refuses the pipeline otherwise, because pool.corrupt_block is a hard input). */
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>

/* The rank-1 owner tagattrib published for TAG, or NULL. The record pointer is only used here,
 * before this plugin publishes or adds anything (the header's lifetime rule). */
static const char *owner_of(dp_ctx *c, const char *tag)
{
    for (size_t i = 0; tag && i < dp_artifact_count(c, "tag.owner"); i++) {
        const struct dp_record *r = dp_artifact_get(c, "tag.owner", i);
        const char *t = dp_record_str(r, "tag");
        if (t && strcmp(t, tag) == 0 && dp_record_u64(r, "rank", 1) == 1) return dp_record_str(r, "module");
    }
    return NULL;
}

static int blockowner_run(dp_ctx *c, void *state)
{
    (void)state;
    size_t n = dp_artifact_count(c, "pool.corrupt_block");
    if (n == 0) {
        /* Not a failure: this dump has nothing for us. The step reads "skipped" with this reason. */
        dp_set_error(c, "no corrupt pool block was reported (is poolwalk in the pipeline, before %s?)", "blockowner");
        return DP_ERR_NOT_APPLICABLE;
    }
    int rc = DP_OK;
    for (size_t i = 0; i < n && rc == DP_OK; i++) {
        const struct dp_record *r = dp_artifact_get(c, "pool.corrupt_block", i);
        /* copy what we need: r may move once we add a finding */
        char tag[16];
        snprintf(tag, sizeof tag, "%s", dp_record_str(r, "tag") ? dp_record_str(r, "tag") : "?");
        uint64_t addr = dp_record_u64(r, "addr", 0);
        const char *owner = owner_of(c, tag);
        char title[200];
        snprintf(title, sizeof title, "corrupt block %#llx, tag %s: %s%s", (unsigned long long)addr, tag,
                 owner ? "owned by " : "owner unknown", owner ? owner : "");
        struct dp_field ev[] = {DP_ADDR("block", addr), DP_STR("tag", tag), DP_STR("owner", owner ? owner : "")};
        struct dp_finding f = {.code = "blockowner.block", .severity = owner ? DP_SEV_WARNING : DP_SEV_INFO,
                               .confidence = owner ? 80 : 100, .title = title, .evidence = ev, .n_evidence = 3};
        rc = dp_add_finding(c, &f);
    }
    return rc;
}

/* pool.corrupt_block is required (order checked); tag.owner only adds a name when present. */
static const char *const blockowner_consumes[] = {"pool.corrupt_block", "?tag.owner", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "blockowner", .version = "1.0", .license = "MIT",
          .description = "Example: names the owner of each corrupt pool block's tag, from other plugins' artifacts",
          .consumes = blockowner_consumes, .run = blockowner_run);
