/* The bug check database: names, descriptions, subtype tables (checked row by row against the tables of
 * shared/reference/windows-dump-format.md 5.2-5.4), _M variants, unknown codes, address routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <string.h>

#include "bc_db.h"

static void test_every_name_is_an_identifier_and_sorted(void **state)
{
    (void)state;
    assert_true(bc_name_count() >= 300);
    for (size_t i = 0; i < bc_name_count(); i++) {
        const struct bc_name *n = bc_name_at(i);
        assert_non_null(n->name);
        assert_true(strlen(n->name) > 0);
        for (const char *p = n->name; *p; p++) assert_true(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
        if (i) assert_true(bc_name_at(i - 1)->code < n->code);
    }
    assert_null(bc_name_at(bc_name_count()));
}

static void expect_name(uint32_t code, const char *name)
{
    struct bc_lookup lk;
    assert_int_equal(bc_lookup(code, &lk), 1);
    assert_string_equal(lk.name, name);
}

static void test_named_codes_across_the_range(void **state)
{
    (void)state;
    expect_name(0x01, "APC_INDEX_MISMATCH");
    expect_name(0x19, "BAD_POOL_HEADER");
    expect_name(0xC2, "BAD_POOL_CALLER");
    expect_name(0xDF, "IMPERSONATING_WORKER_THREAD");
    expect_name(0x1DC, "DMA_COMMON_BUFFER_VECTOR_ERROR");
    expect_name(0x20001, "HYPERVISOR_ERROR");
    expect_name(0x4000008A, "THREAD_TERMINATE_HELD_MUTEX");
    expect_name(0xC0000218, "STATUS_CANNOT_LOAD_REGISTRY_FILE");
    expect_name(0xC000021A, "WINLOGON_FATAL_ERROR");
    expect_name(0xC0000221, "STATUS_IMAGE_CHECKSUM_MISMATCH");
    expect_name(0xDEADDEAD, "MANUALLY_INITIATED_CRASH1");
}

/* The codes the brief requires a description and four parameter meanings for. */
static const uint32_t described[] = {0x0A, 0x1A, 0x1E, 0x3B, 0x50, 0x7E, 0x7F, 0x9F, 0xBE, 0xC1, 0xC2, 0xC4,
                                     0xC5, 0xC6, 0xCC, 0xCD, 0xD0, 0xD1, 0xD5, 0xD6, 0xDE, 0xEF, 0xF4, 0x101,
                                     0x116, 0x119, 0x124, 0x133, 0x139, 0x19, 0x4E, 0x13A, 0x8E, 0xFC};

static void test_listed_codes_have_four_described_params(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(described) / sizeof(described[0]); i++) {
        const struct bc_detail *d = bc_detail_find(described[i]);
        assert_non_null(d);
        assert_non_null(d->description);
        assert_non_null(d->more);
        for (unsigned p = 0; p < 4; p++) assert_non_null(d->params[p].text);
    }
}

static void test_detail_tables_are_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < bc_detail_count(); i++) {
        const struct bc_detail *d = bc_detail_at(i);
        struct bc_lookup lk;
        assert_int_equal(bc_lookup(d->code, &lk), 1);
        assert_ptr_equal(lk.detail, d);
        assert_true(d->selector <= 4);
        assert_int_equal(d->selector != 0, d->n_subtypes != 0);
        for (size_t s = 0; s < d->n_subtypes; s++) {
            assert_non_null(d->subtypes[s].text);
            for (size_t t = s + 1; t < d->n_subtypes; t++) assert_true(d->subtypes[s].value != d->subtypes[t].value);
        }
        for (size_t j = i + 1; j < bc_detail_count(); j++) assert_true(bc_detail_at(j)->code != d->code);
    }
    assert_null(bc_detail_at(bc_detail_count()));
}

/* One reference row: the selector value, a phrase of its meaning, and a phrase per other parameter
 * ("" when the reference has nothing to match). Routed parameters are given as a bit mask (bit 0 = Arg1). */
