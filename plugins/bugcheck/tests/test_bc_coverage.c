/* The database is complete: every named code is described with four parameter meanings, every subtype
 * table is well formed, the bug checks of the real dumps in shared/testdata/real (and of issue 10's list)
 * decode without a gap, and spot checks hold against Microsoft's per-code pages (checkout of 2025-11-12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bc_db.h"
#include "bc_format.h"

static int nonempty(const char *s) { return s && s[0]; }

static void test_every_named_code_is_described(void **state)
{
    (void)state;
    for (size_t i = 0; i < bc_name_count(); i++) {
        const struct bc_name *n = bc_name_at(i);
        struct bc_lookup lk;
        assert_int_equal(bc_lookup(n->code, &lk), 1);
        if (!lk.detail) fail_msg("0x%x %s: no description", n->code, n->name);
        if (!nonempty(lk.detail->description)) fail_msg("0x%x: empty description", n->code);
        for (unsigned p = 0; p < 4; p++)
            if (!nonempty(lk.detail->params[p].text)) fail_msg("0x%x %s: Arg%u undescribed", n->code, n->name, p + 1);
    }
    /* every description belongs to a named code: nothing described under a typo'd code */
    for (size_t i = 0; i < bc_detail_count(); i++) {
        struct bc_lookup lk;
        if (!bc_lookup(bc_detail_at(i)->code, &lk)) fail_msg("described code 0x%x has no name", bc_detail_at(i)->code);
    }
    assert_true(bc_name_count() >= 420);
    assert_true(bc_detail_count() >= 420);
}

static void test_subtype_tables_are_well_formed(void **state)
{
    (void)state;
    size_t tables = 0;
    for (size_t i = 0; i < bc_detail_count(); i++) {
        const struct bc_detail *d = bc_detail_at(i);
        if (!d->selector) continue;
        tables++;
        assert_true(d->n_subtypes > 0);
        for (size_t s = 0; s < d->n_subtypes; s++) {
            const struct bc_subtype *st = &d->subtypes[s];
            if (!nonempty(st->text)) fail_msg("0x%x/0x%llx: empty meaning", d->code, (unsigned long long)st->value);
            for (unsigned k = 0; k < 3; k++)
                if (st->others[k].text && !st->others[k].text[0])
                    fail_msg("0x%x/0x%llx: empty parameter text", d->code, (unsigned long long)st->value);
            for (size_t t = s + 1; t < d->n_subtypes; t++)
                if (d->subtypes[t].value == st->value)
                    fail_msg("0x%x: subtype 0x%llx listed twice", d->code, (unsigned long long)st->value);
        }
    }
    assert_true(tables >= 17);
}

/* Decodes CODE with PARAMS and asserts that every parameter has a meaning and, for a code with a
 * selector, that the value is in its table; the formatted text never says the database lacks it. */
static void expect_fully_described(uint32_t code, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    uint64_t params[4] = {a1, a2, a3, a4};
    struct bc_decoded d;
    bc_decode(code, params, &d);
    if (!d.lk.known || !d.lk.detail) fail_msg("0x%x: not described", code);
    if (d.has_subtype && !d.sub) fail_msg("0x%x: subtype 0x%llx not in the table", code, (unsigned long long)d.subtype);
    for (unsigned i = 0; i < 4; i++)
        if (!nonempty(d.meta[i]->text) && !(d.has_subtype && i == d.lk.detail->selector - 1))
            fail_msg("0x%x: Arg%u without a meaning", code, i + 1);
    char text[4096];
    bc_format_analysis(&d, 8, 1, text, sizeof(text));
    if (strstr(text, "does not describe") || strstr(text, "not in the database") || strstr(text, "not in dumppipe's"))
        fail_msg("0x%x: %s", code, text);
}

static void test_real_dumps_are_fully_described(void **state)
{
    (void)state;
    /* the five dumps of shared/testdata/real, their parameters as the README gives them */
    expect_fully_described(0x1000007E, 0xffffffffc0000005, 0xfffff8048b58334c, 0xffff850429891ee8, 0xffff850429891720);
    expect_fully_described(0x50, 0xffffffffffffffb4, 0, 0xfffff804206cb873, 2);
    expect_fully_described(0x1E, 0xffffffffc0000005, 0xfffff8031b40f001, 0, 0x289);
    expect_fully_described(0x133, 1, 0x1e00, 0xfffff800576fb320, 0);
    expect_fully_described(0xE2, 0, 0, 0, 0);
    /* issue 10's list of codes that printed "does not describe" */
    expect_fully_described(0x1C7, 0, 0xffff800000001000, 0x1234, 0x42);
    expect_fully_described(0x1C8, 10000, 0xfffff80000001000, 0, 0);
    expect_fully_described(0x1A, 0x402, 0xfffff6fb7dbed000, 0x8a0000000a328867, 0xfffff6fb7dbed008);
    expect_fully_described(0x139, 3, 0xffff800000001000, 0xffff800000002000, 0);
    expect_fully_described(0x9F, 3, 0xffffa00000001000, 0xfffff80000001000, 0xffffa00000002000);
    expect_fully_described(0xC4, 0x10, 0xffffa00000001000, 0, 0);
    expect_fully_described(0x124, 0, 0xffffa00000001000, 0xbe000000, 0x800400);
    expect_fully_described(0xA0, 0x10F, 0x3, 1, 0);
    expect_fully_described(0x109, 0, 0, 0, 0x1C);
    expect_fully_described(0x10000019, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001);
    expect_fully_described(0xDEADDEAD, 0, 0, 0, 0);
    expect_fully_described(0xC000021A, 0xffff800000001000, 0xc0000005, 0, 0);
}

