/* Pool tag tables: the built-in list, pooltag.txt-format files and inline lines, looked up with the
 * same wildcards WinDbg's pooltag.txt uses. */
#ifndef TAGATTRIB_TAG_TABLE_H
#define TAGATTRIB_TAG_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum tag_source { TAG_SRC_TABLE = 0, TAG_SRC_FILE, TAG_SRC_INLINE };

#define TAG_PATTERN_MAX 8
#define TAG_TEXT_MAX 160

struct tag_entry {
    char pattern[TAG_PATTERN_MAX]; /* "Thre", "Afd?", "Acp*", "Cc" */
    char binary[TAG_TEXT_MAX];     /* "nt!ps", "afd.sys", "<unknown>" */
    char description[TAG_TEXT_MAX];
    enum tag_source source;
};

/* Built-in well-known tags (facts about Windows, described in our own words). */
struct tag_builtin {
    const char *pattern, *binary, *description;
};
extern const struct tag_builtin tag_builtin_table[];
extern const size_t tag_builtin_count;

enum tag_line_kind { TAG_LINE_ENTRY = 0, TAG_LINE_SKIP, TAG_LINE_MALFORMED };

/* Parses one pooltag.txt line ("TAG - binary - description", `rem` comments, blank lines). On
 * TAG_LINE_MALFORMED, *why says what is wrong (a static string). */
enum tag_line_kind tag_parse_line(const char *line, enum tag_source src, struct tag_entry *out, const char **why);

struct tag_db {
    struct tag_entry *entries; /* files and inline lines only; the built-in table is read in place */
    size_t n, cap;
};

void tag_db_init(struct tag_db *db);
void tag_db_free(struct tag_db *db);
int tag_db_add(struct tag_db *db, const struct tag_entry *e); /* 0, or -1 when out of memory or full */

/* The best description of TAG (Protected bit ignored): inline lines first, then files, then the built-in
 * table; within one source an exact tag beats '?' which beats '*'. Returns 0 and fills *out, or -1. */
int tag_db_lookup(const struct tag_db *db, uint32_t tag, struct tag_entry *out);

#endif
