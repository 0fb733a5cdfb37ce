/* From observations to one verdict. Each observed value (an SMBIOS field, a driver, the dump format)
 * is credited to the first signature that matches it; a hypervisor's score is the sum over evidence
 * kinds of its best weight in that kind, so five Xen drivers do not outvote one SMBIOS table. */
#include "verdict.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { CONF_HIGH = 95, CONF_MEDIUM = 75, CONF_CONFLICT = 60, CONF_VM_BIT = 60, CONF_LOW = 30,
       CONF_BARE = 85, CONF_BARE_NO_MODULES = 65, CONF_BARE_HOST_ONLY = 60 };

const char *hv_verdict_kind_name(enum hv_verdict_kind k)
{
    return k == HV_VERDICT_VIRTUAL ? "virtual" : k == HV_VERDICT_BARE_METAL ? "bare-metal" : "unknown";
}

const char *hv_verdict_label(enum hv_verdict_kind k)
{
    return k == HV_VERDICT_VIRTUAL ? "virtual machine" : k == HV_VERDICT_BARE_METAL ? "physical machine" : "unknown";
}

const char *hv_kind_name(enum hv_kind k)
{
    return k == HV_EV_SMBIOS ? "smbios" : k == HV_EV_DRIVER ? "driver" : "format";
}

void hv_module_stem(const char *name, char *out, size_t cap)
{
    if (!cap) return;
    if (strncasecmp(name, "dump_", 5) == 0 && name[5]) name += 5;
    size_t n = strlen(name);
    const char *dot = strrchr(name, '.');
    if (dot && dot != name) n = (size_t)(dot - name);
    if (n >= cap) n = cap - 1;
    memcpy(out, name, n);
    out[n] = 0;
}

static const struct hv_sig *first_match(const struct hv_sigtab *t, enum hv_sig_kind kind, const char *source,
                                        const char *value, const char *hv)
{
    if (!value || !*value) return NULL;
    for (size_t i = 0; i < t->n; i++) {
        const struct hv_sig *s = &t->v[i];
        if (s->kind == kind && strcmp(s->source, source) == 0 && (!hv || strcmp(s->hv, hv) == 0) &&
            hv_glob_match(s->pattern, value))
            return s;
    }
    return NULL;
}

static void add_evidence(struct hv_verdict *v, const struct hv_sig *sig, enum hv_kind kind, const char *value,
                         size_t module_index)
{
    if (!sig) return;
    if (v->n_ev == HV_EVIDENCE_MAX) {
        v->n_ev_dropped++;
        return;
    }
    v->ev[v->n_ev++] = (struct hv_evidence){sig, kind, value, module_index};
}

static void collect(const struct hv_sigtab *t, const struct hv_observations *obs, struct hv_verdict *v)
{
    char source[HV_SOURCE_MAX];
    for (int f = 0; obs->smbios && f < HV_F_COUNT; f++) {
        snprintf(source, sizeof source, "smbios.%s", hv_field_name((enum hv_field)f));
        const char *value = obs->smbios->str[f];
        add_evidence(v, first_match(t, HV_SIG_MATCH, source, value, NULL), HV_EV_SMBIOS, value, 0);
    }
    for (size_t i = 0; i < obs->n_modules; i++) {
        char stem[64];
        if (!obs->modules[i].name) continue;
        hv_module_stem(obs->modules[i].name, stem, sizeof stem);
        const struct hv_sig *host = first_match(t, HV_SIG_HOST, "driver", stem, NULL);
        if (host && v->n_host < HV_EVIDENCE_MAX)
            v->host[v->n_host++] = (struct hv_evidence){host, HV_EV_DRIVER, obs->modules[i].name, i};
        if (!host)
            add_evidence(v, first_match(t, HV_SIG_MATCH, "driver", stem, NULL), HV_EV_DRIVER, obs->modules[i].name, i);
    }
    add_evidence(v, first_match(t, HV_SIG_MATCH, "format", obs->format, NULL), HV_EV_FORMAT, obs->format, 0);
}

