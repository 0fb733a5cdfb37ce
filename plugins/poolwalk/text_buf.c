#include "text_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void text_init(struct text_buf *t)
{
    t->data = NULL;
    t->len = t->cap = 0;
    t->failed = 0;
}

void text_free(struct text_buf *t)
{
    free(t->data);
    text_init(t);
}

void text_clear(struct text_buf *t)
{
    t->len = 0;
    if (t->data) t->data[0] = 0;
}

static int text_reserve(struct text_buf *t, size_t extra)
{
    size_t need = t->len + extra + 1, cap = t->cap ? t->cap : 256;
    char *p;
    if (need < t->len) return 0;
    if (need <= t->cap) return 1;
    while (cap < need) {
        if (cap > (size_t)-1 / 2) return 0;
        cap *= 2;
    }
    p = realloc(t->data, cap);
    if (!p) return 0;
    t->data = p;
    t->cap = cap;
    return 1;
}

void text_printf(struct text_buf *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->failed) return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !text_reserve(t, (size_t)n)) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

const char *text_str(const struct text_buf *t)
{
    return t->data && !t->failed ? t->data : "";
}
