/* PE reader: images built here byte by byte (PE32 and PE32+), read through a callback as a dump
 * would serve them, and written to disk for dp_pe_load_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dump/dump.h"
#include "pe.h"

#define IMG_SIZE 0x4000u
#define FILE_SIZE 0x1600u
#define BASE64 0xfffff80012340000ull
#define PREF64 0x140000000ull /* ImageBase in the optional header */
#define PREF32 0x10000ull

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v), put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32)); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Offsets in the test image. */
enum {
    LFANEW = 0x80,
    EXP_DIR = 0x2000, EXP_FUNCS = 0x2040, EXP_NAMES = 0x2060, EXP_ORDS = 0x2080, EXP_STR = 0x2090, EXP_SIZE = 0x100,
    PDATA = 0x2200, UNW_F1 = 0x2300, UNW_F2 = 0x2320, UNW_F3 = 0x2340, UNW_LOOP = 0x2360, UNW_MACH = 0x2380,
    RELOC = 0x3000, RELOC_SIZE = 0x10, RELOC_T1 = 0x1780, RELOC_T2 = 0x1788,
};

struct sec { const char *name; uint32_t va, vsize, raw_ptr, raw_size, flags; };
static const struct sec sections[] = {
    {".text", 0x1000, 0x900, 0x400, 0x800, 0x60000020},
    {".rdata", 0x2000, 0x800, 0xc00, 0x800, 0x40000040},
    {".reloc", 0x3000, 0x100, 0x1400, 0x200, 0x42000040},
};

static uint32_t dir_offset(int is64) { return LFANEW + 24 + (is64 ? 112 : 96); }

static void write_headers(uint8_t *b, int is64)
{
    b[0] = 'M', b[1] = 'Z';
    put32(b + 0x3c, LFANEW);
    memcpy(b + LFANEW, "PE\0\0", 4);
    uint8_t *fh = b + LFANEW + 4, *opt = b + LFANEW + 24;
    put16(fh, is64 ? 0x8664 : 0x14c);
    put16(fh + 2, 3);
    put16(fh + 16, is64 ? 0xf0 : 0xe0);
    put16(opt, is64 ? 0x20b : 0x10b);
    if (is64) put64(opt + 24, PREF64);
    else put32(opt + 28, (uint32_t)PREF32);
    put32(opt + 56, IMG_SIZE);
    put32(opt + 60, 0x400);
    put32(opt + (is64 ? 108 : 92), 16);
    uint8_t *dirs = b + dir_offset(is64);
    put32(dirs + 0, EXP_DIR), put32(dirs + 4, EXP_SIZE);
    if (is64) put32(dirs + 24, PDATA), put32(dirs + 28, 5 * 12);
    put32(dirs + 40, RELOC), put32(dirs + 44, RELOC_SIZE);
    uint8_t *st = b + LFANEW + 24 + (is64 ? 0xf0 : 0xe0);
    for (size_t i = 0; i < 3; i++, st += 40) {
        memcpy(st, sections[i].name, strlen(sections[i].name));
        put32(st + 8, sections[i].vsize), put32(st + 12, sections[i].va);
        put32(st + 16, sections[i].raw_size), put32(st + 20, sections[i].raw_ptr);
        put32(st + 36, sections[i].flags);
    }
}

/* Alpha 0x1010, Beta 0x1100, Gamma 0x1200 and Fwd, a forwarder to OTHER.Func. */
static void write_exports(uint8_t *b)
{
    static const char strings[] = "test.dll\0Alpha\0Beta\0Fwd\0Gamma\0OTHER.Func";
    const uint32_t s = EXP_STR;
    memcpy(b + s, strings, sizeof strings);
    put32(b + EXP_DIR + 12, s);
    put32(b + EXP_DIR + 16, 1);
    put32(b + EXP_DIR + 20, 4), put32(b + EXP_DIR + 24, 4);
    put32(b + EXP_DIR + 28, EXP_FUNCS), put32(b + EXP_DIR + 32, EXP_NAMES), put32(b + EXP_DIR + 36, EXP_ORDS);
    const uint32_t funcs[] = {0x1100, 0x1010, s + 30, 0x1200};
    const uint32_t names[] = {s + 9, s + 15, s + 20, s + 24}; /* Alpha Beta Fwd Gamma */
    const uint16_t ords[] = {1, 0, 2, 3};
    for (int i = 0; i < 4; i++) {
        put32(b + EXP_FUNCS + 4 * i, funcs[i]);
        put32(b + EXP_NAMES + 4 * i, names[i]);
        put16(b + EXP_ORDS + 2 * i, ords[i]);
    }
}

