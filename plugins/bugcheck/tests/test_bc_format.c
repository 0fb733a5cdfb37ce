/* The !analyze-style text: layout, widths, subtype decoding, _M and unknown codes, buffer limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "bc_db.h"
#include "bc_format.h"

static char text[8192];

static const char *analysis(uint32_t code, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, unsigned ptr_size, int full)
{
    uint64_t params[4] = {a1, a2, a3, a4};
    struct bc_decoded d;
    bc_decode(code, params, &d);
    size_t n = bc_format_analysis(&d, ptr_size, full, text, sizeof(text));
    assert_true(n < sizeof(text));
    assert_int_equal(strlen(text), n);
    return text;
}

static void test_seed_layout_x86(void **state)
{
    (void)state;
    const char *t = analysis(0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001, 4, 0);
    const struct bc_detail *det = bc_detail_find(0x19);
    char expected[2048];
    snprintf(expected, sizeof(expected),
             "BAD_POOL_HEADER (19)\n%s\nArguments:\n"
             "Arg1: 00000020, a pool block header size is corrupt.\n"
             "Arg2: a34583b8, the pool entry that was being looked for within the page.\n"
             "Arg3: a34584f0, the next pool entry.\n"
             "Arg4: 0a270001, reserved (in practice often the first dword of the entry's header).\n",
             det->description);
    assert_string_equal(t, expected);
}

static void test_x64_width_and_upper_bits(void **state)
{
    (void)state;
    const char *t = analysis(0x1000007E, 0xffffffffc0000005, 0xfffff8048b58334c, 0xffff850429891ee8,
                             0xffff850429891720, 8, 0);
    assert_non_null(strstr(t, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)\n"));
    assert_non_null(strstr(t, "\nArg1: ffffffffc0000005, the exception code that was not handled.\n"));
    assert_non_null(strstr(t, "\nArg2: fffff8048b58334c, the address where the exception happened.\n"));
    assert_non_null(strstr(t, "\nArg4: ffff850429891720, the context record.\n"));
    /* small values are zero-padded to 16 digits on x64 */
    t = analysis(0xD1, 0x28, 2, 0, 0xfffff80012345678, 8, 0);
    assert_non_null(strstr(t, "\nArg1: 0000000000000028, "));
    assert_non_null(strstr(t, "\nArg3: 0000000000000000, 0: read, 1: write, 2 or 8: execute.\n"));
}

static void test_width_rules(void **state)
{
    (void)state;
    uint64_t small[4] = {1, 2, 3, 4}, big[4] = {1, 0x100000000ull, 3, 4};
    assert_int_equal(bc_param_width(4, small), 8);
    assert_int_equal(bc_param_width(8, small), 16);
    assert_int_equal(bc_param_width(0, small), 8);
    assert_int_equal(bc_param_width(0, big), 16);
    /* a 4-byte dump never truncates a value that does not fit */
    const char *t = analysis(0xD1, 0x100000028ull, 2, 0, 0x80001234, 4, 0);
    assert_non_null(strstr(t, "\nArg1: 100000028, "));
    assert_non_null(strstr(t, "\nArg4: 80001234, "));
}

