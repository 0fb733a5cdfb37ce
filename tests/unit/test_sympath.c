/* The symbol path: WinDbg syntax (valid and malformed), pipeline-relative paths, store keys, local
 * store lookups (plain, case, two-tier, flat, file.ptr), remembered misses, name sanitising, limits
 * from the environment, and CodeView records of real Microsoft-built drivers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pe.h"
#include "sp_internal.h"

static char tmp[512];

static void mkfile(const char *rel, const char *text)
{
    char p[PATH_MAX * 2], err[PATH_MAX + 128];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    char *slash = strrchr(p, '/');
    *slash = 0;
    assert_int_equal(sp_mkdirs(p, err, sizeof err), DP_OK);
    *slash = '/';
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "%s/dp-sympath-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(tmp));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sp_rm_tree(tmp);
    return 0;
}

static struct sp_entry *entry(struct dp_sympath *sp, size_t i) { return dp_vec_at(&sp->entries, i); }

static int add(struct dp_sympath *sp, const char *spec, char *err)
{
    return dp_sympath_add(sp, spec, "test", err, 512);
}

static void test_forms(void **state)
{
    (void)state;
    char err[512], spec[PATH_MAX * 2];
    struct dp_sympath *sp = dp_sympath_new();
    assert_int_equal(add(sp, "", err), DP_OK);
    assert_int_equal(add(sp, " ; ;", err), DP_OK);
    assert_int_equal(dp_sympath_search_count(sp), 0);
    assert_int_equal(add(sp, "srv*/c1*https://msdl.microsoft.com/download/symbols", err), DP_OK);
    assert_int_equal(entry(sp, 0)->kind, SP_SERVER);
    assert_true(entry(sp, 0)->is_url);
    assert_string_equal(entry(sp, 0)->caches[0], "/c1");
    assert_string_equal(entry(sp, 0)->target, "https://msdl.microsoft.com/download/symbols");
    assert_int_equal(add(sp, "SRV*/c1*/c2*HTTP://h/x", err), DP_OK); /* keywords and schemes in any case */
    assert_int_equal(entry(sp, 1)->n_caches, 2);
    assert_string_equal(entry(sp, 1)->caches[1], "/c2");
    assert_int_equal(add(sp, "cache*/mycache;srv*http://h/y;srv**http://h/z", err), DP_OK);
    assert_string_equal(entry(sp, 2)->caches[0], "/mycache"); /* cache* applies to what follows */
    assert_string_equal(entry(sp, 3)->caches[0], "/mycache"); /* srv** is the default downstream store */
    assert_int_equal(add(sp, "symsrv*symsrv.dll*/c3*http://h/w", err), DP_OK);
    assert_string_equal(entry(sp, 4)->caches[0], "/c3");
    snprintf(spec, sizeof spec, "  srv*%s ;%s", tmp, tmp); /* a store given the server way; a plain dir */
    assert_int_equal(add(sp, spec, err), DP_OK);
    assert_false(entry(sp, 5)->is_url);
    assert_int_equal(entry(sp, 5)->n_caches, 0);
    assert_int_equal(entry(sp, 6)->kind, SP_DIR);
    mkfile("drv.sym", "MODULE windows x86_64 0 drv.pdb\n");
    snprintf(spec, sizeof spec, "%s/drv.sym", tmp);
    assert_int_equal(add(sp, spec, err), DP_OK);
    assert_int_equal(dp_sympath_file_count(sp), 1);
    assert_string_equal(dp_sympath_file(sp, 0), spec);
    assert_int_equal(dp_sympath_search_count(sp), 7);
    dp_sympath_free(sp);
}

static void test_default_cache(void **state)
{
    (void)state;
    char err[512];
    struct dp_sympath *sp = dp_sympath_new();
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    assert_int_equal(add(sp, "srv*http://h/x", err), DP_OK);
    assert_string_equal(entry(sp, 0)->caches[0], "/xdg/dumppipe/symbols");
    unsetenv("XDG_CACHE_HOME");
    dp_sympath_free(sp);
}