static void put_rf(uint8_t *p, uint32_t begin, uint32_t end, uint32_t unwind)
{
    put32(p, begin), put32(p + 4, end), put32(p + 8, unwind);
}

/* f1: push rbx; sub rsp,0x20; mov [rsp+0x10],rsi.
 * f2: push rbp; sub rsp,0x40; lea rbp,[rsp+0x20]; mov [rsp+0x10],rdi (frame register rbp, offset 2).
 * f3: chained to f1.  loop: chained to itself.  mach: a machine frame. */
static void write_unwind(uint8_t *b)
{
    static const uint8_t f1_code[] = {0x53, 0x48, 0x83, 0xec, 0x20, 0x48, 0x89, 0x74, 0x24, 0x10};
    memcpy(b + 0x1300, f1_code, sizeof f1_code);
    put_rf(b + PDATA, 0x1300, 0x1340, UNW_F1);
    put_rf(b + PDATA + 12, 0x1400, 0x1450, UNW_F2);
    put_rf(b + PDATA + 24, 0x1500, 0x1520, UNW_F3);
    put_rf(b + PDATA + 36, 0x1600, 0x1610, UNW_LOOP);
    put_rf(b + PDATA + 48, 0x1700, 0x1710, UNW_MACH);
    static const uint8_t f1[] = {0x01, 10, 4, 0x00, 10, 0x64, 0x02, 0x00, 5, 0x32, 1, 0x30};
    static const uint8_t f2[] = {0x01, 15, 5, 0x25, 15, 0x74, 2, 0, 10, 0x03, 5, 0x72, 1, 0x50};
    memcpy(b + UNW_F1, f1, sizeof f1);
    memcpy(b + UNW_F2, f2, sizeof f2);
    b[UNW_F3] = 0x01 | 4 << 3;
    put_rf(b + UNW_F3 + 4, 0x1300, 0x1340, UNW_F1);
    b[UNW_LOOP] = 0x01 | 4 << 3;
    put_rf(b + UNW_LOOP + 4, 0x1600, 0x1610, UNW_LOOP);
    static const uint8_t mach[] = {0x01, 0, 1, 0x00, 0, 0x0a};
    memcpy(b + UNW_MACH, mach, sizeof mach);
}

static void write_relocs(uint8_t *b, int is64)
{
    uint64_t pref = is64 ? PREF64 : PREF32;
    unsigned type = is64 ? 10 : 3;
    put32(b + RELOC, 0x1000), put32(b + RELOC + 4, RELOC_SIZE);
    put16(b + RELOC + 8, type << 12 | (RELOC_T1 - 0x1000));
    put16(b + RELOC + 10, 0); /* ABSOLUTE padding */
    put16(b + RELOC + 12, type << 12 | (RELOC_T2 - 0x1000));
    put16(b + RELOC + 14, 0);
    if (is64) put64(b + RELOC_T1, pref + 0x1010), put64(b + RELOC_T2, pref + 0x2000);
    else put32(b + RELOC_T1, (uint32_t)pref + 0x1010), put32(b + RELOC_T2, (uint32_t)pref + 0x2000);
}

static uint8_t *build_image(int is64)
{
    uint8_t *b = calloc(1, IMG_SIZE);
    assert_non_null(b);
    write_headers(b, is64);
    write_exports(b);
    if (is64) write_unwind(b);
    write_relocs(b, is64);
    return b;
}

/* ---- memory as a dump serves it: the image at its base, a stack, and optional holes ---- */

struct mem {
    uint64_t base;
    const uint8_t *image;
    uint64_t stack_va;
    uint8_t stack[0x200];
    uint64_t hole_lo, hole_hi; /* absent pages, as RVAs */
};