static const char *subtype_text(uint32_t code, uint64_t selector_value)
{
    const struct bc_detail *d = bc_detail_find(code);
    assert_non_null(d);
    uint64_t params[4] = {0, 0, 0, 0};
    params[d->selector - 1] = selector_value;
    struct bc_decoded dec;
    bc_decode(code, params, &dec);
    if (!dec.sub) fail_msg("0x%x/0x%llx missing", code, (unsigned long long)selector_value);
    return dec.sub->text;
}

static const char *param_text(uint32_t code, uint64_t a1, unsigned arg)
{
    uint64_t params[4] = {a1, 0, 0, 0};
    struct bc_decoded d;
    bc_decode(code, params, &d);
    return d.meta[arg - 1]->text;
}

#define EXPECT_IN(haystack, needle)                                                                       \
    do {                                                                                                 \
        const char *h_ = (haystack);                                                                     \
        if (!h_ || !strcasestr(h_, (needle))) fail_msg("\"%s\" lacks \"%s\"", h_ ? h_ : "(null)", (needle)); \
    } while (0)

/* Facts checked by hand against the reference pages; the words are ours, so phrases are matched. */
static void test_spot_checks_against_the_reference(void **state)
{
    (void)state;
    EXPECT_IN(subtype_text(0x1A, 0x41790), "page table page");
    EXPECT_IN(subtype_text(0x1A, 0x41790), "count");
    EXPECT_IN(subtype_text(0x1A, 0x41792), "PTE");
    EXPECT_IN(param_text(0x1A, 0x41792, 3), "low part");
    EXPECT_IN(subtype_text(0x1A, 0x61941), "paging hierarchy");
    EXPECT_IN(subtype_text(0x139, 3), "LIST_ENTRY");
    EXPECT_IN(subtype_text(0x139, 2), "stack");
    EXPECT_IN(subtype_text(0x133, 0), "single DPC");
    EXPECT_IN(subtype_text(0x133, 0), "allotment");
    EXPECT_IN(subtype_text(0x133, 1), "cumulative");
    EXPECT_IN(param_text(0x133, 1, 3), "DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK");
    EXPECT_IN(param_text(0x133, 0, 3), "allotment");
    EXPECT_IN(subtype_text(0x9F, 3), "IRP");
    EXPECT_IN(param_text(0x9F, 3, 4), "blocked IRP");
    EXPECT_IN(subtype_text(0x124, 0), "machine check");
    EXPECT_IN(param_text(0x124, 0, 3), "MCi_STATUS");
    EXPECT_IN(subtype_text(0x7F, 8), "double fault");
    EXPECT_IN(subtype_text(0x1C7, 0), "hash");
    EXPECT_IN(param_text(0x1C7, 0, 4), "page frame number");
    EXPECT_IN(subtype_text(0x109, 0x2), "interrupt dispatch table");
    EXPECT_IN(subtype_text(0xA0, 0x701), "hung");
    EXPECT_IN(param_text(0x1C8, 0, 1), "milliseconds");
    EXPECT_IN(param_text(0x1C8, 0, 2), "POP_POWER_BUTTON_TRIAGE_BLOCK");
    EXPECT_IN(param_text(0x50, 0, 4), "non-canonical");
    EXPECT_IN(param_text(0xE2, 0, 1), "not used");
    EXPECT_IN(param_text(0x2, 0, 1), "not documented");
    EXPECT_IN(param_text(0x1CA, 0, 4), "clock processor");
    EXPECT_IN(param_text(0xF7, 0, 3), "complement");
    /* a selector other than Arg1: the case's texts land on the other parameters in order */
    uint64_t pdc[4] = {7, 3, 0, 0};
    struct bc_decoded d;
    bc_decode(0x14F, pdc, &d);
    assert_non_null(d.sub);
    EXPECT_IN(d.meta[0]->text, "client ID");
    EXPECT_IN(d.meta[2]->text, "activator client");
    EXPECT_IN(d.meta[3]->text, "PDC_14F_TRIAGE");
    EXPECT_IN(subtype_text(0x9E, 0xA), "heartbeat");
    EXPECT_IN(subtype_text(0xC4, 0x00081001), "KsDeviceMutex");
    EXPECT_IN(subtype_text(0x1C4, 0x00081001), "KsDeviceMutex");
    EXPECT_IN(subtype_text(0xC9, 0x23D), "IoMarkIrpPending");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_named_code_is_described),
        cmocka_unit_test(test_subtype_tables_are_well_formed),
        cmocka_unit_test(test_real_dumps_are_fully_described),
        cmocka_unit_test(test_spot_checks_against_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
