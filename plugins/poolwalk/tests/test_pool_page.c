/* Unit tests for poolwalk's page judge, renderer and scan helpers, over hand-built pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_page.h"
#include "pool_render.h"
#include "pool_scan.h"

static uint8_t page[POOL_PAGE_SIZE];
static struct pool_page result;

static uint32_t tag4(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

static void put32(unsigned off, uint32_t v)
{
    for (int i = 0; i < 4; i++) page[off + i] = (uint8_t)(v >> (8 * i));
}

/* x86 header at byte offset OFF; sizes in bytes. */
static void x86_hdr(unsigned off, unsigned prev, unsigned size, unsigned type, uint32_t tag)
{
    put32(off, (prev / 8) | ((size / 8) | (type << 9)) << 16);
    put32(off + 4, tag);
}

static void x64_hdr(unsigned off, unsigned prev, unsigned size, unsigned type, uint32_t tag)
{
    page[off] = (uint8_t)(prev / 16);
    page[off + 1] = 0;
    page[off + 2] = (uint8_t)(size / 16);
    page[off + 3] = (uint8_t)type;
    put32(off + 4, tag);
}

/* The seed's page a3458000 (Windows 2003 x86): eight listed blocks, a zero-size header at a34584f0,
 * the bytes of the corrupt block as dumped with dps, and a chain resuming at a34585e8. */
static void build_seed_page(void)
{
    memset(page, 0, sizeof page);
    x86_hdr(0x000, 0, 0x270, 5, tag4("Thre") | DP_POOL_PROTECTED);
    x86_hdr(0x270, 0x270, 0x10, 0, tag4("RxIr"));
    x86_hdr(0x280, 0x10, 0x40, 5, tag4("Vadl"));
    x86_hdr(0x2c0, 0x40, 0x98, 5, tag4("File") | DP_POOL_PROTECTED);
    x86_hdr(0x358, 0x98, 0x8, 0, tag4("Vadl"));
    x86_hdr(0x360, 0x8, 0x50, 5, tag4("Gsem"));
    x86_hdr(0x3b0, 0x50, 0x8, 0, tag4("CcSc"));
    x86_hdr(0x3b8, 0x8, 0x138, 5, tag4("DRIV"));
    static const uint32_t dps[] = {0x00000000, 0x00000000, 0xb958f532, 0xa3471010, 0x0000012e, 0x00000001,
                                   0x00041457, 0x05af0026, 0x00068002, 0x7b9ec6f5, 0xffffff00, 0x73650cff,
                                   0x7461445c, 0x97a10061, 0xff340004, 0xc437862a};
    for (unsigned i = 0; i < sizeof dps / sizeof dps[0]; i++) put32(0x3c0 + 4 * i, dps[i]);
    x86_hdr(0x5e8, 0x1f0, 0x100, 5, tag4("Ntfx"));
    x86_hdr(0x6e8, 0x100, 0x918, 0, tag4("MmSt"));
}

static void test_seed_page_listing_and_diagnosis(void **state)
{
    struct pool_fmt f;
    struct dp_text t;
    uint64_t interest[] = {0xa34583b8, 0xa34584f0};
    (void)state;
    build_seed_page();
    pool_fmt_init(&f, POOL_LAYOUT_X86, 3790);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.problem, POOL_ZERO_SIZE);
    assert_int_equal(result.problem_slot * 8, 0x4f0);
    assert_int_equal(result.n_walked, 8);
    assert_int_equal(result.n_regions, 2);
    assert_int_equal(result.regions[0].start * 8, 0x3b8);
    assert_int_equal(result.regions[0].end * 8, 0x3d8);
    assert_int_equal(result.regions[1].start * 8, 0x3f8);
    assert_int_equal(result.regions[1].end * 8, 0x5e8);
    dp_text_init(&t);
    pool_render_page(&t, &f, &result, 0xa3458000, interest, 2);
    const char *s = dp_text_str(&t);
    assert_non_null(strstr(s, "Pool page a34583b8 region is Nonpaged pool\n"
                              " a3458000 size:  270 previous size:    0  (Allocated)  Thre (Protected)\n"
                              " a3458270 size:   10 previous size:  270  (Free)       RxIr\n"
                              " a3458280 size:   40 previous size:   10  (Allocated)  Vadl\n"
                              " a34582c0 size:   98 previous size:   40  (Allocated)  File (Protected)\n"
                              " a3458358 size:    8 previous size:   98  (Free)       Vadl\n"
                              " a3458360 size:   50 previous size:    8  (Allocated)  Gsem\n"
                              " a34583b0 size:    8 previous size:   50  (Free)       CcSc\n"
                              "*a34583b8 size:  138 previous size:    8  (Allocated) *DRIV\n"));
    assert_non_null(strstr(s, "Bad allocation size @a34584f0, zero is invalid"));
    assert_non_null(strstr(s, "Pool page [ a3458000 ] is __inVALID."));
    assert_non_null(strstr(s, "[ a34583b8 --> a34583d8 (size = 0x20 bytes)]: Corrupt region"));
    assert_non_null(strstr(s, "[ a34583f8 --> a34585e8 (size = 0x1f0 bytes)]: Corrupt region"));
    assert_non_null(strstr(s, "None found"));
    dp_text_free(&t);
}