static int mem_read(void *user, uint64_t va, void *buf, size_t len)
{
    struct mem *m = user;
    if (va >= m->base && va - m->base <= IMG_SIZE && len <= IMG_SIZE - (va - m->base)) {
        uint64_t rva = va - m->base;
        if (rva < m->hole_hi && rva + len > m->hole_lo) return DP_ERR_FAULT;
        memcpy(buf, m->image + rva, len);
        return DP_OK;
    }
    if (m->stack_va && va >= m->stack_va && va - m->stack_va <= sizeof m->stack &&
        len <= sizeof m->stack - (va - m->stack_va)) {
        memcpy(buf, m->stack + (va - m->stack_va), len);
        return DP_OK;
    }
    return DP_ERR_FAULT;
}

static struct dp_pe *open_ok(struct mem *m)
{
    struct dp_pe *pe = NULL;
    assert_int_equal(dp_pe_open(mem_read, m, m->base, IMG_SIZE, &pe), DP_OK);
    assert_non_null(pe);
    return pe;
}

static void test_sections_and_directories(void **state)
{
    (void)state;
    for (int is64 = 0; is64 <= 1; is64++) {
        uint8_t *img = build_image(is64);
        struct mem m = {.base = is64 ? BASE64 : 0x80400000, .image = img};
        struct dp_pe *pe = open_ok(&m);
        assert_int_equal(dp_pe_machine(pe), is64 ? 0x8664 : 0x14c);
        struct dp_section s[8];
        assert_int_equal(dp_pe_sections(pe, s, 8), 3);
        assert_string_equal(s[0].name, ".text");
        assert_true(s[0].va == m.base + 0x1000);
        assert_int_equal(s[0].size, 0x900);
        assert_true(s[0].executable);
        assert_string_equal(s[1].name, ".rdata");
        assert_false(s[1].executable);
        assert_int_equal(dp_pe_sections(pe, s, 1), 3); /* count even when the buffer is short */
        uint32_t rva, size;
        assert_int_equal(dp_pe_data_directory(pe, 0, &rva, &size), DP_OK);
        assert_int_equal(rva, EXP_DIR);
        assert_int_equal(size, EXP_SIZE);
        assert_int_equal(dp_pe_data_directory(pe, 4, &rva, &size), DP_ERR_NOT_FOUND);
        assert_int_equal(dp_pe_data_directory(pe, 16, &rva, &size), DP_ERR_NOT_FOUND);
        dp_pe_close(pe);
        free(img);
    }
}

static void expect_export(struct dp_pe *pe, uint64_t addr, const char *name, uint64_t disp)
{
    const char *got = NULL;
    uint64_t d = 0;
    assert_int_equal(dp_pe_export_nearest(pe, addr, &got, &d), DP_OK);
    assert_string_equal(got, name);
    assert_true(d == disp);
}

static void test_export_nearest(void **state)
{
    (void)state;
    uint8_t *img = build_image(1);
    struct mem m = {.base = BASE64, .image = img};
    struct dp_pe *pe = open_ok(&m);
    const char *name;
    uint64_t disp;
    assert_int_equal(dp_pe_export_nearest(pe, BASE64 + 0x1000, &name, &disp), DP_ERR_NOT_FOUND);
    expect_export(pe, BASE64 + 0x1010, "Alpha", 0);
    expect_export(pe, BASE64 + 0x1050, "Alpha", 0x40);
    expect_export(pe, BASE64 + 0x1100, "Beta", 0);
    expect_export(pe, BASE64 + 0x1234, "Gamma", 0x34);
    /* the forwarder's "address" lies in the export directory: it must never be named */
    expect_export(pe, BASE64 + EXP_STR + 30, "Gamma", EXP_STR + 30 - 0x1200);
    assert_int_equal(dp_pe_export_nearest(pe, BASE64 + IMG_SIZE, &name, &disp), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_pe_export_nearest(pe, BASE64 - 1, &name, &disp), DP_ERR_NOT_FOUND);
    dp_pe_close(pe);
    free(img);
}

static int open_status(uint8_t *img, uint64_t size)
{
    struct mem m = {.base = BASE64, .image = img};
    struct dp_pe *pe = NULL;
    int rc = dp_pe_open(mem_read, &m, BASE64, size, &pe);
    if (rc == DP_OK) assert_non_null(pe), dp_pe_close(pe);
    else assert_null(pe);
    return rc;
}

