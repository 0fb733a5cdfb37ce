/* The verdict: the first module on the stack that is not the operating system's, weighed with what
 * the pool plugins found (the seed's "What other evidence can reinforce our belief in driver.sys?"). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sw_os.h"
#include "sw_report.h"

#define SW_MAX_EXTRA_OS 64
#define SW_VOTE_WEIGHT 50      /* the stack alone: as strong as the pool tag owner, no stronger */
#define SW_WEAK_VOTE_WEIGHT 35 /* the frame was accepted by module range only */

static int same_module(const char *a, const struct dp_module *m) { return a && m->name && !strcasecmp(a, m->name); }

/* Is TAG the tag of a block poolwalk found corrupt? Then its owner is named by the corruption itself. */
static uint64_t corrupt_block_with_tag(dp_ctx *ctx, const char *tag)
{
    size_t n = dp_artifact_count(ctx, "pool.corrupt_block");
    for (size_t i = 0; tag && i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "pool.corrupt_block", i);
        const char *t = dp_record_str(r, "tag");
        if (t && !strcmp(t, tag)) return dp_record_u64(r, "addr", 0);
    }
    return 0;
}

/* tag.owner rows: a reason for the culprit, or a warning that the tag points elsewhere. */
static unsigned tag_evidence(dp_ctx *ctx, const struct dp_module *m, struct dp_text *t)
{
    unsigned agree = 0;
    size_t n = dp_artifact_count(ctx, "tag.owner");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "tag.owner", i);
        const char *tag = dp_record_str(r, "tag"), *owner = dp_record_str(r, "module"), *src = dp_record_str(r, "source");
        uint64_t block = corrupt_block_with_tag(ctx, tag);
        if (dp_record_u64(r, "rank", 1) != 1 || !tag || !owner) continue;
        if (same_module(owner, m)) {
            agree++;
            dp_text_printf(t, "  - pool tag %s", tag);
            if (block) dp_text_printf(t, " of the corrupt block %llx", (unsigned long long)block);
            dp_text_printf(t, " is %s's (%s)\n", m->name, src ? src : "tag.owner");
        } else if (block) {
            dp_text_printf(t, "  ! but pool tag %s of the corrupt block %llx is %s's\n", tag, (unsigned long long)block, owner);
        }
    }
    return agree;
}

/* codeptr.hit rows: code pointers into the culprit inside (or next to) the corrupt block. */
static unsigned codeptr_evidence(dp_ctx *ctx, const struct dp_module *m, struct dp_text *t)
{
    unsigned agree = 0;
    size_t n = dp_artifact_count(ctx, "codeptr.hit");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "codeptr.hit", i);
        const char *cls = dp_record_str(r, "class"), *region = dp_record_str(r, "region"), *sym = dp_record_str(r, "symbol");
        if (!cls || !strcmp(cls, "implausible") || !strcmp(cls, "data")) continue;
        int inside = region && !strcmp(region, "corrupt-block"), next_to = region && !strcmp(region, "neighbour");
        const char *where = inside ? "the corrupt block" : next_to ? "a neighbouring block" : "the scanned range";
        if (same_module(dp_record_str(r, "module"), m)) {
            agree++;
            dp_text_printf(t, "  - %s holds a code pointer to %s at %llx (%s)\n", where, sym ? sym : "?",
                           (unsigned long long)dp_record_u64(r, "at", 0), cls);
        } else if (inside) {
            dp_text_printf(t, "  ! but the corrupt block also holds a code pointer to %s (%s)\n", sym ? sym : "?", cls);
        }
    }
    return agree;
}

/* bugcheck.address rows naming code: the faulting instruction inside the culprit. */
static unsigned fault_evidence(dp_ctx *ctx, const struct dp_module *m, struct dp_text *t)
{
    unsigned agree = 0;
    size_t n = dp_artifact_count(ctx, "bugcheck.address");
    for (size_t i = 0; i < n; i++) {
        const struct dp_record *r = dp_artifact_get(ctx, "bugcheck.address", i);
        const char *kind = dp_record_str(r, "kind"), *role = dp_record_str(r, "role");
        uint64_t a = dp_record_u64(r, "addr", 0);
        if (!kind || strcmp(kind, "code") || a - m->base >= m->size) continue;
        char sym[SW_SYMBOL_LEN];
        dp_symbolize(ctx, a, sym, sizeof sym);
        dp_text_printf(t, "  - the bug check's %s %s is in %s\n", role ? role : "code address", sym, m->name);
        agree++;
    }
    return agree;
}

