/* Breakpad .sym parsing and lookup, module name shortening, symbol formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols.h"

static const char driver_sym[] =
    "MODULE windows x86_64 0123456789ABCDEF0123456789ABCDEF1 driver.pdb\r\n"
    "INFO CODE_ID 5A1B2C3D36000 driver.sys\n"
    "FILE 0 c:\\src\\driver.c\n"
    "FUNC 1000 40 8 DriverEntry\n"
    "1000 10 12 0\n"
    "1010 30 13 0\n"
    "\n"
    "FUNC m 1100 20 0 ProcessIrp(struct _IRP *)\n"
    "PUBLIC 1090 0 _HelperPublic@4\n"
    "PUBLIC m 2000 0 SharedThunk\n"
    "STACK WIN 4 1000 40 0 0 8 0 0 0 1 $T0 .raw\n";

static char *write_sym(const char *text)
{
    char *path = strdup("/tmp/dp_test_sym_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Loads TEXT into T; returns the status and leaves the message in err. */
static int load_text(struct dp_symtab *t, const char *text, char *err, size_t errlen, char **path_out)
{
    char *path = write_sym(text);
    err[0] = 0;
    int rc = dp_symtab_load(t, path, err, errlen);
    unlink(path);
    if (path_out) *path_out = path;
    else free(path);
    return rc;
}

static void expect(const struct dp_symtab *t, const char *module, uint32_t rva, const char *name, uint32_t disp)
{
    const char *got = NULL;
    uint32_t d = 0;
    assert_int_equal(dp_symtab_lookup(t, module, rva, &got, &d), DP_OK);
    assert_string_equal(got, name);
    assert_int_equal(d, disp);
}

static void test_lookup(void **state)
{
    (void)state;
    struct dp_symtab *t = dp_symtab_new();
    char err[256];
    assert_int_equal(load_text(t, driver_sym, err, sizeof err, NULL), DP_OK);
    expect(t, "driver.sys", 0x1000, "DriverEntry", 0);
    expect(t, "driver.sys", 0x1012, "DriverEntry", 0x12);
    expect(t, "driver.sys", 0x1095, "_HelperPublic@4", 5); /* between FUNCs: nearest PUBLIC */
    expect(t, "DRIVER.SYS", 0x1110, "ProcessIrp(struct _IRP *)", 0x10);
    expect(t, "\\SystemRoot\\system32\\drivers\\driver.sys", 0x1125, "_HelperPublic@4", 0x95);
    expect(t, "driver", 0x3000, "SharedThunk", 0x1000);
    const char *name;
    uint32_t disp;
    assert_int_equal(dp_symtab_lookup(t, "driver.sys", 0x500, &name, &disp), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_symtab_lookup(t, "other.sys", 0x1000, &name, &disp), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_symtab_lookup(t, "driverx.sys", 0x1000, &name, &disp), DP_ERR_NOT_FOUND);

    /* the kernel's PDB is named for its build flavour, not for ntoskrnl.exe */
    assert_int_equal(load_text(t, "MODULE windows x86_64 AB12 ntkrnlmp.pdb\nPUBLIC 3f5a80 0 KeBugCheckEx\n", err,
                               sizeof err, NULL),
                     DP_OK);
    expect(t, "ntoskrnl.exe", 0x3f5a9b, "KeBugCheckEx", 0x1b);
    expect(t, "driver.sys", 0x1012, "DriverEntry", 0x12);
    dp_symtab_free(t);
}

struct bad_case {
    const char *text;
    const char *where; /* ":LINE: " expected in the message */
    const char *what;
};