static void test_malformed_headers(void **state)
{
    (void)state;
    uint8_t *img = build_image(1);
    assert_int_equal(open_status(img, IMG_SIZE), DP_OK);
    put32(img + 0x3c, 0x5000); /* e_lfanew past the end */
    assert_int_equal(open_status(img, IMG_SIZE), DP_ERR_BAD_DATA);
    put32(img + 0x3c, LFANEW);
    put16(img + LFANEW + 6, 5000); /* NumberOfSections */
    assert_int_equal(open_status(img, IMG_SIZE), DP_ERR_BAD_DATA);
    put16(img + LFANEW + 6, 3);
    put16(img + LFANEW + 20, 0x40); /* SizeOfOptionalHeader shorter than its own fields */
    assert_int_equal(open_status(img, IMG_SIZE), DP_ERR_BAD_DATA);
    put16(img + LFANEW + 20, 0xf0);
    assert_int_equal(open_status(img, 0x2800), DP_ERR_BAD_DATA); /* .reloc outside the module size */
    img[LFANEW] = 'X';
    assert_int_equal(open_status(img, IMG_SIZE), DP_ERR_BAD_DATA);
    img[LFANEW] = 'P', img[0] = 0;
    assert_int_equal(open_status(img, IMG_SIZE), DP_ERR_BAD_DATA);
    img[0] = 'M';
    struct mem m = {.base = BASE64, .image = img, .hole_lo = 0, .hole_hi = 0x1000};
    struct dp_pe *pe = NULL;
    assert_int_equal(dp_pe_open(mem_read, &m, BASE64, IMG_SIZE, &pe), DP_ERR_FAULT);
    free(img);
}

static int export_status(uint8_t *img, uint64_t hole_lo, uint64_t hole_hi)
{
    struct mem m = {.base = BASE64, .image = img, .hole_lo = hole_lo, .hole_hi = hole_hi};
    struct dp_pe *pe = open_ok(&m);
    const char *name;
    uint64_t disp;
    int rc = dp_pe_export_nearest(pe, BASE64 + 0x1100, &name, &disp);
    assert_int_equal(dp_pe_export_nearest(pe, BASE64 + 0x1100, &name, &disp), rc); /* cached */
    dp_pe_close(pe);
    return rc;
}

static void test_malformed_exports(void **state)
{
    (void)state;
    uint8_t *img = build_image(1);
    put32(img + EXP_NAMES, 0x100000); /* name RVA outside the image */
    assert_int_equal(export_status(img, 0, 0), DP_ERR_BAD_DATA);
    free(img);
    img = build_image(1);
    put32(img + EXP_DIR + 24, 0xffffffffu); /* NumberOfNames */
    assert_int_equal(export_status(img, 0, 0), DP_ERR_BAD_DATA);
    put32(img + EXP_DIR + 24, 4);
    put32(img + EXP_DIR + 32, IMG_SIZE - 8); /* AddressOfNames table runs off the image */
    assert_int_equal(export_status(img, 0, 0), DP_ERR_BAD_DATA);
    put32(img + EXP_DIR + 32, EXP_NAMES);
    put16(img + EXP_ORDS + 2, 4000); /* Beta's ordinal out of range: only Beta is lost */
    assert_int_equal(export_status(img, 0, 0), DP_OK);
    put16(img + EXP_ORDS + 2, 0);
    assert_int_equal(export_status(img, 0x2000, 0x3000), DP_ERR_FAULT); /* export pages absent */
    memset(img + EXP_STR, 'A', 0x300); /* names without a terminator within reach */
    assert_int_equal(export_status(img, 0, 0), DP_ERR_NOT_FOUND);
    free(img);
    img = build_image(1);
    uint8_t *dirs = img + dir_offset(1);
    put32(dirs + 4, 0); /* no export directory */
    assert_int_equal(export_status(img, 0, 0), DP_ERR_NOT_FOUND);
    free(img);
}

