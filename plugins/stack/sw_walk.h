/* The stack walker, over an environment of callbacks so it runs on a dump through the SDK and on
 * byte buffers in unit tests.
 *
 * One line per frame, as WinDbg's STACK_TEXT: where the frame's function executes (ip), the frame's
 * stack address (x86: its EBP, x64: its Child-SP) and the return address into the next frame.
 * x86 unwinds with the FrameData/FPO record of the module's PDB where there is one (functions without
 * a frame pointer), else follows the EBP chain ([ebp] caller's ebp, [ebp+4] return address); x64
 * unwinds with the image's .pdata/UNWIND_INFO (a function without an entry is a leaf: the return
 * address is at [rsp]).
 * Where either fails, the walker scans the stack upward for values that return into a module right
 * after a call instruction, and picks the chain or the unwinding up again from there. */
#ifndef SW_WALK_H
#define SW_WALK_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

#define SW_MAX_FRAMES 256
#define SW_MAX_STACK_BYTES (1u << 20)
#define SW_MAX_FRAME_BYTES 0x4000u /* one frame larger than this is a broken chain, not a frame */
#define SW_RA_SEARCH_BYTES 0x40u  /* x86: how far above .raSearch a FrameData unwind looks for the return address */
#define SW_CALL_WINDOW 10u         /* longest call encoding we look back for (REX + FF /2 + SIB + disp32) */

enum sw_source { SW_SRC_CONTEXT, SW_SRC_FRAME_POINTER, SW_SRC_UNWIND, SW_SRC_SCAN };

/* How much a value looks like a return address. */
enum sw_ret {
    SW_RET_NO = 0,
    SW_RET_IN_MODULE,  /* inside a module, but its code is not in the dump to check for a call */
    SW_RET_AFTER_CALL, /* the bytes before it decode to a call instruction that ends exactly there */
};

struct sw_env {
    void *user;
    enum dp_arch arch; /* DP_ARCH_X86, DP_ARCH_X64 or DP_ARCH_ARM64 */
    int (*read)(void *user, uint64_t va, void *buf, size_t len);
    /* 1 when ADDR lies in a loaded module, with its *base; *exec: 1 in an executable section, 0 in
     * another section, -1 when the module's headers are not in the dump. */
    int (*module_at)(void *user, uint64_t addr, uint64_t *base, int *exec);
    int (*decode)(void *user, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out);
    /* dp_unwind_frame's contract (x64 .pdata; x86 FrameData/FPO from the PDB); NULL: none. */
    int (*unwind)(void *user, struct dp_regs *regs);
};

struct sw_frame {
    uint64_t ip;  /* where the frame's function executes: its symbol */
    uint64_t sp;  /* x86: the frame's EBP (scanned and unwound frames: the slot below the return address); x64: Child-SP */
    uint64_t ret; /* return address into the next frame; 0 on the last */
    enum sw_source source; /* how ip was found */
    int weak;     /* ip was accepted by module range alone: lower confidence */
};

struct sw_stack {
    uint64_t lo, hi; /* the readable stack that was walked: [lo, hi) */
    uint8_t *bytes;  /* a copy of it */
    struct sw_frame frames[SW_MAX_FRAMES];
    size_t n;
};

static inline unsigned sw_ptr_size(const struct sw_env *e) { return e->arch == DP_ARCH_X86 ? 4 : 8; }

/* Does a call instruction end exactly at RET? CODE holds the N bytes just below RET. */
int sw_call_ends_at(const struct sw_env *e, const uint8_t *code, size_t n, uint64_t ret);
enum sw_ret sw_check_return(const struct sw_env *e, uint64_t value);

/* Is NEXT a believable caller's frame pointer for a frame at FP, on the stack [lo, hi)? It must lie
 * above FP (which rules out cycles), within one frame's size, aligned, with room for its two slots. */
int sw_fp_link_ok(uint64_t fp, uint64_t next, uint64_t lo, uint64_t hi, unsigned ptr_size);
int sw_fp_in_stack(uint64_t fp, uint64_t lo, uint64_t hi, unsigned ptr_size);

/* Copies the readable stack from REGS->sp upward (at most MAX_BYTES) and walks at most MAX_FRAMES
 * frames. Free with sw_stack_release. DP_ERR_FAULT when not even the page at sp is readable. */
int sw_walk(const struct sw_env *e, const struct dp_regs *regs, uint64_t max_bytes, size_t max_frames,
            struct sw_stack *out);
void sw_stack_release(struct sw_stack *st);

/* sw_arm64.c: ARM64 over the x29/x30 frame-record chain (sw_walk dispatches there). Frames carry no
 * stack copy (bytes NULL); [lo, hi) spans the frame records read. */
int sw_walk_arm64(const struct sw_env *e, const struct dp_regs *regs, uint64_t max_bytes, size_t max_frames,
                  struct sw_stack *out);
uint64_t sw_arm64_strip_pac(uint64_t v);

/* Any frame found by scanning: the STACK_TEXT then carries WinDbg's warning. */
int sw_stack_scanned(const struct sw_stack *st);

#endif
