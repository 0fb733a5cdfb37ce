/* Physical page stores of Windows dumps: the run list of complete dumps (DumpType 1) and the bitmaps of
 * kernel/complete bitmap dumps (5/6) and old summary dumps (2). Reference sections 1.4, 1.6, 1.7. */
#include "dump_internal.h"

#include <stdlib.h>

#define SIG_PAGE 0x45474150u
#define SIG_DUMP 0x504d5544u
#define SIG_SDMP 0x504d4453u
#define SIG_FDMP 0x504d4446u

#define X86_DESCRIPTOR 0x64
#define X64_DESCRIPTOR 0x88
#define X86_MAX_RUNS 86u
#define X64_MAX_RUNS 43u

/* ---- run-based dumps ---- */

static int check_run(struct dp_dump *d, uint32_t i, uint64_t base, uint64_t count, uint64_t file_off,
                     char *err, size_t errlen)
{
    if (base > DP_MAX_PFN || count > DP_MAX_PFN - base)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "run %u (PFN 0x%llx, 0x%llx pages) lies beyond any physical address", i,
                            (unsigned long long)base, (unsigned long long)count);
    if (d->n_runs) {
        const struct dp_extent *prev = &d->runs[d->n_runs - 1];
        if (base < prev->first_pfn + prev->n_pages)
            return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "run %u (PFN 0x%llx) %s run %u", i,
                                (unsigned long long)base, base >= prev->first_pfn ? "overlaps" : "is sorted before",
                                i - 1);
    }
    if (!dp_map_has(&d->map, file_off, count << DP_PAGE_SHIFT))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "run %u (PFN 0x%llx, 0x%llx pages at file offset 0x%llx) extends past the end of the "
                            "file (size 0x%zx)",
                            i, (unsigned long long)base, (unsigned long long)count, (unsigned long long)file_off,
                            d->map.size);
    return DP_OK;
}

int dp_win_load_runs(struct dp_dump *d, char *err, size_t errlen)
{
    int is64 = d->info.ptr_size == 8;
    uint64_t desc = is64 ? X64_DESCRIPTOR : X86_DESCRIPTOR;
    uint32_t max_runs = is64 ? X64_MAX_RUNS : X86_MAX_RUNS;
    uint32_t n = dp_le32(&d->map, desc);
    uint64_t declared = is64 ? dp_le64(&d->map, desc + 8) : dp_le32(&d->map, desc + 4);
    uint64_t entries = desc + (is64 ? 0x10 : 8), entry_size = is64 ? 16 : 8;

    if (n == SIG_PAGE)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "complete dump whose physical memory descriptor was never written (\"PAGE\" fill)");
    if (n > max_runs)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "run count %u exceeds the %u the descriptor holds",
                            n, max_runs);
    d->runs = calloc(n ? n : 1, sizeof *d->runs);
    if (!d->runs) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    d->phys_kind = DP_PHYS_EXTENTS;

    uint64_t file_off = d->header_size, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = entries + i * entry_size;
        uint64_t base = is64 ? dp_le64(&d->map, e) : dp_le32(&d->map, e);
        uint64_t count = is64 ? dp_le64(&d->map, e + 8) : dp_le32(&d->map, e + 4);
        int rc = check_run(d, i, base, count, file_off, err, errlen);
        if (rc) return rc;
        if (!count) continue; /* an empty run holds nothing and breaks no ordering */
        d->runs[d->n_runs++] = (struct dp_extent){base, count, file_off};
        file_off += count << DP_PAGE_SHIFT;
        total += count;
    }
    if (total != declared)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "NumberOfPages 0x%llx does not match the 0x%llx pages of its runs",
                            (unsigned long long)declared, (unsigned long long)total);
    d->info.phys_pages_present = total;
    return DP_OK;
}

/* ---- bitmaps ---- */

static int bit_at(const struct dp_dump *d, uint64_t pfn)
{
    return (d->map.base[d->bmp.bits_off + (pfn >> 3)] >> (pfn & 7)) & 1;
}

