/* A small streaming JSON writer: always valid UTF-8, numbers that survive a double. */
#ifndef DP_JSON_OUT_H
#define DP_JSON_OUT_H

#include <dumppipe/dumppipe.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
    FILE *f;
    int pretty, depth;
    int first; /* no comma before the next member or item */
};

void jw_open(struct jw *w, char c);  /* '{' or '[' */
void jw_close(struct jw *w, char c); /* '}' or ']' */
void jw_key(struct jw *w, const char *k);
void jw_item(struct jw *w); /* before each array item that is not an object or array */

void jw_str(struct jw *w, const char *s); /* NULL writes null; invalid UTF-8 bytes become U+FFFD */
void jw_null(struct jw *w);
void jw_bool(struct jw *w, int b);
void jw_uint(struct jw *w, uint64_t v); /* a number below 2^53, else a "0x..." string */
void jw_int(struct jw *w, int64_t v);   /* a number within +-2^53, else a decimal string */
void jw_hex(struct jw *w, uint64_t v);  /* always "0x..." */
void jw_double(struct jw *w, double v);
void jw_field(struct jw *w, const struct dp_field *f);

/* Shorthands for one member. */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kuint(struct jw *w, const char *k, uint64_t v);
void jw_khex(struct jw *w, const char *k, uint64_t v);

#endif
