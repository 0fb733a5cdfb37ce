/* One context per dump: what plugins see through the SDK's function table. */
#ifndef DP_HOST_CONTEXT_H
#define DP_HOST_CONTEXT_H

#include <dumppipe/dumppipe.h>
#include <stdio.h>

#include "util.h"

struct dp_dump;
struct dp_symtab;
struct dp_sympath;
struct dp_modimage;

/* A validated option value from the pipeline: a scalar or a list of scalars (text as written). */
struct dp_opt_value {
    const char *name;
    int is_list;
    const char *scalar;
    const char **items;
    size_t n_items;
};

struct dp_artifact {
    const char *name;
    struct dp_vec rows; /* struct dp_record */
};

/* Where each published row went, in order, so a child can send back exactly what it added. */
struct dp_journal_entry {
    size_t artifact, row;
};

struct dp_ctx {
    const struct dp_host_api *api; /* must stay first: the SDK reads it */
    struct dp_arena *arena;
    struct dp_dump *dump; /* NULL when explaining numbers without a dump */
    struct dp_dump_info info_none;
    struct dp_vec findings;  /* struct dp_finding */
    struct dp_vec artifacts; /* struct dp_artifact */
    struct dp_vec journal;   /* struct dp_journal_entry */
    struct dp_vec steps;     /* struct dp_step_result */
    struct dp_summary summary;
    size_t *module_order; /* module indices sorted by base, for address lookups */
    size_t n_modules;
    struct dp_module_pe *pe_cache; /* per module index, parsed lazily */
    struct dp_disasm *disasm;
    const struct dp_symtab *symtab; /* owned by the pipeline */
    struct dp_sympath *sympath;     /* the run's symbol path (host/symbols/sympath.h), owned by the caller; may be NULL */
    struct dp_modimage *modimages;  /* per module index: its image from the symbol path (ctx_image.c) */
    struct dp_vec symbols_unverified; /* const char *, arena: "module: file" matched by name only */
    /* the step that is running */
    const char *cur_plugin;
    const struct dp_option *cur_schema;
    const char *const *cur_provides; /* what the running plugin may publish */
    const struct dp_opt_value *cur_opts;
    size_t n_cur_opts;
    char error[512];
    FILE *sink_out;
    int verbosity;
    struct dp_run_info run; /* strings owned by the caller that set them, or the arena */
    /* Where dp_progress goes; NULL: nowhere. Set by whoever shows progress (the batch runner). */
    void (*progress_fn)(void *arg, const char *plugin, uint64_t done, uint64_t total, const char *what);
    void *progress_arg;
};

struct dp_ctx *dp_ctx_new(struct dp_dump *dump, const struct dp_symtab *symtab, int verbosity);
/* A context with no dump (an input that could not be triaged: c->run says why); dump_info says
 * format "none" and names PATH. */
struct dp_ctx *dp_ctx_new_none(const char *path, int verbosity);
/* A context with no dump, for `--explain`: dump_info carries only the bug check numbers. */
struct dp_ctx *dp_ctx_new_explain(uint32_t code, const uint64_t params[4], int verbosity);
void dp_ctx_free(struct dp_ctx *c);

void dp_ctx_begin_step(struct dp_ctx *c, const char *plugin, const struct dp_option *schema,
                       const struct dp_opt_value *opts, size_t n_opts);
void dp_ctx_end_step(struct dp_ctx *c);
int dp_ctx_add_step_result(struct dp_ctx *c, const char *plugin, const char *version, const char *status,
                           const char *message, double seconds);

/* The same operations the SDK calls, usable by the host itself (isolation merges through them). */
int dp_ctx_add_finding(struct dp_ctx *c, const char *plugin, const struct dp_finding *f);
int dp_ctx_publish(struct dp_ctx *c, const char *publisher, const char *artifact, const struct dp_field *fields,
                   size_t n);
const struct dp_artifact *dp_ctx_artifact(const struct dp_ctx *c, const char *name);

#endif
