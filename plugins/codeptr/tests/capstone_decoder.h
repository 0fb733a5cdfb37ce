/* Test-only decoder: capstone 4 straight, with the dp_insn flags the host's dp_disasm sets, so the
 * classification can be tested without a host. */
#ifndef CP_TEST_CAPSTONE_DECODER_H
#define CP_TEST_CAPSTONE_DECODER_H

#include <capstone/capstone.h>
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>

static unsigned test_flags(csh h, const cs_insn *i)
{
    unsigned f = 0;
    if (cs_insn_group(h, i, CS_GRP_CALL)) f |= DP_INSN_CALL;
    if (cs_insn_group(h, i, CS_GRP_RET)) f |= DP_INSN_RET;
    if (cs_insn_group(h, i, CS_GRP_JUMP)) f |= DP_INSN_JUMP;
    if (i->id == X86_INS_INT3) f |= DP_INSN_INT3;
    if (i->id == X86_INS_NOP) f |= DP_INSN_NOP;
    if (i->id == X86_INS_LEAVE) f |= DP_INSN_LEAVE;
    if (i->id == X86_INS_PUSH) f |= DP_INSN_PUSH;
    if (i->id == X86_INS_MOV) f |= DP_INSN_MOV;
    return f;
}

/* ud points to a csh opened with CS_OPT_DETAIL on. */
static int test_decode(void *ud, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    csh h = *(csh *)ud;
    cs_insn *i = NULL;
    if (cs_disasm(h, code, len, addr, 1, &i) != 1) return DP_ERR_BAD_DATA;
    memset(out, 0, sizeof *out);
    out->address = i->address;
    out->size = i->size;
    snprintf(out->mnemonic, sizeof out->mnemonic, "%s", i->mnemonic);
    snprintf(out->operands, sizeof out->operands, "%s", i->op_str);
    out->flags = test_flags(h, i);
    const cs_x86 *x = &i->detail->x86;
    if ((out->flags & (DP_INSN_CALL | DP_INSN_JUMP)) && x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
        out->has_target = 1, out->target = (uint64_t)x->operands[0].imm;
    cs_free(i, 1);
    return DP_OK;
}

static csh test_open(cs_mode mode)
{
    csh h;
    if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK) return 0;
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    return h;
}

#endif