struct ref_row {
    uint64_t value;
    const char *meaning;
    const char *arg[3];
    unsigned routed;
};

static void check_reference_table(uint32_t code, const struct ref_row *rows, size_t n, int exact_count)
{
    const struct bc_detail *det = bc_detail_find(code);
    assert_non_null(det);
    if (exact_count) assert_int_equal(det->n_subtypes, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t params[4] = {rows[i].value, 0x1000, 0x2000, 0x3000};
        struct bc_decoded d;
        bc_decode(code, params, &d);
        if (!d.sub) fail_msg("code 0x%x: subtype 0x%llx missing", code, (unsigned long long)rows[i].value);
        if (!strcasestr(d.sub->text, rows[i].meaning))
            fail_msg("0x%x/0x%llx: \"%s\" lacks \"%s\"", code, (unsigned long long)rows[i].value, d.sub->text, rows[i].meaning);
        for (unsigned a = 0; a < 3; a++) {
            const char *text = d.meta[a + 1]->text;
            if (rows[i].arg[a][0] && (!text || !strcasestr(text, rows[i].arg[a])))
                fail_msg("0x%x/0x%llx Arg%u: \"%s\" lacks \"%s\"", code, (unsigned long long)rows[i].value, a + 2,
                         text ? text : "(none)", rows[i].arg[a]);
        }
        struct bc_address addrs[4];
        size_t k = bc_addresses(&d, addrs);
        unsigned mask = 0;
        for (size_t j = 0; j < k; j++) mask |= 1u << (addrs[j].param - 1);
        if (mask != rows[i].routed)
            fail_msg("0x%x/0x%llx: routed mask 0x%x, expected 0x%x", code, (unsigned long long)rows[i].value, mask,
                     rows[i].routed);
    }
}

#define A2 0x2u
#define A3 0x4u
#define A4 0x8u

static void test_bad_pool_header_table(void **state)
{
    (void)state;
    static const struct ref_row rows[] = {
        {0x2, "pattern", {"entry being checked", "size", "0"}, A2},
        {0x3, "free list", {"entry being checked", "flink", "blink"}, A2},
        {0x5, "adjacent", {"entries", "reserved", "other pool entry"}, A2 | A4},
        {0x6, "previous size", {"entry", "reserved", "bad entry"}, A2 | A4},
        {0x7, "size is corrupt", {"0", "reserved", "bad pool entry"}, A4},
        {0x8, "zero", {"0", "reserved", "bad pool entry"}, A4},
        {0x9, "too large", {"entry", "reserved", "bad entry"}, A2 | A4},
        {0xA, "never reached", {"should have been found", "reserved", "page"}, A2 | A4},
        {0xD, "freed", {"reserved", "reserved", "reserved"}, 0},
        {0xE, "freed", {"reserved", "reserved", "reserved"}, 0},
        {0xF, "freed", {"reserved", "reserved", "reserved"}, 0},
        {0x20, "header size is corrupt", {"looked for", "next pool entry", "reserved"}, A2 | A3},
        {0x21, "overran", {"being freed", "bytes allocated", "corrupt value"}, A2},
        {0x22, "double free", {"being freed", "reserved", "reserved"}, A2},
        {0x23, "freed", {"reserved", "reserved", "reserved"}, 0},
        {0x24, "freed", {"reserved", "reserved", "reserved"}, 0},
        {0x25, "freed", {"reserved", "reserved", "reserved"}, 0},
    };
    check_reference_table(0x19, rows, sizeof(rows) / sizeof(rows[0]), 1);
}

