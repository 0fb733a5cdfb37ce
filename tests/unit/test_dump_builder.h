/* Builds small but complete Windows kernel dumps for the dump-reader tests: real page tables (x86,
 * PAE, x64), a loaded-module list, a context record, stored as runs (DumpType 1) or as a bitmap
 * (DumpType 5), with options that corrupt one thing at a time. Independent of tests/gen on purpose:
 * the reader's tests must not depend on the generator they are meant to check. */
#ifndef TEST_DUMP_BUILDER_H
#define TEST_DUMP_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum tb_arch { TB_X86, TB_PAE, TB_X64 };

#define TB_NPHYS 48u        /* physical pages in the machine */
#define TB_DATA_PFN_TOP 31u /* virtual page i of the kernel window maps to PFN 31 - i (i < 16) */
#define TB_ABSENT_PFN 44u   /* mapped at window page 16, but not stored in the dump */
#define TB_VA_X86 0x80000000ull
#define TB_VA_X64 0xfffff80000000000ull

struct tb_spec {
    enum tb_arch arch;
    int bitmap;            /* DumpType 5 "SDMP" instead of DumpType 1 runs */
    int run_count_fill;    /* NumberOfRuns = "PAGE" */
    int overlap;           /* second run starts inside the first */
    size_t truncate;       /* bytes cut off the end of the file */
    uint64_t bitmap_pages; /* nonzero: Pages field of the bitmap header */
    int popcount_off;      /* TotalPresentPages one too many */
    int cyclic;            /* second module's Flink points back at the first */
};

struct tb_image {
    uint8_t phys[TB_NPHYS][4096];
    uint64_t va_base, dtb, module_head, entries[2];
    unsigned ptr;
};

static inline int tb_present(uint64_t pfn) { return pfn < 8 || (pfn >= 16 && pfn < 40); }

static inline void tb_put(uint8_t *p, uint64_t v, unsigned size) { memcpy(p, &v, size); }

static inline uint64_t tb_window_pfn(uint64_t page) { return page < 16 ? TB_DATA_PFN_TOP - page : TB_ABSENT_PFN; }

/* The builder's own view of the mapping, to write structures and to compute expected reads. */
static inline uint8_t *tb_vptr(struct tb_image *im, uint64_t va)
{
    uint64_t off = va - im->va_base;
    return &im->phys[tb_window_pfn(off >> 12)][off & 0xfff];
}
static inline void tb_vwrite(struct tb_image *im, uint64_t va, const void *src, size_t len)
{
    const uint8_t *s = src;
    for (size_t i = 0; i < len; i++) *tb_vptr(im, va + i) = s[i];
}
static inline void tb_vput(struct tb_image *im, uint64_t va, uint64_t v, unsigned size)
{
    tb_vwrite(im, va, &v, size);
}

/* Page tables mapping 17 pages of the kernel window; table pages are PFN 1..4. */
static inline void tb_page_tables(struct tb_image *im, enum tb_arch arch)
{
    const uint64_t rw = 3; /* present | writable */
    if (arch == TB_X64) {
        im->dtb = 0x1000;
        tb_put(&im->phys[1][0x1f0 * 8], 2 << 12 | rw, 8); /* PML4[0x1f0] covers 0xfffff80000000000 */
        tb_put(&im->phys[2][0], 3 << 12 | rw, 8);
        tb_put(&im->phys[3][0], 4 << 12 | rw, 8);
        for (uint64_t i = 0; i <= 16; i++) tb_put(&im->phys[4][i * 8], tb_window_pfn(i) << 12 | rw, 8);
    } else if (arch == TB_PAE) {
        im->dtb = 0x1020; /* a PAE PDPT is only 32-byte aligned */
        tb_put(&im->phys[1][0x20 + 2 * 8], 2 << 12 | 1, 8); /* PDPT[2] covers 0x80000000 */
        tb_put(&im->phys[2][0], 3 << 12 | rw, 8);
        for (uint64_t i = 0; i <= 16; i++) tb_put(&im->phys[3][i * 8], tb_window_pfn(i) << 12 | rw, 8);
    } else {
        im->dtb = 0x1000;
        tb_put(&im->phys[1][0x200 * 4], 2 << 12 | rw, 4); /* PDE[0x200] covers 0x80000000 */
        for (uint64_t i = 0; i <= 16; i++) tb_put(&im->phys[2][i * 4], tb_window_pfn(i) << 12 | rw, 4);
    }
}

