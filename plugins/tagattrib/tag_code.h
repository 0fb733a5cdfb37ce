/* Code evidence for a pool tag: the tag as an immediate operand of the instruction that passes it to
 * the pool allocator (x86 `push imm32`, x64 `mov r8d, imm32`), ideally followed by a call. Pure over a
 * byte buffer; decoding goes through a callback so the plugin uses the host's decoder. */
#ifndef TAGATTRIB_TAG_CODE_H
#define TAGATTRIB_TAG_CODE_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

typedef int (*tag_decode_fn)(void *ud, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out);

enum tag_hit_kind { TAG_HIT_LITERAL = 0, TAG_HIT_CODE };

struct tag_hit {
    uint64_t addr;       /* the instruction (code) or the first byte of the literal */
    uint32_t value;      /* the dword found: the tag, possibly with the Protected bit */
    enum tag_hit_kind kind;
    int call_follows;    /* a call within the next few instructions */
    uint64_t call_addr;
};

#define TAG_CALL_WINDOW 6 /* instructions after the operand in which the allocator call is expected */

/* Length of the bytes before the dword that make up the operand instruction for ARCH (1 for push, 2
 * for mov r8d), or 0 when BUF[at-..] does not start such an instruction. */
unsigned tag_operand_prefix(enum dp_arch arch, const uint8_t *buf, size_t at);

/* Judges one occurrence of VALUE at offset AT of CODE (CODE's first byte is at address VA; LEN bytes
 * follow). Fills HIT as code evidence when the decoder confirms the operand, else as a literal. */
void tag_judge_occurrence(enum dp_arch arch, const uint8_t *code, size_t len, uint64_t va, size_t at, uint32_t value,
                          tag_decode_fn decode, void *ud, struct tag_hit *hit);

/* Offsets of VALUE in BUF[0..len), from START; returns the next one or len when none. */
size_t tag_find_dword(const uint8_t *buf, size_t len, size_t start, uint32_t value);

#endif