static void expect_bad(const char *spec, const char *msg)
{
    char err[512] = "";
    struct dp_sympath *sp = dp_sympath_new();
    assert_int_equal(add(sp, spec, err), DP_ERR_INVALID);
    if (!strstr(err, msg)) fail_msg("'%s': error '%s' lacks '%s'", spec, err, msg);
    assert_true(strncmp(err, "test: symbol path entry '", 25) == 0);
    dp_sympath_free(sp);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_bad("srv*", "no server or store after the last '*'");
    expect_bad("srv*/c*", "no server or store after the last '*'");
    expect_bad("symsrv*other.dll*http://h", "unsupported symbol server DLL 'other.dll'");
    expect_bad("symsrv*symsrv.dll", "symsrv* needs a DLL and a target");
    expect_bad("foo*bar", "unknown form");
    expect_bad("http://h/x", "a URL needs srv* in front");
    expect_bad("srv*/c*ftp://h/x", "only http:// and https:// servers are supported");
    expect_bad("srv*/c*http://h/with space", "malformed URL");
    expect_bad("c:\\symbols", "a Windows path");
    expect_bad("srv*\\\\server\\share*http://h", "a Windows path");
    expect_bad("/nonexistent/dumppipe", "No such file or directory");
    expect_bad("srv*/1*/2*/3*/4*/5*/6*/7*/8*/9*http://h", "more than 8 caches");
    expect_bad("/dev/null", "neither a file nor a directory");
    expect_bad("srv*/c\x01*http://h", "control characters");
    /* a bad entry does not drop the good ones around it */
    char err[512];
    struct dp_sympath *sp = dp_sympath_new();
    assert_int_equal(add(sp, "/nonexistent/x;srv*/c*http://h;foo*bar", err), DP_ERR_INVALID);
    assert_non_null(strstr(err, "/nonexistent/x")); /* the first error is the one reported */
    assert_int_equal(dp_sympath_search_count(sp), 1);
    dp_sympath_free(sp);
}

static void test_rebase(void **state)
{
    (void)state;
    char *s = dp_sympath_rebase("a; srv*c*http://x;cache*d;/abs;symsrv*symsrv.dll*e*https://y;srv**http://z", "/base");
    assert_string_equal(s, "/base/a;srv*/base/c*http://x;cache*/base/d;/abs;symsrv*symsrv.dll*/base/e*https://y;srv**http://z");
    free(s);
}

static void test_keys(void **state)
{
    (void)state;
    /* the ntkrnlpa.pdb of ../shared: GUID 30B5FB31-AE7E-4ACA-ABA7-50AA241FF331, age 2, stored little-endian */
    const uint8_t g[16] = {0x31, 0xfb, 0xb5, 0x30, 0x7e, 0xae, 0xca, 0x4a, 0xab, 0xa7, 0x50, 0xaa, 0x24, 0x1f, 0xf3, 0x31};
    char key[48], ikey[24];
    dp_sympath_pdb_key(g, 2, key);
    assert_string_equal(key, "30B5FB31AE7E4ACAABA750AA241FF3312");
    dp_sympath_pdb_key(g, 0x1a, key); /* age in hex, not decimal */
    assert_string_equal(key, "30B5FB31AE7E4ACAABA750AA241FF3311A");
    dp_sympath_image_key(0xbf639dc3, 0x1046000, ikey); /* real mini_x64_0x50_ntfs.dmp's ntoskrnl.exe */
    assert_string_equal(ikey, "BF639DC31046000");
    dp_sympath_image_key(0x5f, 0x5000, ikey);
    assert_string_equal(ikey, "0000005F5000");
}

static void test_names(void **state)
{
    (void)state;
    assert_true(sp_name_ok("ntkrnlmp.pdb", 0));
    assert_true(sp_name_ok("30B5FB31AE7E4ACAABA750AA241FF3312", 1));
    const char *bad[] = {"", ".", "..", "a/b", "a\\b", "..\\x.sys", "x\ny", "x\x7f", NULL};
    for (size_t i = 0; bad[i]; i++) assert_false(sp_name_ok(bad[i], 0));
    assert_false(sp_name_ok("ABC/..", 1));
    assert_false(sp_name_ok("ABC DEF", 1));
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    assert_false(sp_name_ok(long_name, 0));
}

static int find(struct dp_sympath *sp, const char *file, const char *key, char *path, char *err)
{
    return dp_sympath_find(sp, file, key, path, PATH_MAX, err, 1024);
}

