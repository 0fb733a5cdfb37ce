/* SMBIOS decoder and locator on hand-built tables; corrupt tables must yield nothing, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locate.h"
#include "report.h"
#include "smbios.h"

/* ---- table builder ---- */

struct tb {
    uint8_t b[2048];
    size_t n;
};

/* Starts a structure of TYPE with formatted LEN bytes (zeroed); returns its offset. */
static size_t st_begin(struct tb *t, uint8_t type, uint8_t len)
{
    size_t off = t->n;
    memset(t->b + off, 0, len);
    t->b[off] = type;
    t->b[off + 1] = len;
    t->b[off + 2] = (uint8_t)(off & 0xff); /* any handle */
    t->n += len;
    return off;
}

/* Appends the string set (NULL-terminated list) and its closing NUL. */
static void st_strings(struct tb *t, const char *const *s)
{
    if (!s || !s[0]) {
        t->b[t->n++] = 0;
        t->b[t->n++] = 0;
        return;
    }
    for (; *s; s++) {
        size_t l = strlen(*s) + 1;
        memcpy(t->b + t->n, *s, l);
        t->n += l;
    }
    t->b[t->n++] = 0;
}

static void st_end(struct tb *t)
{
    st_begin(t, 127, 4);
    st_strings(t, NULL);
}

/* The seed's machine: Xen 3.1.0 hvmloader, SMBIOS 2.4. */
static void build_xen(struct tb *t)
{
    memset(t, 0, sizeof *t);
    size_t o = st_begin(t, 0, 0x18);
    t->b[o + 4] = 1, t->b[o + 5] = 2, t->b[o + 0x14] = 3, t->b[o + 0x15] = 1;
    st_strings(t, (const char *[]){"Xen", "3.1.0", NULL});
    o = st_begin(t, 1, 0x1B);
    t->b[o + 4] = 1, t->b[o + 5] = 2, t->b[o + 6] = 3, t->b[o + 7] = 4;
    for (int i = 0; i < 16; i++) t->b[o + 8 + i] = (uint8_t)(0x10 + i);
    st_strings(t, (const char *[]){"Xen", "HVM domU", "3.1.0", "ec2e4a5c-serial", NULL});
    o = st_begin(t, 3, 0x0D);
    t->b[o + 4] = 1;
    st_strings(t, (const char *[]){"Xen", NULL});
    st_end(t);
}

static void fix_checksum(uint8_t *p, size_t n, size_t at)
{
    uint8_t sum = 0;
    p[at] = 0;
    for (size_t i = 0; i < n; i++) sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)(0x100 - sum);
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void build_sm(uint8_t *e, uint32_t addr, uint16_t len, uint16_t count, uint8_t major, uint8_t minor)
{
    memset(e, 0, 0x1F);
    memcpy(e, "_SM_", 4);
    e[5] = 0x1F, e[6] = major, e[7] = minor;
    memcpy(e + 0x10, "_DMI_", 5);
    e[0x16] = (uint8_t)len, e[0x17] = (uint8_t)(len >> 8);
    put32(e + 0x18, addr);
    e[0x1C] = (uint8_t)count, e[0x1D] = (uint8_t)(count >> 8);
    e[0x1E] = (uint8_t)(major << 4 | minor);
    fix_checksum(e + 0x10, 0x0F, 5);
    fix_checksum(e, 0x1F, 4);
}

static void build_sm3(uint8_t *e, uint64_t addr, uint32_t max, uint8_t major, uint8_t minor)
{
    memset(e, 0, 0x18);
    memcpy(e, "_SM3_", 5);
    e[6] = 0x18, e[7] = major, e[8] = minor, e[0x0A] = 1;
    put32(e + 0x0C, max);
    put32(e + 0x10, (uint32_t)addr);
    put32(e + 0x14, (uint32_t)(addr >> 32));
    fix_checksum(e, 0x18, 5);
}

static struct hv_smbios_entry entry_for(const struct tb *t, enum hv_anchor a)
{
    return (struct hv_smbios_entry){.anchor = a, .major = 2, .minor = 4, .bcd_revision = 0x24,
                                    .table_len = (uint32_t)t->n, .struct_count = 0};
}

