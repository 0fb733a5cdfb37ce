/* The YAML pipeline loader (host/pipeline.c) and, when it accepts the input, binding to the build's
 * plugins (pipeline_bind.c: unknown plugins, option names, types). The input is written as
 * input.yaml in a directory that also holds base.yaml (the shipped triage pipeline), so `extends:`
 * can reach a real base, itself (a cycle) or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "loader.h"
#include "pipeline.h"

static char work_dir[] = "/tmp/dp-fuzz-pipeline.XXXXXX";
static char input_path[sizeof work_dir + 16], base_path[sizeof work_dir + 16];

static void remove_work_dir(void)
{
    unlink(input_path);
    unlink(base_path);
    rmdir(work_dir);
}

/* One directory and one loader for the whole run: loading the plugins once keeps each input fast. */
static struct dp_loader *set_up(void)
{
    static struct dp_loader *l;
    static int tried;
    if (tried) return l;
    tried = 1;
    if (!mkdtemp(work_dir)) abort();
    snprintf(input_path, sizeof input_path, "%s/input.yaml", work_dir);
    snprintf(base_path, sizeof base_path, "%s/base.yaml", work_dir);
    if (symlink(DP_FUZZ_BASE_PIPELINE, base_path) != 0) abort();
    atexit(remove_work_dir);
    if ((l = dp_loader_new())) dp_loader_add_dir(l, DP_FUZZ_PLUGIN_DIR);
    return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dp_loader *l = set_up();
    FILE *f = fopen(input_path, "wb");
    if (!f) return 0;
    size_t written = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || written != size) return 0;
    char err[1024];
    struct dp_pipeline *p;
    if (dp_pipeline_load(input_path, &p, err, sizeof err) == DP_OK) {
        if (l) dp_pipeline_bind(p, l, err, sizeof err);
        dp_pipeline_free(p);
    }
    return 0;
}