/* Set bits of the bitmap byte at index byte_idx that belong to PFNs below nbits. */
static unsigned byte_bits(const struct dp_dump *d, uint64_t byte_idx)
{
    unsigned b = d->map.base[d->bmp.bits_off + byte_idx];
    uint64_t left = d->bmp.nbits - byte_idx * 8;
    if (left < 8) b &= (1u << left) - 1;
    return b;
}

/* Fills the rank table and returns the number of set bits. */
static uint64_t build_rank(struct dp_dump *d)
{
    uint64_t nbytes = (d->bmp.nbits + 7) / 8, count = 0;
    const uint64_t block_bytes = DP_RANK_BLOCK_BITS / 8;
    for (uint64_t i = 0; i < nbytes; i++) {
        if (i % block_bytes == 0) d->bmp.rank[i / block_bytes] = count;
        count += (unsigned)__builtin_popcount(byte_bits(d, i));
    }
    return count;
}

/* Index of the stored page holding PFN (which must be present): O(1), at most one block's bytes. */
static uint64_t rank_of(const struct dp_dump *d, uint64_t pfn)
{
    const uint64_t block_bytes = DP_RANK_BLOCK_BITS / 8;
    uint64_t byte = pfn >> 3, r = d->bmp.rank[byte / block_bytes];
    for (uint64_t i = byte - byte % block_bytes; i < byte; i++) r += (unsigned)__builtin_popcount(byte_bits(d, i));
    return r + (unsigned)__builtin_popcount(byte_bits(d, byte) & ((1u << (pfn & 7)) - 1));
}

/* First PFN >= pfn whose bit equals want, or nbits; skips whole bytes that cannot hold it. */
static uint64_t next_bit(const struct dp_dump *d, uint64_t pfn, int want)
{
    while (pfn < d->bmp.nbits) {
        if ((pfn & 7) == 0) {
            unsigned b = d->map.base[d->bmp.bits_off + (pfn >> 3)];
            if (b == (want ? 0x00u : 0xffu)) {
                pfn += 8;
                continue;
            }
        }
        if (bit_at(d, pfn) == want) return pfn;
        pfn++;
    }
    return d->bmp.nbits;
}

/* Maximal runs of set bits, computed once for dp_dump_run. */
static int build_bitmap_runs(struct dp_dump *d)
{
    size_t n = 0;
    for (uint64_t p = next_bit(d, 0, 1); p < d->bmp.nbits; p = next_bit(d, next_bit(d, p, 0), 1)) n++;
    d->runs = calloc(n ? n : 1, sizeof *d->runs);
    if (!d->runs) return DP_ERR_NOMEM;
    uint64_t stored = 0;
    for (uint64_t p = next_bit(d, 0, 1); p < d->bmp.nbits && d->n_runs < n;) {
        uint64_t end = next_bit(d, p, 0);
        d->runs[d->n_runs++] = (struct dp_extent){p, end - p, d->bmp.first_page + (stored << DP_PAGE_SHIFT)};
        stored += end - p;
        p = next_bit(d, end, 1);
    }
    return DP_OK;
}

