/* Capstone 4 behind the SDK's dp_insn: text as capstone prints Intel syntax, plus the facts
 * analyzers ask of an instruction (is it a call, where does it go, which absolute address it reads). */
#include "disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_X86, SLOT_X64, SLOT_ARM64, N_SLOTS };

struct cs_slot {
    int state; /* 0 not opened, 1 open, -1 failed */
    csh handle;
    cs_insn *insn; /* one reusable decode buffer, so decoding allocates nothing */
};

struct dp_disasm {
    struct cs_slot slot[N_SLOTS];
};

struct dp_disasm *dp_disasm_new(void) { return calloc(1, sizeof(struct dp_disasm)); }

void dp_disasm_free(struct dp_disasm *d)
{
    if (!d) return;
    for (int i = 0; i < N_SLOTS; i++) {
        if (d->slot[i].state != 1) continue;
        cs_free(d->slot[i].insn, 1);
        cs_close(&d->slot[i].handle);
    }
    free(d);
}

static int open_slot(struct cs_slot *s, int index)
{
    static const cs_arch archs[N_SLOTS] = {CS_ARCH_X86, CS_ARCH_X86, CS_ARCH_ARM64};
    static const cs_mode modes[N_SLOTS] = {CS_MODE_32, CS_MODE_64, CS_MODE_ARM};
    if (cs_open(archs[index], modes[index], &s->handle) != CS_ERR_OK) return s->state = -1, DP_ERR_NOT_APPLICABLE;
    cs_option(s->handle, CS_OPT_DETAIL, CS_OPT_ON);
    s->insn = cs_malloc(s->handle);
    if (!s->insn) {
        cs_close(&s->handle);
        return s->state = -1, DP_ERR_NOMEM;
    }
    s->state = 1;
    return DP_OK;
}

static struct cs_slot *slot_for(struct dp_disasm *d, enum dp_arch arch, int *rc)
{
    int index = arch == DP_ARCH_X86 ? SLOT_X86 : arch == DP_ARCH_X64 ? SLOT_X64 : arch == DP_ARCH_ARM64 ? SLOT_ARM64 : -1;
    *rc = DP_ERR_INVALID;
    if (index < 0) return NULL;
    struct cs_slot *s = &d->slot[index];
    if (s->state == 0) *rc = open_slot(s, index);
    else *rc = s->state == 1 ? DP_OK : DP_ERR_NOT_APPLICABLE;
    return *rc == DP_OK ? s : NULL;
}

static unsigned group_flags(csh h, const cs_insn *insn)
{
    unsigned f = 0;
    if (cs_insn_group(h, insn, CS_GRP_CALL)) f |= DP_INSN_CALL;
    if (cs_insn_group(h, insn, CS_GRP_RET)) f |= DP_INSN_RET;
    if (cs_insn_group(h, insn, CS_GRP_JUMP)) f |= DP_INSN_JUMP;
    return f;
}

static unsigned x86_id_flags(const cs_insn *insn)
{
    const cs_x86 *x = &insn->detail->x86;
    switch (insn->id) {
    case X86_INS_INT3: return DP_INSN_INT3;
    case X86_INS_INT: return x->op_count == 1 && x->operands[0].type == X86_OP_IMM && x->operands[0].imm == 3 ? DP_INSN_INT3 : 0;
    case X86_INS_NOP: case X86_INS_FNOP: return DP_INSN_NOP;
    case X86_INS_LEAVE: return DP_INSN_LEAVE;
    case X86_INS_PUSH: return DP_INSN_PUSH;
    case X86_INS_MOV: case X86_INS_MOVABS: return DP_INSN_MOV;
    default: return 0;
    }
}

/* Absolute address of a memory operand that names one: [disp] or [rip+disp]. Segment-relative
 * operands (fs:[0x124], gs:[0x188]) are per-processor blocks, not flat addresses. */
static int x86_mem_address(const cs_insn *insn, const cs_x86_op *op, uint64_t mask, uint64_t *out)
{
    const x86_op_mem *m = &op->mem;
    if (m->index != X86_REG_INVALID || m->segment == X86_REG_FS || m->segment == X86_REG_GS) return 0;
    if (m->base == X86_REG_INVALID) *out = (uint64_t)m->disp & mask;
    else if (m->base == X86_REG_RIP) *out = insn->address + insn->size + (uint64_t)m->disp;
    else return 0;
    return 1;
}

