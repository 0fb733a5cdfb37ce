/* x64 unwinding through .pdata / UNWIND_INFO (the x64 exception-handling documentation). */
#include "pe_internal.h"

#include <string.h>

/* ---- x64 exception data ---- */

static int read_runtime_function(const struct dp_pe *pe, uint64_t rva, uint32_t f[3])
{
    uint8_t raw[12];
    int rc = pe_read(pe, rva, raw, sizeof raw);
    if (rc) return rc;
    f[0] = rd32(raw), f[1] = rd32(raw + 4), f[2] = rd32(raw + 8);
    return DP_OK;
}

int dp_pe_runtime_function(const struct dp_pe *pe, uint32_t rva, uint32_t *begin, uint32_t *end, uint32_t *unwind_rva)
{
    uint32_t dir, dir_size, f[3];
    if (!begin || !end || !unwind_rva) return DP_ERR_INVALID;
    if (pe->machine != DP_PE_MACHINE_AMD64) return DP_ERR_NOT_APPLICABLE;
    if (dp_pe_data_directory(pe, DP_PE_DIR_EXCEPTION, &dir, &dir_size)) return DP_ERR_NOT_FOUND;
    if (!range_in(dir, dir_size, pe->size)) return DP_ERR_BAD_DATA;
    size_t lo = 0, hi = dir_size / 12; /* sorted by BeginAddress: about 32 reads at most */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int rc = read_runtime_function(pe, dir + 12ull * mid, f);
        if (rc) return rc;
        if (f[1] <= f[0]) return DP_ERR_BAD_DATA;
        if (rva < f[0]) hi = mid;
        else if (rva >= f[1]) lo = mid + 1;
        else break;
    }
    if (lo >= hi) return DP_ERR_NOT_FOUND;
    *end = f[1];
    if (f[2] & 1) { /* indirect: the entry shares the unwind data of the primary entry it names */
        int rc = read_runtime_function(pe, f[2] & ~1u, f);
        if (rc) return rc;
        if (f[2] & 1) return DP_ERR_BAD_DATA;
    }
    *begin = f[0];
    *unwind_rva = f[2];
    return DP_OK;
}

enum { UWOP_PUSH_NONVOL, UWOP_ALLOC_LARGE, UWOP_ALLOC_SMALL, UWOP_SET_FPREG, UWOP_SAVE_NONVOL, UWOP_SAVE_NONVOL_FAR,
       UWOP_EPILOG, UWOP_SPARE, UWOP_SAVE_XMM128, UWOP_SAVE_XMM128_FAR, UWOP_PUSH_MACHFRAME };
#define UNW_FLAG_CHAININFO 4
#define RSP 4

struct unwinder {
    dp_pe_read_fn read;
    void *user;
    uint64_t rsp, rip;
    int have_rip; /* set by a machine frame */
    uint64_t gpr[16];
};

static int read_u64(const struct unwinder *u, uint64_t va, uint64_t *v)
{
    uint8_t b[8];
    int rc = u->read(u->user, va, b, sizeof b);
    if (rc == DP_OK) *v = rd64(b);
    return rc;
}

/* Slots (16-bit units) an operation occupies; 0 for an operation we do not know. */
static unsigned op_slots(unsigned op, unsigned info)
{
    static const unsigned char slots[] = {1, 2, 1, 1, 2, 3, 2, 3, 2, 3, 1};
    if (op >= sizeof slots) return 0;
    return op == UWOP_ALLOC_LARGE && info ? 3 : slots[op];
}

static int set_reg(struct unwinder *u, unsigned reg, uint64_t va)
{
    uint64_t v;
    int rc = read_u64(u, va, &v);
    if (rc == DP_OK && reg != RSP) u->gpr[reg] = v;
    return rc;
}

/* Undoes one prolog operation. FRAME is the base of the fixed allocation that save offsets count from. */
static int apply_op(struct unwinder *u, const uint8_t *code, unsigned frame_reg, unsigned frame_off, uint64_t frame)
{
    unsigned op = code[1] & 15, info = code[1] >> 4;
    switch (op) {
    case UWOP_PUSH_NONVOL: {
        int rc = set_reg(u, info, u->rsp);
        return u->rsp += 8, rc;
    }
    case UWOP_ALLOC_LARGE:
        if (info > 1) return DP_ERR_BAD_DATA;
        u->rsp += info ? rd32(code + 2) : 8ull * rd16(code + 2);
        return DP_OK;
    case UWOP_ALLOC_SMALL: u->rsp += 8ull * info + 8; return DP_OK;
    case UWOP_SET_FPREG:
        if (!frame_reg) return DP_ERR_BAD_DATA;
        u->rsp = u->gpr[frame_reg] - 16ull * frame_off;
        return DP_OK;
    case UWOP_SAVE_NONVOL: return set_reg(u, info, frame + 8ull * rd16(code + 2));
    case UWOP_SAVE_NONVOL_FAR: return set_reg(u, info, frame + rd32(code + 2));
    case UWOP_PUSH_MACHFRAME: {
        if (info > 1) return DP_ERR_BAD_DATA;
        uint64_t at = u->rsp + (info ? 8 : 0); /* an error code sits below the frame */
        int rc = read_u64(u, at, &u->rip);
        if (!rc) rc = read_u64(u, at + 24, &u->rsp);
        u->have_rip = 1;
        return rc;
    }
    default: return DP_OK; /* XMM saves and epilog descriptors change no integer register */
    }
}

