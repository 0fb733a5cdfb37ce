/* Findings and artifacts of hvdetect, with details that read like WinDbg's !sysinfo machineid and lm. */
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* WinDbg's names and order; empty strings are left out as WinDbg leaves them out. */
static const struct {
    const char *label;
    enum hv_field field;
} machineid_lines[] = {
    {"BiosVendor", HV_F_BIOS_VENDOR},           {"BiosVersion", HV_F_BIOS_VERSION},
    {"BiosReleaseDate", HV_F_BIOS_DATE},        {"SystemManufacturer", HV_F_MANUFACTURER},
    {"SystemProductName", HV_F_PRODUCT},        {"SystemFamily", HV_F_FAMILY},
    {"SystemVersion", HV_F_SYSTEM_VERSION},     {"SystemSKU", HV_F_SKU},
    {"BaseBoardManufacturer", HV_F_BOARD_MANUFACTURER}, {"BaseBoardProduct", HV_F_BOARD_PRODUCT},
    {"BaseBoardVersion", HV_F_BOARD_VERSION},
};

/* The header's Size is the table length; a 3.x entry gives only a maximum, so the used length. */
static unsigned table_size(const struct hv_smbios_info *i)
{
    return i->entry.anchor == HV_ANCHOR_SM3 ? i->table_used : i->entry.table_len;
}

void hv_format_machineid(struct dp_text *t, const struct hv_smbios_info *i)
{
    dp_text_printf(t, "Machine ID Information [From Smbios %u.%u, DMIVersion %u, Size=%u]\n", i->entry.major,
                   i->entry.minor, i->entry.bcd_revision, table_size(i));
    if (i->has_release)
        dp_text_printf(t, "BiosMajorRelease = %u\nBiosMinorRelease = %u\n", i->bios_major, i->bios_minor);
    for (size_t k = 0; k < sizeof machineid_lines / sizeof *machineid_lines; k++)
        if (i->str[machineid_lines[k].field][0])
            dp_text_printf(t, "%s = %s\n", machineid_lines[k].label, i->str[machineid_lines[k].field]);
}

static void format_addr(char *buf, size_t cap, uint64_t a, unsigned ptr_size)
{
    if (ptr_size == 8) snprintf(buf, cap, "%08" PRIx64 "`%08" PRIx64, a >> 32, a & 0xffffffffu);
    else snprintf(buf, cap, "%08" PRIx64, a);
}

void hv_format_drivers(struct dp_text *t, const struct hv_verdict *v, const struct hv_observations *obs,
                       unsigned ptr_size)
{
    int header = 0;
    for (size_t i = 0; i < v->n_ev; i++) {
        if (v->ev[i].kind != HV_EV_DRIVER || v->ev[i].module_index >= obs->n_modules) continue;
        const struct hv_module_ref *m = &obs->modules[v->ev[i].module_index];
        char start[24], end[24], name[64];
        format_addr(start, sizeof start, m->base, ptr_size);
        format_addr(end, sizeof end, m->base + m->size, ptr_size);
        /* lm shows the module name without its extension */
        snprintf(name, sizeof name, "%s", m->name);
        char *dot = strrchr(name, '.');
        if (dot && dot != name) *dot = 0;
        if (!header++) dp_text_printf(t, "start end module name\n");
        dp_text_printf(t, "%s %s %s\n", start, end, name);
    }
}

/* What hosting a hypervisor means, as a WinDbg user reads it: Windows on Hyper-V's root partition runs
 * under the hypervisor (Hyper-V role, or virtualization-based security), which is not being a guest. */
static void format_hosting(struct dp_text *t, const struct hv_verdict *v)
{
    int hyperv = 0;
    for (size_t i = 0; i < v->n_host; i++) hyperv |= strcmp(v->host[i].sig->hv, "hyperv") == 0;
    if (hyperv)
        dp_text_printf(t, "Hyper-V host drivers are loaded: this Windows is the root partition of a Hyper-V host\n"
                          "(Hyper-V role or virtualization-based security), running under the hypervisor on the\n"
                          "machine itself, not a guest of another machine.\n");
}

