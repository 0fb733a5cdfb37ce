/* The commands that describe rather than triage: --list-plugins, --describe, --explain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "loader.h"
#include "outputs.h"
#include "step.h"
#include "triage.h"

int dp_cli_explain(struct dp_loader *l, const char *format, const struct dp_run_options *o, int argc, char **argv);
int dp_cli_list_plugins(struct dp_loader *l);
/* What the host checks before anything runs, one line each, so users see the rules it applies. */
static void print_constraints(const struct dp_option *o)
{
    if (o->choices) {
        printf("      one of:");
        for (const char *const *c = o->choices; *c; c++) printf(" %s", *c);
        printf("\n");
    }
    if (o->min || o->max) printf("      range: %lld..%lld\n", (long long)o->min, (long long)o->max);
    if (o->flags & DP_OPT_DURATION) printf("      unit required: ms, s, m, min or h\n");
    if (o->flags & DP_OPT_SIZE) printf("      unit required: B, K, M, G, KiB, MiB or GiB\n");
    if (o->flags & DP_OPT_PATH) printf("      path: relative to the pipeline file that sets it\n");
}

int dp_cli_describe(struct dp_loader *l, const char *name);

static const char *kind_name(enum dp_plugin_kind k) { return k == DP_KIND_SINK ? "sink" : "analyzer"; }

static void list_one(void *user, const char *path, const struct dp_loaded_plugin *p, const char *err)
{
    int *refused = user;
    if (p) printf("%-12s %-8s %-9s %s\n             %s\n", p->desc->name, p->desc->version ? p->desc->version : "?",
                  kind_name(p->desc->kind), p->desc->description ? p->desc->description : "", path);
    else {
        printf("%-12s refused: %s\n", "-", err);
        (*refused)++;
    }
}

int dp_cli_list_plugins(struct dp_loader *l)
{
    int refused = 0;
    printf("%-12s %-8s %-9s %s\n", "NAME", "VERSION", "KIND", "DESCRIPTION / FILE");
    dp_loader_scan(l, list_one, &refused);
    return DP_EXIT_OK;
}

static const char *opt_type_name(enum dp_opt_type t)
{
    static const char *const names[] = {"", "string", "int", "bool", "string list", "int list"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

static void print_names(const char *label, const char *const *names)
{
    if (!names || !*names) return;
    printf("%s:", label);
    for (; *names; names++) printf(" %s", *names);
    printf("\n");
}

int dp_cli_describe(struct dp_loader *l, const char *name)
{
    const struct dp_loaded_plugin *p;
    char err[1024];
    if (dp_loader_get(l, name, &p, err, sizeof err) != DP_OK) return fprintf(stderr, "dumppipe: %s\n", err), DP_EXIT_USAGE;
    const struct dp_plugin *d = p->desc;
    printf("%s %s (%s, plugin ABI %u.%u, license %s)\n%s\nfile: %s\n", d->name, d->version ? d->version : "?",
           kind_name(d->kind), d->abi_major, d->abi_minor, d->license ? d->license : "unknown",
           d->description ? d->description : "", p->path);
    print_names("provides", d->provides);
    print_names("consumes", d->consumes);
    if (!d->options || !d->options->name) return printf("options: none\n"), DP_EXIT_OK;
    printf("options:\n");
    for (const struct dp_option *o = d->options; o->name; o++) {
        printf("  %-18s %-11s %s%s%s%s\n      %s\n", o->name, opt_type_name(o->type), o->required ? "required" : "",
               o->default_value ? "default: " : "", o->default_value ? o->default_value : "",
               !o->required && !o->default_value ? "optional" : "", o->help ? o->help : "");
        print_constraints(o);
    }
    return DP_EXIT_OK;
}

/* `--explain CODE [ARGS]`: the bugcheck plugin over a context that holds only the numbers. */
int dp_cli_explain(struct dp_loader *l, const char *format, const struct dp_run_options *o, int argc, char **argv)
{
    uint64_t v[5] = {0};
    if (argc < 1 || argc > 5) return fprintf(stderr, "dumppipe: --explain takes CODE and up to four parameters\n"), DP_EXIT_USAGE;
    for (int i = 0; i < argc; i++) {
        char buf[40];
        snprintf(buf, sizeof buf, "%s%s", strncasecmp(argv[i], "0x", 2) == 0 ? "" : "0x", argv[i]);
        if (dp_parse_u64(buf, &v[i]) != 0 || (i == 0 && v[0] > UINT32_MAX))
            return fprintf(stderr, "dumppipe: --explain: '%s' is not a hexadecimal number\n", argv[i]), DP_EXIT_USAGE;
    }
    struct dp_pipeline p = {.arena = dp_arena_new()};
    struct dp_ctx *c = dp_ctx_new_explain((uint32_t)v[0], v + 1, o->verbosity);
    int rc = DP_EXIT_INTERNAL;
    dp_vec_init(&p.steps, sizeof(struct dp_step_config));
    dp_vec_init(&p.sinks, sizeof(struct dp_step_config));
    struct dp_step_config *step = p.arena && c ? dp_vec_push(&p.steps) : NULL, *sink = step ? dp_vec_push(&p.sinks) : NULL;
    const struct dp_loaded_plugin *bp, *sp;
    char err[1024];
    if (sink) {
        rc = DP_EXIT_USAGE;
        if (dp_loader_get(l, "bugcheck", &bp, err, sizeof err) != DP_OK ||
            dp_loader_get(l, format ? format : "text", &sp, err, sizeof err) != DP_OK)
            fprintf(stderr, "dumppipe: %s\n", err);
        else {
            *step = (struct dp_step_config){.id = "bugcheck", .plugin = "bugcheck", .desc = bp->desc};
            *sink = (struct dp_step_config){.id = sp->name, .plugin = sp->name, .desc = sp->desc};
            struct dp_step_outcome out = {0};
            dp_step_run_inprocess(c, step, &out);
            if (strcmp(out.status, "ok") != 0) fprintf(stderr, "dumppipe: %s\n", out.message);
            struct dp_outputs outs;
            if ((rc = dp_outputs_open(&outs, &p, o->output_file, NULL)) == DP_EXIT_OK) {
                FILE *f = dp_outputs_file(&outs, 0);
                rc = dp_render(c, &p, &f);
                rc = dp_exit_worst(rc, dp_outputs_close(&outs));
            }
        }
    }
    dp_ctx_free(c);
    dp_vec_free(&p.steps);
    dp_vec_free(&p.sinks);
    dp_arena_free(p.arena);
    return rc;
}
