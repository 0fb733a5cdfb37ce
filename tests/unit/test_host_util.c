/* The helpers that keep hostile bytes in check: UTF-8 sanitising of dump strings, one-line
 * quoting of paths, SHA-256 of an input, the event-built pipeline tree's caps, the supervisor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline_yaml.h"
#include "supervise.h"
#include "util.h"

static void expect_clean(const char *in, size_t n, const char *want)
{
    char *out = dp_utf8_sanitize(in, n);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

static void utf8(void **state)
{
    (void)state;
    expect_clean("ExFreePool", SIZE_MAX, "ExFreePool");
    expect_clean("E\xa4" "FreePool", SIZE_MAX, "E\xef\xbf\xbd" "FreePool");      /* stray continuation */
    expect_clean("\xc3\xa9t\xc3", SIZE_MAX, "\xc3\xa9t\xef\xbf\xbd");           /* cut sequence at the end */
    expect_clean("\xc0\xaf", SIZE_MAX, "\xef\xbf\xbd\xef\xbf\xbd");             /* overlong '/' */
    expect_clean("\xed\xa0\x80", SIZE_MAX, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* UTF-16 surrogate */
    expect_clean("\xf4\x90\x80\x80", SIZE_MAX, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
    expect_clean("\xf0\x9f\x98\x80!", SIZE_MAX, "\xf0\x9f\x98\x80!");
    expect_clean("ab\0cd", 5, "ab"); /* a NUL ends it */
    expect_clean("abc", 2, "ab");
}

static void quoting(void **state)
{
    (void)state;
    char buf[256], line[512];
    assert_string_equal(dp_quote_path("/tmp/x.dmp", buf, sizeof buf), "/tmp/x.dmp");
    assert_string_equal(dp_quote_path("a\nb'c\x01", buf, sizeof buf), "'a\\nb\\'c\\x01'");
    dp_one_line("a\nb.dmp: file is empty", "a\nb.dmp", line, sizeof line);
    assert_string_equal(line, "'a\\nb.dmp': file is empty");
    dp_one_line("x.dmp: odd\rtext, 'quoted'", "x.dmp", line, sizeof line);
    assert_string_equal(line, "x.dmp: odd\\rtext, 'quoted'");
}

static void sha256(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("abc", f), fflush(f), rewind(f);
    char hex[65];
    assert_int_equal(dp_sha256_fd(fileno(f), hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); /* FIPS 180-2 */
    fclose(f);
}

static int tree(const char *yaml, struct dp_ynode **root, char *err)
{
    struct dp_arena *a = dp_arena_new();
    int rc = dp_yaml_tree(a, yaml, strlen(yaml), "t.yaml", root, err, 256);
    dp_arena_free(a);
    return rc;
}

static void yaml_caps(void **state)
{
    (void)state;
    char err[256], deep[200];
    struct dp_ynode *root;
    struct dp_arena *a = dp_arena_new();
    const char *y = "steps:\n  - {plugin: x, options: {a: [1, 2]}}\n";
    assert_int_equal(dp_yaml_tree(a, y, strlen(y), "t.yaml", &root, err, sizeof err), DP_OK);
    assert_int_equal(root->type, DP_Y_MAP);
    assert_int_equal(root->n, 2);
    assert_string_equal(root->kids[0]->value, "steps");
    assert_int_equal(root->kids[1]->kids[0]->line, 2);
    dp_arena_free(a);
    memset(deep, '[', 32), memset(deep + 32, ']', 32), deep[64] = 0;
    assert_int_equal(tree(deep, &root, err), DP_OK);
    memset(deep, '[', 33), memset(deep + 33, ']', 33), deep[66] = 0;
    assert_int_equal(tree(deep, &root, err), DP_ERR_BAD_DATA);
    assert_string_equal(err, "t.yaml:1:33: nested deeper than 32 levels");
    assert_int_equal(tree("a: &x 1\nb: *x\n", &root, err), DP_ERR_BAD_DATA);
    assert_int_equal(tree("a: 1\n---\nb: 2\n", &root, err), DP_ERR_BAD_DATA);
    assert_int_equal(tree("a: [1,\n", &root, err), DP_ERR_BAD_DATA);
}

static void child_segv(int fd, void *arg)
{
    (void)fd, (void)arg;
    raise(SIGSEGV);
}

static void child_sleep(int fd, void *arg)
{
    (void)arg;
    dp_sv_write_all(fd, "hi", 2);
    pause();
}

static void supervisor(void **state)
{
    (void)state;
    struct dp_sv w;
    char sig[32];
    assert_int_equal(dp_sv_start(&w, 10000, 1ull << 30, child_segv, NULL), 0);
    dp_sv_wait(&w);
    assert_true(WIFSIGNALED(w.wstatus));
    assert_string_equal(dp_sv_signal_name(WTERMSIG(w.wstatus), sig, sizeof sig), "SIGSEGV");
    assert_null(w.killed_for);
    dp_sv_free(&w);
    assert_int_equal(dp_sv_start(&w, 200, 1ull << 30, child_sleep, NULL), 0);
    dp_sv_wait(&w);
    assert_string_equal(w.killed_for, "timeout");
    assert_int_equal(w.reply.len, 2);
    assert_memory_equal(w.reply.data, "hi", 2);
    dp_sv_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8), cmocka_unit_test(quoting), cmocka_unit_test(sha256),
        cmocka_unit_test(yaml_caps), cmocka_unit_test(supervisor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
