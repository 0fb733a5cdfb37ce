#include "tag_code.h"

#include <string.h>

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t tag_find_dword(const uint8_t *buf, size_t len, size_t start, uint32_t value)
{
    for (size_t i = start; i + 4 <= len; i++) {
        const uint8_t *p = memchr(buf + i, (uint8_t)value, len - 3 - i);
        if (!p) return len;
        i = (size_t)(p - buf);
        if (rd32(p) == value) return i;
    }
    return len;
}

unsigned tag_operand_prefix(enum dp_arch arch, const uint8_t *buf, size_t at)
{
    if (arch == DP_ARCH_X86) return at >= 1 && buf[at - 1] == 0x68 ? 1 : 0;          /* push imm32 */
    if (arch == DP_ARCH_X64) return at >= 2 && buf[at - 2] == 0x41 && buf[at - 1] == 0xb8 ? 2 : 0; /* mov r8d */
    return 0;
}

static int is_operand_insn(enum dp_arch arch, const struct dp_insn *in, uint32_t value)
{
    if (!in->has_imm || (uint32_t)in->imm != value) return 0;
    if (arch == DP_ARCH_X86) return (in->flags & DP_INSN_PUSH) != 0;
    return (in->flags & DP_INSN_MOV) != 0 && strncmp(in->operands, "r8d", 3) == 0;
}

void tag_judge_occurrence(enum dp_arch arch, const uint8_t *code, size_t len, uint64_t va, size_t at, uint32_t value,
                          tag_decode_fn decode, void *ud, struct tag_hit *hit)
{
    unsigned pre = tag_operand_prefix(arch, code, at);
    struct dp_insn in;
    size_t pos;
    memset(hit, 0, sizeof *hit);
    hit->addr = va + at;
    hit->value = value;
    hit->kind = TAG_HIT_LITERAL;
    if (!pre || decode(ud, code + at - pre, len - (at - pre), va + at - pre, &in) != DP_OK || in.size == 0 ||
        !is_operand_insn(arch, &in, value))
        return;
    hit->kind = TAG_HIT_CODE;
    hit->addr = va + at - pre;
    pos = at - pre + in.size;
    for (unsigned k = 0; k < TAG_CALL_WINDOW && pos < len; k++) {
        if (decode(ud, code + pos, len - pos, va + pos, &in) != DP_OK || in.size == 0) return;
        if (in.flags & DP_INSN_CALL) {
            hit->call_follows = 1;
            hit->call_addr = va + pos;
            return;
        }
        if (in.flags & (DP_INSN_RET | DP_INSN_JUMP)) return;
        pos += in.size;
    }
}