static void test_runtime_function(void **state)
{
    (void)state;
    uint8_t *img = build_image(1);
    struct mem m = {.base = BASE64, .image = img};
    struct dp_pe *pe = open_ok(&m);
    uint32_t b, e, u;
    assert_int_equal(dp_pe_runtime_function(pe, 0x1420, &b, &e, &u), DP_OK);
    assert_int_equal(b, 0x1400), assert_int_equal(e, 0x1450), assert_int_equal(u, UNW_F2);
    assert_int_equal(dp_pe_runtime_function(pe, 0x1300, &b, &e, &u), DP_OK);
    assert_int_equal(u, UNW_F1);
    assert_int_equal(dp_pe_runtime_function(pe, 0x170f, &b, &e, &u), DP_OK);
    assert_int_equal(u, UNW_MACH);
    assert_int_equal(dp_pe_runtime_function(pe, 0x1340, &b, &e, &u), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_pe_runtime_function(pe, 0x10, &b, &e, &u), DP_ERR_NOT_FOUND);
    assert_int_equal(dp_pe_runtime_function(pe, 0x3000, &b, &e, &u), DP_ERR_NOT_FOUND);
    dp_pe_close(pe);
    free(img);
    img = build_image(0);
    m.image = img;
    pe = open_ok(&m);
    assert_int_equal(dp_pe_runtime_function(pe, 0x1300, &b, &e, &u), DP_ERR_NOT_APPLICABLE);
    dp_pe_close(pe);
    free(img);
}

#define STACK 0xffff850000001000ull

static struct dp_regs regs_at(uint64_t ip, uint64_t sp)
{
    struct dp_regs r = {.arch = DP_ARCH_X64, .ip = ip, .sp = sp};
    for (int i = 0; i < 16; i++) r.gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    r.gpr[4] = sp;
    return r;
}

/* f1 from its body: rsi at +0x10, rbx at +0x20, return address at +0x28 above rsp. */
static void check_f1_body(struct dp_pe *pe, struct mem *m, uint64_t ip)
{
    memset(m->stack, 0, sizeof m->stack);
    put64(m->stack + 0x10, 0x5151);
    put64(m->stack + 0x20, 0xb0b0);
    put64(m->stack + 0x28, 0xfffff80011112222ull);
    struct dp_regs r = regs_at(ip, STACK);
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_OK);
    assert_true(r.ip == 0xfffff80011112222ull);
    assert_true(r.sp == STACK + 0x30 && r.gpr[4] == STACK + 0x30);
    assert_true(r.gpr[3] == 0xb0b0 && r.gpr[6] == 0x5151);
    assert_true(r.gpr[7] == 0x8888888888888888ull); /* untouched */
}

static void test_unwind(void **state)
{
    (void)state;
    uint8_t *img = build_image(1);
    struct mem m = {.base = BASE64, .image = img, .stack_va = STACK};
    struct dp_pe *pe = open_ok(&m);
    check_f1_body(pe, &m, BASE64 + 0x1320);
    check_f1_body(pe, &m, BASE64 + 0x1510); /* chained to f1 */

    /* f1 after only "push rbx": rbx at rsp, return address above it */
    put64(m.stack, 0xb1b1), put64(m.stack + 8, 0xfffff80033334444ull);
    struct dp_regs r = regs_at(BASE64 + 0x1301, STACK);
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_OK);
    assert_true(r.ip == 0xfffff80033334444ull && r.sp == STACK + 0x10 && r.gpr[3] == 0xb1b1);

    /* f2 with a frame pointer: rsp is wherever alloca left it; rbp - 0x20 is the fixed allocation */
    put64(m.stack + 0x110, 0xd1d1), put64(m.stack + 0x140, 0xbbbb), put64(m.stack + 0x148, 0xfffff80055556666ull);
    r = regs_at(BASE64 + 0x1430, STACK + 0x20);
    r.gpr[5] = STACK + 0x120;
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_OK);
    assert_true(r.ip == 0xfffff80055556666ull && r.sp == STACK + 0x150);
    assert_true(r.gpr[5] == 0xbbbb && r.fp == 0xbbbb && r.gpr[7] == 0xd1d1);
    /* f2 stopped after "sub rsp,0x40": rbp still holds the caller's value */
    r = regs_at(BASE64 + 0x1405, STACK + 0x100);
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_OK);
    assert_true(r.ip == 0xfffff80055556666ull && r.sp == STACK + 0x150 && r.gpr[5] == 0xbbbb);
    assert_true(r.gpr[7] == 0x8888888888888888ull); /* the save had not run */

    /* machine frame: rip at rsp, rsp at rsp+24 */
    put64(m.stack, 0xfffff80077778888ull), put64(m.stack + 24, STACK + 0x180);
    r = regs_at(BASE64 + 0x1704, STACK);
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_OK);
    assert_true(r.ip == 0xfffff80077778888ull && r.sp == STACK + 0x180);

    r = regs_at(BASE64 + 0x1604, STACK); /* chain that loops */
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_ERR_BAD_DATA);
    r = regs_at(BASE64 + 0x1320, STACK + 0x1f8); /* saved slots run off the stack */
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_ERR_FAULT);
    r = regs_at(BASE64 + 0x1800, STACK); /* no .pdata entry: a leaf */
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_ERR_NOT_FOUND);
    img[UNW_F1 + 2] = 1; /* CountOfCodes cuts a two-slot operation in half */
    r = regs_at(BASE64 + 0x1320, STACK);
    assert_int_equal(dp_pe_unwind_frame(pe, &r), DP_ERR_BAD_DATA);
    dp_pe_close(pe);
    free(img);
}

