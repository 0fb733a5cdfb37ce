/* Benchmark input: a large x64 run-based complete dump (DumpType 1) with small-pool pages spread
 * through pseudo-random filler, written in big sequential chunks so a 2 GiB file takes seconds.
 * Usage: dp_bench_gen OUT [MiB=2048] [pool page every N pages=16] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define HEADER 0x2000u
#define CHUNK_PAGES 256u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void fill_random(uint8_t *page)
{
    for (unsigned i = 0; i < PAGE; i += 8) put(page + i, next_random(), 8);
}

/* A page of x64 pool blocks (16-byte headers) that chain from the base to the end; when CORRUPT, one
 * header in the middle gets a zero BlockSize. */
static void fill_pool(uint8_t *page, int corrupt)
{
    static const char tags[][5] = {"Proc", "Thre", "File", "Even", "MmSt", "Irp ", "NtFs", "Toke"};
    unsigned off = 0, prev = 0, n = 0;
    fill_random(page);
    while (off < PAGE) {
        unsigned units = 1 + (unsigned)(next_random() % 24), left = (PAGE - off) / 16;
        const char *tag = tags[next_random() % 8];
        if (units > left || left - units < 2) units = left;
        page[off] = (uint8_t)prev, page[off + 1] = 0, page[off + 2] = (uint8_t)units;
        page[off + 3] = (next_random() & 3) ? 2 : 0;
        memcpy(page + off + 4, tag, 4);
        if (corrupt && n == 3) page[off + 2] = 0;
        prev = units, off += units * 16, n++;
    }
}

static void write_header(FILE *f, uint64_t pages)
{
    static uint8_t h[HEADER];
    memset(h, 0, sizeof h);
    memcpy(h, "PAGEDU64", 8);
    put(h + 0x08, 0xf, 4);
    put(h + 0x0c, 7601, 4);
    put(h + 0x10, 0x1000, 8); /* DTB: no page tables are needed for a physical scan */
    put(h + 0x30, 0x8664, 4);
    put(h + 0x34, 1, 4);
    put(h + 0x38, 0x19, 4);
    put(h + 0x88, 1, 4);        /* one run */
    put(h + 0x90, pages, 8);    /* NumberOfPages */
    put(h + 0x98, 0, 8);        /* run 0 BasePage */
    put(h + 0xa0, pages, 8);    /* run 0 PageCount */
    put(h + 0xf98, 1, 4);       /* DumpType FULL */
    put(h + 0xfa0, HEADER + pages * PAGE, 8);
    fwrite(h, 1, sizeof h, f);
}

int main(int argc, char **argv)
{
    uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 0) : 2048, every = argc > 3 ? strtoull(argv[3], NULL, 0) : 16;
    uint64_t pages, pool = 0, corrupt = 0;
    uint8_t *chunk;
    FILE *f;
    if (argc < 2 || mib == 0 || every == 0) {
        fprintf(stderr, "usage: %s OUT [MiB] [pool page every N pages]\n", argv[0]);
        return 2;
    }
    pages = mib * 256;
    chunk = malloc((size_t)CHUNK_PAGES * PAGE);
    f = fopen(argv[1], "wb");
    if (!chunk || !f) {
        perror(argv[1]);
        return 1;
    }
    write_header(f, pages);
    for (uint64_t base = 0; base < pages; base += CHUNK_PAGES) {
        unsigned n = pages - base < CHUNK_PAGES ? (unsigned)(pages - base) : CHUNK_PAGES;
        for (unsigned i = 0; i < n; i++) {
            uint64_t pfn = base + i;
            uint8_t *page = chunk + (size_t)i * PAGE;
            if (pfn % every == 1) {
                int bad = (pool % 1000) == 999;
                fill_pool(page, bad);
                pool++, corrupt += (uint64_t)bad;
            } else {
                fill_random(page);
            }
        }
        if (fwrite(chunk, PAGE, n, f) != n) {
            perror(argv[1]);
            return 1;
        }
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    free(chunk);
    printf("%s: %llu pages (%llu MiB), %llu pool pages, %llu of them corrupt\n", argv[1], (unsigned long long)pages,
           (unsigned long long)mib, (unsigned long long)pool, (unsigned long long)corrupt);
    return 0;
}
