/* ARM64 and small-dump pieces of the Windows reader on dumps built here byte by byte: AArch64
 * translation through libaddrxlat (tables, a 2 MiB block, absent entries, an ASID in the DTB), the
 * ARM64_NT_CONTEXT, the secondary dump data ("DumpBlob") after a small dump, and the ARMNT refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(uint8_t *p, uint64_t v, unsigned n) { memcpy(p, &v, n); } /* little-endian host */

/* A PAGEDU64 header pre-filled with "PAGE" like the kernel's writer. */
static void header64(uint8_t *h, uint32_t machine, uint32_t dump_type, uint64_t dtb)
{
    for (unsigned i = 0; i < 0x2000; i += 4) memcpy(h + i, "PAGE", 4);
    memcpy(h + 4, "DU64", 4);
    put(h + 8, 0xf, 4);
    put(h + 0xc, 17134, 4);
    put(h + 0x10, dtb, 8);
    put(h + 0x30, machine, 4);
    put(h + 0x34, 8, 4);
    put(h + 0x38, 0xe2, 4);
    for (unsigned i = 0; i < 4; i++) put(h + 0x40 + 8 * i, 0, 8);
    put(h + 0x80, 0, 8); /* KdDebuggerDataBlock */
    memset(h + 0x348, 0, 3000);
    put(h + 0xf98, dump_type, 4);
}

