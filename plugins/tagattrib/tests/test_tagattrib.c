/* Unit tests for tagattrib's tag lists and code-evidence judge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tag_code.h"
#include "tag_table.h"

static void test_parse_lines(void **state)
{
    struct tag_entry e;
    const char *why = NULL;
    (void)state;
    assert_int_equal(tag_parse_line("rem This file lists tags", TAG_SRC_FILE, &e, &why), TAG_LINE_SKIP);
    assert_int_equal(tag_parse_line("   ", TAG_SRC_FILE, &e, &why), TAG_LINE_SKIP);
    assert_int_equal(tag_parse_line("DRIV - driver.sys - the driver's request contexts", TAG_SRC_FILE, &e, &why),
                     TAG_LINE_ENTRY);
    assert_string_equal(e.pattern, "DRIV");
    assert_string_equal(e.binary, "driver.sys");
    assert_string_equal(e.description, "the driver's request contexts");
    assert_int_equal(tag_parse_line("Cc   - nt!cc       - Cache Manager", TAG_SRC_FILE, &e, &why), TAG_LINE_ENTRY);
    assert_string_equal(e.pattern, "Cc");
    assert_string_equal(e.binary, "nt!cc");
    assert_int_equal(tag_parse_line("Acp* - acpi.sys", TAG_SRC_INLINE, &e, &why), TAG_LINE_ENTRY);
    assert_string_equal(e.description, "");
    assert_int_equal(tag_parse_line("this line has no separator", TAG_SRC_FILE, &e, &why), TAG_LINE_MALFORMED);
    assert_non_null(why);
    assert_int_equal(tag_parse_line("TOOLONG - x.sys - y", TAG_SRC_FILE, &e, &why), TAG_LINE_MALFORMED);
    assert_int_equal(tag_parse_line("A*b - x.sys - y", TAG_SRC_FILE, &e, &why), TAG_LINE_MALFORMED);
    assert_int_equal(tag_parse_line("Abcd -  - y", TAG_SRC_FILE, &e, &why), TAG_LINE_MALFORMED);
}

static void add(struct tag_db *db, const char *line, enum tag_source src)
{
    struct tag_entry e;
    const char *why;
    assert_int_equal(tag_parse_line(line, src, &e, &why), TAG_LINE_ENTRY);
    assert_int_equal(tag_db_add(db, &e), 0);
}

static void test_lookup_precedence(void **state)
{
    struct tag_db db;
    struct tag_entry e;
    (void)state;
    tag_db_init(&db);
    /* built-in table: Thre is the kernel's thread objects, the Protected bit does not matter */
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("Thre") | DP_POOL_PROTECTED, &e), 0);
    assert_string_equal(e.binary, "nt!ps");
    assert_int_equal(e.source, TAG_SRC_TABLE);
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("DRIV"), &e), -1);
    add(&db, "DR?? - some.sys - wildcard", TAG_SRC_FILE);
    add(&db, "DRIV - driver.sys - exact", TAG_SRC_FILE);
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("DRIV"), &e), 0);
    assert_string_equal(e.binary, "driver.sys");
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("DRXX"), &e), 0);
    assert_string_equal(e.binary, "some.sys");
    add(&db, "DR* - inline.sys - inline beats files", TAG_SRC_INLINE);
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("DRIV"), &e), 0);
    assert_string_equal(e.binary, "inline.sys");
    assert_int_equal(e.source, TAG_SRC_INLINE);
    /* short tags are space-padded */
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("Irp "), &e), 0);
    assert_string_equal(e.binary, "nt!io");
    /* the exact CcSc beats the Cc* wildcard */
    assert_int_equal(tag_db_lookup(&db, dp_pool_tag_value("CcSc"), &e), 0);
    assert_string_equal(e.pattern, "CcSc");
    tag_db_free(&db);
}

/* A decoder for the handful of encodings the tests use: push imm32, mov r8d imm32, call rel32,
 * call [abs32], mov edx imm32, xor, push imm8, nop, ret; anything else is a one-byte instruction. */