/* ---- decoder ---- */

static void test_xen_24_table(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    uint8_t e[0x1F];
    build_sm(e, 0xE9000, (uint16_t)t.n, 4, 2, 4);
    struct hv_smbios_entry entry;
    assert_int_equal(hv_smbios_parse_entry(e, sizeof e, &entry), DP_OK);
    assert_int_equal(entry.anchor, HV_ANCHOR_SM);
    assert_int_equal(entry.bcd_revision, 36);
    assert_int_equal(entry.table_addr, 0xE9000);
    struct hv_smbios_info info;
    assert_int_equal(hv_smbios_decode(t.b, t.n, &entry, &info), DP_OK);
    assert_string_equal(info.str[HV_F_BIOS_VENDOR], "Xen");
    assert_string_equal(info.str[HV_F_PRODUCT], "HVM domU");
    assert_string_equal(info.str[HV_F_CHASSIS_MANUFACTURER], "Xen");
    assert_string_equal(info.str[HV_F_UUID], "10111213-1415-1617-1819-1A1B1C1D1E1F"); /* 2.4: as stored */
    assert_int_equal(info.n_structs, 4);
    assert_false(info.vm_bit);

    struct dp_text text = {0};
    hv_format_machineid(&text, &info);
    char expect[512];
    snprintf(expect, sizeof expect,
             "Machine ID Information [From Smbios 2.4, DMIVersion 36, Size=%zu]\n"
             "BiosMajorRelease = 3\nBiosMinorRelease = 1\nBiosVendor = Xen\nBiosVersion = 3.1.0\n"
             "SystemManufacturer = Xen\nSystemProductName = HVM domU\nSystemVersion = 3.1.0\n", t.n);
    assert_string_equal(dp_text_str(&text), expect);
    dp_text_free(&text);
}

static void test_sm3_table_and_uuid(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    t.b[0x13] = 0x10; /* type 0 extension byte 2: virtual machine */
    uint8_t e[0x18];
    build_sm3(e, 0x7FFB0000ull, 0x1000, 3, 2);
    struct hv_smbios_entry entry;
    assert_int_equal(hv_smbios_parse_entry(e, sizeof e, &entry), DP_OK);
    assert_int_equal(entry.anchor, HV_ANCHOR_SM3);
    assert_int_equal(entry.table_addr, 0x7FFB0000ull);
    assert_int_equal(entry.bcd_revision, 0);
    struct hv_smbios_info info;
    assert_int_equal(hv_smbios_decode(t.b, t.n, &entry, &info), DP_OK);
    assert_true(info.vm_bit);
    assert_int_equal(info.table_used, t.n);
    assert_string_equal(info.str[HV_F_UUID], "13121110-1514-1716-1819-1A1B1C1D1E1F"); /* >= 2.6: LE fields */
}

static void test_legacy_dmi(void **state)
{
    (void)state;
    uint8_t e[0x0F] = {'_', 'D', 'M', 'I', '_', 0, 0x40, 0x01, 0x00, 0x00, 0x0F, 0x00, 0x05, 0x00, 0x21};
    fix_checksum(e, sizeof e, 5);
    struct hv_smbios_entry entry;
    assert_int_equal(hv_smbios_parse_entry(e, sizeof e, &entry), DP_OK);
    assert_int_equal(entry.anchor, HV_ANCHOR_DMI);
    assert_int_equal(entry.major, 2);
    assert_int_equal(entry.minor, 1);
    assert_int_equal(entry.table_len, 0x140);
    assert_int_equal(entry.table_addr, 0xF0000);
    assert_int_equal(entry.struct_count, 5);
}

