#include "cp_format.h"

#include <ctype.h>
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>

void cp_format_ptr(uint64_t v, unsigned ptr_size, char *buf, size_t len)
{
    if (ptr_size == 8)
        snprintf(buf, len, "%08x`%08x", (unsigned)(v >> 32), (unsigned)(v & 0xffffffffu));
    else
        snprintf(buf, len, "%08x", (unsigned)(v & 0xffffffffu));
}

/* Appends s to out (capacity len, current length *pos), silently truncating. */
static void put(char *out, size_t len, size_t *pos, const char *s)
{
    while (*s && *pos + 1 < len) out[(*pos)++] = *s++;
    out[*pos] = '\0';
}

/* WinDbg writes numbers below 10 in decimal and the rest as hex with an h suffix, adding a leading 0
 * when the first digit is a letter so the token still reads as a number. */
static void windbg_number(uint64_t v, char *buf, size_t len)
{
    if (v < 10) {
        snprintf(buf, len, "%u", (unsigned)v);
        return;
    }
    char hex[24];
    snprintf(hex, sizeof hex, "%llX", (unsigned long long)v);
    snprintf(buf, len, "%s%sh", isalpha((unsigned char)hex[0]) ? "0" : "", hex);
}

/* Length of a "0x..." token at s, 0 when s does not start one. */
static size_t hex_token(const char *s, uint64_t *v)
{
    if (s[0] != '0' || s[1] != 'x' || !isxdigit((unsigned char)s[2])) return 0;
    size_t n = 2;
    *v = 0;
    while (isxdigit((unsigned char)s[n]) && n < 2 + 16) {
        char c = (char)tolower((unsigned char)s[n]);
        *v = (*v << 4) | (uint64_t)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
        n++;
    }
    return n;
}

void cp_windbg_operands(const char *in, char *out, size_t len)
{
    if (!len) return;
    size_t pos = 0;
    out[0] = '\0';
    for (const char *s = in; *s;) {
        uint64_t v;
        size_t n = hex_token(s, &v);
        int word_start = s == in || !isalnum((unsigned char)s[-1]);
        if (n && word_start) {
            char num[32];
            windbg_number(v, num, sizeof num);
            put(out, len, &pos, num);
            s += n;
        } else if (!strncmp(s, " - ", 3) || !strncmp(s, " + ", 3)) {
            char op[2] = {s[1], 0};
            put(out, len, &pos, op);
            s += 3;
        } else if (!strncmp(s, ", ", 2)) {
            put(out, len, &pos, ",");
            s += 2;
        } else {
            char c[2] = {*s++, 0};
            put(out, len, &pos, c);
        }
    }
}

void cp_format_insn(uint64_t addr, unsigned ptr_size, const char *mnemonic, const char *operands, char *buf,
                    size_t len)
{
    char a[32];
    cp_format_ptr(addr, ptr_size, a, sizeof a);
    if (operands && *operands)
        snprintf(buf, len, "%s %-7s %s", a, mnemonic, operands);
    else
        snprintf(buf, len, "%s %s", a, mnemonic);
}

/* Parses one hex number (optional 0x, optional WinDbg backtick); returns the end, NULL on error. */
static const char *parse_hex(const char *s, uint64_t *v)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    unsigned digits = 0;
    *v = 0;
    for (; isxdigit((unsigned char)*s) || *s == '`'; s++) {
        if (*s == '`') continue;
        if (++digits > 16) return NULL;
        char c = (char)tolower((unsigned char)*s);
        *v = (*v << 4) | (uint64_t)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
    }
    return digits ? s : NULL;
}

int cp_parse_range(const char *text, uint64_t *start, uint64_t *end)
{
    if (!text) return DP_ERR_INVALID;
    uint64_t a, b;
    const char *s = parse_hex(text, &a);
    if (!s || (*s != '-' && *s != '+')) return DP_ERR_INVALID;
    char sep = *s;
    const char *e = parse_hex(s + 1, &b);
    if (!e || *e) return DP_ERR_INVALID;
    if (sep == '+') {
        if (b == 0 || b > UINT64_MAX - a) return DP_ERR_INVALID;
        b += a;
    }
    if (b <= a) return DP_ERR_INVALID;
    *start = a;
    *end = b;
    return DP_OK;
}