static void test_store_lookup(void **state)
{
    (void)state;
    char err[1024], path[PATH_MAX], want[PATH_MAX * 2], spec[PATH_MAX * 2];
    mkfile("s/a.pdb/AAA1/a.pdb", "plain");
    mkfile("s/ntfs.sys/BBB/ntfs.sys", "lower");
    mkfile("s/p.pdb/CCC1/file.ptr", "");
    mkfile("s/m.pdb/DDD1/file.ptr", "MSG:not public\n");
    mkfile("s/r.pdb/EEE1/file.ptr", "PATH:relative/r.pdb\n");
    mkfile("target/p.pdb", "pointed");
    mkfile("flat/f.pdb", "flat");
    mkfile("flat/sys/g.sys", "by extension");
    mkfile("flat/symbols/dll/h.dll", "symbols tree");
    mkfile("two/index2.txt", "");
    mkfile("two/tw/two.pdb/FFF1/two.pdb", "two-tier");
    snprintf(want, sizeof want, "PATH:%s/target/p.pdb\r\n", tmp);
    mkfile("s/p.pdb/CCC1/file.ptr", want);
    struct dp_sympath *sp = dp_sympath_new();
    snprintf(spec, sizeof spec, "%s/s;%s/flat;%s/two", tmp, tmp, tmp);
    assert_int_equal(add(sp, spec, err), DP_OK);

    assert_int_equal(find(sp, "a.pdb", "AAA1", path, err), DP_OK);
    snprintf(want, sizeof want, "%s/s/a.pdb/AAA1/a.pdb", tmp);
    assert_string_equal(path, want);
    assert_int_equal(find(sp, "NTFS.sys", "BBB", path, err), DP_OK); /* the lower-case spelling */
    assert_int_equal(find(sp, "p.pdb", "CCC1", path, err), DP_OK);
    snprintf(want, sizeof want, "%s/target/p.pdb", tmp);
    assert_string_equal(path, want);
    assert_int_equal(find(sp, "f.pdb", "ANY1", path, err), DP_OK);
    assert_int_equal(find(sp, "g.sys", "ANY1", path, err), DP_OK);
    assert_int_equal(find(sp, "h.dll", "ANY1", path, err), DP_OK);
    assert_int_equal(find(sp, "two.pdb", "FFF1", path, err), DP_OK);
    snprintf(want, sizeof want, "%s/two/tw/two.pdb/FFF1/two.pdb", tmp);
    assert_string_equal(path, want);

    assert_int_equal(find(sp, "m.pdb", "DDD1", path, err), DP_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "file.ptr says: not public"));
    assert_int_equal(find(sp, "r.pdb", "EEE1", path, err), DP_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "points to 'relative/r.pdb', not a local file (not followed)"));
    assert_int_equal(find(sp, "x.pdb", "0001", path, err), DP_ERR_NOT_FOUND);
    snprintf(want, sizeof want, "x.pdb/0001: not found in %s/s, %s/flat, %s/two", tmp, tmp, tmp);
    assert_string_equal(err, want);
    assert_int_equal(find(sp, "../x.pdb", "0001", path, err), DP_ERR_INVALID);
    assert_int_equal(find(sp, "x.pdb", "00/../1", path, err), DP_ERR_INVALID);
    assert_int_equal(find(sp, "x\n.pdb", "0001", path, err), DP_ERR_INVALID);
    assert_string_equal(err, "x?.pdb/0001: refused: a file name or key with a path separator, '..' or control characters");

    /* misses are remembered: the file appearing later does not cost a second look this run */
    mkfile("s/x.pdb/0001/x.pdb", "late");
    assert_int_equal(find(sp, "x.pdb", "0001", path, err), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_sympath_miss_count(sp), 6);
    snprintf(want, sizeof want, "m.pdb/DDD1: %s/s/m.pdb/DDD1/file.ptr says: not public", tmp);
    assert_string_equal(dp_sympath_miss(sp, 0), want);
    dp_sympath_free(sp);
}

static void test_misses_per_dump(void **state)
{
    (void)state;
    char err[1024], path[PATH_MAX];
    struct dp_sympath *sp = dp_sympath_new();
    assert_int_equal(add(sp, tmp, err), DP_OK);
    assert_int_equal(find(sp, "y.pdb", "01", path, err), DP_ERR_NOT_FOUND);
    assert_int_equal(find(sp, "y.pdb", "01", path, err), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_sympath_miss_count(sp), 1); /* one line per key */
    dp_sympath_begin_dump(sp);
    assert_int_equal(dp_sympath_miss_count(sp), 0);
    assert_int_equal(find(sp, "Y.PDB", "01", path, err), DP_ERR_NOT_FOUND); /* the next dump needs it too */
    assert_int_equal(dp_sympath_miss_count(sp), 1);
    assert_non_null(strstr(dp_sympath_miss(sp, 0), "y.pdb/01: not found in "));
    assert_null(dp_sympath_miss(sp, 1));
    dp_sympath_free(sp);
}

