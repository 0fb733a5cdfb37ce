/* Instruction decoding for plugins (capstone 4), one handle per architecture, made on first use. */
#ifndef DP_HOST_DISASM_H
#define DP_HOST_DISASM_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

struct dp_disasm;

struct dp_disasm *dp_disasm_new(void); /* NULL on OOM */
void dp_disasm_free(struct dp_disasm *d);

/* Decodes the one instruction at CODE (LEN bytes available), placed at ADDR, in Intel syntax.
 * DP_ERR_BAD_DATA when the bytes are not an instruction; DP_ERR_INVALID for an unknown arch. */
int dp_disasm_one(struct dp_disasm *d, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t addr,
                  struct dp_insn *out);

#endif
