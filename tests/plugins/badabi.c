/* A plugin built for a future ABI: the host must refuse it before calling anything. */
#include <dumppipe/dumppipe.h>

static int badabi_run(dp_ctx *c, void *s)
{
    (void)c, (void)s;
    return DP_OK;
}

__attribute__((visibility("default"))) const struct dp_plugin dp_plugin_descriptor = {
    .magic = DP_PLUGIN_MAGIC, .abi_major = DP_ABI_MAJOR + 1, .abi_minor = 0, .struct_size = sizeof(struct dp_plugin),
    .kind = DP_KIND_ANALYZER, .name = "badabi", .version = "0", .run = badabi_run};
