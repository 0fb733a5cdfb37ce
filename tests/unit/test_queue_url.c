/* Redis URLs for --redis: the forms redis-cli and the client libraries accept, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "queue/queue.h"

static struct dpq_url parse_ok(const char *s)
{
    struct dpq_url u;
    char err[600];
    int rc = dpq_url_parse(s, &u, err, sizeof err);
    if (rc != 0) fail_msg("%s", err);
    return u;
}

static void tcp_forms(void **state)
{
    (void)state;
    struct dpq_url u = parse_ok("redis://127.0.0.1");
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6379);
    assert_int_equal(u.db, 0);
    assert_string_equal(u.password, "");
    u = parse_ok("redis://queue.example:6380/2");
    assert_string_equal(u.host, "queue.example");
    assert_int_equal(u.port, 6380);
    assert_int_equal(u.db, 2);
    u = parse_ok("redis://:s3cr%40t@h:1/");
    assert_string_equal(u.password, "s3cr@t");
    assert_string_equal(u.user, "");
    assert_string_equal(u.host, "h");
    assert_int_equal(u.port, 1);
    u = parse_ok("redis://triage:pw@h");
    assert_string_equal(u.user, "triage");
    assert_string_equal(u.password, "pw");
    u = parse_ok("redis://[::1]:7000/3");
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 7000);
    assert_int_equal(u.db, 3);
    /* the last '@' ends the password: one may hold '@' unescaped */
    u = parse_ok("redis://:a@b@h");
    assert_string_equal(u.password, "a@b");
    assert_string_equal(u.host, "h");
}

static void unix_forms(void **state)
{
    (void)state;
    struct dpq_url u = parse_ok("unix:///run/redis/redis.sock");
    assert_string_equal(u.path, "/run/redis/redis.sock");
    assert_string_equal(u.host, "");
    u = parse_ok("unix:///tmp/r.sock?db=5");
    assert_string_equal(u.path, "/tmp/r.sock");
    assert_int_equal(u.db, 5);
}

static void refused(void **state)
{
    (void)state;
    static const char *bad[] = {"", "127.0.0.1:6379", "http://h", "redis://", "redis://h:0", "redis://h:65536",
                                "redis://h:port", "redis://h/x", "redis://:%zz@h", "redis://:%4@h", "redis://[::1",
                                "redis://[::1]x", "unix://relative.sock", "unix:///s?database=1", "redis://:pw@",
                                "redis://h:123456789012"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dpq_url u;
        char err[600] = "";
        if (dpq_url_parse(bad[i], &u, err, sizeof err) == 0) fail_msg("accepted %s", bad[i]);
        assert_non_null(strstr(err, bad[i]));
    }
    /* a password of 300 bytes does not fit the 255 the URL keeps */
    char longpw[400] = "redis://:";
    memset(longpw + 9, 'p', 300);
    strcpy(longpw + 309, "@h");
    struct dpq_url u;
    char err[1000];
    assert_int_equal(dpq_url_parse(longpw, &u, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(tcp_forms), cmocka_unit_test(unix_forms), cmocka_unit_test(refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
