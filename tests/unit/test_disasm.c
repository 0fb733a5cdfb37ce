/* Disassembler: the seed's x86 code around driver+0x36532, and x64 forms the triage dump shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "disasm.h"
#include "dump/dump.h"

static int setup(void **state)
{
    *state = dp_disasm_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    dp_disasm_free(*state);
    return 0;
}

/* ub b958f532 in the seed, then the call sequence from u b958f532 (one int3 instead of six). */
static const uint8_t seed_code[] = {
    0xc9,                               /* b958f528 leave */
    0xc2, 0x18, 0x00,                   /* b958f529 ret 18h */
    0xcc,                               /* b958f52c int 3 */
    0x6a, 0x2c,                         /* b958f52d push 2Ch */
    0x68, 0x08, 0x1d, 0x5c, 0xb9,       /* b958f52f push offset driver+0x68d08 (b95c1d08) */
    0xe8, 0x17, 0xf7, 0x02, 0x00,       /* b958f534 call driver+0x65c50 (b95bec50) */
    0xff, 0x15, 0x5c, 0xef, 0x5b, 0xb9, /* b958f539 call dword ptr [driver+0x65f5c (b95bef5c)] */
};
#define SEED_VA 0xb958f528u

static struct dp_insn decode(struct dp_disasm *d, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t va)
{
    struct dp_insn insn;
    assert_int_equal(dp_disasm_one(d, arch, code, len, va, &insn), DP_OK);
    assert_true(insn.address == va);
    return insn;
}

static void test_seed_x86(void **state)
{
    struct dp_disasm *d = *state;
    size_t off = 0;
    struct dp_insn i[7];
    for (int k = 0; k < 7; k++) {
        i[k] = decode(d, DP_ARCH_X86, seed_code + off, sizeof seed_code - off, SEED_VA + off);
        off += i[k].size;
    }
    assert_int_equal(off, sizeof seed_code);
    assert_string_equal(i[0].mnemonic, "leave");
    assert_int_equal(i[0].flags, DP_INSN_LEAVE);
    assert_string_equal(i[1].mnemonic, "ret");
    assert_true(i[1].flags & DP_INSN_RET);
    assert_true(i[1].has_imm && i[1].imm == 0x18);
    assert_string_equal(i[2].mnemonic, "int3");
    assert_int_equal(i[2].flags, DP_INSN_INT3);
    assert_string_equal(i[3].mnemonic, "push");
    assert_true(i[3].flags & DP_INSN_PUSH);
    assert_true(i[3].has_imm && i[3].imm == 0x2c);
    assert_true(i[4].has_imm && i[4].imm == 0xb95c1d08u); /* not sign-extended in 32-bit code */
    assert_string_equal(i[5].mnemonic, "call");
    assert_int_equal(i[5].flags, DP_INSN_CALL);
    assert_true(i[5].has_target && i[5].target == 0xb95bec50u);
    assert_false(i[5].has_imm);
    assert_string_equal(i[6].mnemonic, "call");
    assert_int_equal(i[6].flags, DP_INSN_CALL | DP_INSN_INDIRECT);
    assert_false(i[6].has_target);
    assert_true(i[6].has_mem_disp && i[6].mem_addr == 0xb95bef5cu);
    assert_string_equal(i[6].operands, "dword ptr [0xb95bef5c]");
}

static void test_x64_forms(void **state)
{
    struct dp_disasm *d = *state;
    static const uint8_t store[] = {0x43, 0x89, 0x14, 0x01};
    struct dp_insn i = decode(d, DP_ARCH_X64, store, sizeof store, 0xfffff8048b58334cull);
    assert_string_equal(i.mnemonic, "mov");
    assert_string_equal(i.operands, "dword ptr [r9 + r8], edx");
    assert_int_equal(i.flags, DP_INSN_MOV);
    assert_false(i.has_mem_disp); /* register-based: no fixed address */

    static const uint8_t tag[] = {0x41, 0xb8, 0x44, 0x52, 0x49, 0x56};
    i = decode(d, DP_ARCH_X64, tag, sizeof tag, 0x1000);
    assert_string_equal(i.operands, "r8d, 0x56495244");
    assert_true(i.has_imm && i.imm == 0x56495244);

    static const uint8_t rip_call[] = {0xff, 0x15, 0x00, 0x01, 0x00, 0x00};
    i = decode(d, DP_ARCH_X64, rip_call, sizeof rip_call, 0xfffff80400001000ull);
    assert_int_equal(i.flags, DP_INSN_CALL | DP_INSN_INDIRECT);
    assert_true(i.has_mem_disp && i.mem_addr == 0xfffff80400001000ull + 6 + 0x100);

    static const uint8_t gs_read[] = {0x65, 0x48, 0x8b, 0x04, 0x25, 0x88, 0x01, 0x00, 0x00};
    i = decode(d, DP_ARCH_X64, gs_read, sizeof gs_read, 0x1000);
    assert_false(i.has_mem_disp); /* gs:[0x188] is per-processor, not an address */

    static const uint8_t jmp_rax[] = {0xff, 0xe0};
    i = decode(d, DP_ARCH_X64, jmp_rax, sizeof jmp_rax, 0x1000);
    assert_int_equal(i.flags, DP_INSN_JUMP | DP_INSN_INDIRECT);

    static const uint8_t jne_back[] = {0x75, 0xfe}; /* jne to itself */
    i = decode(d, DP_ARCH_X64, jne_back, sizeof jne_back, 0xfffff80400002000ull);
    assert_int_equal(i.flags, DP_INSN_JUMP);
    assert_true(i.has_target && i.target == 0xfffff80400002000ull);

    static const uint8_t nop[] = {0x90};
    i = decode(d, DP_ARCH_X64, nop, 1, 0);
    assert_int_equal(i.flags, DP_INSN_NOP);
}

