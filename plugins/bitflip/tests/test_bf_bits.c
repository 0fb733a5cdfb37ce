/* bitflip's pure reasoning: single-bit arithmetic, pool headers, list links, code comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../bf_bits.h"

static void single_bit(void **s)
{
    (void)s;
    assert_int_equal(bf_single_bit(0x27, 0x27), -1);
    assert_int_equal(bf_single_bit(0x27, 0x25), 1);
    assert_int_equal(bf_single_bit(0, 0x8000000000000000ull), 63);
    assert_int_equal(bf_single_bit(0x27, 0x24), -1);
    assert_int_equal(bf_single_bit(0x1, 0x0), 0);
}

static void repair_rows(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_evidence e;
    /* the seed's next header: PreviousSize 0 where 0x27 was due: several bits, not a flip */
    assert_int_equal(bf_check_repair(&l, 0xa34584f0, 1, 0, 0x27, &e), 0);
    assert_int_equal(bf_check_repair(&l, 0xa34584f0, 1, 0x23, 0x27, &e), 1);
    assert_string_equal(e.kind, "pool.prev_size");
    assert_int_equal(e.bit, 2);
    assert_int_equal(e.corrected, 0x27);
    assert_int_equal(bf_check_repair(&l, 0xa34583b8, 0, 0x127, 0x27, &e), 1);
    assert_string_equal(e.kind, "pool.block_size");
    assert_int_equal(e.bit, 8);
    assert_non_null(strstr(e.what, "bit 24 of the header"));
    bf_pool_layout_for(8, &l);
    assert_int_equal(l.unit, 16);
    assert_int_equal(bf_check_repair(&l, 0x1000, 0, 0x10, 0x11, &e), 1);
    assert_non_null(strstr(e.what, "bit 16 of the header"));
}

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* The seed page's first blocks (x86, sizes in bytes). */
static struct bf_block page[] = {
    {0xa3458000, 0x270, 0x0, 5, TAG('T', 'h', 'r', 'e'), 1, 0},
    {0xa3458270, 0x10, 0x270, 0, TAG('R', 'x', 'I', 'r'), 0, 0},
    {0xa3458280, 0x40, 0x10, 5, TAG('V', 'a', 'd', 'l'), 1, 0},
    {0xa34582c0, 0x98, 0x40, 5, TAG('F', 'i', 'l', 'e'), 1, 0},
    {0xa3458358, 0x8, 0x98, 0, TAG('V', 'a', 'd', 'l'), 0, 0},
    {0xa3458360, 0x50, 0x8, 5, TAG('G', 's', 'e', 'm'), 1, 0},
};
#define NPAGE (sizeof page / sizeof page[0])

static void clean_page_has_no_evidence(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_evidence e[8];
    assert_int_equal(bf_check_blocks(&l, page, NPAGE, e, 8), 0);
}

static void flipped_prev_size(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_block b[NPAGE];
    memcpy(b, page, sizeof b);
    b[3].prev_size = 0x40 ^ (1u << 6); /* units 8 -> 0 ... bit 3 of the field */
    struct bf_evidence e[8];
    assert_int_equal(bf_check_blocks(&l, b, NPAGE, e, 8), 1);
    assert_string_equal(e[0].kind, "pool.prev_size");
    assert_int_equal(e[0].addr, 0xa34582c0);
    assert_int_equal(e[0].bit, 3);
    assert_int_equal(e[0].stored, 0);
    assert_int_equal(e[0].corrected, 8);
    /* two bits off: not a flip */
    b[3].prev_size = 0x58;
    assert_int_equal(bf_check_blocks(&l, b, NPAGE, e, 8), 0);
}

static void first_block_prev_must_be_zero(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_block b[NPAGE];
    memcpy(b, page, sizeof b);
    b[0].prev_size = 0x100 * 8;
    struct bf_evidence e[8];
    assert_int_equal(bf_check_blocks(&l, b, NPAGE, e, 8), 1);
    assert_int_equal(e[0].bit, 8);
}