/* Validates and indexes a bitmap whose fields were read by the caller (layouts differ by DumpType). */
static int load_bitmap(struct dp_dump *d, uint64_t bits_off, uint64_t nbits, uint64_t first_page, uint64_t present,
                       char *err, size_t errlen)
{
    if (nbits > DP_MAX_PFN)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "bitmap covers 0x%llx pages, beyond any machine",
                            (unsigned long long)nbits);
    uint64_t nbytes = (nbits + 7) / 8;
    if (!dp_map_has(&d->map, bits_off, nbytes))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "bitmap of 0x%llx bits (0x%llx bytes at 0x%llx) is larger than the file (size 0x%zx)",
                            (unsigned long long)nbits, (unsigned long long)nbytes, (unsigned long long)bits_off,
                            d->map.size);
    if (first_page < bits_off + nbytes)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "first page offset 0x%llx lies inside the bitmap (which ends at 0x%llx)",
                            (unsigned long long)first_page, (unsigned long long)(bits_off + nbytes));
    d->bmp = (struct dp_bitmap){.bits_off = bits_off, .nbits = nbits, .first_page = first_page};
    d->bmp.rank = calloc(nbits / DP_RANK_BLOCK_BITS + 1, sizeof *d->bmp.rank);
    if (!d->bmp.rank) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    d->phys_kind = DP_PHYS_BITMAP;
    uint64_t set = build_rank(d);
    if (set != present)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "bitmap has 0x%llx pages set but its header says 0x%llx are present",
                            (unsigned long long)set, (unsigned long long)present);
    if (!dp_map_has(&d->map, first_page, present << DP_PAGE_SHIFT))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "0x%llx pages from file offset 0x%llx extend past the end of the file (size 0x%zx)",
                            (unsigned long long)present, (unsigned long long)first_page, d->map.size);
    if (build_bitmap_runs(d)) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    d->info.phys_pages_present = present;
    return DP_OK;
}

int dp_win_load_bitmap(struct dp_dump *d, uint64_t hdr, char *err, size_t errlen)
{
    if (!dp_map_has(&d->map, hdr, 0x38))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "truncated bitmap header at 0x%llx",
                            (unsigned long long)hdr);
    uint32_t sig = dp_le32(&d->map, hdr);
    if ((sig != SIG_SDMP && sig != SIG_FDMP) || dp_le32(&d->map, hdr + 4) != SIG_DUMP)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "bitmap dump without an SDMP/FDMP header at 0x%llx", (unsigned long long)hdr);
    d->info.dump_type = sig == SIG_SDMP ? "bitmap-kernel" : "bitmap-complete";
    return load_bitmap(d, hdr + 0x38, dp_le64(&d->map, hdr + 0x30), dp_le64(&d->map, hdr + 0x20),
                       dp_le64(&d->map, hdr + 0x28), err, errlen);
}

/* XP/2003 summary dump: 32-bit fields, then an RTL_BITMAP (size, buffer pointer) and its bits. */
int dp_win_load_summary32(struct dp_dump *d, char *err, size_t errlen)
{
    uint64_t hdr = d->header_size;
    if (!dp_map_has(&d->map, hdr, 0x20))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "truncated summary header at 0x%llx",
                            (unsigned long long)hdr);
    if (dp_le32(&d->map, hdr) != SIG_SDMP || dp_le32(&d->map, hdr + 4) != SIG_DUMP)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "summary dump without an SDMP header at 0x%llx",
                            (unsigned long long)hdr);
    uint32_t nbits = dp_le32(&d->map, hdr + 0x10);
    if (dp_le32(&d->map, hdr + 0x18) != nbits)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "summary bitmap size 0x%x disagrees with its header's 0x%x", dp_le32(&d->map, hdr + 0x18),
                            nbits);
    return load_bitmap(d, hdr + 0x20, nbits, dp_le32(&d->map, hdr + 0xc), dp_le32(&d->map, hdr + 0x14), err, errlen);
}

const uint8_t *dp_phys_lookup(const struct dp_dump *d, uint64_t pfn)
{
    if (d->phys_kind == DP_PHYS_BITMAP) {
        if (pfn >= d->bmp.nbits || !bit_at(d, pfn)) return NULL;
        return d->map.base + d->bmp.first_page + (rank_of(d, pfn) << DP_PAGE_SHIFT);
    }
    if (d->phys_kind != DP_PHYS_EXTENTS || !d->n_runs) return NULL;
    size_t lo = 0, hi = d->n_runs; /* first run starting above pfn */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->runs[mid].first_pfn <= pfn) lo = mid + 1;
        else hi = mid;
    }
    if (!lo) return NULL;
    const struct dp_extent *r = &d->runs[lo - 1];
    if (pfn - r->first_pfn >= r->n_pages) return NULL;
    return d->map.base + r->file_off + ((pfn - r->first_pfn) << DP_PAGE_SHIFT);
}
