/* Small buffers and little-endian helpers shared by every builder. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

/* dpgen is a test tool: running out of memory is not a condition any caller could recover from. */
static void *check_alloc(void *p)
{
    if (!p) {
        fputs("dpgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1)); }

void *xrealloc(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return check_alloc(NULL);
    size_t bytes = n * size;
    return check_alloc(realloc(p, bytes ? bytes : 1));
}

char *xstrdup(const char *s) { return check_alloc(strdup(s)); }

static void bytes_reserve(struct bytes *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra)
        cap *= 2;
    b->p = xrealloc(b->p, cap, 1);
    b->cap = cap;
}

void bytes_put(struct bytes *b, const void *src, size_t len)
{
    if (!len)
        return;
    bytes_reserve(b, len);
    memcpy(b->p + b->n, src, len);
    b->n += len;
}

void bytes_put_le(struct bytes *b, uint64_t v, size_t width)
{
    uint8_t tmp[8];
    put_le(tmp, v, width);
    bytes_put(b, tmp, width);
}

void bytes_zero(struct bytes *b, size_t len)
{
    if (!len)
        return;
    bytes_reserve(b, len);
    memset(b->p + b->n, 0, len);
    b->n += len;
}

void bytes_align(struct bytes *b, size_t align) { bytes_zero(b, align_up(b->n, align) - b->n); }

void bytes_free(struct bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void u64vec_push(struct u64vec *v, uint64_t x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->v = xrealloc(v->v, v->cap, sizeof(*v->v));
    }
    v->v[v->n++] = x;
}

void put_le(uint8_t *dst, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++)
        dst[i] = (uint8_t)(v >> (8 * i));
}

uint64_t get_le(const uint8_t *src, size_t width)
{
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++)
        v |= (uint64_t)src[i] << (8 * i);
    return v;
}

uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
        int cb = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
        if (ca != cb || !ca)
            return ca - cb;
    }
}

int fail(struct gen *g, node_t *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n)
        snprintf(g->err, sizeof(g->err), "%s:%d: %s", g->sc->path, sc_line(n), msg);
    else
        snprintf(g->err, sizeof(g->err), "%s: %s", g->sc->path, msg);
    return -1;
}