static void build_x64_clean(void)
{
    memset(page, 0xcc, sizeof page);
    x64_hdr(0x000, 0, 0x200, 2, tag4("Proc") | DP_POOL_PROTECTED);
    x64_hdr(0x200, 0x200, 0x80, 3, tag4("NpAt"));
    x64_hdr(0x280, 0x80, 0x100, 0, tag4("Even"));
    x64_hdr(0x380, 0x100, 0x400, 2, tag4("File"));
    x64_hdr(0x780, 0x400, 0x880, 2, tag4("Irp "));
}

static void test_x64_clean_page_is_valid(void **state)
{
    struct pool_fmt f;
    struct dp_text t;
    uint64_t interest[] = {0xffffe00012345380ull};
    (void)state;
    build_x64_clean();
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_VALID);
    assert_int_equal(result.n_blocks, 5);
    assert_int_equal(result.n_regions, 0);
    assert_true(pool_page_candidate(&f, page));
    dp_text_init(&t);
    pool_render_page(&t, &f, &result, 0xffffe00012345000ull, interest, 1);
    assert_non_null(strstr(dp_text_str(&t), "*ffffe000`12345380 size:  400 previous size:  100  (Allocated) *File\n"));
    assert_non_null(strstr(dp_text_str(&t), "region is Nonpaged pool"));
    assert_non_null(strstr(dp_text_str(&t), "is VALID."));
    dp_text_free(&t);
}

static void test_x64_corrupt_middle_header_single_bit(void **state)
{
    struct pool_fmt f;
    (void)state;
    build_x64_clean();
    page[0x280 + 2] ^= 0x04; /* Even's BlockSize 0x10 -> 0x14 units: one flipped bit */
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.problem, POOL_PREV_MISMATCH);
    assert_int_equal(result.n_regions, 1);
    assert_int_equal(result.regions[0].start * 16, 0x280);
    assert_int_equal(result.regions[0].end * 16, 0x380);
    assert_int_equal(result.n_repairs, 1);
    assert_int_equal(result.repairs[0].slot * 16, 0x280);
    assert_int_equal(result.repairs[0].field, POOL_FIX_BLOCK_SIZE);
    assert_int_equal(result.repairs[0].stored, 0x14);
    assert_int_equal(result.repairs[0].expected, 0x10);
    /* the rest of the page is still listed after resynchronising */
    assert_int_equal(result.n_blocks, result.n_walked + 2);
    assert_int_equal(result.blocks[result.n_walked].slot * 16, 0x380);
    assert_true(result.blocks[result.n_walked].resync);
}

static void test_x64_overwritten_header_garbage(void **state)
{
    struct pool_fmt f;
    struct dp_text t;
    (void)state;
    build_x64_clean();
    memset(page + 0x200, 0x41, 0x90); /* an overrun of Proc smashes NpAt's header and Even's */
    pool_fmt_init(&f, POOL_LAYOUT_X64, 9600);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.n_regions, 1);
    assert_int_equal(result.regions[0].start * 16, 0x000);
    assert_int_equal(result.regions[0].end * 16, 0x380);
    dp_text_init(&t);
    pool_render_page(&t, &f, &result, 0xfffff00000010000ull, NULL, 0);
    assert_non_null(strstr(dp_text_str(&t), "Bad previous allocation size @fffff000`00010200, last size was 0x200"));
    assert_non_null(strstr(dp_text_str(&t), "[ fffff000`00010000 --> fffff000`00010380 (size = 0x380 bytes)]"));
    dp_text_free(&t);
}

static void test_x64_block_past_page_end(void **state)
{
    struct pool_fmt f;
    (void)state;
    build_x64_clean();
    page[0x780 + 2] = 0xa0; /* last block claims 0xa00 bytes from 0x780 */
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.problem, POOL_PAST_END);
    assert_int_equal(result.problem_slot * 16, 0x780);
    assert_int_equal(result.n_regions, 1);
    assert_int_equal(result.regions[0].start * 16, 0x780);
    assert_int_equal(result.regions[0].end * 16, 0x1000);
}

static void test_big_pool_and_segment_heap(void **state)
{
    struct pool_fmt f;
    (void)state;
    for (unsigned i = 0; i < sizeof page; i++) page[i] = (uint8_t)(i * 7 + 3);
    pool_fmt_init(&f, POOL_LAYOUT_X64, 9600);
    pool_page_analyze(&f, page, 1, &result);
    assert_int_equal(result.verdict, POOL_PAGE_BIG);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_false(pool_page_candidate(&f, page));

    memset(page, 0, sizeof page);
    for (unsigned off = 0; off + 0x40 <= 0x1000; off += 0x40) x64_hdr(off, 0, 0x40, 2, tag4("NtFs"));
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_SEGMENT_HEAP);
    assert_int_equal(result.n_blocks, 64);

    /* on a 19H1+ dump a page without any header chain (a stack, say) is not called corrupt */
    for (unsigned i = 0; i < sizeof page; i++) page[i] = (uint8_t)(i * 13 + 1);
    pool_fmt_init(&f, POOL_LAYOUT_X64, 19041);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_UNRECOGNISED);
    /* the same bytes on a Windows 7 dump are a corrupt page */
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
}

