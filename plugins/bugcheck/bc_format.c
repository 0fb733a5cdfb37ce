/* Rendering of a decoded bug check; pure functions over caller-provided buffers. */
#include "bc_format.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Appends to a fixed buffer and keeps counting past its end, so callers can size a second attempt. */
struct bc_out {
    char *buf;
    size_t cap;
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void bc_put(struct bc_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

static size_t bc_done(struct bc_out *o)
{
    if (o->cap) o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
    return o->len;
}

unsigned bc_param_width(unsigned ptr_size, const uint64_t params[4])
{
    if (ptr_size == 8) return 16;
    if (ptr_size == 4) return 8;
    for (unsigned i = 0; i < 4; i++)
        if (params[i] > UINT32_MAX) return 16;
    return 8;
}

static const char *bc_description(const struct bc_decoded *d)
{
    if (d->lk.detail) return d->lk.detail->description;
    if (d->lk.known) return "dumppipe's database names this bug check but does not describe it or its parameters.";
    return "This bug check code is not in dumppipe's database.";
}

/* The text after "ArgN: value, "; NULL when there is nothing to say. */
static const char *bc_param_text(const struct bc_decoded *d, unsigned i)
{
    const struct bc_detail *det = d->lk.detail;
    if (d->has_subtype && i == det->selector - 1)
        return d->sub ? d->sub->text : "a value that is not in dumppipe's table for this code.";
    return d->meta[i]->text;
}

static void bc_put_subtypes(struct bc_out *o, const struct bc_detail *det)
{
    bc_put(o, "\nKnown values of Arg%u:\n", det->selector);
    for (size_t i = 0; i < det->n_subtypes; i++)
        bc_put(o, "  0x%" PRIx64 ": %s\n", det->subtypes[i].value, det->subtypes[i].text);
}

size_t bc_format_analysis(const struct bc_decoded *d, unsigned ptr_size, int full, char *buf, size_t cap)
{
    struct bc_out o = {buf, cap, 0};
    unsigned width = bc_param_width(ptr_size, d->params);
    const struct bc_detail *det = d->lk.detail;
    bc_put(&o, "%s (%" PRIx32 ")\n%s\n", d->lk.name, d->lk.code, bc_description(d));
    if (full && det && det->more) bc_put(&o, "%s\n", det->more);
    bc_put(&o, "Arguments:\n");
    for (unsigned i = 0; i < 4; i++) {
        const char *text = bc_param_text(d, i);
        bc_put(&o, "Arg%u: %0*" PRIx64 "%s%s\n", i + 1, (int)width, d->params[i], text ? ", " : "", text ? text : "");
    }
    if (full && det && det->n_subtypes) bc_put_subtypes(&o, det);
    return bc_done(&o);
}

size_t bc_format_title(const struct bc_decoded *d, char *buf, size_t cap)
{
    struct bc_out o = {buf, cap, 0};
    bc_put(&o, "%s (0x%" PRIX32 ")", d->lk.name, d->lk.code);
    if (d->sub) bc_put(&o, ": %s", d->sub->text);
    else if (d->has_subtype) bc_put(&o, ": Arg%u = 0x%" PRIx64 ", not in the database", d->lk.detail->selector, d->subtype);
    else if (!d->lk.known) bc_put(&o, ": not in the database");
    return bc_done(&o);
}

size_t bc_format_params(const struct bc_decoded *d, char *buf, size_t cap)
{
    struct bc_out o = {buf, cap, 0};
    for (unsigned i = 0; i < 4; i++) bc_put(&o, "%s0x%" PRIx64, i ? " " : "", d->params[i]);
    return bc_done(&o);
}