static void test_bad_pool_caller_table(void **state)
{
    (void)state;
    static const struct ref_row rows[] = {
        {0x00, "zero-byte", {"0", "pool type", "tag"}, 0},
        {0x01, "header is corrupt", {"pool header", "first part", "0"}, A2},
        {0x02, "header is corrupt", {"pool header", "first part", "0"}, A2},
        {0x04, "header is corrupt", {"pool header", "first part", "0"}, A2},
        {0x06, "already free", {"reserved", "pool header", "contents"}, A3},
        {0x07, "already free", {"reserved", "contents", "block being freed"}, A4},
        {0x08, "allocating", {"irql", "pool type", "size"}, 0},
        {0x09, "freeing", {"irql", "pool type", "pool"}, A4},
        {0x0A, "wrong tag", {"pool address", "allocation", "free"}, A2},
        {0x0B, "quota", {"pool address", "tag", "quota process"}, A2},
        {0x0C, "quota", {"pool address", "tag", "quota process"}, A2},
        {0x0D, "quota", {"pool address", "tag", "quota process"}, A2},
        {0x40, "user-mode", {"start address", "system", "0"}, A2},
        {0x41, "not allocated", {"start address", "physical page", "highest physical page"}, A2},
        {0x42, "never", {"being freed", "0", "0"}, A2},
        {0x43, "never", {"being freed", "0", "0"}, A2},
        {0x44, "not allocated", {"start address", "reserved", "0"}, A2},
        {0x46, "invalid pool address", {"start address", "0", "0"}, A2},
        {0x47, "not allocated", {"start address", "physical page", "highest physical page"}, A2},
        {0x48, "paged pool", {"start address", "reserved", "reserved"}, A2},
        {0x50, "paged pool", {"start address", "offset", "size"}, A2},
        {0x60, "MmFreeContiguousMemory", {"start address", "0", "0"}, A2},
        {0x99, "invalid pool address", {"being freed", "0", "0"}, A2},
        {0x9A, "MUST_SUCCEED", {"pool type", "bytes", "tag"}, 0},
        {0x9B, "tag of 0", {"pool type", "bytes", "caller"}, A4},
        {0x9C, "BIG", {"pool type", "bytes", "caller"}, A4},
        {0x9D, "no letters or digits", {"bad tag", "pool type", "caller"}, A4},
        {0x41286, "middle", {"reserved", "reserved", "offset"}, 0},
    };
    check_reference_table(0xC2, rows, sizeof(rows) / sizeof(rows[0]), 1);
}

static void test_memory_management_table(void **state)
{
    (void)state;
    /* Reference 5.4 lists the common values; the database holds more from the documentation page. */
    static const struct ref_row rows[] = {
        {0x31, "relocation", {"", "", ""}, 0},
        {0x3F, "CRC", {"page file offset", "CRC", "expected"}, 0},
        {0x403, "hardware", {"", "", ""}, 0},
        {0x404, "deleting a system page", {"expected", "PTE contents", "PFN"}, 0},
        {0x411, "corrupt", {"PTE", "", ""}, 0},
        {0x1000, "uncached", {"", "", ""}, 0},
        {0x1010, "not locked", {"", "", ""}, 0},
        {0x1233, "not locked", {"PFN", "", ""}, 0},
        {0x1234, "does not exist", {"", "", ""}, 0},
        {0x1235, "invalid", {"", "", ""}, 0},
        {0x1236, "MDL", {"MDL", "PFN", "PFN"}, 0},
        {0x3300, "copy-on-write", {"address", "PTE", "type"}, A2},
        {0x3451, "kernel stack", {"", "", ""}, 0},
        {0x3453, "exited process", {"", "", ""}, 0},
        {0x3470, "kernel stack", {"virtual address", "cookie", ""}, A2},
        {0x5003, "hardware", {"", "", ""}, 0},
        {0x5100, "bitmap", {"", "", ""}, 0},
        {0x5200, "write after free", {"free pool block", "found", "expected"}, A2},
        {0x5305, "invalid pool address", {"freed", "size", ""}, A2},
        {0x888A, "PTE", {"", "", ""}, 0},
        {0x9696, "PFN", {"PFN", "", ""}, 0},
        {0x41201, "PFN", {"PTE", "contents", "VAD"}, 0},
        {0x41202, "PTE is corrupt", {"PTE", "contents", "VAD"}, 0},
        {0x41286, "invalid pool address", {"", "", ""}, 0},
        {0x41287, "working set", {"address", "", ""}, A2},
        {0x41790, "page table page", {"PFN", "", ""}, 0},
        {0x41792, "PTE is corrupt", {"PTE", "low", "high"}, 0},
        {0x41793, "page table page", {"last PTE", "non-zero", "expected"}, 0},
        {0x61940, "PDE", {"", "", ""}, 0},
        {0x61941, "paging hierarchy", {"address", "", ""}, 0},
    };
    check_reference_table(0x1A, rows, sizeof(rows) / sizeof(rows[0]), 0);
}

