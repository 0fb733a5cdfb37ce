/* The reader on the real small dumps in $DP_REAL_DIR (README there): the ARM64 dump's context, modules and
 * secondary data, and the SMBIOS tag of the x64 ones. Every value was read by an independent parser
 * (or is in the README). Skips when the files are absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"
#include "test_dump_open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SMBIOS_TAG "{BC5C008F-1E3A-44D7-988D-86F6884C6758}"

static struct dp_dump *open_real(const char *name)
{
    const char *dir = getenv("DP_REAL_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "", name);
    if (!dir || access(path, R_OK) != 0) return NULL;
    return tdo_open_ok(path);
}

static const struct dp_module *find(struct dp_dump *d, const char *name)
{
    for (size_t i = 0; i < dp_dump_module_count(d); i++)
        if (!strcasecmp(dp_dump_module(d, i)->name, name)) return dp_dump_module(d, i);
    return NULL;
}

/* The tag's data, or NULL; *count gets how many blocks carry it. */
static const struct dp_dump_tag *tag(struct dp_dump *d, const char *guid, size_t *count, struct dp_dump_tag *out)
{
    const struct dp_dump_tag *hit = NULL;
    *count = 0;
    for (size_t i = 0; i < dp_dump_n_tags(d); i++) {
        struct dp_dump_tag t;
        assert_int_equal(dp_dump_tag_at(d, i, &t), DP_OK);
        if (strcmp(t.guid, guid)) continue;
        if (!(*count)++) *out = t, hit = out;
    }
    return hit;
}

static void arm64(void **st)
{
    (void)st;
    struct dp_dump *d = open_real("mini_arm64_0xe2.dmp");
    if (!d) skip();
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_int_equal(i->arch, DP_ARCH_ARM64);
    assert_int_equal(i->paging, DP_PAGING_AARCH64);
    assert_int_equal(i->machine_type, 0xaa64);
    assert_int_equal(i->directory_table_base, 0x400a9000);
    assert_int_equal(i->bugcheck_code, 0xe2);
    struct dp_regs r;
    assert_int_equal(dp_dump_regs(d, &r), DP_OK);
    assert_int_equal(r.arch, DP_ARCH_ARM64);
    assert_int_equal(r.ip, 0xfffff801bcd52de8ull);
    assert_int_equal(r.sp, 0xfffff801be087be0ull);
    assert_int_equal(r.fp, 0xfffff801be087bf0ull);
    assert_int_equal(r.flags, 0x60000344);
    uint64_t rec[2]; /* the first frame record: the caller's record and the return into kbdhid */
    assert_int_equal(dp_dump_read_virt(d, r.fp, rec, sizeof rec), DP_OK);
    assert_int_equal(rec[0], 0xfffff801be088170ull);
    assert_int_equal(rec[1], 0xfffff800a0b13a8cull);

    assert_int_equal(dp_dump_module_count(d), 228);
    const struct dp_module *nt = find(d, "ntoskrnl.exe");
    assert_non_null(nt);
    assert_int_equal(nt->base, 0xfffff801bcb30000ull);
    assert_int_equal(nt->size, 0x911000);
    assert_int_equal(nt->timestamp, 0x5b1a4560);
    assert_non_null(find(d, "clipsp.sys"));
    assert_non_null(find(d, "Wdf01000.sys"));

    size_t n;
    struct dp_dump_tag t;
    assert_int_equal(dp_dump_n_tags(d), 38); /* counted by an independent walk in Python */
    assert_non_null(tag(d, SMBIOS_TAG, &n, &t));
    assert_int_equal(n, 1);
    assert_int_equal(t.size, 0x2b2);
    assert_memory_equal(t.data, "\x00\x03\x00\x00\xaa\x02\x00\x00", 8); /* raw table: SMBIOS 3.0, 0x2aa bytes */
    dp_dump_close(d);
}

static void x64_tags(void **st)
{
    (void)st;
    static const struct {
        const char *name;
        size_t tags, smbios_size;
    } dumps[] = {{"mini_x64_0x50_ntfs.dmp", 37, 0x76f}, {"mini_x64_0x1e.dmp", 38, 0x76f},
                 {"mini_x64_0x133_dell.dmp", 37, 0x172f}, {"triage_x64.dmp", 20, 0}};
    int opened = 0;
    for (size_t k = 0; k < sizeof dumps / sizeof *dumps; k++) {
        struct dp_dump *d = open_real(dumps[k].name);
        if (!d) continue;
        opened++;
        size_t n;
        struct dp_dump_tag t;
        assert_int_equal(dp_dump_n_tags(d), dumps[k].tags);
        const struct dp_dump_tag *s = tag(d, SMBIOS_TAG, &n, &t);
        assert_int_equal(s ? t.size : 0, dumps[k].smbios_size);
        dp_dump_close(d);
    }
    if (!opened) skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arm64),
        cmocka_unit_test(x64_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