/* Random corruption of headers, exports and unwind data: only statuses may come back. */
static void test_corruption_never_crashes(void **state)
{
    (void)state;
    uint8_t *clean = build_image(1);
    srand(12345);
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t *img = malloc(IMG_SIZE);
        memcpy(img, clean, IMG_SIZE);
        for (int k = 0; k < 4; k++) {
            uint32_t at = (uint32_t)rand() % (iter % 2 ? 0x400 : IMG_SIZE);
            img[iter % 3 ? at : (0x2000 + at % 0x400)] = (uint8_t)rand();
        }
        struct mem m = {.base = BASE64, .image = img, .stack_va = STACK};
        struct dp_pe *pe = NULL;
        if (dp_pe_open(mem_read, &m, BASE64, IMG_SIZE, &pe) == DP_OK) {
            struct dp_section s[DP_PE_MAX_SECTIONS];
            assert_true(dp_pe_sections(pe, s, DP_PE_MAX_SECTIONS) <= DP_PE_MAX_SECTIONS);
            const char *name;
            uint64_t disp;
            if (dp_pe_export_nearest(pe, BASE64 + 0x1234, &name, &disp) == DP_OK) assert_true(strlen(name) < 512);
            struct dp_regs r = regs_at(BASE64 + 0x1320, STACK);
            (void)dp_pe_unwind_frame(pe, &r);
            dp_pe_close(pe);
        }
        free(img);
    }
    free(clean);
}

/* ---- files on disk ---- */