static void test_malformed(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"FUNC 1000 10 0 f\n", ":1: ", "MODULE"},
        {"MODULE windows x86 AB driver.pdb\nFUNC 1000 10 0 ok\nFUNC 10zz 20 0 bad\n", ":3: ", "hexadecimal"},
        {"MODULE windows x86 AB driver.pdb\nFUNC 1000 10 0\n", ":2: ", "hexadecimal"},
        {"MODULE windows x86 AB driver.pdb\nFUNC 1000 10 0 \n", ":2: ", "name missing"},
        {"MODULE windows x86 AB driver.pdb\nPUBLIC 100000000 0 big\n", ":2: ", "4 GiB"},
        {"MODULE windows x86 AB driver.pdb\nFUNC ffffff00 1000 0 wraps\n", ":2: ", "4 GiB"},
        {"MODULE windows x86 AB driver.pdb\nPUBLIC 11112222333344445 0 long\n", ":2: ", "hexadecimal"},
        {"MODULE windows x86 AB driver.pdb\nMODULE windows x86 AB other.pdb\n", ":2: ", "second MODULE"},
        {"MODULE windows x86\n", ":1: ", "MODULE needs"},
        {"", ":0: ", "no MODULE"},
        {"\n\n", ":2: ", "no MODULE"},
    };
    char err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dp_symtab *t = dp_symtab_new();
        char *path;
        assert_int_equal(load_text(t, cases[i].text, err, sizeof err, &path), DP_ERR_BAD_DATA);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s%s", path, cases[i].where);
        if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, cases[i].what))
            fail_msg("case %zu: got \"%s\"", i, err);
        const char *name;
        uint32_t disp; /* a failed file adds nothing */
        assert_int_equal(dp_symtab_lookup(t, "driver.sys", 0x1000, &name, &disp), DP_ERR_NOT_FOUND);
        free(path);
        dp_symtab_free(t);
    }
}

static void test_file_level_errors(void **state)
{
    (void)state;
    struct dp_symtab *t = dp_symtab_new();
    char err[256];
    assert_int_equal(load_text(t, driver_sym, err, sizeof err, NULL), DP_OK);
    assert_int_equal(load_text(t, driver_sym, err, sizeof err, NULL), DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, "already loaded"));
    assert_int_equal(dp_symtab_load(t, "/nonexistent/x.sym", err, sizeof err), DP_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/x.sym"));

    size_t big = 70 * 1024;
    char *text = malloc(big + 64);
    strcpy(text, "MODULE windows x86 AB long.pdb\nPUBLIC 10 0 ");
    size_t at = strlen(text);
    memset(text + at, 'x', big), text[at + big] = '\n', text[at + big + 1] = 0;
    assert_int_equal(load_text(t, text, err, sizeof err, NULL), DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, ":2: line longer"));
    free(text);
    expect(t, "driver.sys", 0x1012, "DriverEntry", 0x12); /* earlier modules unaffected */
    dp_symtab_free(t);
}

static void expect_short(const char *name, const char *want)
{
    char out[64];
    assert_int_equal(dp_module_short_name(name, out, sizeof out), strlen(want));
    assert_string_equal(out, want);
}

static void test_short_names(void **state)
{
    (void)state;
    expect_short("ntoskrnl.exe", "nt");
    expect_short("ntkrnlpa.exe", "nt");
    expect_short("NTKRNLMP.EXE", "nt");
    expect_short("ntkrpamp.exe", "nt");
    expect_short("hal.dll", "hal");
    expect_short("halmacpi.dll", "hal");
    expect_short("ntfs.sys", "ntfs");
    expect_short("driver.sys", "driver");
    expect_short("\\SystemRoot\\system32\\DRIVERS\\amdppm.sys", "amdppm");
    expect_short("Wdf01000.sys", "Wdf01000");
    expect_short("noext", "noext");
    expect_short("", "");
    char small[4];
    assert_int_equal(dp_module_short_name("driver.sys", small, sizeof small), 6);
    assert_string_equal(small, "dri");
}

static void expect_format(const char *module, const char *sym, uint64_t disp, const char *want)
{
    char buf[128];
    assert_int_equal(dp_format_symbol(buf, sizeof buf, module, sym, disp), DP_OK);
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    (void)state;
    expect_format("driver", "Func", 0x12, "driver!Func+0x12");
    expect_format("driver", NULL, 0x36532, "driver+0x36532");
    expect_format("nt", "KeBugCheckEx", 0x1b, "nt!KeBugCheckEx+0x1b");
    expect_format("driver", "Func", 0, "driver!Func");
    expect_format("driver", NULL, 0, "driver");
    char buf[8];
    assert_int_equal(dp_format_symbol(buf, sizeof buf, "driver", "Func", 0x12), DP_ERR_INVALID);
    assert_string_equal(buf, "driver!");
    assert_int_equal(dp_format_symbol(NULL, 0, "driver", "Func", 0), DP_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_file_level_errors),
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
