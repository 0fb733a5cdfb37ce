#include "cp_classify.h"

#include <string.h>

const char *cp_class_name(enum cp_class c)
{
    switch (c) {
    case CP_FUNCTION_ENTRY: return "function-entry";
    case CP_RETURN_ADDRESS: return "return-address";
    case CP_INSIDE_FUNCTION: return "inside-function";
    case CP_DATA: return "data";
    case CP_IMPLAUSIBLE: break;
    }
    return "implausible";
}

/* Decodes the instruction at va, refusing anything outside the window. */
static int decode_at(const struct cp_decoder *d, const struct cp_window *w, uint64_t va, struct dp_insn *out)
{
    if (va < w->start || va - w->start >= w->len) return DP_ERR_FAULT;
    size_t off = (size_t)(va - w->start);
    memset(out, 0, sizeof *out);
    int rc = d->decode(d->ud, w->bytes + off, w->len - off, va, out);
    if (rc != DP_OK) return rc;
    return out->size ? DP_OK : DP_ERR_BAD_DATA;
}

size_t cp_decode_forward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                         struct dp_insn *out, size_t max)
{
    size_t n = 0;
    uint64_t va = addr;
    while (n < max && decode_at(d, w, va, &out[n]) == DP_OK) va += out[n++].size;
    return n;
}

enum run_end { RUN_BROKEN, RUN_LANDED, RUN_STRADDLED };

/* Decodes linearly from start until reaching addr; *last gets the final instruction. */
static enum run_end run_to(const struct cp_decoder *d, const struct cp_window *w, uint64_t start, uint64_t addr,
                           struct dp_insn *last)
{
    uint64_t va = start;
    /* every instruction is at least one byte, so addr - start bounds the loop */
    while (va < addr) {
        if (decode_at(d, w, va, last) != DP_OK) return RUN_BROKEN;
        va += last->size;
    }
    return va == addr ? RUN_LANDED : RUN_STRADDLED;
}

void cp_search_backward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                        struct cp_backward *out)
{
    memset(out, 0, sizeof *out);
    if (addr <= w->start) return;
    uint64_t first = addr - w->start > CP_MAX_BACK ? addr - CP_MAX_BACK : w->start;
    for (uint64_t s = first; s < addr; s++) {
        struct dp_insn last;
        enum run_end e = run_to(d, w, s, addr, &last);
        if (e == RUN_STRADDLED) out->straddled++;
        if (e != RUN_LANDED) continue;
        out->landed++;
        if (!out->found) {
            out->found = 1;
            out->start = s;
            out->prev = last;
        }
    }
}

size_t cp_listing_backward(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr,
                           const struct cp_backward *b, struct dp_insn *out, size_t max)
{
    if (!b->found || max == 0) return 0;
    size_t n = 0;
    uint64_t va = b->start;
    while (va < addr) {
        struct dp_insn insn;
        if (decode_at(d, w, va, &insn) != DP_OK) break;
        if (n == max) {
            memmove(out, out + 1, (max - 1) * sizeof *out);
            n--;
        }
        out[n++] = insn;
        va += insn.size;
    }
    return n;
}

static int is_padding(const struct dp_insn *i) { return (i->flags & (DP_INSN_INT3 | DP_INSN_NOP)) != 0; }

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* The first instruction of a compiled function is typically one of these. */
static int looks_like_prologue(const struct dp_insn *i)
{
    if (!strcmp(i->mnemonic, "push")) return 1;
    if (!strcmp(i->mnemonic, "mov"))
        return !strcmp(i->operands, "edi, edi") || !strcmp(i->operands, "ebp, esp") ||
               !strcmp(i->operands, "rbp, rsp") || starts_with(i->operands, "qword ptr [rsp + ") ||
               !strcmp(i->operands, "rax, rsp") || starts_with(i->operands, "r11, rsp");
    if (!strcmp(i->mnemonic, "sub")) return starts_with(i->operands, "rsp,") || starts_with(i->operands, "esp,");
    return 0;
}

