/* The hypervisor signature table: data, parsed from text (the built-in signatures.txt and the
 * pipeline's `signatures` option use the same syntax, described at the top of signatures.txt). */
#ifndef HV_SIGS_H
#define HV_SIGS_H

#include <stddef.h>

#define HV_ID_MAX 32
#define HV_SOURCE_MAX 32
#define HV_PATTERN_MAX 96
#define HV_TEXT_MAX 96
#define HV_WEIGHT_DEFAULT 100
#define HV_WEIGHT_WEAK 25
#define HV_WEIGHT_STRONG 50 /* at or above: enough on its own for a medium-confidence verdict */

enum hv_sig_kind {
    HV_SIG_NAME = 1, /* display name of a hypervisor id */
    HV_SIG_MATCH,    /* evidence: source value matching pattern points at the hypervisor */
    HV_SIG_GUEST,    /* guest type, when the verdict is this hypervisor and the source matches */
    HV_SIG_HOST,     /* a driver only a host of this hypervisor loads: explains away weak guest evidence */
};

struct hv_sig {
    enum hv_sig_kind kind;
    char hv[HV_ID_MAX];
    char source[HV_SOURCE_MAX]; /* "driver", "format" or "smbios.<field>" */
    char pattern[HV_PATTERN_MAX];
    char text[HV_TEXT_MAX]; /* display name or guest type */
    unsigned weight;        /* 1..100 */
};

struct hv_sigtab {
    struct hv_sig *v;
    size_t n, cap;
};

#define HV_SIGTAB_MAX 4096 /* entries; the built-in table has ~150 */

/* Appends the signatures in TEXT (many lines) to T. ORIGIN names the text in errors. On error returns
 * DP_ERR_INVALID (or DP_ERR_NOMEM) with "ORIGIN line N: why" in ERR; T keeps the lines before. */
int hv_sigtab_parse(struct hv_sigtab *t, const char *text, const char *origin, char *err, size_t errlen);
void hv_sigtab_free(struct hv_sigtab *t);

/* Display name of hypervisor id HV (the id itself when the table names none). */
const char *hv_sigtab_display(const struct hv_sigtab *t, const char *hv);

/* Case-insensitive glob: '*' any run, '?' one character; the whole string must match. */
int hv_glob_match(const char *pattern, const char *s);

#endif
