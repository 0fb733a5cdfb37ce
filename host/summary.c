/* The verdict of a run: the culprit (the heaviest sum of culprit.vote weights), the failure bucket and
 * the keys `!analyze -v` ends with. The rules are docs/bucket.md's. */
#include "summary.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctx_dump.h"
#include "symbols.h"

enum { DP_MAX_CANDIDATES = 64 };

struct candidate {
    const char *module;
    uint64_t weight;
    const char *function; /* from the heaviest vote that names one */
    uint64_t function_weight;
    const char *symbol; /* from the heaviest vote that gives one */
    uint64_t symbol_weight;
    int has_offset; /* the heaviest fault-site vote's module offset */
    uint64_t offset, offset_weight;
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
    const char *sym = dp_record_str(r, "symbol");
    cand->weight += w > 100 ? 100 : w;
    if (fn && *fn && w > cand->function_weight) cand->function = fn, cand->function_weight = w;
    if (sym && *sym && w > cand->symbol_weight) cand->symbol = sym, cand->symbol_weight = w;
    if (dp_record_field(r, "offset") && dp_record_u64(r, "site", 0) && w > cand->offset_weight)
        cand->has_offset = 1, cand->offset = dp_record_u64(r, "offset", 0), cand->offset_weight = w;
    if (reason && *reason) {
        size_t k = strlen(cand->reasons);
        snprintf(cand->reasons + k, sizeof cand->reasons - k, "%s%s (%s)", k ? "; " : "", reason, r->publisher);
    }
}

/* Bucket words may only hold what survives in a file name or a URL. */
static void bucket_word(char *dst, size_t len, const char *src)
{
    size_t k = 0;
    for (; src && *src && k + 1 < len; src++) dst[k++] = isalnum((unsigned char)*src) || strchr("._!-+", *src) ? *src : '_';
    dst[k] = 0;
}

static const struct dp_record *first_row(struct dp_ctx *c, const char *artifact)
{
    const struct dp_artifact *a = dp_ctx_artifact(c, artifact);
    return a && a->rows.len ? dp_vec_at(&a->rows, 0) : NULL;
}

/* 0x<CODE>[_<SUBTYPE>][_<EXCEPTION CODE>] */
static void bucket_head(struct dp_ctx *c, char *head, size_t len)
{
    const struct dp_dump_info *i = dp_ctx_dump_info(c);
    const struct dp_record *info = first_row(c, "bugcheck.info"), *cx = first_row(c, "stack.context");
    if (!i->has_bugcheck) {
        snprintf(head, len, "NO_BUGCHECK");
        return;
    }
    int n = snprintf(head, len, "0x%X", i->bugcheck_code & ~0x10000000u); /* the _M variants are the same crash */
    if (dp_record_field(info, "subtype") && n > 0 && (size_t)n < len)
        n += snprintf(head + n, len - (size_t)n, "_%llX", (unsigned long long)dp_record_u64(info, "subtype", 0));
    if (dp_record_field(cx, "exception_code") && n > 0 && (size_t)n < len)
        snprintf(head + n, len - (size_t)n, "_%08" PRIX64, dp_record_u64(cx, "exception_code", 0));
}

static void build_bucket(struct dp_ctx *c, const struct candidate *win, const char *image)
{
    char head[64], cls[64], mod[128], fn[160];
    bucket_head(c, head, sizeof head);
    bucket_word(cls, sizeof cls, dp_record_str(first_row(c, "bugcheck.info"), "class"));
    bucket_word(mod, sizeof mod, win ? image : "unknown_module");
    if (win && win->function) bucket_word(fn, sizeof fn, win->function);
    else if (win && win->has_offset) snprintf(fn, sizeof fn, "unknown_function+0x%" PRIx64, win->offset);
    else fn[0] = 0;
    c->summary.bucket = dp_arena_printf(c->arena, "%s%s%s_%s%s%s", head, *cls ? "_" : "", cls, mod, *fn ? "!" : "", fn);
}

/* FNV-1a, 128-bit (prime 2^88 + 0x13b, offset basis 6c62272e07bb014262b821756295c58d), printed as a GUID. */
static const char *failure_id_hash(struct dp_arena *a, const char *bucket)
{
    __extension__ unsigned __int128 h = ((unsigned __int128)0x6c62272e07bb0142ull << 64) | 0x62b821756295c58dull;
    __extension__ const unsigned __int128 prime = ((unsigned __int128)1 << 88) | 0x13b;
    for (const char *p = bucket; p && *p; p++) h = (h ^ (unsigned char)*p) * prime;
    uint64_t hi = (uint64_t)(h >> 64), lo = (uint64_t)h;
    return dp_arena_printf(a, "{%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64 "}", hi >> 32,
                           (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t)0xffffffffffff);
}

static void culprit_keys(struct dp_ctx *c, const struct candidate *win, const char *image)
{
    const struct dp_module *m = dp_ctx_module_by_name(c, win->module);
    char stem[64];
    dp_module_short_name(win->module, stem, sizeof stem);
    c->summary.culprit_module = dp_arena_strdup(c->arena, win->module);
    c->summary.culprit_reason = dp_arena_strdup(c->arena, win->reasons);
    c->summary.culprit_confidence = win->weight > 100 ? 100 : (unsigned)win->weight;
    c->summary.module_name = dp_arena_strdup(c->arena, stem);
    c->summary.image_name = dp_arena_strdup(c->arena, image);
    c->summary.image_timestamp = m ? m->timestamp : 0;
    if (win->symbol) c->summary.symbol_name = dp_arena_strdup(c->arena, win->symbol);
    else if (win->function) c->summary.symbol_name = dp_arena_printf(c->arena, "%s!%s", stem, win->function);
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
    if (win && win->weight == 0) win = NULL;
    const char *image = win ? dp_summary_image_name(c, dp_ctx_module_by_name(c, win->module)) : NULL;
    if (win && !image) image = win->module; /* a vote for a module the dump does not list */
    if (win) culprit_keys(c, win, image);
    build_bucket(c, win, image);
    c->summary.failure_id_hash = failure_id_hash(c->arena, c->summary.bucket);
    const char *cmd = dp_record_str(first_row(c, "stack.context"), "command");
    if (cmd && *cmd) c->summary.stack_command = dp_arena_printf(c->arena, "%s ; kb", cmd);
    dp_summary_dump_keys(c);
    return c->summary.bucket && c->summary.failure_id_hash ? DP_OK : DP_ERR_NOMEM;
}
