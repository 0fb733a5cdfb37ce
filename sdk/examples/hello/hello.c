/* The smallest useful analyzer: counts the loaded modules and reads the bug check, and shows how a
 * plugin declares options, reads them, adds a finding and publishes an artifact. */
#include <dumppipe/dumppipe.h>
#include <stdio.h>

static int hello_run(dp_ctx *c, void *state)
{
    (void)state;
    const struct dp_dump_info *i = dp_dump_info(c);
    char title[160];
    snprintf(title, sizeof title, "%s: %zu modules, bug check %#x", dp_opt_string(c, "greeting"), dp_module_count(c),
             i->has_bugcheck ? i->bugcheck_code : 0);
    struct dp_field ev[] = {DP_U64("modules", dp_module_count(c)), DP_STR("format", i->format)};
    struct dp_finding f = {.code = "hello.summary", .severity = DP_SEV_INFO, .confidence = 100, .title = title,
                           .evidence = ev, .n_evidence = 2};
    int rc = dp_add_finding(c, &f);
    return rc ? rc : dp_publish(c, "hello.seen", ev, 1);
}

static const struct dp_option hello_options[] = {
    DP_OPTION("greeting", DP_OPT_STRING, "hello", "word to start the finding with"),
    {0},
};

/* Every artifact a plugin publishes is declared; dp_publish() refuses the others. */
static const char *const hello_provides[] = {"hello.seen", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "hello", .version = "1.0", .license = "MIT",
          .description = "Example third-party plugin", .options = hello_options, .provides = hello_provides,
          .run = hello_run);
