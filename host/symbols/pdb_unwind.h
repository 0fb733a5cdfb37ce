/* x86 unwinding by a PDB's frame records: FrameData programs ("$T0 .raSearch = $eip $T0 ^ = ...")
 * evaluated over the frame's registers and memory, or the fixed layout of an old FPO record. */
#ifndef DP_HOST_SYMBOLS_PDB_UNWIND_H
#define DP_HOST_SYMBOLS_PDB_UNWIND_H

#include <stdint.h>

#include "pdb.h"

struct dp_x86_frame {
    uint32_t eip, esp, ebp, ebx, esi, edi;
};

/* Reads the 32-bit value at VA: DP_OK or an error. */
typedef int (*dp_read32_fn)(void *user, uint32_t va, uint32_t *out);

/* Unwinds one frame described by FR: on DP_OK, REGS holds the caller's eip, esp and the registers
 * the program restores. DP_ERR_BAD_DATA for a program that does not evaluate (unknown token, stack
 * underflow, division by zero, no $eip/$esp assigned), DP_ERR_FAULT when memory it reads is absent. */
int dp_pdb_unwind_x86(const struct dp_pdb_frame *fr, struct dp_x86_frame *regs, dp_read32_fn read, void *user);

#endif