/* KLDR_DATA_TABLE_ENTRY fields: DllBase, SizeOfImage, BaseDllName, CheckSum, TimeDateStamp. */
static inline void tb_module(struct tb_image *im, uint64_t entry, uint64_t flink, uint64_t blink, const char *name,
                             uint64_t name_va, uint64_t base, uint32_t size)
{
    int x64 = im->ptr == 8;
    size_t n = strlen(name);
    tb_vput(im, entry, flink, im->ptr);
    tb_vput(im, entry + im->ptr, blink, im->ptr);
    tb_vput(im, entry + (x64 ? 0x30 : 0x18), base, im->ptr);
    tb_vput(im, entry + (x64 ? 0x40 : 0x20), size, 4);
    tb_vput(im, entry + (x64 ? 0x58 : 0x2c), n * 2, 2);
    tb_vput(im, entry + (x64 ? 0x5a : 0x2e), n * 2, 2);
    tb_vput(im, entry + (x64 ? 0x60 : 0x30), name_va, im->ptr);
    tb_vput(im, entry + (x64 ? 0x78 : 0x40), 0x1234, 4);
    tb_vput(im, entry + (x64 ? 0x80 : 0x44), 0x5f000000u + (uint32_t)n, 4);
    for (size_t i = 0; i < n; i++) tb_vput(im, name_va + 2 * i, (uint8_t)name[i], 2);
}

/* Two modules; the second entry straddles a page boundary of the (non-contiguous) window. */
static inline void tb_modules(struct tb_image *im, int cyclic)
{
    uint64_t b = im->va_base, head = b + 0x100, e1 = b + 0x1000, e2 = b + 0x2000 - 0x40;
    im->module_head = head;
    im->entries[0] = e1;
    im->entries[1] = e2;
    tb_vput(im, head, e1, im->ptr);
    tb_vput(im, head + im->ptr, e2, im->ptr);
    tb_module(im, e1, e2, head, "ntoskrnl.exe", b + 0x3000, im->ptr == 8 ? 0xfffff80001000000ull : 0x80400000, 0x800000);
    tb_module(im, e2, cyclic ? e1 : head, e1, "amdppm.sys", b + 0x3100, im->ptr == 8 ? 0xfffff80002000000ull : 0x81000000,
              0x20000);
}

static inline void tb_fill(struct tb_image *im)
{
    for (unsigned p = 0; p < TB_NPHYS; p++)
        for (unsigned i = 0; i < 4096; i++) im->phys[p][i] = (uint8_t)(p * 7 + i / 16);
}

static inline struct tb_image *tb_image_new(const struct tb_spec *s)
{
    struct tb_image *im = calloc(1, sizeof *im);
    tb_fill(im);
    memset(im->phys[1], 0, 4096 * 4); /* page-table pages start empty */
    im->ptr = s->arch == TB_X64 ? 8 : 4;
    im->va_base = s->arch == TB_X64 ? TB_VA_X64 : TB_VA_X86;
    tb_page_tables(im, s->arch);
    tb_modules(im, s->cyclic);
    return im;
}

/* Main header fields the tests check. */
#define TB_BUGCHECK 0x7eu
#define TB_BUILD 7601u
#define TB_RIP_X64 0xfffff80001234567ull
#define TB_RIP_X86 0x80401234u