static int ends_flow(const struct dp_insn *i)
{
    if (i->flags & (DP_INSN_RET | DP_INSN_LEAVE)) return 1;
    return (i->flags & DP_INSN_JUMP) && !strcmp(i->mnemonic, "jmp");
}

static struct cp_verdict verdict(enum cp_class c, unsigned conf, const char *why)
{
    return (struct cp_verdict){.cls = c, .confidence = conf, .reason = why};
}

/* Judges an address whose bytes decode forward and whose predecessor is known. */
static struct cp_verdict judge_aligned(const struct dp_insn *first, size_t n_fwd, const struct dp_insn *prev)
{
    unsigned bonus = looks_like_prologue(first) ? 10 : 0;
    if (prev->flags & DP_INSN_CALL) return verdict(CP_RETURN_ADDRESS, 85, "the instruction before it is a call that ends there");
    if (is_padding(prev)) return verdict(CP_FUNCTION_ENTRY, 80 + bonus, "preceded by int3/nop padding");
    if (ends_flow(prev)) {
        if (prev->flags & DP_INSN_JUMP) return verdict(CP_FUNCTION_ENTRY, 45 + bonus, "preceded by an unconditional jmp");
        return verdict(CP_FUNCTION_ENTRY, 70 + bonus, "preceded by ret/leave");
    }
    if (n_fwd < 3) return verdict(CP_INSIDE_FUNCTION, 35, "inside code, but few instructions decode after it");
    return verdict(CP_INSIDE_FUNCTION, 60, "inside a function: the code before and after decodes cleanly");
}

/* Does a jump in the clean run before addr go to addr? Then addr is a branch target in a function. */
static int jumped_to(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr, const struct cp_backward *b)
{
    struct dp_insn i;
    for (uint64_t va = b->start; va < addr && decode_at(d, w, va, &i) == DP_OK; va += i.size)
        if ((i.flags & DP_INSN_JUMP) && i.has_target && i.target == addr) return 1;
    return 0;
}

struct cp_verdict cp_classify(const struct cp_decoder *d, const struct cp_window *w, uint64_t addr, int executable)
{
    if (!executable) return verdict(CP_DATA, 70, "points into a non-executable section");
    struct dp_insn fwd[CP_MAX_LISTING];
    size_t n_fwd = cp_decode_forward(d, w, addr, fwd, CP_MAX_LISTING);
    if (n_fwd == 0) return verdict(CP_IMPLAUSIBLE, 90, "the bytes at the address do not decode");
    struct cp_backward b;
    cp_search_backward(d, w, addr, &b);
    if (!b.found && b.straddled) return verdict(CP_IMPLAUSIBLE, 85, "lands in the middle of an instruction");
    if (b.straddled > 2 * b.landed) return verdict(CP_IMPLAUSIBLE, 60, "most decodings run across it: mid-instruction");
    if (fwd[0].flags & DP_INSN_INT3) return verdict(CP_IMPLAUSIBLE, 80, "points at int3 padding");
    if (!b.found) {
        /* nothing before it in the dump: only the forward side can speak */
        if (looks_like_prologue(&fwd[0])) return verdict(CP_FUNCTION_ENTRY, 40, "starts like a prologue (nothing readable before it)");
        return verdict(CP_INSIDE_FUNCTION, 30, "decodes forward; nothing readable before it");
    }
    if ((fwd[0].flags & DP_INSN_NOP) && is_padding(&b.prev)) return verdict(CP_IMPLAUSIBLE, 60, "points into nop padding");
    if (!(b.prev.flags & DP_INSN_CALL) && jumped_to(d, w, addr, &b))
        return verdict(CP_INSIDE_FUNCTION, 70, "a jump just before it goes there: a branch target");
    return judge_aligned(&fwd[0], n_fwd, &b.prev);
}