static void x86_operands(const cs_insn *insn, uint64_t mask, struct dp_insn *out)
{
    const cs_x86 *x = &insn->detail->x86;
    int branch = (out->flags & (DP_INSN_CALL | DP_INSN_JUMP)) != 0;
    for (uint8_t i = 0; i < x->op_count; i++) {
        const cs_x86_op *op = &x->operands[i];
        if (op->type == X86_OP_IMM && branch && !out->has_target) {
            out->has_target = 1, out->target = (uint64_t)op->imm & mask;
        } else if (op->type == X86_OP_IMM && !branch && !out->has_imm) {
            out->has_imm = 1, out->imm = (uint64_t)op->imm & mask;
        } else if (op->type == X86_OP_MEM && !out->has_mem_disp) {
            out->has_mem_disp = x86_mem_address(insn, op, mask, &out->mem_addr);
        }
        if (branch && (op->type == X86_OP_REG || op->type == X86_OP_MEM)) out->flags |= DP_INSN_INDIRECT;
    }
}

/* Capstone 4 leaves the generic groups off most ARM64 branches, so the ids decide. */
static unsigned arm64_id_flags(unsigned id)
{
    switch (id) {
    case ARM64_INS_BL: return DP_INSN_CALL;
    case ARM64_INS_BLR: return DP_INSN_CALL | DP_INSN_INDIRECT;
    case ARM64_INS_RET: return DP_INSN_RET;
    case ARM64_INS_B: case ARM64_INS_CBZ: case ARM64_INS_CBNZ: case ARM64_INS_TBZ: case ARM64_INS_TBNZ:
        return DP_INSN_JUMP;
    case ARM64_INS_BR: return DP_INSN_JUMP | DP_INSN_INDIRECT;
    case ARM64_INS_NOP: return DP_INSN_NOP;
    case ARM64_INS_MOV: return DP_INSN_MOV;
    default: return 0;
    }
}

static void arm64_operands(const cs_insn *insn, struct dp_insn *out)
{
    const cs_arm64 *a = &insn->detail->arm64;
    out->flags |= arm64_id_flags(insn->id);
    if (strcmp(insn->mnemonic, "nop") == 0) out->flags |= DP_INSN_NOP; /* decoded as a HINT alias */
    int branch = (out->flags & (DP_INSN_CALL | DP_INSN_JUMP)) != 0 && !(out->flags & DP_INSN_INDIRECT);
    for (uint8_t i = 0; i < a->op_count; i++) {
        const cs_arm64_op *op = &a->operands[i];
        if (op->type == ARM64_OP_IMM && branch && !out->has_target) out->has_target = 1, out->target = (uint64_t)op->imm;
        else if (op->type == ARM64_OP_IMM && !branch && !out->has_imm) out->has_imm = 1, out->imm = (uint64_t)op->imm;
    }
}

int dp_disasm_one(struct dp_disasm *d, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t addr,
                  struct dp_insn *out)
{
    if (!d || !code || !out) return DP_ERR_INVALID;
    int rc;
    struct cs_slot *s = slot_for(d, arch, &rc);
    if (!s) return rc;
    const uint8_t *p = code;
    size_t left = len;
    uint64_t at = addr;
    if (!cs_disasm_iter(s->handle, &p, &left, &at, s->insn)) return DP_ERR_BAD_DATA;
    const cs_insn *insn = s->insn;
    memset(out, 0, sizeof *out);
    out->address = insn->address;
    out->size = insn->size;
    snprintf(out->mnemonic, sizeof out->mnemonic, "%s", insn->mnemonic);
    snprintf(out->operands, sizeof out->operands, "%s", insn->op_str);
    if (arch == DP_ARCH_ARM64) {
        arm64_operands(insn, out);
    } else {
        out->flags = group_flags(s->handle, insn) | x86_id_flags(insn);
        x86_operands(insn, arch == DP_ARCH_X86 ? 0xffffffffu : UINT64_MAX, out);
    }
    return DP_OK;
}