/* srv*C1*C2*STORE: a file found in C2 is copied into C1; one found in STORE into both (atomically) */
static void test_cache_fill(void **state)
{
    (void)state;
    char err[1024], path[PATH_MAX], want[PATH_MAX * 2], spec[PATH_MAX * 2];
    mkfile("c2/k.pdb/K1/k.pdb", "in c2");
    mkfile("up/u.pdb/U1/u.pdb", "upstream");
    mkfile("up/z.pdb/Z1/z.pd_", "not a cab");
    struct dp_sympath *sp = dp_sympath_new();
    snprintf(spec, sizeof spec, "srv*%s/c1*%s/c2*%s/up", tmp, tmp, tmp);
    assert_int_equal(add(sp, spec, err), DP_OK);
    assert_int_equal(find(sp, "k.pdb", "K1", path, err), DP_OK);
    snprintf(want, sizeof want, "%s/c1/k.pdb/K1/k.pdb", tmp);
    assert_int_equal(access(want, R_OK), 0);
    assert_int_equal(find(sp, "u.pdb", "U1", path, err), DP_OK);
    snprintf(want, sizeof want, "%s/c1/u.pdb/U1/u.pdb", tmp);
    assert_int_equal(access(want, R_OK), 0);
    snprintf(want, sizeof want, "%s/c2/u.pdb/U1/u.pdb", tmp);
    assert_int_equal(access(want, R_OK), 0);
    assert_int_equal(find(sp, "z.pdb", "Z1", path, err), DP_ERR_IO);
    if (!strstr(err, "z.pd_: not a CAB archive: ")) fail_msg("%s", err);
    snprintf(want, sizeof want, "%s/c1/z.pdb/Z1/z.pdb", tmp);
    assert_int_not_equal(access(want, F_OK), 0);
    dp_sympath_free(sp);
}

static void test_limits_env(void **state)
{
    (void)state;
    char err[512];
    struct dp_sympath *sp = dp_sympath_new();
    struct dp_sympath_limits l;
    dp_sympath_get_limits(sp, &l);
    assert_int_equal(l.max_bytes, 512ull << 20);
    setenv("DUMPPIPE_SYMBOL_TIMEOUT", "1500ms", 1);
    setenv("DUMPPIPE_SYMBOL_MAX_SIZE", "64M", 1);
    assert_int_equal(dp_sympath_limits_from_env(sp, err, sizeof err), DP_OK);
    dp_sympath_get_limits(sp, &l);
    assert_int_equal(l.timeout_ms, 1500);
    assert_int_equal(l.max_bytes, 64ull << 20);
    setenv("DUMPPIPE_SYMBOL_RETRIES", "99", 1);
    assert_int_equal(dp_sympath_limits_from_env(sp, err, sizeof err), DP_ERR_INVALID);
    assert_string_equal(err, "$DUMPPIPE_SYMBOL_RETRIES: '99' is not a valid retry count (0..10)");
    unsetenv("DUMPPIPE_SYMBOL_TIMEOUT");
    unsetenv("DUMPPIPE_SYMBOL_MAX_SIZE");
    unsetenv("DUMPPIPE_SYMBOL_RETRIES");
    dp_sympath_free(sp);
}

/* Drivers built with Microsoft's toolchain: the RSDS records the README of ../shared states. */
static void expect_identity(const char *file, const char *key, uint32_t timestamp, const char *pdb)
{
    char path[PATH_MAX], err[PATH_MAX + 128], got[48];
    snprintf(path, sizeof path, "%s/../shared/testdata/symbols/hevd/%s", getenv("DP_SOURCE_DIR"), file);
    struct dp_pe_identity id;
    assert_int_equal(dp_pe_file_identity(path, &id, err, sizeof err), DP_OK);
    assert_true(id.has_codeview);
    dp_sympath_pdb_key(id.codeview.guid, id.codeview.age, got);
    assert_string_equal(got, key);
    assert_string_equal(id.codeview.pdb_name, pdb);
    assert_int_equal(id.machine, DP_PE_MACHINE_AMD64);
    if (timestamp) assert_int_equal(id.timestamp, timestamp);
}

static void test_real_codeview(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/../shared/testdata/symbols/hevd", getenv("DP_SOURCE_DIR") ? getenv("DP_SOURCE_DIR") : ".");
    if (access(dir, R_OK) != 0) skip();
    expect_identity("HEVD.sys", "3E293F89254245F0B6E147C7B7B7ADA51", 0x5edadbd3, "HEVD.pdb");
    expect_identity("viking_driver1.sys", "0D0661FD0D39492C98F1E0AAFD8BE08A1", 0, "viking_driver1.pdb");
    expect_identity("viking_drv2.sys", "377BA200601B4F628431B7AA83F52CA81", 0, "viking_drv2.pdb");
    char err[PATH_MAX + 128], path[PATH_MAX * 2];
    struct dp_pe_identity id;
    snprintf(path, sizeof path, "%s/HEVD.pdb", dir); /* not an image: a clear error, no crash */
    assert_int_equal(dp_pe_file_identity(path, &id, err, sizeof err), DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, "HEVD.pdb: no MZ signature"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_forms, setup, teardown),
        cmocka_unit_test(test_default_cache),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_rebase),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_store_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misses_per_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_fill, setup, teardown),
        cmocka_unit_test(test_limits_env),
        cmocka_unit_test(test_real_codeview),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