static int mock_decode(void *ud, const uint8_t *c, size_t len, uint64_t addr, struct dp_insn *in)
{
    (void)ud;
    memset(in, 0, sizeof *in);
    in->address = addr;
    if (len >= 5 && c[0] == 0x68) {
        in->size = 5, in->flags = DP_INSN_PUSH, in->has_imm = 1;
        in->imm = (uint32_t)c[1] | (uint32_t)c[2] << 8 | (uint32_t)c[3] << 16 | (uint32_t)c[4] << 24;
    } else if (len >= 6 && c[0] == 0x41 && c[1] == 0xb8) {
        in->size = 6, in->flags = DP_INSN_MOV, in->has_imm = 1;
        in->imm = (uint32_t)c[2] | (uint32_t)c[3] << 8 | (uint32_t)c[4] << 16 | (uint32_t)c[5] << 24;
        strcpy(in->operands, "r8d, 0x5652494e");
    } else if (len >= 5 && c[0] == 0xe8) {
        in->size = 5, in->flags = DP_INSN_CALL;
    } else if (len >= 6 && c[0] == 0xff && c[1] == 0x15) {
        in->size = 6, in->flags = DP_INSN_CALL | DP_INSN_INDIRECT;
    } else if (len >= 5 && c[0] == 0xba) { /* mov edx, imm32 */
        in->size = 5, in->flags = DP_INSN_MOV;
    } else if (len >= 2 && (c[0] == 0x33 || c[0] == 0x6a)) { /* xor r, r / push imm8 */
        in->size = 2;
    } else if (len >= 1 && c[0] == 0xc3) {
        in->size = 1, in->flags = DP_INSN_RET;
    } else if (len >= 1) {
        in->size = 1, in->flags = c[0] == 0x90 ? DP_INSN_NOP : 0;
    } else {
        return DP_ERR_BAD_DATA;
    }
    return DP_OK;
}

static void test_code_evidence_x86_and_x64(void **state)
{
    uint32_t tag = dp_pool_tag_value("DRIV");
    /* x86: push 138h; push 'DRIV'; push 0; call [imp] */
    uint8_t x86[] = {0x90, 0x68, 0x38, 0x01, 0, 0, 0x68, 'D', 'R', 'I', 'V', 0x6a, 0x00, 0xff, 0x15, 1, 2, 3, 4};
    /* x64: mov r8d, 'DRIV'; mov edx, 138h; xor ecx, ecx; call rel32 */
    uint8_t x64[] = {0x41, 0xb8, 'D', 'R', 'I', 'V', 0xba, 0x38, 0x01, 0, 0, 0x33, 0xc9, 0xe8, 0, 0, 0, 0};
    /* a literal in data: no operand opcode before it */
    uint8_t lit[] = {0, 0, 'D', 'R', 'I', 'V', 0, 0, 0xc3};
    struct tag_hit h;
    size_t at;
    (void)state;
    at = tag_find_dword(x86, sizeof x86, 0, tag);
    assert_int_equal(at, 7);
    tag_judge_occurrence(DP_ARCH_X86, x86, sizeof x86, 0x1000, at, tag, mock_decode, NULL, &h);
    assert_int_equal(h.kind, TAG_HIT_CODE);
    assert_int_equal(h.addr, 0x1006);
    assert_true(h.call_follows);
    assert_int_equal(h.call_addr, 0x100d);
    at = tag_find_dword(x64, sizeof x64, 0, tag);
    tag_judge_occurrence(DP_ARCH_X64, x64, sizeof x64, 0x2000, at, tag, mock_decode, NULL, &h);
    assert_int_equal(h.kind, TAG_HIT_CODE);
    assert_int_equal(h.addr, 0x2000);
    assert_true(h.call_follows);
    at = tag_find_dword(lit, sizeof lit, 0, tag);
    tag_judge_occurrence(DP_ARCH_X64, lit, sizeof lit, 0x3000, at, tag, mock_decode, NULL, &h);
    assert_int_equal(h.kind, TAG_HIT_LITERAL);
    assert_int_equal(h.addr, 0x3002);
    /* the same bytes judged as x86 are no push either */
    tag_judge_occurrence(DP_ARCH_X86, x64, sizeof x64, 0x2000, 2, tag, mock_decode, NULL, &h);
    assert_int_equal(h.kind, TAG_HIT_LITERAL);
    /* a ret before any call: an operand, but no allocator call follows */
    uint8_t noret[] = {0x68, 'D', 'R', 'I', 'V', 0xc3, 0xe8, 0, 0, 0, 0};
    tag_judge_occurrence(DP_ARCH_X86, noret, sizeof noret, 0, 1, tag, mock_decode, NULL, &h);
    assert_int_equal(h.kind, TAG_HIT_CODE);
    assert_false(h.call_follows);
}

static void test_find_dword_edges(void **state)
{
    uint8_t b[] = {'D', 'R', 'I', 'V', 'D', 'R', 'I'};
    uint32_t tag = dp_pool_tag_value("DRIV");
    (void)state;
    assert_int_equal(tag_find_dword(b, sizeof b, 0, tag), 0);
    assert_int_equal(tag_find_dword(b, sizeof b, 1, tag), sizeof b);
    assert_int_equal(tag_find_dword(b, 3, 0, tag), 3);
    assert_int_equal(tag_find_dword(b, 0, 0, tag), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_lines),
        cmocka_unit_test(test_lookup_precedence),
        cmocka_unit_test(test_code_evidence_x86_and_x64),
        cmocka_unit_test(test_find_dword_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
