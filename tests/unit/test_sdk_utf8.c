/* dp_utf8_len (SDK): exactly the well-formed UTF-8 sequences of RFC 3629 are accepted, so sinks that
 * escape by it always write valid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dumppipe/dumppipe.h>

static void accepts_well_formed(void **state)
{
    (void)state;
    assert_int_equal(dp_utf8_len("A"), 1);
    assert_int_equal(dp_utf8_len("\xc3\xa9"), 2);         /* é */
    assert_int_equal(dp_utf8_len("\xe2\x82\xac"), 3);     /* € */
    assert_int_equal(dp_utf8_len("\xed\x9f\xbf"), 3);     /* U+D7FF, last before the surrogates */
    assert_int_equal(dp_utf8_len("\xf0\x9f\x98\x80"), 4); /* U+1F600 */
    assert_int_equal(dp_utf8_len("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF */
}

static void refuses_ill_formed(void **state)
{
    (void)state;
    assert_int_equal(dp_utf8_len("\xa4" "FreePool"), 0); /* a lone continuation byte */
    assert_int_equal(dp_utf8_len("\xc0\x80"), 0);        /* overlong NUL */
    assert_int_equal(dp_utf8_len("\xe0\x80\xaf"), 0);    /* overlong '/' */
    assert_int_equal(dp_utf8_len("\xed\xa0\x80"), 0);    /* a UTF-16 surrogate */
    assert_int_equal(dp_utf8_len("\xf4\x90\x80\x80"), 0); /* past U+10FFFF */
    assert_int_equal(dp_utf8_len("\xf5\x80\x80\x80"), 0);
    assert_int_equal(dp_utf8_len("\xe2\x82"), 0);         /* cut by the terminator */
    assert_int_equal(dp_utf8_len("\xff"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(accepts_well_formed), cmocka_unit_test(refuses_ill_formed)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