/* Applies one UNWIND_INFO; PROLOG_DONE is how many prolog bytes ran (UINT64_MAX: all). Sets *next to
 * the chained unwind info's RVA, or 0. */
static int apply_info(struct unwinder *u, uint64_t image_base, uint32_t rva, uint64_t prolog_done, uint32_t *next)
{
    uint8_t hdr[4], codes[256 * 2 + 12];
    int rc = u->read(u->user, image_base + rva, hdr, sizeof hdr);
    if (rc) return rc;
    unsigned version = hdr[0] & 7, flags = hdr[0] >> 3, count = hdr[2], frame_reg = hdr[3] & 15, frame_off = hdr[3] >> 4;
    if (version != 1 && version != 2) return DP_ERR_BAD_DATA;
    size_t codes_len = 2u * ((count + 1) & ~1u) + ((flags & UNW_FLAG_CHAININFO) ? 12 : 0);
    if (codes_len && (rc = u->read(u->user, image_base + rva + 4, codes, codes_len))) return rc;
    /* Save offsets count from the fixed allocation's base: rsp, or where the frame register says it
     * is. Saves come after the frame register is set, so a prolog cut short never uses a stale one. */
    uint64_t frame = frame_reg ? u->gpr[frame_reg] - 16ull * frame_off : u->rsp;
    for (unsigned i = 0; i < count;) {
        unsigned slots = op_slots(codes[2 * i + 1] & 15, codes[2 * i + 1] >> 4);
        if (!slots || i + slots > count) return DP_ERR_BAD_DATA;
        if (prolog_done >= codes[2 * i] && (rc = apply_op(u, codes + 2 * i, frame_reg, frame_off, frame))) return rc;
        i += slots;
    }
    *next = (flags & UNW_FLAG_CHAININFO) ? rd32(codes + 2u * ((count + 1) & ~1u) + 8) : 0;
    if (flags & UNW_FLAG_CHAININFO && !*next) return DP_ERR_BAD_DATA;
    return DP_OK;
}

int dp_pe_unwind_x64(dp_pe_read_fn read, void *user, uint64_t image_base, uint32_t begin_rva, uint32_t unwind_rva,
                     struct dp_regs *regs)
{
    if (!read || !regs) return DP_ERR_INVALID;
    struct unwinder u = {.read = read, .user = user, .rsp = regs->sp};
    memcpy(u.gpr, regs->gpr, sizeof u.gpr); /* the first 16: x64 has no more */
    u.gpr[RSP] = regs->sp;
    uint64_t prolog_done = regs->ip - (image_base + begin_rva); /* huge when ip is below: all ran */
    uint32_t rva = unwind_rva;
    for (unsigned depth = 0; rva; depth++) {
        if (depth == DP_PE_MAX_UNWIND_CHAIN) return DP_ERR_BAD_DATA; /* a chain this long is a loop */
        uint32_t next;
        int rc = apply_info(&u, image_base, rva & ~1u, depth ? UINT64_MAX : prolog_done, &next);
        if (rc) return rc;
        u.gpr[RSP] = u.rsp;
        rva = next;
    }
    if (!u.have_rip) {
        int rc = read_u64(&u, u.rsp, &u.rip);
        if (rc) return rc;
        u.rsp += 8;
    }
    memcpy(regs->gpr, u.gpr, sizeof u.gpr);
    regs->gpr[RSP] = regs->sp = u.rsp;
    regs->ip = u.rip;
    regs->fp = regs->gpr[5];
    return DP_OK;
}

int dp_pe_unwind_frame(const struct dp_pe *pe, struct dp_regs *regs)
{
    if (!regs) return DP_ERR_INVALID;
    if (regs->ip < pe->base || regs->ip - pe->base >= pe->size) return DP_ERR_NOT_FOUND;
    uint32_t begin, end, unwind;
    int rc = dp_pe_runtime_function(pe, (uint32_t)(regs->ip - pe->base), &begin, &end, &unwind);
    if (rc) return rc;
    return dp_pe_unwind_x64(pe->read, pe->user, pe->base, begin, unwind, regs);
}
