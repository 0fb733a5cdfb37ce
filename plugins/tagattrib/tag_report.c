#include "tag_report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


static const char *const source_names[] = {"table", "file", "inline"};

int tag_same_module(const char *a, const char *b)
{
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    return la == lb && strncasecmp(a, b, la) == 0;
}

/* The module the stack blames, as the stack plugin decided it (its OS-module list is the one list). */
static const char *stack_blamed_module(dp_ctx *c)
{
    const char *m = dp_record_str(dp_artifact_get(c, "stack.culprit", 0), "module");
    return m && *m ? m : NULL;
}

static const char *hit_words(const struct tag_candidate *cd)
{
    if (cd->best.kind == TAG_HIT_LITERAL) return "holds the tag as a 4-byte literal";
    return cd->best.call_follows ? "passes the tag to a call" : "loads the tag as an operand";
}

static void publish_owner(dp_ctx *c, const char *tag, const char *module, const char *source, uint64_t code,
                          const char *symbol, const char *desc, unsigned rank)
{
    struct dp_field row[] = {DP_STR("tag", tag), DP_STR("module", module), DP_STR("source", source),
                             DP_ADDR("code_addr", code), DP_STR("symbol", symbol), DP_STR("description", desc),
                             DP_U64("rank", rank)};
    dp_publish(c, "tag.owner", row, sizeof row / sizeof row[0]);
}

static void vote(dp_ctx *c, const struct tag_query *q, const struct tag_candidate *cd, const char *sym)
{
    char reason[256];
    unsigned weight;
    if (strcmp(q->role, "corrupt block") == 0) {
        weight = 40;
        snprintf(reason, sizeof reason, "owns pool tag %s of the corrupt block (code at %s)", q->text, sym);
    } else if (strcmp(q->role, "previous neighbour") == 0) {
        weight = 15;
        snprintf(reason, sizeof reason, "owns pool tag %s of the block before the corrupt one, the usual overrunner "
                 "(code at %s)", q->text, sym);
    } else {
        return;
    }
    struct dp_field row[] = {DP_STR("module", cd->module->name), DP_U64("weight", weight), DP_STR("reason", reason)};
    dp_publish(c, "culprit.vote", row, sizeof row / sizeof row[0]);
}

static void describe_candidates(dp_ctx *c, struct dp_text *t, const struct tag_query *q)
{
    for (unsigned i = 0; i < q->n_cand; i++) {
        const struct tag_candidate *cd = &q->cand[i];
        char sym[160];
        dp_symbolize(c, cd->best.addr, sym, sizeof sym);
        dp_text_printf(t, "  %u. %-16s %s at %s (%u code sites, %u literals)\n", i + 1, cd->module->name,
                    hit_words(cd), sym, cd->n_code, cd->n_literal);
        publish_owner(c, q->text, cd->module->name, cd->best.kind == TAG_HIT_CODE ? "code" : "literal",
                      cd->best.addr, sym, hit_words(cd), i + 1);
        if (i == 0 && cd->best.kind == TAG_HIT_CODE) vote(c, q, cd, sym);
    }
}

static void owner_line(char *title, size_t len, const struct tag_query *q, const struct tag_entry *e, int have_entry,
                       const struct tag_candidate *top, const char *top_sym, unsigned *confidence)
{
    if (top && top->best.kind == TAG_HIT_CODE) {
        snprintf(title, len, "Pool tag %s (%s): owned by %s, whose code at %s %s", q->text, q->role,
                 top->module->name, top_sym, hit_words(top));
        *confidence = top->best.call_follows ? 85 : 70;
    } else if (have_entry) {
        snprintf(title, len, "Pool tag %s (%s): %s - %s (from the %s tag list)", q->text, q->role, e->binary,
                 e->description[0] ? e->description : "no description", source_names[e->source]);
        *confidence = e->source == TAG_SRC_TABLE ? 50 : 60;
    } else if (top) {
        snprintf(title, len, "Pool tag %s (%s): probably %s, whose image %s at %s", q->text, q->role,
                 top->module->name, hit_words(top), top_sym);
        *confidence = 30;
    } else {
        snprintf(title, len, "Pool tag %s (%s): owner not found in the tag lists or in any module's code", q->text,
                 q->role);
        *confidence = 0;
    }
}

static void describe_context(dp_ctx *c, struct dp_text *t, const struct tag_query *q, const struct tag_entry *e,
                             int have_entry, const struct tag_search_stats *st, const char *owner)
{
    const char *blamed = stack_blamed_module(c);
    if (have_entry)
        dp_text_printf(t, "Tag list (%s): %s - %s - %s\n", source_names[e->source], e->pattern, e->binary, e->description);
    else
        dp_text_printf(t, "Tag lists: no entry for %s (WinDbg would say \"Unknown (update pooltag.txt)\")\n", q->text);
    dp_text_printf(t, "Modules searched: %u of %u (%u without headers in the dump, %u with no image page present)\n",
                st->searched, st->modules, st->skipped_no_headers, st->skipped_absent);
    if (blamed && owner)
        dp_text_printf(t, "The stack blames %s: %s\n", blamed,
                    tag_same_module(blamed, owner) ? "the same module owns the tag" : "a different module");
}

int tag_report_query(dp_ctx *c, const struct tag_db *db, const struct tag_query *q, const struct tag_search_stats *st)
{
    struct tag_entry e;
    struct dp_text t;
    char title[512], top_sym[160] = "";
    unsigned confidence = 0;
    int have_entry = tag_db_lookup(db, q->tag, &e) == 0;
    const struct tag_candidate *top = q->n_cand ? &q->cand[0] : NULL;
    const char *owner = top && top->best.kind == TAG_HIT_CODE ? top->module->name : have_entry ? e.binary : NULL;
    if (top) dp_symbolize(c, top->best.addr, top_sym, sizeof top_sym);
    dp_text_init(&t);
    owner_line(title, sizeof title, q, &e, have_entry, top, top_sym, &confidence);
    dp_text_printf(&t, "Owning component : %s\n", owner ? owner : "unknown (no tag list entry, no code using the tag)");
    if (q->n_cand) dp_text_printf(&t, "Modules whose image holds the tag, best first:\n");
    describe_candidates(c, &t, q);
    if (have_entry) publish_owner(c, q->text, e.binary, source_names[e.source], 0, "", e.description, q->n_cand + 1);
    describe_context(c, &t, q, &e, have_entry, st, owner);
    if (t.failed) {
        dp_text_free(&t);
        dp_set_error(c, "out of memory");
        return DP_ERR_NOMEM;
    }
    struct dp_field ev[] = {DP_STR("tag", q->text), DP_STR("role", q->role), DP_ADDR("block", q->block),
                            DP_STR("owner", owner ? owner : ""),
                            DP_STR("source", top && top->best.kind == TAG_HIT_CODE ? "code"
                                             : have_entry ? source_names[e.source] : top ? "literal" : "none"),
                            DP_STR("code", top_sym)};
    struct dp_finding fd = {.code = "pool.tag.owner", .severity = DP_SEV_INFO, .confidence = confidence,
                            .title = title, .details = dp_text_str(&t), .evidence = ev, .n_evidence = 6};
    dp_add_finding(c, &fd);
    dp_text_free(&t);
    return DP_OK;
}

void tag_report_nothing(dp_ctx *c)
{
    struct dp_finding fd = {.code = "pool.tag.none", .severity = DP_SEV_INFO, .confidence = 100,
                            .title = "No pool tag to attribute: no corrupt pool block was found and no "
                                     "tags_of_interest were given"};
    dp_add_finding(c, &fd);
}