static void format_evidence(struct dp_text *t, const struct hv_verdict *v, const struct hv_observations *obs)
{
    dp_text_printf(t, "Evidence:\n");
    int any = v->n_ev || v->vm_bit || v->n_host || v->n_explained;
    for (size_t i = 0; i < v->n_ev; i++) {
        const struct hv_evidence *e = &v->ev[i];
        dp_text_printf(t, "  %s = %s -> %s (weight %u%s)\n", e->kind == HV_EV_DRIVER ? "driver" : e->sig->source,
                       e->value, e->sig->hv, e->sig->weight, e->sig->weight < HV_WEIGHT_STRONG ? ", weak" : "");
    }
    if (v->n_ev_dropped) dp_text_printf(t, "  ... %zu more matches not listed\n", v->n_ev_dropped);
    if (v->vm_bit) dp_text_printf(t, "  smbios.vm_bit = 1 (BIOS characteristics: virtual machine)\n");
    if (v->kind == HV_VERDICT_BARE_METAL && obs->smbios) {
        static const enum hv_field shown[] = {HV_F_MANUFACTURER, HV_F_PRODUCT, HV_F_BIOS_VENDOR};
        for (size_t k = 0; k < sizeof shown / sizeof *shown; k++)
            if (obs->smbios->str[shown[k]][0])
                dp_text_printf(t, "  smbios.%s = %s (no hypervisor signature)\n", hv_field_name(shown[k]),
                               obs->smbios->str[shown[k]]), any = 1;
        if (obs->n_modules)
            dp_text_printf(t, "  %zu drivers, none a hypervisor guest driver\n", obs->n_modules), any = 1;
    }
    for (size_t i = 0; i < v->n_host; i++)
        dp_text_printf(t, "  host driver %s -> this machine hosts %s\n", v->host[i].value, v->host[i].sig->hv);
    if (v->n_explained)
        dp_text_printf(t, "  (%zu weak guest-driver matches ignored: they load on hosts too)\n", v->n_explained);
    if (!any) dp_text_printf(t, "  (none)\n");
    format_hosting(t, v);
}

void hv_format_verdict(struct dp_text *t, const struct hv_verdict *v, const struct hv_observations *obs,
                       const struct hv_smbios_result *smbios, unsigned ptr_size)
{
    dp_text_printf(t, "Verdict: %s\n", hv_verdict_label(v->kind));
    if (v->kind == HV_VERDICT_VIRTUAL) dp_text_printf(t, "Hypervisor: %s\n", v->hv_name);
    if (v->guest_type[0]) dp_text_printf(t, "Guest type: %s\n", v->guest_type);
    dp_text_printf(t, "Confidence: %u%% (%s)\n", v->confidence, v->basis);
    if (v->rival) dp_text_printf(t, "Conflicting evidence points at: %s\n", v->rival);
    dp_text_printf(t, "SMBIOS: %s\n", smbios->note);
    dp_text_printf(t, "Dump format: %s, %zu modules\n", obs->format ? obs->format : "?", obs->n_modules);
    format_evidence(t, v, obs);
    hv_format_drivers(t, v, obs, ptr_size);
}

/* ---- findings and artifacts ---- */

static int report_smbios(dp_ctx *ctx, const struct hv_smbios_result *r)
{
    struct dp_text details = {0};
    char title[256], keys[HV_F_COUNT][40], version[16];
    struct dp_field ev[HV_F_COUNT + 4];
    size_t n = 0;
    ev[n++] = DP_STR("status", hv_smbios_status_name(r->status));
    if (r->status == HV_SMBIOS_READ) {
        const struct hv_smbios_info *i = &r->info;
        hv_format_machineid(&details, i);
        snprintf(version, sizeof version, "%u.%u", i->entry.major, i->entry.minor);
        snprintf(title, sizeof title, "SMBIOS %s: %s %s", version, i->str[HV_F_MANUFACTURER], i->str[HV_F_PRODUCT]);
        ev[n++] = DP_STR("version", version);
        if (i->entry.anchor == HV_ANCHOR_RAW) {
            ev[n++] = DP_STR("dump_tag", r->tag);
        } else {
            ev[n++] = DP_ADDR("entry_point", i->entry_addr);
            ev[n++] = DP_ADDR("table", i->entry.table_addr);
        }
        for (int f = 0; f < HV_F_COUNT; f++) {
            if (!i->str[f][0]) continue;
            snprintf(keys[f], sizeof keys[f], "smbios.%s", hv_field_name((enum hv_field)f));
            ev[n++] = DP_STR(keys[f], i->str[f]);
        }
    } else {
        snprintf(title, sizeof title, "SMBIOS not read: %.230s", r->note);
        dp_text_printf(&details, "%s\n", r->note);
    }
    struct dp_finding f = {.code = "hv.smbios", .severity = DP_SEV_INFO, .confidence = 100, .title = title,
                           .details = dp_text_str(&details), .evidence = ev, .n_evidence = n};
    int rc = dp_add_finding(ctx, &f);
    dp_text_free(&details);
    return rc;
}

