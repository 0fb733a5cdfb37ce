/* A growable text buffer for findings' details; a failed allocation sticks and is reported once. */
#ifndef POOLWALK_TEXT_BUF_H
#define POOLWALK_TEXT_BUF_H

#include <stddef.h>

struct text_buf {
    char *data;
    size_t len, cap;
    int failed;
};

void text_init(struct text_buf *t);
void text_free(struct text_buf *t);
void text_printf(struct text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far; "" when nothing was written or memory ran out. */
const char *text_str(const struct text_buf *t);
void text_clear(struct text_buf *t);

#endif