static char *write_file(const uint8_t *img, size_t file_size)
{
    uint8_t *f = calloc(1, FILE_SIZE);
    assert_non_null(f);
    memcpy(f, img, 0x400);
    for (size_t i = 0; i < 3; i++)
        memcpy(f + sections[i].raw_ptr, img + sections[i].va,
               sections[i].raw_size < sections[i].vsize ? sections[i].raw_size : sections[i].vsize);
    memset(f + 0x1400 + 0x100, 0xee, 0x100); /* file padding past .reloc's virtual size */
    char *path = strdup("/tmp/dp_test_pe_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f, file_size), (ssize_t)file_size);
    close(fd);
    free(f);
    return path;
}

static void test_load_file(void **state)
{
    (void)state;
    for (int is64 = 0; is64 <= 1; is64++) {
        uint8_t *img = build_image(is64);
        char *path = write_file(img, FILE_SIZE);
        uint64_t pref = is64 ? PREF64 : PREF32, base = is64 ? BASE64 : 0x80400000;
        uint8_t *out = NULL;
        size_t size = 0;
        char err[256] = "";
        assert_int_equal(dp_pe_load_file(path, base, &out, &size, err, sizeof err), DP_OK);
        assert_int_equal(size, IMG_SIZE);
        assert_memory_equal(out + 0x1000, img + 0x1000, 0x700); /* code before the relocated slots */
        assert_memory_equal(out + 0x2000, img + 0x2000, 0x800);
        for (size_t i = 0x1800; i < 0x1900; i++) assert_int_equal(out[i], 0); /* past raw data: zero */
        assert_int_equal(out[0x3100], 0);
        if (is64) {
            assert_true(get64(out + RELOC_T1) == base + 0x1010 && get64(out + RELOC_T2) == base + 0x2000);
        } else {
            assert_true(get32(out + RELOC_T1) == (uint32_t)base + 0x1010);
            assert_true(get32(out + RELOC_T2) == (uint32_t)base + 0x2000);
        }
        free(out);
        assert_int_equal(dp_pe_load_file(path, pref, &out, &size, err, sizeof err), DP_OK);
        assert_memory_equal(out + 0x1000, img + 0x1000, 0x800); /* at its preferred base: untouched */
        free(out);
        unlink(path);
        free(path);
        free(img);
    }
}

static int load_status(uint8_t *img, size_t file_size, char *err, size_t errlen)
{
    char *path = write_file(img, file_size);
    uint8_t *out = NULL;
    size_t size;
    int rc = dp_pe_load_file(path, BASE64, &out, &size, err, errlen);
    if (rc == DP_OK) free(out);
    else assert_non_null(strstr(err, path));
    unlink(path);
    free(path);
    return rc;
}

static void test_load_file_malformed(void **state)
{
    (void)state;
    char err[256];
    uint8_t *img = build_image(1);
    assert_int_equal(load_status(img, 0x1000, err, sizeof err), DP_ERR_BAD_DATA); /* truncated */
    assert_non_null(strstr(err, "past the end"));
    put32(img + RELOC + 4, 0); /* relocation block of size 0 */
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_ERR_BAD_DATA);
    put32(img + RELOC + 4, 0x20); /* block longer than the directory */
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_ERR_BAD_DATA);
    put32(img + RELOC + 4, RELOC_SIZE);
    put32(img + RELOC, 0x3ffc); /* target past SizeOfImage */
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_ERR_BAD_DATA);
    put32(img + RELOC, 0x1000);
    put32(img + LFANEW + 24 + 56, 0x40000000u); /* SizeOfImage 1 GiB */
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_ERR_BAD_DATA);
    put32(img + LFANEW + 24 + 56, IMG_SIZE);
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_OK);
    put32(img + dir_offset(1) + 44, 0); /* must move, but no relocations */
    assert_int_equal(load_status(img, FILE_SIZE, err, sizeof err), DP_ERR_NOT_APPLICABLE);
    free(img);
    uint8_t *out;
    size_t size;
    assert_int_equal(dp_pe_load_file("/nonexistent/x.sys", 0, &out, &size, err, sizeof err), DP_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/x.sys"));
}

/* The real triage dump: ntoskrnl's headers are in it, its export pages are not. */
static int dump_read(void *user, uint64_t va, void *buf, size_t len) { return dp_dump_read_virt(user, va, buf, len); }

static void test_real_dump_kernel_image(void **state)
{
    (void)state;
    const char *dir = getenv("DP_REAL_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/triage_x64.dmp", dir ? dir : "");
    if (!dir || access(path, R_OK) != 0) skip();
    struct dp_dump *d;
    char err[256];
    assert_int_equal(dp_dump_open(path, &d, err, sizeof err), DP_OK);
    const struct dp_module *nt = NULL;
    for (size_t i = 0; i < dp_dump_module_count(d); i++)
        if (strcmp(dp_dump_module(d, i)->name, "ntoskrnl.exe") == 0) nt = dp_dump_module(d, i);
    assert_non_null(nt);
    struct dp_pe *pe;
    assert_int_equal(dp_pe_open(dump_read, d, nt->base, nt->size, &pe), DP_OK);
    assert_int_equal(dp_pe_machine(pe), DP_PE_MACHINE_AMD64);
    struct dp_section s[DP_PE_MAX_SECTIONS];
    size_t n = dp_pe_sections(pe, s, DP_PE_MAX_SECTIONS);
    const uint64_t rip = 0xfffff8047bdf5a80ull; /* nt!KeBugCheckEx, from the README */
    int rip_in_code = 0;
    for (size_t i = 0; i < n; i++) rip_in_code |= s[i].executable && rip >= s[i].va && rip - s[i].va < s[i].size;
    assert_true(rip_in_code);
    const char *name;
    uint64_t disp;
    assert_int_equal(dp_pe_export_nearest(pe, rip, &name, &disp), DP_ERR_FAULT);
    dp_pe_close(pe);
    dp_dump_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_directories),
        cmocka_unit_test(test_export_nearest),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_malformed_exports),
        cmocka_unit_test(test_runtime_function),
        cmocka_unit_test(test_unwind),
        cmocka_unit_test(test_corruption_never_crashes),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_file_malformed),
        cmocka_unit_test(test_real_dump_kernel_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