static void verdict_title(char *buf, size_t cap, const struct hv_verdict *v, const struct hv_observations *obs)
{
    const char *hosts = v->hosts;
    if (v->kind == HV_VERDICT_VIRTUAL) {
        snprintf(buf, cap, "Virtual machine on %s%s%s (%s)", v->hv_name, v->guest_type[0] ? ": " : "",
                 v->guest_type, v->basis);
    } else if (v->kind == HV_VERDICT_BARE_METAL) {
        const struct hv_smbios_info *i = obs->smbios;
        if (i && (i->str[HV_F_MANUFACTURER][0] || i->str[HV_F_PRODUCT][0]))
            snprintf(buf, cap, "Physical machine: %s %s (%s)%s%s", i->str[HV_F_MANUFACTURER], i->str[HV_F_PRODUCT],
                     v->basis, hosts[0] ? "; it hosts " : "", hosts);
        else
            snprintf(buf, cap, "Physical machine (%s)%s%s", v->basis, hosts[0] ? "; it hosts " : "", hosts);
    } else {
        snprintf(buf, cap, "Virtualization unknown (%s)", v->basis);
    }
}

static int report_verdict(dp_ctx *ctx, const struct hv_verdict *v, const struct hv_observations *obs,
                          const struct hv_smbios_result *smbios)
{
    unsigned ptr_size = dp_dump_info(ctx)->ptr_size;
    struct dp_text details = {0};
    hv_format_verdict(&details, v, obs, smbios, ptr_size);
    char title[512], keys[HV_EVIDENCE_MAX][80], host_keys[HV_EVIDENCE_MAX][80];
    struct dp_field ev[2 * HV_EVIDENCE_MAX + 8];
    size_t n = 0;
    ev[n++] = DP_STR("verdict", hv_verdict_kind_name(v->kind));
    ev[n++] = DP_STR("hypervisor", v->hv_name);
    ev[n++] = DP_STR("guest_type", v->guest_type);
    ev[n++] = DP_STR("basis", v->basis);
    ev[n++] = DP_STR("smbios", hv_smbios_status_name(smbios->status));
    ev[n++] = DP_BOOL("vm_bit", v->vm_bit);
    if (v->rival) ev[n++] = DP_STR("rival", v->rival);
    for (size_t i = 0; i < v->n_ev; i++) {
        const struct hv_evidence *e = &v->ev[i];
        if (e->kind == HV_EV_DRIVER) {
            snprintf(keys[i], sizeof keys[i], "driver.%s", e->value);
            ev[n++] = DP_ADDR(keys[i], obs->modules[e->module_index].base);
        } else {
            ev[n++] = DP_STR(e->sig->source, e->value);
        }
    }
    for (size_t i = 0; i < v->n_host; i++) {
        snprintf(host_keys[i], sizeof host_keys[i], "host.%s", v->host[i].value);
        ev[n++] = DP_STR(host_keys[i], v->host[i].sig->hv);
    }
    verdict_title(title, sizeof title, v, obs);
    struct dp_finding f = {.code = "hv.verdict", .severity = DP_SEV_INFO, .confidence = v->confidence,
                           .title = title, .details = dp_text_str(&details), .evidence = ev, .n_evidence = n};
    int rc = dp_add_finding(ctx, &f);
    dp_text_free(&details);
    return rc;
}

static int publish_all(dp_ctx *ctx, const struct hv_verdict *v, const struct hv_smbios_result *smbios)
{
    struct dp_field row[] = {DP_STR("verdict", hv_verdict_kind_name(v->kind)), DP_STR("hypervisor", v->hv_name),
                             DP_STR("guest_type", v->guest_type), DP_U64("confidence", v->confidence)};
    int rc = dp_publish(ctx, "hv.verdict", row, sizeof row / sizeof *row);
    if (rc != DP_OK || smbios->status != HV_SMBIOS_READ) return rc;
    const struct hv_smbios_info *i = &smbios->info;
    char version[16];
    struct dp_field info[HV_F_COUNT + 1];
    size_t n = 0;
    snprintf(version, sizeof version, "%u.%u", i->entry.major, i->entry.minor);
    info[n++] = DP_STR("version", version);
    for (int f = 0; f < HV_F_COUNT; f++) info[n++] = DP_STR(hv_field_name((enum hv_field)f), i->str[f]);
    return dp_publish(ctx, "smbios.info", info, n);
}

int hv_report(dp_ctx *ctx, const struct hv_verdict *v, const struct hv_observations *obs,
              const struct hv_smbios_result *smbios)
{
    int rc = report_smbios(ctx, smbios);
    if (rc == DP_OK) rc = report_verdict(ctx, v, obs, smbios);
    if (rc == DP_OK) rc = publish_all(ctx, v, smbios);
    return rc;
}
