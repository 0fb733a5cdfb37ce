/* The pool tag file reader of plugins/tagattrib (tag_sources.c over tag_table.c): the input is read
 * as a pooltag.txt file through option pooltag_files, its first lines also as inline `tags`, through
 * a real host context, then every tag the table holds is looked up again. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "fuzz_common.h"
#include "tag_sources.h"
#include "tag_table.h"

#define MAX_INLINE_LINES 16

static const struct dp_option schema[] = {
    DP_OPTION("pooltag_files", DP_OPT_STRING_LIST, NULL, "files"),
    DP_OPTION("tags", DP_OPT_STRING_LIST, NULL, "inline lines"),
    {0},
};

/* Splits a copy of the input at newlines into at most MAX_INLINE_LINES items (NULs end lines too). */
static size_t split_lines(char *text, const char **items)
{
    size_t n = 0;
    char *s = text;
    while (*s && n < MAX_INLINE_LINES) {
        items[n++] = s;
        char *e = strchr(s, '\n');
        if (!e) break;
        *e = 0;
        s = e + 1;
    }
    return n;
}

static uint32_t tag_value(const char *pattern)
{
    uint32_t v = 0;
    for (int i = 0; i < 4 && pattern[i]; i++) v |= (uint32_t)(uint8_t)pattern[i] << (8 * i);
    return v;
}

static void look_up_all(const struct tag_db *db)
{
    struct tag_entry e;
    for (size_t i = 0; i < db->n && i < 256; i++) tag_db_lookup(db, tag_value(db->entries[i].pattern), &e);
    tag_db_lookup(db, 0x65726854 /* "Thre" */, &e);
    tag_db_lookup(db, 0, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fz_memfd(data, size, path, sizeof path);
    char *text = malloc(size + 1);
    struct dp_ctx *c = dp_ctx_new(NULL, NULL, -1);
    if (fd >= 0 && text && c) {
        memcpy(text, data, size);
        text[size] = 0;
        const char *file_items[] = {path};
        const char *inline_items[MAX_INLINE_LINES];
        struct dp_opt_value opts[] = {
            {.name = "pooltag_files", .is_list = 1, .items = file_items, .n_items = 1},
            {.name = "tags", .is_list = 1, .items = inline_items, .n_items = split_lines(text, inline_items)},
        };
        struct tag_db db;
        tag_db_init(&db);
        dp_ctx_begin_step(c, "tagattrib", schema, opts, 2);
        if (tag_sources_load(c, &db) == DP_OK) look_up_all(&db);
        dp_ctx_end_step(c);
        tag_db_free(&db);
    }
    dp_ctx_free(c);
    free(text);
    if (fd >= 0) close(fd);
    return 0;
}