/* A Hyper-V root partition or a VMware/VirtualBox host loads the weak guest-side drivers too (the
 * real triage dump in the test data has vmci, vsock and hvsocket beside vmbusr, VMNET and VBoxDrv):
 * weak evidence for a hypervisor this machine hosts is no evidence. */
static void explain_hosted(struct hv_verdict *v)
{
    size_t kept = 0;
    for (size_t i = 0; i < v->n_ev; i++) {
        int hosted = 0;
        for (size_t h = 0; h < v->n_host && !hosted; h++) hosted = strcmp(v->host[h].sig->hv, v->ev[i].sig->hv) == 0;
        if (hosted && v->ev[i].sig->weight < HV_WEIGHT_STRONG) v->n_explained++;
        else v->ev[kept++] = v->ev[i];
    }
    v->n_ev = kept;
}

/* Best weight per evidence kind for hypervisor HV. */
static void kind_weights(const struct hv_verdict *v, const char *hv, unsigned best[HV_EV_KINDS])
{
    memset(best, 0, HV_EV_KINDS * sizeof *best);
    for (size_t i = 0; i < v->n_ev; i++)
        if (strcmp(v->ev[i].sig->hv, hv) == 0 && v->ev[i].sig->weight > best[v->ev[i].kind])
            best[v->ev[i].kind] = v->ev[i].sig->weight;
}

static unsigned score(const struct hv_verdict *v, const char *hv)
{
    unsigned best[HV_EV_KINDS], sum = 0;
    kind_weights(v, hv, best);
    for (int k = 0; k < HV_EV_KINDS; k++) sum += best[k];
    return sum;
}

/* Highest score wins; on a tie the hypervisor seen first (SMBIOS before drivers) wins. */
static void pick_winner(struct hv_verdict *v)
{
    unsigned top = 0;
    for (size_t i = 0; i < v->n_ev; i++) {
        unsigned s = score(v, v->ev[i].sig->hv);
        if (s > top) top = s, v->hv = v->ev[i].sig->hv;
    }
    for (size_t i = 0; v->hv && i < v->n_ev; i++) {
        const char *other = v->ev[i].sig->hv;
        if (strcmp(other, v->hv) != 0 && v->ev[i].sig->weight >= HV_WEIGHT_STRONG) {
            v->rival = other;
            break;
        }
    }
}

static void grade(struct hv_verdict *v)
{
    unsigned best[HV_EV_KINDS];
    kind_weights(v, v->hv, best);
    int smbios = best[HV_EV_SMBIOS] >= HV_WEIGHT_STRONG;
    int other = best[HV_EV_DRIVER] >= HV_WEIGHT_STRONG || best[HV_EV_FORMAT] >= HV_WEIGHT_STRONG;
    if (smbios && other) v->confidence = CONF_HIGH, v->basis = "SMBIOS and drivers agree";
    else if (smbios) v->confidence = CONF_MEDIUM, v->basis = "SMBIOS only";
    else if (other) v->confidence = CONF_MEDIUM, v->basis = best[HV_EV_DRIVER] >= HV_WEIGHT_STRONG ? "drivers only" : "dump format only";
    else v->confidence = CONF_LOW, v->basis = "weak evidence only";
    if (v->rival && v->confidence > CONF_CONFLICT) v->confidence = CONF_CONFLICT, v->basis = "conflicting evidence";
}

