/* The bugcheck analyzer: WinDbg's `!analyze -show CODE ARGS` and the head of `!analyze -v`.
 * Reads only dump_info, so it serves `dumppipe --explain` over a context without a dump just as well. */
#include <dumppipe/dumppipe.h>
#include <stdlib.h>

#include "bc_db.h"
#include "bc_format.h"

static const struct dp_option bugcheck_options[] = {
    DP_OPTION("show_all_params", DP_OPT_BOOL, "false", "also print the longer explanation and every known value of the subtype parameter"),
    {0},
};

static const char *const bugcheck_provides[] = {"bugcheck.info", "bugcheck.address", NULL};

static int bugcheck_no_bugcheck(dp_ctx *ctx)
{
    const struct dp_dump_info *i = dp_dump_info(ctx);
    /* a guest found in a hypervisor's dump whose KiBugCheckData (read through the KDBG) is zero */
    int guest = i->os && !strcmp(i->os, "windows") && i->kd_debugger_data_block;
    struct dp_finding f = {.code = "bugcheck.none", .severity = DP_SEV_INFO, .confidence = 100,
                           .title = guest ? "no bug check: the guest was running when dumped" : "no bug check in this dump"};
    return dp_add_finding(ctx, &f);
}

static int bugcheck_publish(dp_ctx *ctx, const struct bc_decoded *d, const char *subtype_text)
{
    struct dp_field info[5];
    size_t n = 0;
    info[n++] = DP_U64("code", d->lk.code);
    info[n++] = DP_STR("name", d->lk.name);
    if (d->has_subtype) {
        info[n++] = DP_U64("subtype", d->subtype);
        info[n++] = DP_STR("subtype_text", subtype_text);
    }
    info[n++] = DP_STR("class", bc_class_name(d->lk.cls));
    int rc = dp_publish(ctx, "bugcheck.info", info, n);

    struct bc_address addrs[4];
    size_t n_addrs = bc_addresses(d, addrs);
    for (size_t i = 0; rc == DP_OK && i < n_addrs; i++) {
        struct dp_field row[] = {
            DP_ADDR("addr", addrs[i].addr),
            DP_STR("role", bc_role_name(addrs[i].role)),
            DP_STR("kind", bc_kind_name(addrs[i].kind)),
            DP_U64("param", addrs[i].param),
        };
        rc = dp_publish(ctx, "bugcheck.address", row, sizeof(row) / sizeof(row[0]));
    }
    return rc;
}

/* Formats into a heap buffer sized by a first, counting pass. */
static char *bugcheck_analysis_text(const struct bc_decoded *d, unsigned ptr_size, int full)
{
    size_t need = bc_format_analysis(d, ptr_size, full, NULL, 0) + 1;
    char *text = malloc(need);
    if (text) bc_format_analysis(d, ptr_size, full, text, need);
    return text;
}

static int bugcheck_report(dp_ctx *ctx, const struct bc_decoded *d, unsigned ptr_size, int full)
{
    char title[256], params[128];
    char *details = bugcheck_analysis_text(d, ptr_size, full);
    if (!details) {
        dp_set_error(ctx, "out of memory formatting the bug check text");
        return DP_ERR_NOMEM;
    }
    bc_format_title(d, title, sizeof(title));
    bc_format_params(d, params, sizeof(params));
    const char *subtype_text = d->sub ? d->sub->text : "not in the database";

    struct dp_field ev[4];
    size_t n = 0;
    ev[n++] = DP_U64("code", d->lk.code);
    ev[n++] = DP_STR("name", d->lk.name);
    if (d->has_subtype) ev[n++] = DP_U64("subtype", d->subtype);
    ev[n++] = DP_STR("params", params);
    /* One finding per bug check: an unknown code is reported once, as bugcheck.unknown, with the same
     * !analyze head (a second finding repeated the same title on every run of `--explain`). */
    struct dp_finding f = {.code = "bugcheck.code",
                           .severity = bc_class_is_critical(d->lk.cls) ? DP_SEV_CRITICAL : DP_SEV_ERROR,
                           .confidence = 100, .title = title, .details = details, .evidence = ev, .n_evidence = n};
    if (!d->lk.known) {
        f.code = "bugcheck.unknown";
        f.severity = DP_SEV_WARNING;
    }
    int rc = dp_add_finding(ctx, &f);
    if (rc == DP_OK) rc = bugcheck_publish(ctx, d, subtype_text);
    free(details);
    return rc;
}

static int bugcheck_run(dp_ctx *ctx, void *state)
{
    if (dp_require_windows(ctx) != DP_OK) return DP_ERR_NOT_APPLICABLE; /* a Linux guest */
    (void)state;
    const struct dp_dump_info *info = dp_dump_info(ctx);
    if (!info) {
        dp_set_error(ctx, "the host gave no dump information");
        return DP_ERR_INVALID;
    }
    if (!info->has_bugcheck) return bugcheck_no_bugcheck(ctx);

    struct bc_decoded d;
    bc_decode(info->bugcheck_code, info->bugcheck_params, &d);
    int rc = bugcheck_report(ctx, &d, info->ptr_size, dp_opt_bool(ctx, "show_all_params"));
    if (rc != DP_OK && rc != DP_ERR_NOMEM) dp_set_error(ctx, "could not record the bug check (status %d)", rc);
    return rc;
}

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "bugcheck", .version = "1.1",
          .description = "names and explains the bug check code and its parameters (!analyze -show)",
          .options = bugcheck_options, .provides = bugcheck_provides, .run = bugcheck_run);
