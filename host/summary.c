#include "summary.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ctx_dump.h"

enum { DP_MAX_CANDIDATES = 64 };

struct candidate {
    const char *module;
    uint64_t weight;
    const char *function; /* from the heaviest vote that names one */
    uint64_t function_weight;
    char reasons[1024];
};

static struct candidate *candidate_for(struct candidate *c, size_t *n, const char *module)
{
    for (size_t i = 0; i < *n; i++)
        if (strcasecmp(c[i].module, module) == 0) return &c[i];
    if (*n == DP_MAX_CANDIDATES) return NULL;
    memset(&c[*n], 0, sizeof c[*n]);
    c[*n].module = module;
    return &c[(*n)++];
}

/* Votes may name the function as a full symbol ("driver!Func+0x12"); the bucket keeps only "Func",
 * and nothing when all that is known is "driver+0x36532": an offset changes with every build. */
static const char *function_name(struct dp_arena *a, const char *sym)
{
    if (!sym || !*sym) return NULL;
    const char *bang = strchr(sym, '!');
    if (!bang && strstr(sym, "+0x")) return NULL;
    const char *start = bang ? bang + 1 : sym;
    size_t n = strcspn(start, "+");
    return n ? dp_arena_printf(a, "%.*s", (int)n, start) : NULL;
}

static void add_vote(struct dp_arena *a, struct candidate *cand, const struct dp_record *r)
{
    uint64_t w = dp_record_u64(r, "weight", 0);
    const char *reason = dp_record_str(r, "reason"), *fn = function_name(a, dp_record_str(r, "function"));
    cand->weight += w > 100 ? 100 : w;
    if (fn && *fn && w > cand->function_weight) cand->function = fn, cand->function_weight = w;
    if (reason && *reason) {
        size_t k = strlen(cand->reasons);
        snprintf(cand->reasons + k, sizeof cand->reasons - k, "%s%s (%s)", k ? "; " : "", reason, r->publisher);
    }
}

/* Bucket words may only hold what survives in a file name or a URL. */
static void bucket_word(char *dst, size_t len, const char *src)
{
    size_t k = 0;
    for (; src && *src && k + 1 < len; src++) dst[k++] = isalnum((unsigned char)*src) || strchr("._!-", *src) ? *src : '_';
    dst[k] = 0;
}

static void build_bucket(struct dp_ctx *c, const struct candidate *win)
{
    const struct dp_dump_info *i = dp_ctx_dump_info(c);
    const struct dp_artifact *info = dp_ctx_artifact(c, "bugcheck.info");
    const struct dp_record *r = info ? dp_vec_at(&info->rows, 0) : NULL;
    char head[64], cls[64], mod[128], fn[128];
    if (i->has_bugcheck) {
        uint32_t code = i->bugcheck_code & ~0x10000000u; /* the _M variants are the same crash */
        int n = snprintf(head, sizeof head, "0x%X", code);
        if (dp_record_field(r, "subtype")) snprintf(head + n, sizeof head - (size_t)n, "_%llX", (unsigned long long)dp_record_u64(r, "subtype", 0));
    } else {
        snprintf(head, sizeof head, "NO_BUGCHECK");
    }
    bucket_word(cls, sizeof cls, dp_record_str(r, "class"));
    bucket_word(mod, sizeof mod, win ? win->module : "unknown_module");
    bucket_word(fn, sizeof fn, win && win->function ? win->function : "");
    c->summary.bucket = dp_arena_printf(c->arena, "%s%s%s_%s%s%s", head, *cls ? "_" : "", cls, mod, *fn ? "!" : "", fn);
}

int dp_summary_build(struct dp_ctx *c)
{
    struct candidate cand[DP_MAX_CANDIDATES];
    size_t n = 0;
    const struct dp_artifact *votes = dp_ctx_artifact(c, "culprit.vote");
    for (size_t i = 0; votes && i < votes->rows.len; i++) {
        const struct dp_record *r = dp_vec_at(&votes->rows, i);
        const char *module = dp_record_str(r, "module");
        struct candidate *slot = module && *module ? candidate_for(cand, &n, module) : NULL;
        if (slot) add_vote(c->arena, slot, r);
    }
    const struct candidate *win = NULL;
    for (size_t i = 0; i < n; i++)
        if (!win || cand[i].weight > win->weight) win = &cand[i];
    memset(&c->summary, 0, sizeof c->summary);
    if (win && win->weight > 0) {
        c->summary.culprit_module = dp_arena_strdup(c->arena, win->module);
        c->summary.culprit_reason = dp_arena_strdup(c->arena, win->reasons);
        c->summary.culprit_confidence = win->weight > 100 ? 100 : (unsigned)win->weight;
    } else {
        win = NULL;
    }
    build_bucket(c, win);
    return c->summary.bucket ? DP_OK : DP_ERR_NOMEM;
}