static size_t os_extra(dp_ctx *ctx, const char **extra)
{
    size_t n = dp_opt_list_count(ctx, "os_modules");
    if (n > SW_MAX_EXTRA_OS) n = SW_MAX_EXTRA_OS;
    for (size_t i = 0; i < n; i++) extra[i] = dp_opt_list_string(ctx, "os_modules", i);
    return n;
}

static void vote(dp_ctx *ctx, const struct sw_named_frame *nf, unsigned weight)
{
    char reason[256], fn[SW_SYMBOL_LEN];
    snprintf(reason, sizeof reason, "first non-OS module on the stack: %s", nf->symbol);
    sw_function_of(nf->symbol, fn, sizeof fn);
    struct dp_field row[] = {DP_STR("module", nf->module->name), DP_U64("weight", weight), DP_STR("reason", reason),
                             DP_STR("function", fn)};
    dp_publish(ctx, "culprit.vote", row, *fn ? 4 : 3); /* no function: the bucket keeps module alone */
    /* the stack's own verdict, for plugins that compare their suspect with it (tagattrib) */
    struct dp_field verdict[] = {DP_STR("module", nf->module->name), DP_STR("symbol", nf->symbol)};
    dp_publish(ctx, "stack.culprit", verdict, 2);
}

static size_t first_non_os_frame(const struct sw_named_frame *frames, size_t n, int checked_only, const char **extra,
                                 size_t n_extra)
{
    const char *names[SW_MAX_FRAMES];
    for (size_t i = 0; i < n; i++)
        names[i] = frames[i].module && !(checked_only && frames[i].f->weak) ? frames[i].module->name : NULL;
    return sw_first_non_os(names, n, extra, n_extra);
}

static void no_culprit(dp_ctx *ctx, size_t n)
{
    struct dp_finding fd = {.code = "stack.culprit", .severity = DP_SEV_INFO, .confidence = 50,
                            .title = n ? "only operating-system modules on the stack" : "no frames to blame"};
    dp_add_finding(ctx, &fd);
}

void sw_report_culprit(dp_ctx *ctx, const struct sw_named_frame *frames, size_t n)
{
    const char *extra[SW_MAX_EXTRA_OS];
    size_t n_extra = os_extra(ctx, extra);
    if (n > SW_MAX_FRAMES) n = SW_MAX_FRAMES;
    /* frames whose call was checked first: a value taken on module range alone is often a stale pointer */
    size_t k = first_non_os_frame(frames, n, 1, extra, n_extra);
    if (k >= n) k = first_non_os_frame(frames, n, 0, extra, n_extra);
    if (k >= n) return no_culprit(ctx, n);
    const struct sw_named_frame *nf = &frames[k];
    const struct dp_module *m = nf->module;
    struct dp_text t;
    dp_text_init(&t);
    dp_text_printf(&t, "Culprit: %s\n  - first non-OS module on the stack: %s (frame %zu%s%s)\n", m->name, nf->symbol, k,
                   k ? ", which called " : "", k ? frames[k - 1].symbol : "");
    if (nf->f->weak)
        dp_text_printf(&t, "    (a value inside %s on the stack; its code is not in the dump to confirm a call)\n", m->name);
    unsigned weight = nf->f->weak ? SW_WEAK_VOTE_WEIGHT : SW_VOTE_WEIGHT;
    unsigned more = tag_evidence(ctx, m, &t) + codeptr_evidence(ctx, m, &t) + fault_evidence(ctx, m, &t);
    vote(ctx, nf, weight);
    char title[256];
    snprintf(title, sizeof title, "%s: first non-OS module on the stack%s", m->name,
             more ? ", and other findings agree" : "");
    unsigned conf = weight + 15 * more;
    const struct dp_field ev[] = {DP_STR("module", m->name), DP_STR("symbol", nf->symbol), DP_U64("frame", k),
                                  DP_U64("corroborating", more)};
    struct dp_finding fd = {.code = "stack.culprit", .severity = DP_SEV_WARNING, .confidence = conf > 95 ? 95 : conf,
                            .title = title, .details = dp_text_str(&t), .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &fd);
    dp_text_free(&t);
}