static char *write_file(const uint8_t *data, size_t len)
{
    char *path = strdup("/tmp/dp-arm64-test.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static struct dp_dump *open_bytes(const uint8_t *data, size_t len, char *err, size_t errlen, int *rc)
{
    char *path = write_file(data, len);
    struct dp_dump *d = NULL;
    *rc = dp_dump_open(path, &d, err, errlen);
    unlink(path);
    free(path);
    return d;
}

/* ---- AArch64 translation: a complete dump (DumpType 1) with two runs ---- */

#define ROOT 0x100000ull   /* L0, then L1, L2, L3 and a data page in the following pages */
#define BLOCK 0x200000ull  /* a 2 MiB block's first page */
#define TABLE 0x3ull       /* AArch64 table / page descriptor */
#define AF (1ull << 10)

static uint8_t *build_complete(size_t *len)
{
    const uint64_t run1 = ROOT >> 12, n1 = 5, run2 = BLOCK >> 12, n2 = 1;
    *len = 0x2000 + (n1 + n2) * 0x1000;
    uint8_t *f = calloc(1, *len);
    /* an ASID in bits 63:48 and stray low bits: neither is part of the table address */
    header64(f, 0xaa64, 1, 0x0005000000000000ull | ROOT | 0x1);
    put(f + 0x88, 2, 4);
    put(f + 0x8c, 0, 4);
    put(f + 0x90, n1 + n2, 8);
    put(f + 0x98, run1, 8), put(f + 0xa0, n1, 8);
    put(f + 0xa8, run2, 8), put(f + 0xb0, n2, 8);
    uint8_t *l0 = f + 0x2000, *l1 = l0 + 0x1000, *l2 = l1 + 0x1000, *l3 = l2 + 0x1000, *data = l3 + 0x1000;
    /* VA 0xfffff80000401123: L0[0x1f0] -> L1[0] -> L2[2] -> L3[1] -> data page + 0x123 */
    put(l0 + 8 * 0x1f0, (ROOT + 0x1000) | TABLE, 8);
    put(l1 + 8 * 0, (ROOT + 0x2000) | TABLE, 8);
    put(l2 + 8 * 2, (ROOT + 0x3000) | TABLE, 8);
    put(l3 + 8 * 1, (ROOT + 0x4000) | TABLE | AF, 8);
    /* VA 0xfffff80000600000..: L2[3] is a 2 MiB block descriptor (bits 1:0 = 01) at BLOCK */
    put(l2 + 8 * 3, BLOCK | 0x1 | AF, 8);
    memcpy(data + 0x123, "ARM64 page", 10);
    memcpy(f + 0x2000 + n1 * 0x1000 + 0x456, "ARM64 block", 11);
    return f;
}

static void translate_aarch64(void **st)
{
    (void)st;
    size_t len;
    uint8_t *img = build_complete(&len);
    char err[256] = "";
    int rc;
    struct dp_dump *d = open_bytes(img, len, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_int_equal(i->arch, DP_ARCH_ARM64);
    assert_int_equal(i->paging, DP_PAGING_AARCH64);
    uint64_t pa = 0;
    assert_int_equal(dp_dump_translate(d, 0xfffff80000401123ull, &pa), DP_OK);
    assert_int_equal(pa, ROOT + 0x4123);
    char buf[16] = "";
    assert_int_equal(dp_dump_read_virt(d, 0xfffff80000401123ull, buf, 10), DP_OK);
    assert_memory_equal(buf, "ARM64 page", 10);
    assert_int_equal(dp_dump_translate(d, 0xfffff80000600456ull, &pa), DP_OK);
    assert_int_equal(pa, BLOCK + 0x456);
    assert_int_equal(dp_dump_read_virt(d, 0xfffff80000600456ull, buf, 11), DP_OK);
    assert_memory_equal(buf, "ARM64 block", 11);
    /* inside the block but past the one page the dump holds: translates, cannot be read */
    assert_int_equal(dp_dump_translate(d, 0xfffff80000601000ull, &pa), DP_OK);
    assert_int_equal(dp_dump_read_virt(d, 0xfffff80000601000ull, buf, 1), DP_ERR_FAULT);
    /* absent entries at each level */
    assert_int_equal(dp_dump_translate(d, 0xfffff80000402000ull, &pa), DP_ERR_FAULT); /* L3 */
    assert_int_equal(dp_dump_translate(d, 0xfffff80000800000ull, &pa), DP_ERR_FAULT); /* L2 */
    assert_int_equal(dp_dump_translate(d, 0xfffff80040000000ull, &pa), DP_ERR_FAULT); /* L1 */
    assert_int_equal(dp_dump_translate(d, 0xffff800000000000ull, &pa), DP_ERR_FAULT); /* L0 */
    assert_int_equal(dp_dump_translate(d, 0x0000000000401123ull, &pa), DP_ERR_FAULT); /* user half */
    dp_dump_close(d);
    free(img);
}

/* ---- a small dump: ARM64 context, triage header, DumpBlob section ---- */

#define SMALL_TRGD 0x2100u
#define SMALL_BLOBS 0x2108u

static const uint8_t smbios_guid[16] = {0x8f, 0x00, 0x5c, 0xbc, 0x3a, 0x1e, 0xd7, 0x44,
                                        0x98, 0x8d, 0x86, 0xf6, 0x88, 0x4c, 0x67, 0x58};

static size_t put_blob(uint8_t *p, const uint8_t guid[16], const char *data, uint32_t size, uint32_t pre,
                       uint32_t post)
{
    put(p, 0x20, 4);
    memcpy(p + 4, guid, 16);
    put(p + 20, size, 4), put(p + 24, pre, 4), put(p + 28, post, 4);
    memcpy(p + 0x20 + pre, data, size);
    return 0x20 + pre + size + post;
}

static uint8_t *build_small(size_t *len)
{
    uint8_t *f = calloc(1, 0x3000);
    header64(f, 0xaa64, 4, 0x400a9000);
    uint8_t *c = f + 0x348;
    put(c, 0x400007, 4);           /* CONTEXT_ARM64 | control | integer | float */
    put(c + 4, 0x60000344, 4);     /* Cpsr */
    for (unsigned r = 0; r <= 28; r++) put(c + 8 + 8 * r, 0x1000 + r, 8);
    put(c + 0xf0, 0xffffd00000007f10ull, 8); /* Fp */
    put(c + 0xf8, 0xfffff80100020004ull, 8); /* Lr */
    put(c + 0x100, 0xffffd00000007f00ull, 8); /* Sp */
    put(c + 0x108, 0xfffff80100010de8ull, 8); /* Pc */
    uint8_t *t = f + 0x2000;
    put(t + 0x04, SMALL_BLOBS, 4); /* SizeOfDump: the blob section follows */
    put(t + 0x08, SMALL_TRGD, 4);
    put(t + 0x0c, 0x348, 4);
    memcpy(f + SMALL_TRGD, "TRGD", 4);
    uint8_t *b = f + SMALL_BLOBS;
    memcpy(b, "DumpBlob", 8);
    put(b + 8, 0x10, 4), put(b + 12, 0xf00042ee, 4);
    size_t off = SMALL_BLOBS + 0x10;
    static const uint8_t log_guid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    off += put_blob(f + off, log_guid, "DriverLog", 9, 0, 7);
    off += put_blob(f + off, smbios_guid, "\x00\x03\x00\x00table", 9, 4, 3);
    *len = off;
    return f;
}

static void small_context_and_tags(void **st)
{
    (void)st;
    size_t len;
    uint8_t *img = build_small(&len);
    char err[256] = "";
    int rc;
    struct dp_dump *d = open_bytes(img, len, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    struct dp_regs r;
    assert_int_equal(dp_dump_regs(d, &r), DP_OK);
    assert_int_equal(r.arch, DP_ARCH_ARM64);
    assert_int_equal(r.ip, 0xfffff80100010de8ull);
    assert_int_equal(r.sp, 0xffffd00000007f00ull);
    assert_int_equal(r.fp, 0xffffd00000007f10ull);
    assert_int_equal(r.gpr[29], r.fp);
    assert_int_equal(r.gpr[30], 0xfffff80100020004ull);
    assert_int_equal(r.gpr[0], 0x1000);
    assert_int_equal(r.gpr[28], 0x1000 + 28);
    assert_int_equal(r.flags, 0x60000344);

    assert_int_equal(dp_dump_n_tags(d), 2);
    struct dp_dump_tag tag;
    assert_int_equal(dp_dump_tag_at(d, 0, &tag), DP_OK);
    assert_string_equal(tag.guid, "{04030201-0605-0807-090A-0B0C0D0E0F10}");
    assert_int_equal(tag.size, 9);
    assert_memory_equal(tag.data, "DriverLog", 9);
    assert_int_equal(dp_dump_tag_at(d, 1, &tag), DP_OK);
    assert_string_equal(tag.guid, "{BC5C008F-1E3A-44D7-988D-86F6884C6758}");
    assert_int_equal(tag.size, 9);
    assert_memory_equal(tag.data, "\x00\x03\x00\x00table", 9); /* after the PrePad */
    assert_int_equal(dp_dump_tag_at(d, 2, &tag), DP_ERR_NOT_FOUND);
    dp_dump_close(d);

    /* a blob whose data runs past the end of the file ends the list; the dump still opens */
    assert_true(len > 4);
    d = open_bytes(img, len - 4, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    assert_int_equal(dp_dump_n_tags(d), 1);
    dp_dump_close(d);

    /* a blob header size below the minimum: nothing after it is trusted */
    put(img + SMALL_BLOBS + 0x10, 0x8, 4);
    d = open_bytes(img, len, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    assert_int_equal(dp_dump_n_tags(d), 0);
    dp_dump_close(d);

    /* no "DumpBlob" at SizeOfDump: no tags */
    memcpy(img + SMALL_BLOBS, "DumpBlub", 8);
    d = open_bytes(img, len, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    assert_int_equal(dp_dump_n_tags(d), 0);
    dp_dump_close(d);

    /* a context record never written (no CONTEXT_ARM64 flag): no registers rather than zeros */
    put(img + 0x348, 0x50414745, 4);
    d = open_bytes(img, len, err, sizeof err, &rc);
    assert_int_equal(rc, DP_OK);
    assert_int_equal(dp_dump_regs(d, &r), DP_ERR_NOT_APPLICABLE);
    dp_dump_close(d);
    free(img);
}

/* 32-bit ARM: refused with one line that says so. */
static void armnt_refused(void **st)
{
    (void)st;
    uint8_t *f = calloc(1, 0x1000);
    for (unsigned i = 0; i < 0x1000; i += 4) memcpy(f + i, "PAGE", 4);
    memcpy(f + 4, "DUMP", 4);
    put(f + 0x20, 0x1c4, 4);
    char err[256] = "";
    int rc;
    struct dp_dump *d = open_bytes(f, 0x1000, err, sizeof err, &rc);
    assert_null(d);
    assert_int_equal(rc, DP_ERR_BAD_DATA);
    assert_non_null(strstr(err, "32-bit ARM (ARMNT, machine 0x1c4) dumps are not supported"));
    assert_null(strchr(err, '\n'));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(translate_aarch64),
        cmocka_unit_test(small_context_and_tags),
        cmocka_unit_test(armnt_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
