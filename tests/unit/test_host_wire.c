/* The wire format between an isolated plugin and the host: what goes in comes out, and whatever a
 * corrupted child sends (cut short, flipped, lying counts) is refused without a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "wire.h"

static struct dp_ctx *filled_ctx(void)
{
    struct dp_ctx *c = dp_ctx_new(NULL, NULL, 0);
    assert_non_null(c);
    static const unsigned char raw[] = {1, 2, 0, 3};
    struct dp_field f[] = {DP_U64("u", UINT64_MAX), DP_I64("i", -5), DP_ADDR("a", 0xa34583b8), DP_STR("s", "DRIV"),
                           DP_BOOL("b", 1), DP_BYTES("raw", raw, sizeof raw)};
    struct dp_finding fd = {.code = "pool.page.invalid", .severity = DP_SEV_CRITICAL, .confidence = 90,
                            .title = "Pool page [ a3458000 ] is __inVALID.", .details = "a\nb", .evidence = f, .n_evidence = 6};
    assert_int_equal(dp_ctx_add_finding(c, "poolwalk", &fd), DP_OK);
    assert_int_equal(dp_ctx_publish(c, "poolwalk", "pool.block", f, 6), DP_OK);
    assert_int_equal(dp_ctx_publish(c, "poolwalk", "pool.page", f + 2, 1), DP_OK);
    return c;
}

static void encode(struct dp_ctx *c, struct dp_wbuf *b, int status, const char *err)
{
    memset(b, 0, sizeof *b);
    assert_int_equal(dp_wire_encode(c, 0, 0, status, err, b), DP_OK);
}

static void round_trip(void **state)
{
    (void)state;
    struct dp_ctx *src = filled_ctx(), *dst = dp_ctx_new(NULL, NULL, 0);
    struct dp_wbuf b;
    encode(src, &b, DP_ERR_BAD_DATA, "the widget is broken");
    int complete, status;
    char err[128];
    assert_int_equal(dp_wire_decode(dst, "child", b.data, b.len, &complete, &status, err, sizeof err), DP_OK);
    assert_true(complete);
    assert_int_equal(status, DP_ERR_BAD_DATA);
    assert_string_equal(err, "the widget is broken");
    assert_int_equal(dst->findings.len, 1);
    const struct dp_finding *f = dp_vec_at(&dst->findings, 0);
    assert_string_equal(f->plugin, "child");
    assert_string_equal(f->code, "pool.page.invalid");
    assert_int_equal(f->severity, DP_SEV_CRITICAL);
    assert_int_equal(f->confidence, 90);
    assert_string_equal(f->details, "a\nb");
    assert_int_equal(f->n_evidence, 6);
    assert_true(f->evidence[0].v.u64 == UINT64_MAX);
    assert_int_equal(f->evidence[1].v.i64, -5);
    assert_int_equal(f->evidence[5].v.bytes.len, 4);
    assert_memory_equal(f->evidence[5].v.bytes.data, "\1\2\0\3", 4);
    const struct dp_artifact *a = dp_ctx_artifact(dst, "pool.block");
    assert_non_null(a);
    const struct dp_record *r = dp_vec_at(&a->rows, 0);
    assert_string_equal(r->publisher, "child");
    assert_string_equal(dp_record_str(r, "s"), "DRIV");
    assert_true(dp_record_u64(r, "a", 0) == 0xa34583b8);
    assert_non_null(dp_ctx_artifact(dst, "pool.page"));
    dp_wbuf_free(&b);
    dp_ctx_free(src);
    dp_ctx_free(dst);
}

/* A child killed mid-write leaves any prefix: never complete, never a crash, what arrived whole is kept. */
static void every_prefix(void **state)
{
    (void)state;
    struct dp_ctx *src = filled_ctx();
    struct dp_wbuf b;
    encode(src, &b, 0, "");
    for (size_t n = 0; n < b.len; n++) {
        struct dp_ctx *dst = dp_ctx_new(NULL, NULL, 0);
        unsigned char *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, b.data, n);
        int complete, status;
        char err[64];
        dp_wire_decode(dst, "child", copy, n, &complete, &status, err, sizeof err);
        assert_false(complete);
        free(copy);
        dp_ctx_free(dst);
    }
    dp_wbuf_free(&b);
    dp_ctx_free(src);
}

static void flipped_bytes(void **state)
{
    (void)state;
    struct dp_ctx *src = filled_ctx();
    struct dp_wbuf b;
    encode(src, &b, 0, "");
    for (size_t i = 0; i < b.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            struct dp_ctx *dst = dp_ctx_new(NULL, NULL, 0);
            unsigned char *copy = malloc(b.len);
            memcpy(copy, b.data, b.len);
            copy[i] ^= (unsigned char)(1u << bit);
            int complete, status;
            char err[64];
            dp_wire_decode(dst, "child", copy, b.len, &complete, &status, err, sizeof err);
            free(copy);
            dp_ctx_free(dst);
        }
    }
    dp_wbuf_free(&b);
    dp_ctx_free(src);
}

/* A field count far beyond what the record can hold must not drive an allocation. */
static void lying_counts(void **state)
{
    (void)state;
    unsigned char buf[64] = {'D', 'P', 'W', '1', 'A'};
    uint32_t len = 12, name_len = 1, count = 0x7fffffff;
    memcpy(buf + 5, &len, 4);
    memcpy(buf + 9, &name_len, 4);
    buf[13] = 'x';
    memcpy(buf + 14, &count, 4);
    struct dp_ctx *dst = dp_ctx_new(NULL, NULL, 0);
    int complete, status;
    char err[64];
    assert_int_equal(dp_wire_decode(dst, "child", buf, 5 + 4 + len, &complete, &status, err, sizeof err), DP_ERR_BAD_DATA);
    assert_false(complete);
    assert_null(dp_ctx_artifact(dst, "x"));
    dp_ctx_free(dst);
}

static void limits_and_sizes(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(dp_parse_duration_ms("30s", &v), 0), assert_true(v == 30000);
    assert_int_equal(dp_parse_duration_ms("500ms", &v), 0), assert_true(v == 500);
    assert_int_equal(dp_parse_duration_ms("2m", &v), 0), assert_true(v == 120000);
    assert_int_not_equal(dp_parse_duration_ms("7", &v), 0); /* a unit is required */
    assert_int_not_equal(dp_parse_size("512", &v), 0);
    assert_int_equal(dp_parse_size("512B", &v), 0), assert_true(v == 512);
    assert_int_not_equal(dp_parse_duration_ms("soon", &v), 0);
    assert_int_not_equal(dp_parse_duration_ms("99999999999999999999s", &v), 0);
    assert_int_equal(dp_parse_size("512M", &v), 0), assert_true(v == 512ull << 20);
    assert_int_equal(dp_parse_size("2G", &v), 0), assert_true(v == 2ull << 30);
    assert_int_not_equal(dp_parse_size("-1", &v), 0);
    assert_int_not_equal(dp_parse_size("18446744073709551615G", &v), 0);
    assert_int_equal(dp_parse_u64("0xfffff8048b58334c", &v), 0), assert_true(v == 0xfffff8048b58334cull);
    assert_int_not_equal(dp_parse_u64("12zz", &v), 0);
    assert_int_not_equal(dp_parse_u64("-3", &v), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),   cmocka_unit_test(every_prefix),      cmocka_unit_test(flipped_bytes),
        cmocka_unit_test(lying_counts), cmocka_unit_test(limits_and_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