static void test_bad_entries(void **state)
{
    (void)state;
    struct hv_smbios_entry entry;
    uint8_t e[0x1F];
    build_sm(e, 0xE9000, 100, 4, 2, 4);
    e[0x18] ^= 1; /* table address changed after the checksums */
    assert_int_equal(hv_smbios_parse_entry(e, sizeof e, &entry), DP_ERR_BAD_DATA);
    build_sm(e, 0xE9000, 100, 4, 2, 4);
    assert_int_equal(hv_smbios_parse_entry(e, 0x10, &entry), DP_ERR_BAD_DATA); /* truncated */
    build_sm(e, 0xE9000, 0, 4, 2, 4);
    assert_int_equal(hv_smbios_parse_entry(e, sizeof e, &entry), DP_ERR_BAD_DATA); /* empty table */
    uint8_t sm3[0x18];
    build_sm3(sm3, 0x1000, 0x100, 3, 0);
    sm3[6] = 0x40; /* entry length beyond the buffer */
    assert_int_equal(hv_smbios_parse_entry(sm3, sizeof sm3, &entry), DP_ERR_BAD_DATA);
    assert_int_equal(hv_smbios_parse_entry((const uint8_t *)"KVMKVMKVM\0\0\0", 12, &entry), DP_ERR_NOT_FOUND);
}

/* Decoding a corrupt table gives DP_ERR_BAD_DATA, an error text and no strings at all. */
static void expect_rejected(const struct tb *t, size_t len, enum hv_anchor a)
{
    struct hv_smbios_entry entry = entry_for(t, a);
    entry.table_len = (uint32_t)len;
    struct hv_smbios_info info;
    assert_int_equal(hv_smbios_decode(t->b, len, &entry, &info), DP_ERR_BAD_DATA);
    assert_true(info.error[0] != 0);
    for (int f = 0; f < HV_F_COUNT; f++) assert_string_equal(info.str[f], "");
    assert_false(info.has_bios || info.has_system);
}

static void test_string_index_out_of_range(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    size_t type1 = t.b[1] + 2 + strlen("Xen") + strlen("3.1.0") + 1; /* type 0, its strings, final NUL */
    assert_int_equal(t.b[type1], 1);
    t.b[type1 + 5] = 5; /* product: string 5 of 4 */
    expect_rejected(&t, t.n, HV_ANCHOR_SM);
}

static void test_structure_off_table(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    expect_rejected(&t, 0x10, HV_ANCHOR_SM); /* type 0 is 0x18 long */
    t.b[1] = 0xFF;                           /* formatted length past the table */
    expect_rejected(&t, t.n, HV_ANCHOR_SM);
}

static void test_zero_length_structure(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    t.b[1] = 0;
    expect_rejected(&t, t.n, HV_ANCHOR_SM);
}

static void test_missing_terminator(void **state)
{
    (void)state;
    struct tb t;
    memset(&t, 0, sizeof t);
    size_t o = st_begin(&t, 0, 0x18);
    t.b[o + 4] = 1;
    memcpy(t.b + t.n, "Xen", 3); /* no NUL, no closing NUL */
    t.n += 3;
    expect_rejected(&t, t.n, HV_ANCHOR_SM);
    build_xen(&t);
    expect_rejected(&t, t.n - 6, HV_ANCHOR_SM3); /* 3.x table without its end structure */
}

static void test_structure_count_limit(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    struct hv_smbios_entry entry = entry_for(&t, HV_ANCHOR_SM);
    entry.struct_count = 1; /* only type 0 counts */
    struct hv_smbios_info info;
    assert_int_equal(hv_smbios_decode(t.b, t.n, &entry, &info), DP_OK);
    assert_true(info.has_bios);
    assert_false(info.has_system);
    assert_string_equal(info.str[HV_F_MANUFACTURER], "");
}

/* ---- locator, over a fake host holding a few physical pages ---- */

#define FAKE_PAGES 8
#define FAKE_TAGS 4
struct fake {
    struct dp_ctx_head head;
    uint64_t pfn[FAKE_PAGES];
    uint8_t data[FAKE_PAGES][4096];
    size_t n;
    struct dp_dump_tag tags[FAKE_TAGS];
    size_t n_tags;
};