static void test_bad_input(void **state)
{
    struct dp_disasm *d = *state;
    struct dp_insn i;
    static const uint8_t cut_call[] = {0xe8, 0x17};
    static const uint8_t invalid64[] = {0x06}; /* push es: not an x64 instruction */
    assert_int_equal(dp_disasm_one(d, DP_ARCH_X86, cut_call, sizeof cut_call, 0, &i), DP_ERR_BAD_DATA);
    assert_int_equal(dp_disasm_one(d, DP_ARCH_X64, invalid64, 1, 0, &i), DP_ERR_BAD_DATA);
    assert_int_equal(dp_disasm_one(d, DP_ARCH_X64, invalid64, 0, 0, &i), DP_ERR_BAD_DATA);
    assert_int_equal(dp_disasm_one(d, DP_ARCH_UNKNOWN, invalid64, 1, 0, &i), DP_ERR_INVALID);
    assert_int_equal(dp_disasm_one(d, DP_ARCH_X64, NULL, 1, 0, &i), DP_ERR_INVALID);
    /* the same bytes decode again after a failure: no state leaks between calls */
    i = decode(d, DP_ARCH_X86, seed_code, sizeof seed_code, SEED_VA);
    assert_string_equal(i.mnemonic, "leave");
}

static void test_arm64(void **state)
{
    struct dp_disasm *d = *state;
    static const uint8_t bl[] = {0x10, 0x00, 0x00, 0x94}; /* bl +0x40 */
    struct dp_insn i = decode(d, DP_ARCH_ARM64, bl, sizeof bl, 0xfffff80000001000ull);
    assert_string_equal(i.mnemonic, "bl");
    assert_true(i.flags & DP_INSN_CALL);
    assert_true(i.has_target && i.target == 0xfffff80000001040ull);
    static const uint8_t ret[] = {0xc0, 0x03, 0x5f, 0xd6};
    i = decode(d, DP_ARCH_ARM64, ret, sizeof ret, 0);
    assert_true(i.flags & DP_INSN_RET);
    static const uint8_t cbz[] = {0x40, 0x00, 0x00, 0xb4}; /* cbz x0, +8 */
    i = decode(d, DP_ARCH_ARM64, cbz, sizeof cbz, 0x2000);
    assert_int_equal(i.flags, DP_INSN_JUMP);
    assert_true(i.has_target && i.target == 0x2008);
    static const uint8_t blr[] = {0x00, 0x01, 0x3f, 0xd6}; /* blr x8 */
    i = decode(d, DP_ARCH_ARM64, blr, sizeof blr, 0);
    assert_int_equal(i.flags, DP_INSN_CALL | DP_INSN_INDIRECT);
    assert_false(i.has_target);
}

/* The real triage dump's code at rip and at the faulting address, as its README states them. */
static void test_real_dump_code(void **state)
{
    const char *dir = getenv("DP_REAL_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/triage_x64.dmp", dir ? dir : "");
    if (!dir || access(path, R_OK) != 0) skip();
    struct dp_dump *dump;
    char err[256];
    assert_int_equal(dp_dump_open(path, &dump, err, sizeof err), DP_OK);
    static const struct { uint64_t va; const char *text; } want[] = {
        {0xfffff8047bdf5a80ull, "qword ptr [rsp + 8], rcx"},
        {0xfffff8048b58334cull, "dword ptr [r9 + r8], edx"},
    };
    for (size_t k = 0; k < 2; k++) {
        uint8_t code[16];
        assert_int_equal(dp_dump_read_virt(dump, want[k].va, code, sizeof code), DP_OK);
        struct dp_insn i = decode(*state, DP_ARCH_X64, code, sizeof code, want[k].va);
        assert_string_equal(i.mnemonic, "mov");
        assert_string_equal(i.operands, want[k].text);
    }
    dp_dump_close(dump);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_x86, setup, teardown),
        cmocka_unit_test_setup_teardown(test_x64_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arm64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_dump_code, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
