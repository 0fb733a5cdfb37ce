/* WinDbg-style text and the ranges option syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dumppipe/dumppipe.h>

#include "../cp_format.h"

static void pointers(void **s)
{
    (void)s;
    char b[32];
    cp_format_ptr(0xb958f532, 4, b, sizeof b);
    assert_string_equal(b, "b958f532");
    cp_format_ptr(0xfffff80012345678ull, 8, b, sizeof b);
    assert_string_equal(b, "fffff800`12345678");
    cp_format_ptr(0x1000, 8, b, sizeof b);
    assert_string_equal(b, "00000000`00001000");
}

static void check_ops(const char *in, const char *want)
{
    char out[160];
    cp_windbg_operands(in, out, sizeof out);
    assert_string_equal(out, want);
}

static void operands(void **s)
{
    (void)s;
    check_ops("0x2c", "2Ch");
    check_ops("0x18", "18h");
    check_ops("3", "3");
    check_ops("byte ptr [ebp - 0x19], 0", "byte ptr [ebp-19h],0");
    check_ops("ecx, dword ptr [ebp + 0xc]", "ecx,dword ptr [ebp+0Ch]");
    check_ops("0xb95c1d08", "0B95C1D08h");
    check_ops("qword ptr [rsp + 8], rbx", "qword ptr [rsp+8],rbx");
    check_ops("eax, 0x5", "eax,5");
    check_ops("r10x0, 0x10", "r10x0,10h"); /* 0x inside a word is not a number */
    check_ops("", "");
}

static void operands_truncate(void **s)
{
    (void)s;
    char out[6];
    cp_windbg_operands("dword ptr [eax]", out, sizeof out);
    assert_string_equal(out, "dword");
}

static void insn_lines(void **s)
{
    (void)s;
    char b[128];
    cp_format_insn(0xb958f532, 4, "push", "2Ch", b, sizeof b);
    assert_string_equal(b, "b958f532 push    2Ch");
    cp_format_insn(0xb958f528, 4, "leave", "", b, sizeof b);
    assert_string_equal(b, "b958f528 leave");
    cp_format_insn(0xb958f529, 4, "ret", "18h", b, sizeof b);
    assert_string_equal(b, "b958f529 ret     18h");
}

static void ranges(void **s)
{
    (void)s;
    uint64_t a, b;
    assert_int_equal(cp_parse_range("0xa3458000-0xa3459000", &a, &b), DP_OK);
    assert_int_equal(a, 0xa3458000u);
    assert_int_equal(b, 0xa3459000u);
    assert_int_equal(cp_parse_range("a34583b8+138", &a, &b), DP_OK);
    assert_int_equal(a, 0xa34583b8u);
    assert_int_equal(b, 0xa34584f0u);
    assert_int_equal(cp_parse_range("fffff800`00001000+0x10", &a, &b), DP_OK);
    assert_int_equal(a, 0xfffff80000001000ull);
    assert_int_equal(b, 0xfffff80000001010ull);
    assert_int_equal(cp_parse_range("10-10", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("20-10", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("10+0", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("ffffffffffffffff+2", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("10", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("10-", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("zz-30", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("10-20x", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range("11111111111111111-2", &a, &b), DP_ERR_INVALID);
    assert_int_equal(cp_parse_range(NULL, &a, &b), DP_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pointers), cmocka_unit_test(operands), cmocka_unit_test(operands_truncate),
        cmocka_unit_test(insn_lines), cmocka_unit_test(ranges),
    };
    return cmocka_run_group_tests_name("codeptr format", tests, NULL, NULL);
}
