/* Matching what the dump says against the signature table, and the verdict drawn from it. Pure. */
#ifndef HV_VERDICT_H
#define HV_VERDICT_H

#include "sigs.h"
#include "smbios.h"

#include <stddef.h>
#include <stdint.h>

#define HV_EVIDENCE_MAX 64

struct hv_module_ref {
    const char *name;
    uint64_t base, size;
};

/* What was read from the dump. smbios is NULL when no table was decoded. */
struct hv_observations {
    const struct hv_smbios_info *smbios;
    const struct hv_module_ref *modules;
    size_t n_modules;
    const char *format;
};

enum hv_kind { HV_EV_SMBIOS = 0, HV_EV_DRIVER, HV_EV_FORMAT, HV_EV_KINDS };

struct hv_evidence {
    const struct hv_sig *sig; /* the signature that matched */
    enum hv_kind kind;
    const char *value;   /* the observed value (points into the observations) */
    size_t module_index; /* HV_EV_DRIVER only */
};

enum hv_verdict_kind { HV_VERDICT_UNKNOWN = 0, HV_VERDICT_BARE_METAL, HV_VERDICT_VIRTUAL };

struct hv_verdict {
    enum hv_verdict_kind kind;
    const char *hv;         /* winning hypervisor id, NULL when none */
    const char *hv_name;    /* its display name, or "unknown hypervisor" (VM bit only) */
    const char *guest_type; /* "" when no guest rule matched */
    unsigned confidence;    /* percent */
    const char *basis;      /* one phrase: why this confidence */
    const char *rival;      /* another hypervisor with strong evidence, or NULL */
    int vm_bit;
    struct hv_evidence host[HV_EVIDENCE_MAX]; /* hypervisor host drivers seen (kind HV_EV_DRIVER) */
    size_t n_host;
    size_t n_explained; /* weak guest evidence dropped because the machine hosts that hypervisor */
    char hosts[160];    /* display names of the hypervisors hosted, once each: "Microsoft Hyper-V, ..." */
    char guest_buf[HV_TEXT_MAX + HV_SMBIOS_STR_MAX];
    struct hv_evidence ev[HV_EVIDENCE_MAX];
    size_t n_ev;
    size_t n_ev_dropped; /* matches beyond HV_EVIDENCE_MAX, counted not kept */
};

const char *hv_verdict_kind_name(enum hv_verdict_kind k); /* "virtual", "bare-metal", "unknown" */
const char *hv_kind_name(enum hv_kind k);                 /* "smbios", "driver", "format" */
const char *hv_verdict_label(enum hv_verdict_kind k);     /* for people: "physical machine", ... */

/* Module base name for matching: extension and a crash-dump "dump_" prefix removed. */
void hv_module_stem(const char *name, char *out, size_t cap);

void hv_decide(const struct hv_sigtab *t, const struct hv_observations *obs, struct hv_verdict *out);

#endif