/* The value a guest rule's source observed that matches its pattern, or NULL. STEM is scratch space. */
static const char *guest_rule_value(const struct hv_sig *g, const struct hv_observations *obs, char *stem, size_t cap)
{
    if (strncmp(g->source, "smbios.", 7) == 0) {
        int f = hv_field_by_name(g->source + 7);
        if (obs->smbios && f >= 0 && obs->smbios->str[f][0] && hv_glob_match(g->pattern, obs->smbios->str[f]))
            return obs->smbios->str[f];
        return NULL;
    }
    if (strcmp(g->source, "format") == 0)
        return obs->format && hv_glob_match(g->pattern, obs->format) ? obs->format : NULL;
    for (size_t m = 0; m < obs->n_modules; m++) {
        if (!obs->modules[m].name) continue;
        hv_module_stem(obs->modules[m].name, stem, cap);
        if (hv_glob_match(g->pattern, stem)) return stem;
    }
    return NULL;
}

/* First guest rule of the winner that matches; "{}" in its text becomes the matched value. */
static void guest_type(const struct hv_sigtab *t, const struct hv_observations *obs, struct hv_verdict *v)
{
    char stem[64];
    for (size_t i = 0; i < t->n; i++) {
        const struct hv_sig *g = &t->v[i];
        if (g->kind != HV_SIG_GUEST || strcmp(g->hv, v->hv) != 0) continue;
        const char *value = guest_rule_value(g, obs, stem, sizeof stem);
        if (!value) continue;
        const char *hole = strstr(g->text, "{}");
        if (hole)
            snprintf(v->guest_buf, sizeof v->guest_buf, "%.*s%s%s", (int)(hole - g->text), g->text, value, hole + 2);
        else
            snprintf(v->guest_buf, sizeof v->guest_buf, "%s", g->text);
        v->guest_type = v->guest_buf;
        return;
    }
}

/* Hypervisors this machine hosts, once each, in the order first seen. */
static void hosted_names(const struct hv_sigtab *t, struct hv_verdict *v)
{
    size_t len = 0;
    for (size_t i = 0; i < v->n_host; i++) {
        const char *hv = v->host[i].sig->hv;
        size_t j = 0;
        while (j < i && strcmp(v->host[j].sig->hv, hv) != 0) j++;
        if (j < i || len >= sizeof v->hosts) continue;
        len += (size_t)snprintf(v->hosts + len, sizeof v->hosts - len, "%s%s", len ? ", " : "", hv_sigtab_display(t, hv));
    }
}

void hv_decide(const struct hv_sigtab *t, const struct hv_observations *obs, struct hv_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->guest_type = "";
    v->vm_bit = obs->smbios && obs->smbios->vm_bit;
    collect(t, obs, v);
    explain_hosted(v);
    hosted_names(t, v);
    pick_winner(v);
    if (v->hv) {
        v->kind = HV_VERDICT_VIRTUAL;
        v->hv_name = hv_sigtab_display(t, v->hv);
        guest_type(t, obs, v);
        grade(v);
    } else if (v->vm_bit) {
        v->kind = HV_VERDICT_VIRTUAL;
        v->hv_name = "unknown hypervisor";
        v->confidence = CONF_VM_BIT;
        v->basis = "SMBIOS virtual-machine bit only";
    } else if (obs->smbios) {
        v->kind = HV_VERDICT_BARE_METAL;
        v->hv_name = "none";
        v->confidence = obs->n_modules ? CONF_BARE : CONF_BARE_NO_MODULES;
        v->basis = obs->n_modules ? "SMBIOS is not a hypervisor's, no hypervisor guest drivers"
                                  : "SMBIOS is not a hypervisor's; no driver list";
    } else if (v->n_host) {
        /* A hypervisor's host side (Hyper-V's root partition, a VMware or VirtualBox host) with none of
         * its guest side: the machine itself runs the hypervisor. Nested setups would show guest drivers. */
        v->kind = HV_VERDICT_BARE_METAL;
        v->hv_name = "none";
        v->confidence = CONF_BARE_HOST_ONLY;
        v->basis = "no SMBIOS table; hypervisor host drivers, no guest drivers";
    } else {
        v->hv_name = "unknown";
        v->basis = "no SMBIOS table and no hypervisor driver or dump format";
    }
}