static void test_m_variants(void **state)
{
    (void)state;
    struct bc_lookup lk;
    assert_int_equal(bc_lookup(0x1000007E, &lk), 1);
    assert_string_equal(lk.name, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M");
    assert_ptr_equal(lk.detail, bc_detail_find(0x7E));
    assert_int_equal(lk.cls, BC_CLASS_EXCEPTION);
    /* not listed itself: named after its base, meaning of the base */
    assert_int_equal(bc_lookup(0x100000D1, &lk), 1);
    assert_string_equal(lk.name, "DRIVER_IRQL_NOT_LESS_OR_EQUAL_M");
    assert_ptr_equal(lk.detail, bc_detail_find(0xD1));
    assert_int_equal(bc_lookup(0x10000019, &lk), 1);
    assert_string_equal(lk.name, "BAD_POOL_HEADER_M");
    assert_int_equal(lk.cls, BC_CLASS_POOL_CORRUPTION);
    /* a base that does not exist stays unknown */
    assert_int_equal(bc_lookup(0x1000ABCD, &lk), 0);
    assert_string_equal(lk.name, "UNKNOWN_BUGCHECK");
}

static void test_unknown_codes(void **state)
{
    (void)state;
    struct bc_lookup lk;
    static const uint32_t unknown[] = {0x0, 0x1F0, 0x12345, 0x20002, 0x8000000E, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        assert_int_equal(bc_lookup(unknown[i], &lk), 0);
        assert_string_equal(lk.name, "UNKNOWN_BUGCHECK");
        assert_null(lk.detail);
        assert_int_equal(lk.cls, BC_CLASS_OTHER);
    }
    struct bc_decoded d;
    uint64_t params[4] = {1, 2, 3, 4};
    bc_decode(0x12345, params, &d);
    assert_false(d.has_subtype);
    for (unsigned i = 0; i < 4; i++) assert_null(d.meta[i]->text);
    struct bc_address addrs[4];
    assert_int_equal(bc_addresses(&d, addrs), 0);
}

static size_t route(uint32_t code, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, struct bc_address out[4])
{
    uint64_t params[4] = {a1, a2, a3, a4};
    struct bc_decoded d;
    bc_decode(code, params, &d);
    return bc_addresses(&d, out);
}

static void expect_addr(const struct bc_address *a, uint64_t addr, enum bc_role role, enum bc_kind kind, unsigned param)
{
    assert_int_equal(a->addr, addr);
    assert_string_equal(bc_role_name(a->role), bc_role_name(role));
    assert_string_equal(bc_kind_name(a->kind), bc_kind_name(kind));
    assert_int_equal(a->param, param);
}

static void test_address_routing(void **state)
{
    (void)state;
    struct bc_address a[4];
    assert_int_equal(route(0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001, a), 2);
    expect_addr(&a[0], 0xa34583b8, BC_ROLE_POOL_ENTRY, BC_KIND_POOL, 2);
    expect_addr(&a[1], 0xa34584f0, BC_ROLE_NEXT_POOL_ENTRY, BC_KIND_POOL, 3);
    assert_int_equal(route(0xD0, 0xe1234560, 2, 1, 0xf7654321, a), 2);
    expect_addr(&a[0], 0xe1234560, BC_ROLE_ADDRESS_TOUCHED, BC_KIND_POOL, 1);
    expect_addr(&a[1], 0xf7654321, BC_ROLE_CODE_ADDRESS, BC_KIND_CODE, 4);
    /* code address unknown (0): nothing to follow */
    assert_int_equal(route(0xCC, 0xe1234560, 0, 0, 0, a), 1);
    assert_int_equal(route(0xD5, 0xe1234560, 1, 0xf7000010, 0, a), 2);
    expect_addr(&a[1], 0xf7000010, BC_ROLE_CODE_ADDRESS, BC_KIND_CODE, 3);
    assert_int_equal(route(0xC1, 0xe1000000, 0xe1000ff8, 0, 0x32, a), 2);
    expect_addr(&a[1], 0xe1000ff8, BC_ROLE_BAD_BIT_ADDRESS, BC_KIND_POOL, 2);
    assert_int_equal(route(0xD1, 0x10, 2, 0, 0xf7001234, a), 2);
    expect_addr(&a[0], 0x10, BC_ROLE_ADDRESS_TOUCHED, BC_KIND_DATA, 1);
    /* 0x1E: Arg4 is an address only for access violations, also when the code is sign-extended */
    assert_int_equal(route(0x1E, 0xffffffffc0000005, 0xfffff8048b58334c, 1, 0x28, a), 2);
    expect_addr(&a[0], 0xfffff8048b58334c, BC_ROLE_EXCEPTION_ADDRESS, BC_KIND_CODE, 2);
    expect_addr(&a[1], 0x28, BC_ROLE_ADDRESS_TOUCHED, BC_KIND_DATA, 4);
    assert_int_equal(route(0x1E, 0x80000003, 0xf7001234, 0, 0x28, a), 1);
    assert_int_equal(route(0x1000007E, 0xffffffffc0000005, 0xfffff8048b58334c, 0xffff850429891ee8,
                           0xffff850429891720, a), 1);
    expect_addr(&a[0], 0xfffff8048b58334c, BC_ROLE_EXCEPTION_ADDRESS, BC_KIND_CODE, 2);
    assert_int_equal(route(0xC2, 0x07, 0, 0x0a270001, 0xa34583b8, a), 1);
    expect_addr(&a[0], 0xa34583b8, BC_ROLE_POOL_ENTRY, BC_KIND_POOL, 4);
    /* unknown subtype: no per-case meaning, nothing routed */
    assert_int_equal(route(0x19, 0x77, 0xa34583b8, 0xa34584f0, 0, a), 0);
}

static void test_classes(void **state)
{
    (void)state;
    struct bc_lookup lk;
    static const uint32_t critical[] = {0x19, 0xC2, 0xC5, 0xD0, 0x13A, 0x1A, 0x4E, 0x139, 0xC1, 0xCC, 0xD6, 0x124, 0x9C};
    static const uint32_t not_critical[] = {0x0A, 0xD1, 0x1E, 0x7E, 0x9F, 0x133, 0xEF, 0xE2};
    for (size_t i = 0; i < sizeof(critical) / sizeof(critical[0]); i++) {
        bc_lookup(critical[i], &lk);
        assert_true(bc_class_is_critical(lk.cls));
    }
    for (size_t i = 0; i < sizeof(not_critical) / sizeof(not_critical[0]); i++) {
        bc_lookup(not_critical[i], &lk);
        assert_false(bc_class_is_critical(lk.cls));
    }
    bc_lookup(0x19, &lk);
    assert_string_equal(bc_class_name(lk.cls), "POOL_CORRUPTION");
    bc_lookup(0x133, &lk);
    assert_string_equal(bc_class_name(lk.cls), "HANG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_name_is_an_identifier_and_sorted),
        cmocka_unit_test(test_named_codes_across_the_range),
        cmocka_unit_test(test_listed_codes_have_four_described_params),
        cmocka_unit_test(test_detail_tables_are_consistent),
        cmocka_unit_test(test_bad_pool_header_table),
        cmocka_unit_test(test_bad_pool_caller_table),
        cmocka_unit_test(test_memory_management_table),
        cmocka_unit_test(test_m_variants),
        cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_address_routing),
        cmocka_unit_test(test_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