static void test_selector_in_arg4(void **state)
{
    (void)state;
    const char *t = analysis(0xC1, 0xe1000000, 0xe1000ff8, 0, 0x32, 4, 0);
    assert_non_null(strstr(t, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION (c1)\n"));
    assert_non_null(strstr(t, "\nArg1: e1000000, the address the driver tried to free.\n"));
    assert_non_null(strstr(t, "\nArg2: e1000ff8, the address of the flipped bit.\n"));
    assert_non_null(strstr(t, "\nArg3: 00000000, reserved\n"));
    assert_non_null(strstr(t, "\nArg4: 00000032, a driver freed an address, and a nearby byte"));
}

static void test_unknown_subtype_keeps_general_text(void **state)
{
    (void)state;
    const char *t = analysis(0x19, 0x77, 1, 2, 3, 4, 0);
    assert_non_null(strstr(t, "\nArg1: 00000077, a value that is not in dumppipe's table for this code.\n"));
    assert_non_null(strstr(t, "\nArg2: 00000001, depends on Arg1.\n"));
    /* a subtype row that leaves a parameter undescribed keeps the code's own text for it */
    t = analysis(0x13A, 0x6, 0xffff800011110000, 0xffff800011112340, 0, 8, 0);
    assert_non_null(strstr(t, "\nArg1: 0000000000000006, the corruption looks like a buffer overrun.\n"));
    assert_non_null(strstr(t, "\nArg3: ffff800011112340, the address at which the corruption was found.\n"));
}

static void test_unknown_and_undescribed_codes(void **state)
{
    (void)state;
    const char *t = analysis(0x1F0, 1, 2, 3, 4, 4, 0);
    assert_string_equal(t, "UNKNOWN_BUGCHECK (1f0)\nThis bug check code is not in dumppipe's database.\nArguments:\n"
                           "Arg1: 00000001\nArg2: 00000002\nArg3: 00000003\nArg4: 00000004\n");
    /* an old code whose page documents no parameters says so for each */
    t = analysis(0x2, 0, 0, 0, 0, 4, 0);
    assert_non_null(strstr(t, "DEVICE_QUEUE_NOT_BUSY (2)\nA device queue was found not busy"));
    assert_non_null(strstr(t, "\nArg1: 00000000, not documented.\n"));
    assert_non_null(strstr(t, "\nArg4: 00000000, not documented.\n"));
}

static void test_full_mode_lists_explanation_and_subtypes(void **state)
{
    (void)state;
    const struct bc_detail *det = bc_detail_find(0x19);
    const char *t = analysis(0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001, 4, 1);
    assert_non_null(strstr(t, det->more));
    const char *list = strstr(t, "\nKnown values of Arg1:\n");
    assert_non_null(list);
    size_t rows = 0;
    for (const char *p = list; (p = strstr(p, "\n  0x")) != NULL; p++) rows++;
    assert_int_equal(rows, det->n_subtypes);
    assert_non_null(strstr(list, "\n  0x20: a pool block header size is corrupt.\n"));
    /* default mode has neither */
    t = analysis(0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001, 4, 0);
    assert_null(strstr(t, "Known values"));
    assert_null(strstr(t, det->more));
}

static void test_small_buffers(void **state)
{
    (void)state;
    uint64_t params[4] = {0x20, 0xa34583b8, 0xa34584f0, 0x0a270001};
    struct bc_decoded d;
    bc_decode(0x19, params, &d);
    size_t need = bc_format_analysis(&d, 4, 1, NULL, 0);
    char small[16];
    memset(small, 'x', sizeof(small));
    assert_int_equal(bc_format_analysis(&d, 4, 1, small, sizeof(small)), need);
    assert_int_equal(small[15], '\0');
    assert_memory_equal(small, "BAD_POOL_HEADER", 15);
    char exact[4096];
    assert_true(need < sizeof(exact));
    assert_int_equal(bc_format_analysis(&d, 4, 1, exact, need + 1), need);
    assert_int_equal(strlen(exact), need);
}

static void test_title_and_params(void **state)
{
    (void)state;
    char buf[256];
    uint64_t params[4] = {0x20, 0xa34583b8, 0xa34584f0, 0x0a270001};
    struct bc_decoded d;
    bc_decode(0x19, params, &d);
    bc_format_title(&d, buf, sizeof(buf));
    assert_string_equal(buf, "BAD_POOL_HEADER (0x19): a pool block header size is corrupt.");
    bc_format_params(&d, buf, sizeof(buf));
    assert_string_equal(buf, "0x20 0xa34583b8 0xa34584f0 0xa270001");
    params[0] = 0x99;
    bc_decode(0x19, params, &d);
    bc_format_title(&d, buf, sizeof(buf));
    assert_string_equal(buf, "BAD_POOL_HEADER (0x19): Arg1 = 0x99, not in the database");
    bc_decode(0xABCDEF, params, &d);
    bc_format_title(&d, buf, sizeof(buf));
    assert_string_equal(buf, "UNKNOWN_BUGCHECK (0xABCDEF): not in the database");
    bc_decode(0xD1, params, &d);
    bc_format_title(&d, buf, sizeof(buf));
    assert_string_equal(buf, "DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_layout_x86),
        cmocka_unit_test(test_x64_width_and_upper_bits),
        cmocka_unit_test(test_width_rules),
        cmocka_unit_test(test_selector_in_arg4),
        cmocka_unit_test(test_unknown_subtype_keeps_general_text),
        cmocka_unit_test(test_unknown_and_undescribed_codes),
        cmocka_unit_test(test_full_mode_lists_explanation_and_subtypes),
        cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_title_and_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
