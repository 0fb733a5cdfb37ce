/* Pipelines: YAML files naming the steps (analyzers), the sinks and how they run. */
#ifndef DP_HOST_PIPELINE_H
#define DP_HOST_PIPELINE_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "util.h"

/* Range of every duration and size a pipeline or the command line may give. */
#define DP_MAX_TIMEOUT_MS (24ull * 3600 * 1000)
#define DP_MAX_MEMORY_BYTES (1ull << 40)

struct dp_pos {
    const char *file;
    unsigned line, col;
};

struct dp_step_config {
    const char *id;     /* how extends refers to it: `id:`, else the plugin name */
    const char *plugin;
    struct dp_pos pos;
    struct dp_opt_value *opts;
    struct dp_pos *opt_pos;
    size_t n_opts;
    uint64_t timeout_ms, memory_bytes; /* 0 = the pipeline's default */
    const char *output;                /* sinks: file to write, else stdout */
    const struct dp_plugin *desc;      /* bound by dp_pipeline_bind */
};

struct dp_pipeline {
    struct dp_arena *arena;
    const char *path;
    struct dp_vec steps; /* struct dp_step_config */
    struct dp_vec sinks; /* struct dp_step_config */
    struct dp_vec plugin_dirs;  /* const char * */
    struct dp_vec symbol_files; /* const char *: `symbols:` entries, symbol-path syntax, local paths made absolute */
    struct dp_vec sources;      /* const char *: the pipeline file and every file it extends */
    int isolation;              /* 1 unless the pipeline says `isolation: false` */
    uint64_t timeout_ms, memory_bytes;           /* per step; 0 = default */
    uint64_t dump_timeout_ms, dump_memory_bytes; /* per dump (its supervised child); 0 = default */
};

/* Reads PATH (following `extends:`). Errors are "FILE:LINE:COL: message". */
int dp_pipeline_load(const char *path, struct dp_pipeline **out, char *err, size_t errlen);
void dp_pipeline_free(struct dp_pipeline *p);

struct dp_loader;
/* Loads every plugin the pipeline names and checks each step's options against its schema:
 * unknown plugin, unknown option, wrong type, missing required option. */
int dp_pipeline_bind(struct dp_pipeline *p, struct dp_loader *l, char *err, size_t errlen);

int dp_yaml_bool(const char *s, int *out);

#endif
