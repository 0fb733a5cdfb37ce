/* Hostile dumps: each corrupts one thing and must fail with DP_ERR_BAD_DATA and a one-line message that
 * names the file - never crash, hang or read out of bounds (run under ASan/UBSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"
#include "test_dump_builder.h"

static char *dir;

static int setup(void **st)
{
    (void)st;
    dir = tb_mkdtemp();
    return dir ? 0 : -1;
}
static int teardown(void **st)
{
    (void)st;
    tb_rmdir(dir);
    return 0;
}

/* Opens PATH expecting failure with STATUS; the message must name the file and contain WHAT. */
static void expect_fail(const char *path, int status, const char *what)
{
    struct dp_dump *d = NULL;
    char err[512] = "";
    int rc = dp_dump_open(path, &d, err, sizeof err);
    if (rc != status || !strstr(err, path) || !strstr(err, what)) fprintf(stderr, "rc %d, message: %s\n", rc, err);
    assert_int_equal(rc, status);
    assert_null(d);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, what));
    assert_null(strchr(err, '\n'));
}

static void built_fails(const char *name, struct tb_spec s, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.dmp", dir, name);
    free(tb_write(path, &s));
    expect_fail(path, DP_ERR_BAD_DATA, what);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static void wrong_magic(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/magic.dmp", dir);
    struct tb_spec s = {.arch = TB_X64};
    free(tb_write(path, &s));
    FILE *f = fopen(path, "r+b");
    fwrite("PAGEDU63", 1, 8, f);
    fclose(f);
    expect_fail(path, DP_ERR_BAD_DATA, "not a crash dump libkdumpfile or dumppipe can read (libkdumpfile: ");
}

static void truncated_header(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/short.dmp", dir);
    struct tb_spec s = {.arch = TB_X64};
    free(tb_write(path, &s));
    assert_int_equal(truncate(path, 0x1800), 0);
    expect_fail(path, DP_ERR_BAD_DATA, "truncated header");
    s.arch = TB_X86;
    free(tb_write(path, &s));
    assert_int_equal(truncate(path, 0x200), 0);
    expect_fail(path, DP_ERR_BAD_DATA, "truncated header");
}

static void empty_and_missing(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/empty.dmp", dir);
    write_file(path, "", 0);
    expect_fail(path, DP_ERR_BAD_DATA, "empty");
    snprintf(path, sizeof path, "%s/missing.dmp", dir);
    expect_fail(path, DP_ERR_IO, "cannot open");
}

static void run_count_fill(void **st)
{
    (void)st;
    built_fails("fill64", (struct tb_spec){.arch = TB_X64, .run_count_fill = 1}, "\"PAGE\" fill");
    built_fails("fill32", (struct tb_spec){.arch = TB_X86, .run_count_fill = 1}, "\"PAGE\" fill");
}

static void run_count_absurd(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/runs.dmp", dir);
    struct tb_spec s = {.arch = TB_X64};
    free(tb_write(path, &s));
    FILE *f = fopen(path, "r+b");
    fseek(f, 0x88, SEEK_SET);
    fwrite("\x2c\x00\x00\x00", 1, 4, f); /* 44 runs: one more than the descriptor holds */
    fclose(f);
    expect_fail(path, DP_ERR_BAD_DATA, "run count 44 exceeds the 43");
}

static void overlapping_runs(void **st)
{
    (void)st;
    built_fails("overlap64", (struct tb_spec){.arch = TB_X64, .overlap = 1}, "run 1 (PFN 0x4) overlaps run 0");
    built_fails("overlap32", (struct tb_spec){.arch = TB_PAE, .overlap = 1}, "overlaps run 0");
}

static void run_past_eof(void **st)
{
    (void)st;
    built_fails("eof64", (struct tb_spec){.arch = TB_X64, .truncate = 4096}, "run 1 (PFN 0x10, 0x18 pages");
    built_fails("eof32", (struct tb_spec){.arch = TB_X86, .truncate = 1}, "extends past the end of the file");
}

static void bitmap_larger_than_file(void **st)
{
    (void)st;
    built_fails("bmp-big", (struct tb_spec){.arch = TB_X64, .bitmap = 1, .bitmap_pages = 1ull << 38},
                "is larger than the file");
    built_fails("bmp-absurd", (struct tb_spec){.arch = TB_X86, .bitmap = 1, .bitmap_pages = ~0ull},
                "beyond any machine");
}

static void bitmap_popcount(void **st)
{
    (void)st;
    built_fails("bmp-pop", (struct tb_spec){.arch = TB_X64, .bitmap = 1, .popcount_off = 1},
                "bitmap has 0x20 pages set but its header says 0x21");
}

static void bitmap_pages_past_eof(void **st)
{
    (void)st;
    built_fails("bmp-eof", (struct tb_spec){.arch = TB_PAE, .bitmap = 1, .truncate = 100},
                "extend past the end of the file");
}

static void cyclic_module_list(void **st)
{
    (void)st;
    char want[64];
    snprintf(want, sizeof want, "loaded module list is cyclic at 0x%llx", (unsigned long long)TB_VA_X64 + 0x1000);
    built_fails("cyclic64", (struct tb_spec){.arch = TB_X64, .cyclic = 1}, want);
    snprintf(want, sizeof want, "loaded module list is cyclic at 0x%llx", (unsigned long long)TB_VA_X86 + 0x1000);
    built_fails("cyclic32", (struct tb_spec){.arch = TB_X86, .bitmap = 1, .cyclic = 1}, want);
}

/* A minimal x64 small dump: main header, then a triage header whose ValidOffset is VALID. */
static void write_triage(const char *path, uint32_t valid, uint32_t stack_off)
{
    static uint8_t buf[0x3000];
    struct tb_spec s = {.arch = TB_X64};
    struct tb_image *im = tb_image_new(&s);
    tb_header(buf, &s, im);
    free(im);
    tb_put(buf + 0xf98, 4, 4);
    memset(buf + 0x2000, 0, 0x1000);
    tb_put(buf + 0x2008, valid, 4);
    tb_put(buf + 0x200c, 0x348, 4);
    tb_put(buf + 0x2028, stack_off, 4);
    tb_put(buf + 0x202c, 0x100, 4);
    tb_put(buf + 0x2048, 0xfffff80000010000ull, 8);
    memcpy(buf + 0x2ffc, "TRGD", 4);
    write_file(path, buf, sizeof buf);
}

static void triage_offsets(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/triage.dmp", dir);
    write_triage(path, 0x100000, 0x2100);
    expect_fail(path, DP_ERR_BAD_DATA, "ValidOffset 0x100000");
    write_triage(path, 0x2ffe, 0x2100); /* "TRGD" would straddle the end of the file */
    expect_fail(path, DP_ERR_BAD_DATA, "ValidOffset 0x2ffe");
    write_triage(path, 0x2ff8, 0x2100); /* inside the file, but no mark there */
    expect_fail(path, DP_ERR_BAD_DATA, "TRGD");
    write_triage(path, 0x2ffc, 0x2f80);
    expect_fail(path, DP_ERR_BAD_DATA, "triage call stack (0x100 bytes at file offset 0x2f80) lies outside the file");
    /* The same file with sane offsets opens: the failures above are about the offsets only. */
    write_triage(path, 0x2ffc, 0x2100);
    struct dp_dump *d = NULL;
    char err[512] = "";
    assert_int_equal(dp_dump_open(path, &d, err, sizeof err), DP_OK);
    uint8_t b[0x100];
    assert_int_equal(dp_dump_read_virt(d, 0xfffff80000010000ull, b, sizeof b), DP_OK);
    assert_int_equal(dp_dump_read_virt(d, 0xfffff80000010000ull + 0xf0, b, 0x20), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_phys(d, 0, b, 1), DP_ERR_NOT_APPLICABLE);
    dp_dump_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrong_magic),         cmocka_unit_test(truncated_header),
        cmocka_unit_test(empty_and_missing),   cmocka_unit_test(run_count_fill),
        cmocka_unit_test(run_count_absurd),    cmocka_unit_test(overlapping_runs),
        cmocka_unit_test(run_past_eof),        cmocka_unit_test(bitmap_larger_than_file),
        cmocka_unit_test(bitmap_popcount),     cmocka_unit_test(bitmap_pages_past_eof),
        cmocka_unit_test(cyclic_module_list),  cmocka_unit_test(triage_offsets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
