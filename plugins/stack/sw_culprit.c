/* The verdict: the module the fault happened in, else the first module on the stack that is not the
 * operating system's, weighed with what the pool plugins found (the seed's "What other evidence can
 * reinforce our belief in driver.sys?"). The weights are docs/bucket.md's. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sw_os.h"
#include "sw_report.h"

#define SW_MAX_EXTRA_OS 64
#define SW_VOTE_WEIGHT 50      /* the stack alone: as strong as the pool tag owner, no stronger */
#define SW_WEAK_VOTE_WEIGHT 35 /* the frame was accepted by module range only */
#define SW_SITE_WEIGHT 70      /* a driver's instruction faulted: more than the tag owner alone */
#define SW_OS_SITE_WEIGHT 45   /* Windows' own code faulted: less than a checked driver frame below it */
#define SW_OS_ONLY_WEIGHT 20   /* nothing but Windows on the stack: any other evidence outweighs it */

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

/* One culprit.vote row. A fault site also carries its module offset, so the bucket can tell crash
 * sites apart while no function name is known (docs/bucket.md). */
static void vote(dp_ctx *ctx, const struct sw_named_frame *nf, unsigned weight, const char *reason, int site)
{
    char fn[SW_SYMBOL_LEN];
    sw_function_of(nf->symbol, fn, sizeof fn);
    struct dp_field row[7];
    size_t n = 0;
    row[n++] = DP_STR("module", nf->module->name);
    row[n++] = DP_U64("weight", weight);
    row[n++] = DP_STR("reason", reason);
    if (*fn) row[n++] = DP_STR("function", fn); /* no function: the bucket keeps module alone */
    row[n++] = DP_STR("symbol", nf->symbol);
    if (site) {
        row[n++] = DP_U64("offset", nf->f->ip - nf->module->base);
        row[n++] = DP_BOOL("site", 1);
    }
    dp_publish(ctx, "culprit.vote", row, n);
}

/* The stack's own verdict, for plugins that compare their suspect with it (tagattrib). */
static void verdict(dp_ctx *ctx, const struct sw_named_frame *nf)
{
    struct dp_field row[] = {DP_STR("module", nf->module->name), DP_STR("symbol", nf->symbol)};
    dp_publish(ctx, "stack.culprit", row, 2);
}

static size_t first_non_os_frame(const struct sw_named_frame *frames, size_t from, size_t n, int checked_only,
                                 const char **extra, size_t n_extra)
{
    const char *names[SW_MAX_FRAMES];
    for (size_t i = 0; i < n; i++)
        names[i] = i >= from && frames[i].module && !(checked_only && frames[i].f->weak) ? frames[i].module->name : NULL;
    return sw_first_non_os(names, n, extra, n_extra);
}

/* From FROM on, the first frame in a module that is not the bug-check machinery; n when none. */
static size_t first_blamable(const struct sw_named_frame *frames, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++)
        if (frames[i].module && !sw_is_machinery(frames[i].symbol)) return i;
    return n;
}

static void no_culprit(dp_ctx *ctx, size_t n)
{
    struct dp_finding fd = {.code = "stack.culprit", .severity = DP_SEV_INFO, .confidence = 50,
                            .title = n ? "only operating-system modules on the stack" : "no frames to blame"};
    dp_add_finding(ctx, &fd);
}

enum blame_kind { BLAME_FIRST_NON_OS, BLAME_SITE, BLAME_FIRST_OS };

struct blame {
    size_t frame;
    unsigned weight;
    enum blame_kind kind;
};

/* The fault site wins over the first non-OS module below it when it is a driver's; an OS module at the
 * site weighs less than a checked third-party frame on the same stack, more than a guessed one. */
static size_t choose(dp_ctx *ctx, const struct sw_named_frame *frames, size_t n, const struct sw_site *site, struct blame *out)
{
    const char *extra[SW_MAX_EXTRA_OS];
    size_t n_extra = os_extra(ctx, extra), from = 0, votes = 0, k;
    if (site && site->has_site && (k = first_blamable(frames, site->site, n)) < n) {
        int os = sw_is_os_module(frames[k].module->name, extra, n_extra);
        out[votes++] = (struct blame){k, os ? SW_OS_SITE_WEIGHT : SW_SITE_WEIGHT, BLAME_SITE};
        if (!os) return votes;
        from = k;
    }
    /* frames whose call was checked first: a value taken on module range alone is often a stale pointer */
    size_t j = first_non_os_frame(frames, from, n, 1, extra, n_extra);
    if (j >= n) j = first_non_os_frame(frames, from, n, 0, extra, n_extra);
    if (j < n) out[votes++] = (struct blame){j, frames[j].f->weak ? SW_WEAK_VOTE_WEIGHT : SW_VOTE_WEIGHT, BLAME_FIRST_NON_OS};
    /* only Windows on the stack: its first frame past the bug-check machinery, weakly */
    if (!votes && (j = first_blamable(frames, 0, n)) < n) out[votes++] = (struct blame){j, SW_OS_ONLY_WEIGHT, BLAME_FIRST_OS};
    return votes;
}