static void test_prev_size_repair(void **state)
{
    struct pool_fmt f;
    (void)state;
    build_x64_clean();
    page[0x380] = 0x11; /* File's PreviousSize should be 0x10 */
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.n_repairs, 1);
    assert_int_equal(result.repairs[0].slot * 16, 0x380);
    assert_int_equal(result.repairs[0].field, POOL_FIX_PREV_SIZE);
    assert_int_equal(result.repairs[0].stored, 0x11);
    assert_int_equal(result.repairs[0].expected, 0x10);
}

static void test_unprintable_tag_and_bad_type(void **state)
{
    struct pool_fmt f;
    (void)state;
    build_x64_clean();
    put32(0x200 + 4, 0x01020304);
    pool_fmt_init(&f, POOL_LAYOUT_X64, 7601);
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.verdict, POOL_PAGE_INVALID);
    assert_int_equal(result.problem, POOL_BAD_TAG);
    build_x64_clean();
    page[0x380 + 3] = 0x91;
    pool_page_analyze(&f, page, 0, &result);
    assert_int_equal(result.problem, POOL_BAD_TYPE);
}

static void test_tag_stats_and_match(void **state)
{
    static struct pool_tag_stats st;
    struct pool_fmt f;
    unsigned order[4];
    (void)state;
    pool_fmt_init(&f, POOL_LAYOUT_X86, 2600);
    struct pool_hdr a = {.size = 4, .type = 5, .tag = tag4("DRIV")}, b = {.size = 40, .type = 5, .tag = tag4("Thre")};
    struct pool_hdr free_a = {.size = 2, .type = 0, .tag = tag4("DRIV")};
    pool_tag_stats_add(&st, &f, &a);
    pool_tag_stats_add(&st, &f, &a);
    pool_tag_stats_add(&st, &f, &free_a);
    pool_tag_stats_add(&st, &f, &b);
    assert_int_equal(pool_tag_stats_top(&st, order, 4), 2);
    assert_int_equal(st.slot[order[0]].tag, tag4("Thre"));
    assert_int_equal(st.slot[order[0]].bytes, 320);
    assert_int_equal(st.slot[order[1]].allocs, 2);
    assert_int_equal(st.slot[order[1]].frees, 1);
    assert_true(dp_pool_tag_matches(tag4("DRIV") | DP_POOL_PROTECTED, "DRIV"));
    assert_true(dp_pool_tag_matches(tag4("DRIV"), "DR?V"));
    assert_true(dp_pool_tag_matches(tag4("DRIV"), "D*"));
    assert_true(dp_pool_tag_matches(tag4("Cc  "), "Cc"));
    assert_false(dp_pool_tag_matches(tag4("CcSc"), "Cc"));
    assert_false(dp_pool_tag_matches(tag4("DRIV"), "DRIVE"));
}

/* Hostile pages: random bytes must never crash, hang or leave the page's bounds. */
static void test_random_pages_are_safe(void **state)
{
    struct pool_fmt f[2];
    uint32_t x = 12345;
    (void)state;
    pool_fmt_init(&f[0], POOL_LAYOUT_X86, 0);
    pool_fmt_init(&f[1], POOL_LAYOUT_X64, 0);
    for (int round = 0; round < 400; round++) {
        for (unsigned i = 0; i < sizeof page; i++) {
            x = x * 1103515245u + 12345u;
            /* small values make chains likely enough to exercise resync */
            page[i] = (uint8_t)((round & 1) ? (x >> 16) : ((x >> 16) & 0x0f));
        }
        for (int k = 0; k < 2; k++) {
            pool_page_analyze(&f[k], page, round & 2, &result);
            assert_true(result.n_blocks <= POOL_MAX_SLOTS);
            for (unsigned r = 0; r < result.n_regions; r++)
                assert_true(result.regions[r].end <= f[k].slots && result.regions[r].start < result.regions[r].end);
            struct dp_text t;
            dp_text_init(&t);
            pool_render_page(&t, &f[k], &result, 0x80000000u, NULL, 0);
            dp_text_free(&t);
            (void)pool_page_candidate(&f[k], page);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_page_listing_and_diagnosis),
        cmocka_unit_test(test_x64_clean_page_is_valid),
        cmocka_unit_test(test_x64_corrupt_middle_header_single_bit),
        cmocka_unit_test(test_x64_overwritten_header_garbage),
        cmocka_unit_test(test_x64_block_past_page_end),
        cmocka_unit_test(test_big_pool_and_segment_heap),
        cmocka_unit_test(test_prev_size_repair),
        cmocka_unit_test(test_unprintable_tag_and_bad_type),
        cmocka_unit_test(test_tag_stats_and_match),
        cmocka_unit_test(test_random_pages_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