static void flipped_type_and_tag(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_block b[NPAGE];
    memcpy(b, page, sizeof b);
    b[2].pool_type = 5 ^ 0x40;
    b[5].tag = TAG('G', 's', 'e', 'm') ^ (1u << 15); /* 's' -> 0xf3 */
    b[3].tag = TAG('V', 'a', 'd', 'l') ^ (1u << 31);  /* unprintable... */
    struct bf_evidence e[8];
    size_t n = bf_check_blocks(&l, b, NPAGE, e, 8);
    assert_int_equal(n, 2); /* Gs?m matches no other tag: no evidence for it */
    assert_string_equal(e[0].kind, "pool.type");
    assert_int_equal(e[0].corrected, 5);
    assert_int_equal(e[0].bit, 6);
    assert_string_equal(e[1].kind, "pool.tag");
    assert_int_equal(e[1].corrected, TAG('V', 'a', 'd', 'l'));
    assert_int_equal(e[1].bit, 31);
    assert_non_null(strstr(e[1].what, "\"Vadl\""));
}

static void evidence_capacity_is_respected(void **s)
{
    (void)s;
    struct bf_pool_layout l;
    bf_pool_layout_for(4, &l);
    struct bf_block b[NPAGE];
    memcpy(b, page, sizeof b);
    b[2].pool_type = 4;
    b[3].prev_size = 0;
    struct bf_evidence e[1];
    assert_int_equal(bf_check_blocks(&l, b, NPAGE, e, 1), 1);
}

/* A fake address space: a few pointer slots. */
struct fake_mem {
    uint64_t va[8], val[8];
    size_t n;
};
static int fake_read(void *ud, uint64_t va, uint64_t *out)
{
    struct fake_mem *m = ud;
    for (size_t i = 0; i < m->n; i++)
        if (m->va[i] == va) return *out = m->val[i], 0;
    return -1;
}
static int fake_valid(void *ud, uint64_t va)
{
    uint64_t v;
    return fake_read(ud, va, &v) == 0;
}

static void list_links(void **s)
{
    (void)s;
    /* entry E at 0x1000 between P (0x2000) and N (0x3000): N->Blink = E, P->Flink = E */
    struct fake_mem fm = {.va = {0x3008, 0x2000, 0x3000, 0x2008}, .val = {0x1000, 0x1000, 0x5000, 0x6000}, .n = 4};
    struct bf_mem m = {fake_read, fake_valid, &fm, 8};
    struct bf_evidence e;
    assert_int_equal(bf_check_list_entry(&m, 0x1000, 0x3000, 0x2000, &e), 0); /* consistent */
    assert_int_equal(bf_check_list_entry(&m, 0x1000, 0x3000 ^ 0x100000, 0x2000, &e), 1);
    assert_string_equal(e.kind, "list.flink");
    assert_int_equal(e.addr, 0x1000);
    assert_int_equal(e.corrected, 0x3000);
    assert_int_equal(e.bit, 20);
    assert_int_equal(bf_check_list_entry(&m, 0x1000, 0x3000, 0x2000 ^ 0x4, &e), 1);
    assert_string_equal(e.kind, "list.blink");
    assert_int_equal(e.addr, 0x1008);
    assert_int_equal(e.bit, 2);
    /* two bits off, or both sides bad: nothing */
    assert_int_equal(bf_check_list_entry(&m, 0x1000, 0x3000 ^ 0x300, 0x2000, &e), 0);
    assert_int_equal(bf_check_list_entry(&m, 0x1000, 0x7777, 0x8888, &e), 0);
    /* top of the address space: no wrap when probing cand + 8 */
    assert_int_equal(bf_check_list_entry(&m, 0x1000, UINT64_MAX, 0x2000, &e), 0);
}

static int is_module(void *ud, uint64_t v)
{
    (void)ud;
    return v >= 0xb9559000u && v < 0xb95c2000u;
}

static void fix_value_counts_candidates(void **s)
{
    (void)s;
    uint64_t fixed = 0;
    int bit = -1;
    assert_int_equal(bf_fix_value(0xb958f532 ^ 0x10000000, 32, is_module, NULL, &fixed, &bit), 1);
    assert_int_equal(fixed, 0xb958f532);
    assert_int_equal(bit, 28);
    /* already inside: flips of low bits stay inside, many candidates */
    assert_true(bf_fix_value(0xb958f532, 32, is_module, NULL, &fixed, &bit) > 1);
    assert_int_equal(bf_fix_value(0x12345678, 32, is_module, NULL, &fixed, &bit), 0);
}

