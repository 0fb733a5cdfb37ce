/* A plugin that takes its time, so a test can stop a worker in the middle of a job. */
#include <dumppipe/dumppipe.h>
#include <time.h>

static int slow_run(dp_ctx *c, void *state)
{
    (void)state;
    int64_t ms = dp_opt_int(c, "ms");
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
    struct dp_finding f = {.code = "test.slow", .severity = DP_SEV_INFO, .confidence = 100, .title = "took its time"};
    return dp_add_finding(c, &f);
}

static const struct dp_option slow_options[] = {
    DP_OPTION("ms", DP_OPT_INT, "50", "how long to sleep, in milliseconds", .min = 0, .max = 3600000),
    {0},
};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "slow", .version = "0", .description = "test plugin: sleeps",
          .options = slow_options, .run = slow_run);
