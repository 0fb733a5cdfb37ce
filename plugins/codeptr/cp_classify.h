/* codeptr's judgement of a pointer into a module: pure functions over a byte window, so they can be
 * tested without a dump. Decoding goes through a callback (dp_disasm in the plugin, capstone in tests). */
#ifndef CP_CLASSIFY_H
#define CP_CLASSIFY_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one instruction at addr from code[0..len); DP_OK with out filled, or an error. */
typedef int (*cp_decode_fn)(void *ud, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out);

struct cp_decoder {
    cp_decode_fn decode;
    void *ud;
};

/* Bytes of the dump around the pointer: bytes[0] lives at va start. */
struct cp_window {
    const uint8_t *bytes;
    size_t len;
    uint64_t start;
};

enum cp_class { CP_FUNCTION_ENTRY, CP_RETURN_ADDRESS, CP_INSIDE_FUNCTION, CP_DATA, CP_IMPLAUSIBLE };

/* How far back `ub` looks for a start that lands on the address. */
#define CP_MAX_BACK 48
#define CP_MAX_LISTING 8

struct cp_backward {
    int found;            /* some start before addr decodes cleanly and lands exactly on it */
    uint64_t start;       /* the smallest such start: the longest clean run */
    struct dp_insn prev;  /* the instruction that ends at addr on that run */
    unsigned landed;      /* candidate starts that land exactly on addr */
    unsigned straddled;   /* candidate starts whose clean run has an instruction across addr */
};

struct cp_verdict {
    enum cp_class cls;
    unsigned confidence; /* percent */
    const char *reason;  /* static text */
};

const char *cp_class_name(enum cp_class c);

/* Decodes forward from addr, at most max instructions; returns how many decoded cleanly. */
size_t cp_decode_forward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                         struct dp_insn *out, size_t max);

/* Tries every start from addr-CP_MAX_BACK (or the window's start) up to addr-1. */
void cp_search_backward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                        struct cp_backward *out);

/* The instructions from b->start up to addr, keeping the last max (what `ub` prints). */
size_t cp_listing_backward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                           const struct cp_backward *b, struct dp_insn *out, size_t max);

/* Classifies a pointer to addr; executable says whether its PE section is executable. */
struct cp_verdict cp_classify(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr, int executable);

#endif