static int fake_find(struct fake *f, uint64_t pfn)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->pfn[i] == pfn) return (int)i;
    return -1;
}
static size_t fake_run_count(dp_ctx *c) { return ((struct fake *)(void *)c)->n; }
static int fake_run(dp_ctx *c, size_t i, uint64_t *pfn, uint64_t *n)
{
    struct fake *f = (struct fake *)(void *)c;
    if (i >= f->n) return DP_ERR_INVALID;
    *pfn = f->pfn[i], *n = 1;
    return DP_OK;
}
static const uint8_t *fake_page(dp_ctx *c, uint64_t pfn)
{
    struct fake *f = (struct fake *)(void *)c;
    int i = fake_find(f, pfn);
    return i < 0 ? NULL : f->data[i];
}
static int fake_read_phys(dp_ctx *c, uint64_t pa, void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        const uint8_t *p = fake_page(c, (pa + done) / 4096);
        if (!p) return DP_ERR_FAULT;
        size_t off = (size_t)((pa + done) % 4096), chunk = 4096 - off;
        if (chunk > len - done) chunk = len - done;
        memcpy((uint8_t *)buf + done, p + off, chunk);
        done += chunk;
    }
    return DP_OK;
}

static size_t fake_tag_count(dp_ctx *c) { return ((struct fake *)(void *)c)->n_tags; }
static int fake_tag_get(dp_ctx *c, size_t i, struct dp_dump_tag *out)
{
    struct fake *f = (struct fake *)(void *)c;
    if (i >= f->n_tags) return DP_ERR_NOT_FOUND;
    *out = f->tags[i];
    return DP_OK;
}

static const struct dp_host_api fake_api = {.size = sizeof(struct dp_host_api), .read_phys = fake_read_phys,
                                            .phys_run_count = fake_run_count, .phys_run = fake_run,
                                            .phys_page = fake_page, .dump_tag_count = fake_tag_count,
                                            .dump_tag_get = fake_tag_get};

/* Runs sorted ascending, as the host promises. */
static uint8_t *fake_add(struct fake *f, uint64_t pfn)
{
    f->head.api = &fake_api;
    f->pfn[f->n] = pfn;
    return f->data[f->n++];
}

static void test_locate_outside_legacy_area(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof *f);
    struct tb t;
    build_xen(&t);
    uint8_t *low = fake_add(f, 0x10);
    memcpy(low + 0x100, "KVMKVMKVM VMwareVMware Microsoft Hyper-V xenbus _SM_ fake", 58); /* loose strings */
    fake_add(f, 0xF0); /* legacy area present but empty */
    uint8_t *uefi = fake_add(f, 0x7FFB0);
    build_sm3(uefi + 0x40, 0x7FFB0000ull + 0x200, 0x1000, 3, 0);
    memcpy(uefi + 0x200, t.b, t.n);
    struct hv_smbios_result *r = malloc(sizeof *r);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_READ);
    assert_int_equal(r->info.entry_addr, 0x7FFB0040ull);
    assert_string_equal(r->info.str[HV_F_PRODUCT], "HVM domU");
    free(r);
    free(f);
}

static void test_locate_prefers_legacy_and_reports_absent_table(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof *f);
    struct hv_smbios_result *r = malloc(sizeof *r);
    uint8_t *seg = fake_add(f, 0xF0);
    build_sm(seg + 0x20, 0xE9000, 300, 4, 2, 4); /* table page 0xE9 not in the dump */
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_UNREADABLE);
    assert_non_null(strstr(r->note, "not in the dump"));

    f->n = 0;
    uint8_t *loose = fake_add(f, 0x20);
    memcpy(loose, "VMwareVMware", 12);
    memcpy(loose + 0x30, "_SM_ but not an entry point", 27);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_NOT_FOUND);

    f->n = 0;
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_NO_PHYS);
    assert_string_equal(r->note, "this dump carries no SMBIOS table (no physical memory, none in its secondary data)");
    free(r);
    free(f);
}

/* Windows' raw firmware table: the 8-byte header (calling method, major, minor, DMI revision, u32 length),
 * then the structures, as small dumps file it under the SMBIOS tag. */
static size_t raw_table(uint8_t *dst, const struct tb *t, uint8_t major, uint8_t minor)
{
    dst[0] = 0, dst[1] = major, dst[2] = minor, dst[3] = 0;
    uint32_t len = (uint32_t)t->n;
    memcpy(dst + 4, &len, 4);
    memcpy(dst + 8, t->b, t->n);
    return t->n + 8;
}

