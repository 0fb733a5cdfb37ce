/* Signature table parser and glob matcher. */
#include "sigs.h"

#include "smbios.h"

#include <ctype.h>
#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 6
#define LINE_MAX_LEN 512

struct line {
    char buf[LINE_MAX_LEN];
    char *tok[MAX_TOKENS];
    int n;
};

/* Splits one line into tokens: blanks separate, "..." quotes (with \" and \\), # starts a comment.
 * Returns 0, or -1 with *why set. */
static int tokenize(struct line *l, const char **why)
{
    char *r = l->buf, *w = l->buf;
    l->n = 0;
    for (;;) {
        while (*r == ' ' || *r == '\t' || *r == '\r') r++;
        if (!*r || *r == '#') return 0;
        if (l->n == MAX_TOKENS) return *why = "too many fields", -1;
        l->tok[l->n++] = w;
        if (*r == '"') {
            for (r++; *r != '"'; r++) {
                if (!*r) return *why = "unterminated quote", -1;
                if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) r++;
                *w++ = *r;
            }
            r++;
            if (*r && *r != ' ' && *r != '\t' && *r != '\r') return *why = "text after closing quote", -1;
        } else {
            while (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '#') *w++ = *r++;
        }
        char *next = *r && *r != '#' ? r + 1 : r;
        *w++ = 0;
        r = next;
    }
}

static int valid_id(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-') return 0;
    return 1;
}

static int valid_source(const char *s)
{
    if (strcmp(s, "driver") == 0 || strcmp(s, "format") == 0) return 1;
    return strncmp(s, "smbios.", 7) == 0 && hv_field_by_name(s + 7) >= 0;
}

static int copy_field(char *dst, size_t cap, const char *src, const char **why, const char *what)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap) return *why = what, -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int parse_weight(const char *s, unsigned *out)
{
    if (strcmp(s, "weak") == 0) return *out = HV_WEIGHT_WEAK, 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < 1 || v > 100) return -1;
    *out = (unsigned)v;
    return 0;
}

/* Fills SIG from the tokens of one non-empty line. */
static int parse_tokens(const struct line *l, struct hv_sig *sig, const char **why)
{
    memset(sig, 0, sizeof *sig);
    if (l->n < 3) return *why = "expected: <id> <source> <pattern> [weight]", -1;
    if (!valid_id(l->tok[0])) return *why = "hypervisor id must be lower-case letters, digits, '_' or '-'", -1;
    if (copy_field(sig->hv, sizeof sig->hv, l->tok[0], why, "hypervisor id too long")) return -1;
    const char *kw = l->tok[1];
    int first = 2; /* index of the source token */
    if (strcmp(kw, "name") == 0) {
        if (l->n != 3) return *why = "expected: <id> name \"<display name>\"", -1;
        sig->kind = HV_SIG_NAME;
        return copy_field(sig->text, sizeof sig->text, l->tok[2], why, "display name empty or too long");
    }
    if (strcmp(kw, "host") == 0) {
        if (l->n != 3) return *why = "expected: <id> host <driver pattern>", -1;
        sig->kind = HV_SIG_HOST;
        memcpy(sig->source, "driver", sizeof "driver");
        return copy_field(sig->pattern, sizeof sig->pattern, l->tok[2], why, "pattern empty or too long");
    }
    if (strcmp(kw, "guest") == 0) {
        if (l->n != 5) return *why = "expected: <id> guest <source> <pattern> \"<guest type>\"", -1;
        sig->kind = HV_SIG_GUEST;
        if (copy_field(sig->text, sizeof sig->text, l->tok[4], why, "guest type empty or too long")) return -1;
    } else {
        if (l->n > 4) return *why = "expected: <id> <source> <pattern> [weight]", -1;
        sig->kind = HV_SIG_MATCH;
        first = 1;
        sig->weight = HV_WEIGHT_DEFAULT;
        if (l->n == 4 && parse_weight(l->tok[3], &sig->weight)) return *why = "weight must be 1..100 or 'weak'", -1;
    }
    if (!valid_source(l->tok[first])) return *why = "unknown source (driver, format or smbios.<field>)", -1;
    if (copy_field(sig->source, sizeof sig->source, l->tok[first], why, "source too long")) return -1;
    return copy_field(sig->pattern, sizeof sig->pattern, l->tok[first + 1], why, "pattern empty or too long");
}

static int append(struct hv_sigtab *t, const struct hv_sig *sig)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct hv_sig *v = realloc(t->v, cap * sizeof *v);
        if (!v) return DP_ERR_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *sig;
    return DP_OK;
}

int hv_sigtab_parse(struct hv_sigtab *t, const char *text, const char *origin, char *err, size_t errlen)
{
    unsigned lineno = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        struct line l;
        const char *why = NULL;
        lineno++;
        if (len >= sizeof l.buf) why = "line too long";
        else {
            memcpy(l.buf, p, len);
            l.buf[len] = 0;
        }
        struct hv_sig sig;
        if (!why && tokenize(&l, &why) == 0 && l.n > 0) {
            if (parse_tokens(&l, &sig, &why) == 0) {
                if (t->n >= HV_SIGTAB_MAX) why = "too many signatures";
                else if (append(t, &sig) != DP_OK) return snprintf(err, errlen, "%s: out of memory", origin), DP_ERR_NOMEM;
            }
        }
        if (why) return snprintf(err, errlen, "%s line %u: %s", origin, lineno, why), DP_ERR_INVALID;
        p = eol ? eol + 1 : p + len;
    }
    return DP_OK;
}

void hv_sigtab_free(struct hv_sigtab *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Later lines win, so a pipeline can rename a built-in hypervisor. */
const char *hv_sigtab_display(const struct hv_sigtab *t, const char *hv)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->v[i].kind == HV_SIG_NAME && strcmp(t->v[i].hv, hv) == 0) return t->v[i].text;
    return hv;
}

/* Iterative glob with single-star backtracking: linear in practice, never recursive. */
int hv_glob_match(const char *pattern, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern == '?' || (*pattern && tolower((unsigned char)*pattern) == tolower((unsigned char)*s))) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*') pattern++;
    return *pattern == 0;
}
