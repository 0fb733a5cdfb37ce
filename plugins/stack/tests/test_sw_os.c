/* OS-module matching: the built-in list, prefixes, extensions, pipeline additions, first non-OS frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sw_os.h"

static int match(const char *pattern, const char *module) { return sw_os_pattern_matches(pattern, strlen(pattern), module); }

static void test_pattern_exact_and_case(void **state)
{
    (void)state;
    assert_true(match("ntfs", "Ntfs.sys"));
    assert_true(match("NTFS", "ntfs.SYS"));
    assert_true(match("ntfs.sys", "Ntfs.sys")); /* written with its extension */
    assert_false(match("ntfs", "ntfsx.sys"));
    assert_false(match("ntfs", "nt.sys"));
    assert_true(match("fltmgr", "\\SystemRoot\\System32\\drivers\\FLTMGR.SYS"));
    assert_false(match("driver", "driver2.sys"));
}

static void test_pattern_prefix(void **state)
{
    (void)state;
    assert_true(match("hal*", "halmacpi.dll"));
    assert_true(match("hal*", "hal.dll"));
    assert_false(match("hal*", "ha.dll"));
    assert_true(match("ntkrnl*", "ntkrnlpa.exe"));
    assert_false(match("", "x.sys"));
    assert_false(sw_os_pattern_matches("x", 0, "x.sys"));
}

static void test_list_comments_and_blanks(void **state)
{
    (void)state;
    const char *list = "# comment line\n\n  ntfs   # trailing comment\nhal*\n\t\nwdf01000";
    assert_true(sw_os_listed(list, "Ntfs.sys"));
    assert_true(sw_os_listed(list, "halacpi.dll"));
    assert_true(sw_os_listed(list, "Wdf01000.sys"));
    assert_false(sw_os_listed(list, "comment.sys"));
    assert_false(sw_os_listed(list, "driver.sys"));
    assert_false(sw_os_listed("", "ntfs.sys"));
}

static void test_builtin_list(void **state)
{
    (void)state;
    const char *os[] = {"ntoskrnl.exe", "ntkrnlpa.exe", "ntkrnlmp.exe", "ntkrpamp.exe", "hal.dll", "halmacpi.dll",
                        "CI.dll", "FLTMGR.SYS", "Wdf01000.sys", "Ntfs.sys", "tcpip.sys", "win32k.sys", "win32kfull.sys"};
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++) assert_true(sw_is_os_module(os[i], NULL, 0));
    const char *third[] = {"driver.sys", "amdppm.sys", "intelppm.sys", "filter.sys", "2ndfilter.sys", "xennet.sys", "nvlddmkm.sys"};
    for (size_t i = 0; i < sizeof third / sizeof third[0]; i++) assert_false(sw_is_os_module(third[i], NULL, 0));
    assert_false(sw_is_os_module("", NULL, 0));
    assert_false(sw_is_os_module(NULL, NULL, 0));
}

static void test_extra_names(void **state)
{
    (void)state;
    const char *extra[] = {"filter", "2nd*", NULL};
    assert_true(sw_is_os_module("filter.sys", extra, 3));
    assert_true(sw_is_os_module("2ndfilter.sys", extra, 3));
    assert_false(sw_is_os_module("3rdfilter.sys", extra, 3));
}

static void test_first_non_os(void **state)
{
    (void)state;
    const char *frames[] = {"ntoskrnl.exe", "ntoskrnl.exe", NULL, "driver.sys", "fltMgr.sys", "filter.sys"};
    assert_int_equal(sw_first_non_os(frames, 6, NULL, 0), 3);
    const char *extra[] = {"driver"};
    assert_int_equal(sw_first_non_os(frames, 6, extra, 1), 5);
    const char *all_os[] = {"ntoskrnl.exe", "hal.dll", NULL};
    assert_int_equal(sw_first_non_os(all_os, 3, NULL, 0), 3);
    assert_int_equal(sw_first_non_os(frames, 0, NULL, 0), 0);
}

/* The bug-check machinery: module!function patterns, prefixes, case, and frames without a function. */
static void test_skip_list(void **state)
{
    (void)state;
    const char *list = "# comment\nnt!KeBugCheckEx\n  nt!ExFreePool*  \nhal!HalpTimerClockInterrupt\n";
    assert_true(sw_skip_listed(list, "nt!KeBugCheckEx+0x1b"));
    assert_true(sw_skip_listed(list, "nt!KeBugCheckEx"));
    assert_true(sw_skip_listed(list, "NT!kebugcheckex+0x1b"));
    assert_false(sw_skip_listed(list, "nt!KeBugCheckExtra+0x1b"));
    assert_true(sw_skip_listed(list, "nt!ExFreePoolWithTag+0x477"));
    assert_true(sw_skip_listed(list, "nt!ExFreePool+0xf"));
    assert_false(sw_skip_listed(list, "nt!ExFree+0xf"));
    assert_false(sw_skip_listed(list, "driver!KeBugCheckEx"));
    assert_false(sw_skip_listed(list, "nt+0x3f5a80"));
    assert_false(sw_skip_listed(list, "fffff80412345678"));
    assert_false(sw_skip_listed(list, NULL));
    /* the built-in list */
    assert_true(sw_is_machinery("nt!KiPageFault+0x3c5"));
    assert_true(sw_is_machinery("nt!KiDpcWatchdog+0x12"));
    assert_false(sw_is_machinery("nt!IofCallDriver+0x45"));
    assert_false(sw_is_machinery("driver+0x38400"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_exact_and_case), cmocka_unit_test(test_pattern_prefix),
        cmocka_unit_test(test_list_comments_and_blanks), cmocka_unit_test(test_builtin_list),
        cmocka_unit_test(test_extra_names), cmocka_unit_test(test_first_non_os), cmocka_unit_test(test_skip_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