static inline void tb_header(uint8_t *h, const struct tb_spec *s, const struct tb_image *im)
{
    int x64 = s->arch == TB_X64;
    size_t hsize = x64 ? 0x2000 : 0x1000;
    for (size_t i = 0; i < hsize; i += 4) memcpy(h + i, "PAGE", 4);
    memcpy(h + 4, x64 ? "DU64" : "DUMP", 4);
    tb_put(h + 8, 0xf, 4);
    tb_put(h + 0xc, TB_BUILD, 4);
    tb_put(h + 0x10, im->dtb, im->ptr);
    if (x64) {
        tb_put(h + 0x18, 0xfffffa8000000000ull, 8);
        tb_put(h + 0x20, im->module_head, 8);
        tb_put(h + 0x28, 0, 8);
        tb_put(h + 0x30, 0x8664, 4);
        tb_put(h + 0x34, 2, 4);
        tb_put(h + 0x38, TB_BUGCHECK, 4);
        for (unsigned k = 0; k < 4; k++) tb_put(h + 0x40 + 8 * k, 0x1000 + k, 8);
        tb_put(h + 0x80, 0, 8);
        memset(h + 0x348, 0, 0x4d0);
        tb_put(h + 0x348 + 0xf8, TB_RIP_X64, 8);
        tb_put(h + 0x348 + 0x98, im->va_base + 0x800, 8); /* rsp */
        tb_put(h + 0x348 + 0x44, 0x246, 4);
        tb_put(h + 0xf98, s->bitmap ? 5 : 1, 4);
        tb_put(h + 0xfa8, 0x01d9000000000000ull, 8);
    } else {
        tb_put(h + 0x14, 0x84000000u, 4);
        tb_put(h + 0x18, im->module_head, 4);
        tb_put(h + 0x1c, 0, 4);
        tb_put(h + 0x20, 0x14c, 4);
        tb_put(h + 0x24, 1, 4);
        tb_put(h + 0x28, TB_BUGCHECK, 4);
        for (unsigned k = 0; k < 4; k++) tb_put(h + 0x2c + 4 * k, 0x1000 + k, 4);
        h[0x5c] = s->arch == TB_PAE;
        tb_put(h + 0x60, 0, 4);
        memset(h + 0x320, 0, 0x2cc);
        tb_put(h + 0x320 + 0xb8, TB_RIP_X86, 4);
        tb_put(h + 0x320 + 0xc4, im->va_base + 0x800, 4); /* esp */
        tb_put(h + 0x320 + 0xc0, 0x246, 4);
        tb_put(h + 0xf88, s->bitmap ? 5 : 1, 4);
        tb_put(h + 0xfc0, 0x01d9000000000000ull, 8);
    }
}

static inline void tb_runs(uint8_t *h, const struct tb_spec *s)
{
    int x64 = s->arch == TB_X64;
    uint8_t *desc = h + (x64 ? 0x88 : 0x64), *run = desc + (x64 ? 0x10 : 8);
    unsigned w = x64 ? 8 : 4;
    uint64_t second = s->overlap ? 4 : 16;
    tb_put(desc, s->run_count_fill ? 0x45474150u : 2, 4);
    tb_put(desc + (x64 ? 8 : 4), 8 + 24, w);
    tb_put(run, 0, w), tb_put(run + w, 8, w);
    tb_put(run + 2 * w, second, w), tb_put(run + 3 * w, 24, w);
}

static inline void tb_write_pages(FILE *f, struct tb_image *im)
{
    for (unsigned p = 0; p < TB_NPHYS; p++)
        if (tb_present(p)) fwrite(im->phys[p], 1, 4096, f);
}

static inline void tb_bitmap(FILE *f, const struct tb_spec *s, size_t hsize)
{
    uint8_t bh[0x1000] = {0};
    memcpy(bh, "SDMP", 4);
    memcpy(bh + 4, "DUMP", 4);
    tb_put(bh + 0x20, hsize + 0x1000, 8);
    tb_put(bh + 0x28, 32 + (s->popcount_off ? 1 : 0), 8);
    tb_put(bh + 0x30, s->bitmap_pages ? s->bitmap_pages : TB_NPHYS, 8);
    for (unsigned p = 0; p < TB_NPHYS; p++)
        if (tb_present(p)) bh[0x38 + p / 8] |= (uint8_t)(1u << (p % 8));
    fwrite(bh, 1, sizeof bh, f);
}

/* Writes the dump to PATH; returns the image (the expected memory) for the caller to free. */
static inline struct tb_image *tb_write(const char *path, const struct tb_spec *s)
{
    struct tb_image *im = tb_image_new(s);
    size_t hsize = s->arch == TB_X64 ? 0x2000 : 0x1000;
    uint8_t *h = calloc(1, hsize);
    tb_header(h, s, im);
    if (!s->bitmap) tb_runs(h, s);
    FILE *f = fopen(path, "wb");
    fwrite(h, 1, hsize, f);
    if (s->bitmap) tb_bitmap(f, s, hsize);
    tb_write_pages(f, im);
    long size = ftell(f);
    fclose(f);
    free(h);
    if (s->truncate && truncate(path, size - (long)s->truncate) != 0) perror("truncate");
    return im;
}

/* A fresh directory for test files; removed by tb_rmdir. */
static inline char *tb_mkdtemp(void)
{
    char *dir = strdup("/tmp/dp-dump-test.XXXXXX");
    return mkdtemp(dir);
}
static inline void tb_rmdir(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    free(dir);
}

#endif
