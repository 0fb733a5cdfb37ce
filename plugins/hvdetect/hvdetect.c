/* hvdetect: was this machine virtual, and on what? (the seed's `!sysinfo machineid` and `lm m *xen*`)
 * Only structured evidence counts - the SMBIOS table, the loaded-driver list, the dump format - never
 * loose strings in memory: every kernel image carries "VMwareVMware", "KVMKVMKVM" or "xenbus". */
#include "locate.h"
#include "report.h"
#include "sigs.h"
#include "verdict.h"

#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>

extern const char hv_builtin_signatures[]; /* signatures.txt, embedded by CMake */

#define MAX_MODULES 65536u /* far beyond any real system; bounds the copy below */

static const struct dp_option options[] = {
    DP_OPTION("signatures", DP_OPT_STRING_LIST, NULL, "extra signature lines, in the syntax of the built-in table (e.g. 'acme smbios.manufacturer \"ACME*\"')"),
    {0},
};

static const char *const provides[] = {"hv.verdict", "smbios.info", NULL};

static int load_signatures(dp_ctx *ctx, struct hv_sigtab *t)
{
    char err[256];
    int rc = hv_sigtab_parse(t, hv_builtin_signatures, "signatures.txt", err, sizeof err);
    size_t n = dp_opt_list_count(ctx, "signatures");
    for (size_t i = 0; rc == DP_OK && i < n; i++) {
        char origin[48];
        snprintf(origin, sizeof origin, "option signatures[%zu]", i);
        const char *line = dp_opt_list_string(ctx, "signatures", i);
        rc = line ? hv_sigtab_parse(t, line, origin, err, sizeof err) : DP_ERR_INVALID;
    }
    if (rc != DP_OK) dp_set_error(ctx, "%s", err);
    return rc;
}

static int hv_init(dp_ctx *ctx, void **state)
{
    struct hv_sigtab *t = calloc(1, sizeof *t);
    if (!t) return DP_ERR_NOMEM;
    int rc = load_signatures(ctx, t);
    if (rc != DP_OK) {
        hv_sigtab_free(t);
        free(t);
        return rc;
    }
    *state = t;
    return DP_OK;
}

static void hv_fini(dp_ctx *ctx, void *state)
{
    (void)ctx;
    if (!state) return;
    hv_sigtab_free(state);
    free(state);
}

/* The host owns the module list; we only point into it for the duration of run(). */
static struct hv_module_ref *collect_modules(dp_ctx *ctx, size_t *n_out)
{
    size_t n = dp_module_count(ctx), used = 0;
    if (n > MAX_MODULES) n = MAX_MODULES;
    struct hv_module_ref *mods = calloc(n ? n : 1, sizeof *mods);
    if (!mods) return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct dp_module *m = dp_module_get(ctx, i);
        if (m && m->name) mods[used++] = (struct hv_module_ref){m->name, m->base, m->size};
    }
    *n_out = used;
    return mods;
}

static int hv_run(dp_ctx *ctx, void *state)
{
    const struct hv_sigtab *t = state;
    struct hv_smbios_result *smbios = malloc(sizeof *smbios);
    struct hv_verdict *verdict = malloc(sizeof *verdict);
    struct hv_observations obs = {.format = dp_dump_info(ctx)->format};
    int rc = smbios && verdict ? hv_smbios_locate(ctx, smbios) : DP_ERR_NOMEM;
    if (rc == DP_OK) {
        obs.modules = collect_modules(ctx, &obs.n_modules);
        if (!obs.modules) rc = DP_ERR_NOMEM;
    }
    if (rc == DP_OK) {
        obs.smbios = smbios->status == HV_SMBIOS_READ ? &smbios->info : NULL;
        hv_decide(t, &obs, verdict);
        rc = hv_report(ctx, verdict, &obs, smbios);
    }
    if (rc == DP_ERR_NOMEM) dp_set_error(ctx, "out of memory");
    else if (rc != DP_OK) dp_set_error(ctx, "could not add findings (status %d)", rc);
    free((void *)obs.modules);
    free(verdict);
    free(smbios);
    return rc;
}

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "hvdetect", .version = "1.0",
          .description = "Was this machine virtual, and on what: SMBIOS, hypervisor drivers, dump format",
          .options = options, .provides = provides, .init = hv_init, .run = hv_run, .fini = hv_fini);