static struct fake *tag_fake(const char *guid, const uint8_t *data, size_t size)
{
    struct fake *f = calloc(1, sizeof *f);
    f->head.api = &fake_api;
    snprintf(f->tags[0].guid, sizeof f->tags[0].guid, "%s", guid);
    f->tags[0].data = data;
    f->tags[0].size = size;
    f->n_tags = 1;
    return f;
}

static void test_locate_in_secondary_data(void **state)
{
    (void)state;
    struct tb t;
    build_xen(&t);
    uint8_t *raw = calloc(1, sizeof t.b + 16);
    size_t n = raw_table(raw, &t, 3, 2);
    struct hv_smbios_result *r = malloc(sizeof *r);

    struct fake *f = tag_fake(HV_SMBIOS_DUMP_TAG, raw, n);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_READ);
    assert_int_equal(r->info.entry.anchor, HV_ANCHOR_RAW);
    assert_int_equal(r->info.entry.major, 3);
    assert_int_equal(r->info.entry.minor, 2);
    assert_string_equal(r->info.str[HV_F_PRODUCT], "HVM domU");
    assert_string_equal(r->tag, HV_SMBIOS_DUMP_TAG);
    assert_non_null(strstr(r->note, "SMBIOS 3.2 from the dump's secondary data {BC5C008F-"));
    free(f);

    /* another writer's tag: found by its content */
    f = tag_fake("{00000000-0000-0000-0000-000000000001}", raw, n);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_READ);
    free(f);

    /* the length runs past the tag's data: rejected, said so */
    f = tag_fake(HV_SMBIOS_DUMP_TAG, raw, n - 1);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_UNREADABLE);
    assert_non_null(strstr(r->note, "rejected"));
    free(f);

    /* a string index past the string set: the whole table is rejected */
    raw[8 + 4] = 9;
    f = tag_fake(HV_SMBIOS_DUMP_TAG, raw, n);
    assert_int_equal(hv_smbios_locate((dp_ctx *)(void *)f, r), DP_OK);
    assert_int_equal(r->status, HV_SMBIOS_UNREADABLE);
    assert_non_null(strstr(r->note, "string index"));
    free(f);
    free(r);
    free(raw);
}

/* Strings reach JSON and text: invalid UTF-8 becomes '?', valid multi-byte characters stay whole. */
static void test_strings_are_utf8(void **state)
{
    (void)state;
    struct tb t;
    memset(&t, 0, sizeof t);
    size_t o = st_begin(&t, 1, 0x1b);
    t.b[o + 4] = 1, t.b[o + 5] = 2;
    static const char *const strs[] = {"Caf\xc3\xa9 \xff\xc3(\x01 \xe2\x82", "\xed\xa0\x80\xf0\x9f\x98\x80", NULL};
    st_strings(&t, strs);
    st_end(&t);
    struct hv_smbios_entry entry = entry_for(&t, HV_ANCHOR_SM3);
    struct hv_smbios_info info;
    assert_int_equal(hv_smbios_decode(t.b, t.n, &entry, &info), DP_OK);
    assert_string_equal(info.str[HV_F_MANUFACTURER], "Caf\xc3\xa9 ?" "?(? ??");
    assert_string_equal(info.str[HV_F_PRODUCT], "?" "??\xf0\x9f\x98\x80");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xen_24_table),
        cmocka_unit_test(test_sm3_table_and_uuid),
        cmocka_unit_test(test_legacy_dmi),
        cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_string_index_out_of_range),
        cmocka_unit_test(test_structure_off_table),
        cmocka_unit_test(test_zero_length_structure),
        cmocka_unit_test(test_missing_terminator),
        cmocka_unit_test(test_structure_count_limit),
        cmocka_unit_test(test_locate_outside_legacy_area),
        cmocka_unit_test(test_locate_prefers_legacy_and_reports_absent_table),
        cmocka_unit_test(test_locate_in_secondary_data),
        cmocka_unit_test(test_strings_are_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
