#include "tag_table.h"
#include <dumppipe/dumppipe.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>


#define TAG_DB_MAX_ENTRIES 1000000u /* a pooltag.txt has ~10,000 lines; this bounds a hostile file */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* Copies [s, e) without surrounding blanks and line ends into out. */
static void copy_trimmed(char *out, size_t cap, const char *s, const char *e)
{
    size_t n;
    s = skip_space(s);
    if (e < s) e = s;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    n = (size_t)(e - s);
    if (n >= cap) n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
}

static int is_comment(const char *s)
{
    return (strncasecmp(s, "rem", 3) == 0 && (s[3] == 0 || isspace((unsigned char)s[3]))) || s[0] == ';' ||
           s[0] == '#' || (s[0] == '/' && s[1] == '/');
}

static int valid_pattern(const char *p)
{
    size_t len = strlen(p), chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch < 0x20 || ch > 0x7e) return 0;
        if (ch == '*') return i == len - 1;
        chars++;
    }
    return chars >= 1 && chars <= 4;
}

enum tag_line_kind tag_parse_line(const char *line, enum tag_source src, struct tag_entry *out, const char **why)
{
    const char *s = skip_space(line), *d1, *d2;
    char tag[32];
    if (*s == 0 || *s == '\r' || *s == '\n' || is_comment(s)) return TAG_LINE_SKIP;
    /* the tag may hold spaces ("Cc  - ..."), so the separator is the first " - " after the tag's start */
    d1 = strstr(s + 1, " - ");
    if (!d1) d1 = strstr(s + 1, "\t-");
    if (!d1) { *why = "no ' - ' after the tag"; return TAG_LINE_MALFORMED; }
    /* "\t-" is one byte shorter than " - ": at the end of the line, d1 + 3 would pass the NUL */
    if (d1[2] == 0) { *why = "no binary after the tag"; return TAG_LINE_MALFORMED; }
    d2 = strstr(d1 + 3, " - ");
    memset(out, 0, sizeof *out);
    copy_trimmed(tag, sizeof tag, s, d1);
    if (!valid_pattern(tag)) { *why = "the tag must be 1 to 4 printable characters (wildcards ? and a final *)"; return TAG_LINE_MALFORMED; }
    memcpy(out->pattern, tag, strlen(tag) + 1);
    copy_trimmed(out->binary, sizeof out->binary, d1 + 3, d2 ? d2 : d1 + 3 + strlen(d1 + 3));
    if (out->binary[0] == 0) { *why = "no binary after the tag"; return TAG_LINE_MALFORMED; }
    if (d2) copy_trimmed(out->description, sizeof out->description, d2 + 3, d2 + 3 + strlen(d2 + 3));
    out->source = src;
    return TAG_LINE_ENTRY;
}

void tag_db_init(struct tag_db *db) { memset(db, 0, sizeof *db); }

void tag_db_free(struct tag_db *db)
{
    free(db->entries);
    tag_db_init(db);
}

int tag_db_add(struct tag_db *db, const struct tag_entry *e)
{
    if (db->n == db->cap) {
        size_t cap = db->cap ? db->cap * 2 : 64;
        struct tag_entry *p;
        if (cap > TAG_DB_MAX_ENTRIES) return -1;
        p = realloc(db->entries, cap * sizeof *p);
        if (!p) return -1;
        db->entries = p;
        db->cap = cap;
    }
    db->entries[db->n++] = *e;
    return 0;
}

/* 3 exact, 2 with '?', 1 with '*', 0 no match. */
static int match_quality(uint32_t tag, const char *pattern)
{
    if (!dp_pool_tag_matches(tag, pattern)) return 0;
    if (strchr(pattern, '*')) return 1;
    return strchr(pattern, '?') ? 2 : 3;
}

static void consider(uint32_t tag, const char *pat, const char *bin, const char *desc, enum tag_source src,
                     int *best, struct tag_entry *out)
{
    int q = match_quality(tag, pat);
    if (!q) return;
    q += 10 * (int)src;
    if (q <= *best) return;
    *best = q;
    memset(out, 0, sizeof *out);
    strncpy(out->pattern, pat, sizeof out->pattern - 1);
    strncpy(out->binary, bin, sizeof out->binary - 1);
    strncpy(out->description, desc, sizeof out->description - 1);
    out->source = src;
}

int tag_db_lookup(const struct tag_db *db, uint32_t tag, struct tag_entry *out)
{
    int best = 0;
    tag &= ~DP_POOL_PROTECTED;
    for (size_t i = 0; i < db->n; i++) {
        const struct tag_entry *e = &db->entries[i];
        consider(tag, e->pattern, e->binary, e->description, e->source, &best, out);
    }
    for (size_t i = 0; i < tag_builtin_count; i++) {
        const struct tag_builtin *b = &tag_builtin_table[i];
        consider(tag, b->pattern, b->binary, b->description, TAG_SRC_TABLE, &best, out);
    }
    return best ? 0 : -1;
}
