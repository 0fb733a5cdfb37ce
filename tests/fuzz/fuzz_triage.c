/* The whole triage (host/triage.c dp_triage_dump) over the build's plugins, in-process, sinks
 * writing to /dev/null: every plugin meets the mutated dump exactly as in production. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "loader.h"
#include "pipeline.h"
#include "triage.h"

static const struct dp_pipeline *shared_pipeline(void)
{
    static struct dp_pipeline *p;
    static struct dp_loader *l;
    static int tried;
    if (tried) return p;
    tried = 1;
    char err[1024] = "out of memory";
    l = dp_loader_new();
    if (!l || dp_loader_add_dir(l, DP_FUZZ_PLUGIN_DIR) != DP_OK ||
        dp_pipeline_load(DP_FUZZ_TRIAGE_PIPELINE, &p, err, sizeof err) != DP_OK ||
        dp_pipeline_bind(p, l, err, sizeof err) != DP_OK) {
        /* without its plugins the target would test nothing: stop loudly */
        fprintf(stderr, "fuzz_triage: cannot set up the pipeline: %s\n", err);
        abort();
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct dp_pipeline *p = shared_pipeline();
    char path[64];
    int fd = fz_memfd(data, size, path, sizeof path);
    if (fd < 0) return 0;
    struct dp_run_options o = {.isolation = 0, .verbosity = -1, .output_file = "/dev/null"};
    dp_triage_dump(p, NULL, path, &o);
    close(fd);
    return 0;
}
