/* The context the fault happened in, found as `!analyze` finds it: per bug check, the context record,
 * exception record or trap frame a parameter names (sw_context_rules.def), or the one on the stack
 * whose instruction pointer is the faulting instruction the parameters give. Every structure is read
 * through the environment's read callback and checked before it is believed. */
#ifndef SW_CONTEXT_H
#define SW_CONTEXT_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_walk.h"

enum sw_find { SW_FIND_NONE, SW_FIND_TRAP, SW_FIND_ANY };
enum sw_ctx_kind { SW_CTX_NONE, SW_CTX_CONTEXT, SW_CTX_TRAP };

/* One line of sw_context_rules.def: parameter numbers 1..4, 0 for none. */
struct sw_rule {
    uint32_t code;
    uint8_t exc, ip, data, exr, cxr, trap;
    enum sw_find search;
};

#define SW_EXR_MAX_PARAMS 15

struct sw_exr {
    uint64_t va;
    uint32_t code, flags, n_params;
    uint64_t address;
    uint64_t params[SW_EXR_MAX_PARAMS];
};

/* Where a register lives in a CONTEXT or KTRAP_FRAME of one architecture (-1: not saved there). */
struct sw_layout {
    enum dp_arch arch;
    enum sw_ctx_kind kind;
    uint32_t size;
    int16_t ip, sp, fp;               /* sp -2: an x86 trap frame's, computed from its mode */
    int16_t flags, fault_address;     /* flags: EFlags/Cpsr (u32); fault_address: KTRAP_FRAME.FaultAddress */
    int16_t gpr[32];                  /* struct dp_regs order */
    int16_t seg[6];                   /* cs ss ds es fs gs */
    uint8_t seg_size;
    int16_t context_flags;            /* CONTEXT.ContextFlags, -1 for trap frames */
    uint32_t arch_flag;               /* the CONTEXT_AMD64 / CONTEXT_i386 / CONTEXT_ARM64 bit */
    uint8_t n_gpr;                    /* registers of the architecture in gpr[] */
};

struct sw_fault {
    enum sw_ctx_kind kind;       /* SW_CTX_NONE: nothing found; why says why */
    uint64_t va;                 /* the CONTEXT or KTRAP_FRAME */
    unsigned param;              /* 1..4: the parameter that named it; 0: found on the stack */
    const struct sw_layout *layout;
    struct dp_regs regs;
    uint64_t seg[6];
    uint32_t valid;              /* bit i: gpr[i] was saved; bit 32+i: seg[i] */
    uint64_t valid_seg;
    int partial;                 /* a trap frame: only some registers */
    int has_exr;
    struct sw_exr exr;
    unsigned exr_param;          /* 0: found on the stack */
    int has_code;                /* exception code, from a parameter or the record */
    uint32_t code;
    uint64_t want_ip;            /* the faulting instruction the parameters give, 0 when none */
    int has_want_ip;
    char why[192];               /* SW_CTX_NONE: one line */
};

struct sw_ctx_env {
    const struct sw_env *env;
    uint32_t bugcheck_code;
    const uint64_t *params; /* 4 */
    const struct sw_stack *stack; /* the bug-check stack to search; NULL: no search */
};

const struct sw_rule *sw_rule_for(uint32_t code);
const struct sw_layout *sw_layout_for(enum dp_arch arch, enum sw_ctx_kind kind);

/* Fills *out; DP_OK whether or not a context was found (kind tells). */
int sw_find_fault(const struct sw_ctx_env *ce, struct sw_fault *out);

/* Reads the structure of LAYOUT at VA into *out (registers, segments); DP_ERR_FAULT when absent,
 * DP_ERR_BAD_DATA when it does not look like one (why says so). */
int sw_read_context(const struct sw_env *e, const struct sw_layout *l, uint64_t va, struct sw_fault *out);
int sw_read_exr(const struct sw_env *e, uint64_t va, struct sw_exr *out);

#endif