static void describe(struct dp_text *t, const struct sw_named_frame *frames, const struct blame *b,
                     const struct sw_site *site, char *reason, size_t len)
{
    const struct sw_named_frame *nf = &frames[b->frame];
    size_t k = b->frame;
    if (b->kind == BLAME_FIRST_OS) {
        snprintf(reason, len, "only operating-system modules on the stack; the first past the bug-check machinery: %s", nf->symbol);
        dp_text_printf(t, "  - only operating-system modules on the stack; the first frame past the bug-check machinery is %s (frame %zu)\n",
                       nf->symbol, k);
    } else if (b->kind == BLAME_SITE && k != site->site) {
        const struct sw_named_frame *at = &frames[site->site];
        const char *what = at->module ? "in the bug-check machinery" : "in no module";
        snprintf(reason, len, "the fault happened at %s (%s); the first frame to blame: %s", at->symbol, what, nf->symbol);
        dp_text_printf(t, "  - the fault happened at %s (%s), frame %zu of the stack of %s; the first frame to blame is %s (frame %zu)\n",
                       at->symbol, what, site->site, site->command && *site->command ? site->command : "the bug check", nf->symbol, k);
    } else if (b->kind == BLAME_SITE) {
        snprintf(reason, len, "the fault happened in %s: %s", nf->module->name, nf->symbol);
        dp_text_printf(t, "  - the fault happened in %s: %s (frame %zu of the stack of %s)\n", nf->module->name, nf->symbol, k,
                       site->command && *site->command ? site->command : "the bug check");
        if (b->weight == SW_OS_SITE_WEIGHT) dp_text_printf(t, "    (an operating-system module: a driver on the same stack would outweigh it)\n");
    } else {
        snprintf(reason, len, "first non-OS module on the stack: %s", nf->symbol);
        dp_text_printf(t, "  - first non-OS module on the stack: %s (frame %zu%s%s)\n", nf->symbol, k, k ? ", which called " : "",
                       k ? frames[k - 1].symbol : "");
    }
    if (nf->f->weak)
        dp_text_printf(t, "    (a value inside %s on the stack; its code is not in the dump to confirm a call)\n", nf->module->name);
}

void sw_report_culprit(dp_ctx *ctx, const struct sw_named_frame *frames, size_t n, const struct sw_site *site)
{
    struct blame b[2];
    if (n > SW_MAX_FRAMES) n = SW_MAX_FRAMES;
    size_t votes = choose(ctx, frames, n, site, b);
    if (!votes) return no_culprit(ctx, n);
    size_t best = votes == 2 && b[1].weight > b[0].weight ? 1 : 0;
    const struct dp_module *m = frames[b[best].frame].module;
    struct dp_text t;
    char reason[512];
    dp_text_init(&t);
    dp_text_printf(&t, "Culprit: %s\n", m->name);
    for (size_t i = 0; i < votes; i++) {
        size_t v = (best + i) % votes; /* the heavier vote's reason first */
        describe(&t, frames, &b[v], site, reason, sizeof reason);
        vote(ctx, &frames[b[v].frame], b[v].weight, reason, b[v].kind == BLAME_SITE);
    }
    verdict(ctx, &frames[b[best].frame]);
    unsigned more = tag_evidence(ctx, m, &t) + codeptr_evidence(ctx, m, &t) + fault_evidence(ctx, m, &t);
    char title[256];
    static const char *const why[] = {"first non-OS module on the stack", "the fault happened there",
                                      "only operating-system modules on the stack"};
    snprintf(title, sizeof title, "%s: %s%s", m->name, why[b[best].kind], more ? ", and other findings agree" : "");
    /* the stack's own vote: the corroborating findings cast their own votes, and the summary's
     * CULPRIT_CONFIDENCE is the sum, so adding them here too would make the two figures disagree */
    unsigned conf = b[best].weight;
    const struct dp_field ev[] = {DP_STR("module", m->name), DP_STR("symbol", frames[b[best].frame].symbol),
                                  DP_U64("frame", b[best].frame), DP_U64("corroborating", more)};
    struct dp_finding fd = {.code = "stack.culprit", .severity = DP_SEV_WARNING, .confidence = conf > 95 ? 95 : conf,
                            .title = title, .details = dp_text_str(&t), .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &fd);
    dp_text_free(&t);
}