static void code_compare(void **s)
{
    (void)s;
    uint8_t ref[64], dump[64];
    for (size_t i = 0; i < sizeof ref; i++) ref[i] = (uint8_t)(i * 7 + 1);
    memcpy(dump, ref, sizeof dump);
    struct bf_code_stats st = {0};
    struct bf_evidence e[4];
    assert_int_equal(bf_compare_code(dump, ref, sizeof ref, 0x10000, &st, e, 4), 0);
    assert_int_equal(st.bytes_compared, 64);
    dump[10] ^= 0x20;                      /* one bit */
    memcpy(dump + 30, "\xe9\x11\x22\x33\x44", 5); /* a detour */
    dump[50] ^= 0x03;                      /* two bits of one byte: a patch */
    memset(&st, 0, sizeof st);
    assert_int_equal(bf_compare_code(dump, ref, sizeof ref, 0x10000, &st, e, 4), 1);
    assert_string_equal(e[0].kind, "code.byte");
    assert_int_equal(e[0].addr, 0x1000a);
    assert_int_equal(e[0].bit, 5);
    assert_int_equal(e[0].corrected, ref[10]);
    assert_int_equal(st.single_bit, 1);
    assert_int_equal(st.patches, 2);
    assert_int_equal(st.hooks, 1);
}

static void code_compare_adjacent_flips_are_a_patch(void **s)
{
    (void)s;
    uint8_t ref[16] = {0}, dump[16] = {0};
    dump[4] = 0x01;
    dump[6] = 0x80; /* two one-bit changes two bytes apart: one multi-byte change */
    struct bf_code_stats st = {0};
    struct bf_evidence e[4];
    assert_int_equal(bf_compare_code(dump, ref, sizeof ref, 0, &st, e, 4), 0);
    assert_int_equal(st.patches, 1);
    dump[15] = 0x40; /* the last byte alone */
    memset(&st, 0, sizeof st);
    assert_int_equal(bf_compare_code(dump, ref, sizeof ref, 0, &st, e, 4), 1);
    assert_int_equal(e[0].addr, 15);
}

static void combine(void **s)
{
    (void)s;
    struct bf_evidence e[3] = {{.kind = "pool.prev_size", .confidence = 30}, {.kind = "list.flink", .confidence = 30},
                               {.kind = "code", .confidence = 90}};
    assert_int_equal(bf_combine(e, 0), 0);
    assert_int_equal(bf_combine(e, 1), 30);
    assert_int_equal(bf_combine(e, 2), 51); /* a pattern of weak independent ones crosses the line */
    assert_true(bf_combine(e, 2) >= BF_SUSPECT_THRESHOLD);
    assert_int_equal(bf_combine(e, 3), 95);
    e[0].confidence = 100;
    assert_int_equal(bf_combine(e, 1), 99);
    /* loose pointer candidates come in clumps from one block's data: only the strongest counts */
    struct bf_evidence loose[3] = {{.kind = "pointer", .confidence = 30}, {.kind = "pointer", .confidence = 30},
                                   {.kind = "pointer", .confidence = 40}};
    assert_int_equal(bf_combine(loose, 3), 40);
    assert_true(bf_combine(loose, 3) < BF_SUSPECT_THRESHOLD);
    struct bf_evidence mixed[2] = {{.kind = "pointer", .confidence = 30}, {.kind = "pool.tag", .confidence = 30}};
    assert_int_equal(bf_combine(mixed, 2), 51);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_bit),
        cmocka_unit_test(repair_rows),
        cmocka_unit_test(clean_page_has_no_evidence),
        cmocka_unit_test(flipped_prev_size),
        cmocka_unit_test(first_block_prev_must_be_zero),
        cmocka_unit_test(flipped_type_and_tag),
        cmocka_unit_test(evidence_capacity_is_respected),
        cmocka_unit_test(list_links),
        cmocka_unit_test(fix_value_counts_candidates),
        cmocka_unit_test(code_compare),
        cmocka_unit_test(code_compare_adjacent_flips_are_a_patch),
        cmocka_unit_test(combine),
    };
    return cmocka_run_group_tests_name("bitflip", tests, NULL, NULL);
}
