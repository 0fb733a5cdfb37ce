/* The process-wide symbol file cache (host/symbols/cache.c), matching rules, the ISF reader's
 * metadata, and the sorted index (symidx.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dumppipe/dumppipe.h>

#include "symfile.h"
#include "symidx.h"

static char dir[] = "/tmp/dp_test_symcache_XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char sym[] = "MODULE windows x86_64 000102030405060708090a0b0c0d0e0f2 drv.pdb\nFUNC 1000 20 0 Entry\nPUBLIC 1100 0 Tail\n";

static void test_one_parse_per_file(void **state)
{
    (void)state;
    const struct dp_symfile *a, *b, *c;
    char err[256], link_path[300];
    const char *p = write_file("drv.sym", sym);
    assert_int_equal(dp_symcache_load(p, &a, err, sizeof err), DP_OK);
    assert_int_equal(dp_symcache_load(p, &b, err, sizeof err), DP_OK);
    assert_ptr_equal(a, b);
    snprintf(link_path, sizeof link_path, "%s/other-name.sym", dir);
    assert_int_equal(link(p, link_path), 0);
    assert_int_equal(dp_symcache_load(link_path, &c, err, sizeof err), DP_OK);
    assert_ptr_equal(a, c); /* the same file by another path */
    assert_int_equal(dp_symcache_count(), 1);
    assert_string_equal(a->kind, "sym");
    assert_string_equal(a->id, "000102030405060708090A0B0C0D0E0F2");
    assert_ptr_equal(dp_symcache_by_id("drv.pdb", "000102030405060708090a0b0c0d0e0f2"), a);
    assert_ptr_equal(dp_symcache_by_id(NULL, "000102030405060708090A0B0C0D0E0F2"), a);
    assert_null(dp_symcache_by_id("other.pdb", "000102030405060708090A0B0C0D0E0F2"));
    assert_null(dp_symcache_by_id("drv.pdb", "000102030405060708090A0B0C0D0E0F1")); /* another age */
    dp_symcache_clear();
    assert_int_equal(dp_symcache_count(), 0);
    unlink(link_path);
}

static void test_matching(void **state)
{
    (void)state;
    const struct dp_symfile *f;
    char err[256];
    assert_int_equal(dp_symcache_load(write_file("drv.sym", sym), &f, err, sizeof err), DP_OK);
    /* both keys known: they decide, whatever the names */
    assert_true(dp_symfile_matches(f, "renamed.sys", "renamed.pdb", "000102030405060708090A0B0C0D0E0F2"));
    assert_false(dp_symfile_matches(f, "drv.sys", "drv.pdb", "000102030405060708090A0B0C0D0E0F3"));
    /* the module's key unknown: the names */
    assert_true(dp_symfile_matches(f, "DRV.SYS", NULL, NULL));
    assert_true(dp_symfile_matches(f, "x.sys", "drv.pdb", NULL));
    assert_false(dp_symfile_matches(f, "other.sys", NULL, NULL));
    const char *name;
    uint32_t disp;
    assert_int_equal(dp_symfile_lookup(f, 0x1010, &name, &disp), DP_OK);
    assert_string_equal(name, "Entry");
    assert_int_equal(disp, 0x10);
    assert_int_equal(dp_symfile_lookup(f, 0x1050, &name, &disp), DP_ERR_NOT_FOUND); /* past Entry, before Tail */
    dp_symcache_clear();
}

static void test_isf(void **state)
{
    (void)state;
    const struct dp_symfile *f;
    char err[256];
    const char *p = write_file("k.json", "{\"metadata\": {\"windows\": {\"pdb\": {\"GUID\": \"{30b5fb31-ae7e-4aca-aba7-50aa241ff331}\", "
                                         "\"age\": 2, \"database\": \"ntkrnlpa.pdb\"}}}, \"symbols\": {\"KeBugCheckEx\": "
                                         "{\"address\": 4096}, \"linux_banner\": {\"address\": 18446744071600000000}, "
                                         "\"NoAddress\": {\"type\": 1}}}");
    assert_int_equal(dp_symcache_load(p, &f, err, sizeof err), DP_OK);
    assert_string_equal(f->kind, "isf");
    assert_string_equal(f->id, "30B5FB31AE7E4ACAABA750AA241FF3312");
    assert_string_equal(f->pdb_name, "ntkrnlpa.pdb");
    assert_true(dp_symfile_matches(f, "ntoskrnl.exe", NULL, NULL)); /* every kernel is nt */
    assert_int_equal(dp_symidx_count(&f->idx), 1);                   /* 2^64 address skipped, no address skipped */
    p = write_file("bad.json", "{\"metadata\": {}}");
    assert_int_equal(dp_symcache_load(p, &f, err, sizeof err), DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, "bad.json: not a Volatility ISF (no \"symbols\" object)"));
    p = write_file("deep.json", "{\"symbols\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}");
    assert_int_equal(dp_symcache_load(p, &f, err, sizeof err), DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, "deep.json: not valid JSON"));
    dp_symcache_clear();
}

static void test_index(void **state)
{
    (void)state;
    struct dp_symidx x;
    dp_symidx_init(&x);
    assert_int_equal(dp_symidx_add(&x, 0x2000, 0, 0x3000, "Second"), DP_OK);
    assert_int_equal(dp_symidx_add(&x, 0x1000, 0, 0x3000, "First"), DP_OK);
    assert_int_equal(dp_symidx_add(&x, 0x1000, 0, 0x3000, "Alias"), DP_OK);
    assert_int_equal(dp_symidx_add(&x, 0x1800, 0x10, 0, "Static"), DP_OK);
    dp_symidx_sort(&x);
    const char *name;
    uint32_t disp;
    assert_int_equal(dp_symidx_lookup(&x, 0x1004, &name, &disp), DP_OK);
    assert_string_equal(name, "First"); /* of two names at one address, the first added */
    assert_int_equal(dp_symidx_lookup(&x, 0x1808, &name, &disp), DP_OK);
    assert_string_equal(name, "Static");
    assert_int_equal(dp_symidx_lookup(&x, 0x1810, &name, &disp), DP_OK);
    assert_string_equal(name, "First"); /* past the function: the public before it */
    assert_int_equal(disp, 0x810);
    assert_int_equal(dp_symidx_lookup(&x, 0x2fff, &name, &disp), DP_OK);
    assert_int_equal(dp_symidx_lookup(&x, 0x3000, &name, &disp), DP_ERR_NOT_FOUND); /* past its section */
    assert_int_equal(dp_symidx_lookup(&x, 0xfff, &name, &disp), DP_ERR_NOT_FOUND);
    dp_symidx_free(&x);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"drv.sym", "k.json", "bad.json", "deep.json"};
    char p[300];
    for (size_t i = 0; i < 4; i++) snprintf(p, sizeof p, "%s/%s", dir, names[i]), unlink(p);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_parse_per_file),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_isf),
        cmocka_unit_test(test_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
