/* Compressed kdump / diskdump files (makedumpfile, QEMU dump-guest-memory -z/-l/-s), checked before
 * libkdumpfile allocates or maps anything. libkdumpfile 0.5.1 trusts the header: an absurd bitmap size,
 * max_mapnr, block size or note size made it fail inside its open (and kdump_free() then crash), read
 * past the end of the file through its mapping (SIGBUS) or allocate gigabytes. Here every extent it will
 * touch is checked against the file, the header layout is decided exactly as it decides it, and the
 * page descriptors are walked once: a page whose descriptor or data lies outside the file is left out
 * of the runs, so reading it is DP_ERR_FAULT, never a read past the end. */
#include "dump_internal.h"

#include <libkdumpfile/kdumpfile.h>

/* 0.5.2 added a padded 32-bit sub-header form and reads the erase info; 0.5.1 (Debian 12) does neither.
 * The check must read the file exactly as the library we run with does. */
#define KD_HAS_32PAD_AND_ERASEINFO (KDUMPFILE_VERSION >= KDUMPFILE_MKVER(0, 5, 2))

#define DD_HEADER_SIZE 464u      /* struct disk_dump_header_64, what libkdumpfile reads first */
#define DD_PAGE_DESC_SIZE 24u    /* offset u64, size u32, flags u32, page_flags u64 */
#define DD_MAX_NOTES (64u << 20) /* far above any CPU count's notes */
#define DD_COMPRESSED 0x27u      /* zlib, lzo, snappy, zstd */
#define DD_MAX_SET_RUNS (1u << 20)

/* The header's numbers, in the layout and byte order libkdumpfile will take. */
struct dd_header {
    int wide, big;
    int32_t version, sub_blocks;
    uint32_t block_size, bitmap_blocks, max_mapnr32;
    uint64_t max_pfn, note_off, note_size, vmci_off, vmci_size, erase_off, erase_size;
    uint32_t split;
};

static uint32_t rd32(const struct dp_map *m, uint64_t off, int big)
{
    uint32_t v = dp_le32(m, off);
    return big ? __builtin_bswap32(v) : v;
}
static uint64_t rd64(const struct dp_map *m, uint64_t off, int big)
{
    uint64_t v = dp_le64(m, off);
    return big ? __builtin_bswap64(v) : v;
}

int dp_is_diskdump(const struct dp_map *m)
{
    return dp_map_has(m, 0, 8) && (!memcmp(m->base, "KDUMP   ", 8) || !memcmp(m->base, "DISKDUMP", 8));
}

/* libkdumpfile tries the 32-bit layout, then the 64-bit one, each little- then big-endian, and takes the
 * first whose block size is a page size and whose bitmap covers max_mapnr. Its page-size range is
 * replaced by "any positive size" here, so the layout chosen is the one it chooses whenever it would
 * accept the block size at all (4096 is the only one we then accept). */
static int plausible(const struct dp_map *m, int wide, int big, struct dd_header *h)
{
    uint64_t base = wide ? 428 : 416; /* block_size; then sub_hdr_size, bitmap_blocks, max_mapnr */
    int32_t bs = (int32_t)rd32(m, base, big);
    uint32_t bb = rd32(m, base + 8, big), mm = rd32(m, base + 12, big);
    if (bs <= 0 || 8ull * bb * (uint64_t)bs < mm) return 0;
    *h = (struct dd_header){.wide = wide, .big = big, .block_size = (uint32_t)bs, .bitmap_blocks = bb, .max_mapnr32 = mm};
    h->sub_blocks = (int32_t)rd32(m, base + 4, big);
    h->version = (int32_t)rd32(m, 8, big);
    h->max_pfn = mm;
    return 1;
}

/* The sub-header: 64-bit, or one of the two 32-bit packings, chosen like libkdumpfile does. */
static void read_sub_header(const struct dp_map *m, struct dd_header *h)
{
    uint64_t s = h->block_size;
    int big = h->big;
    if (h->wide) {
        h->split = rd32(m, s + 12, big);
        h->vmci_off = rd64(m, s + 32, big), h->vmci_size = rd64(m, s + 40, big);
        h->note_off = rd64(m, s + 48, big), h->note_size = rd64(m, s + 56, big);
        h->erase_off = rd64(m, s + 64, big), h->erase_size = rd64(m, s + 72, big);
        if (h->version >= 6) h->max_pfn = rd64(m, s + 96, big);
        return;
    }
    h->split = rd32(m, s + 8, big);
    uint64_t payload = (uint64_t)h->block_size * (1 + (uint64_t)(uint32_t)h->sub_blocks);
    uint64_t voff = rd64(m, s + 20, big), vsz = rd32(m, s + 28, big);
    int pack = !KD_HAS_32PAD_AND_ERASEINFO || h->version < 3 || (!voff && !vsz) ||
               (voff > h->block_size && voff + vsz <= payload);
    unsigned o = pack ? 0 : 4; /* the padded form aligns each 64-bit field */
    h->vmci_off = rd64(m, s + 20 + o, big), h->vmci_size = rd32(m, s + 28 + o, big);
    h->note_off = rd64(m, s + 32 + 2 * o, big), h->note_size = rd32(m, s + 40 + 2 * o, big);
    h->erase_off = rd64(m, s + 44 + 3 * o, big), h->erase_size = rd32(m, s + 52 + 3 * o, big);
    if (h->version >= 6) h->max_pfn = rd64(m, s + 72 + 4 * o, big);
}

static int blob_outside(const struct dp_map *m, uint64_t off, uint64_t size)
{
    return size && (size > DD_MAX_NOTES || !dp_map_has(m, off, size));
}

/* Everything libkdumpfile's open reads, against the file. Returns what is wrong, or NULL. */
static const char *header_outside(const struct dp_map *m, struct dd_header *h, char *why, size_t len)
{
    if (!dp_map_has(m, 0, DD_HEADER_SIZE)) return "header truncated";
    if (!plausible(m, 0, 0, h) && !plausible(m, 0, 1, h) && !plausible(m, 1, 0, h) && !plausible(m, 1, 1, h))
        return "block size, bitmap size and max_mapnr do not fit together";
    if (h->block_size != DP_PAGE_SIZE)
        return snprintf(why, len, "block size %u: only 4096-byte pages are supported", h->block_size), why;
    if (h->version < 0) return snprintf(why, len, "header version %d", h->version), why;
    if (h->version >= 1 && (h->sub_blocks < 1 || !dp_map_has(m, h->block_size, (uint64_t)h->sub_blocks * h->block_size)))
        return snprintf(why, len, "sub-header of %d blocks outside the file", h->sub_blocks), why;
    if (h->sub_blocks < 0) return snprintf(why, len, "sub-header of %d blocks", h->sub_blocks), why;
    if (h->version >= 1) read_sub_header(m, h);
    if (h->version >= 2 && h->split) return "one part of a split dump (makedumpfile --split): not supported";
    if (h->version >= 4 && blob_outside(m, h->note_off, h->note_size))
        return snprintf(why, len, "notes (size_note 0x%llx at 0x%llx) outside the file", (unsigned long long)h->note_size,
                        (unsigned long long)h->note_off), why;
    if (h->version == 3 && blob_outside(m, h->vmci_off, h->vmci_size))
        return snprintf(why, len, "VMCOREINFO (0x%llx bytes at 0x%llx) outside the file", (unsigned long long)h->vmci_size,
                        (unsigned long long)h->vmci_off), why;
    if (KD_HAS_32PAD_AND_ERASEINFO && h->version >= 4 && blob_outside(m, h->erase_off, h->erase_size))
        return snprintf(why, len, "erase info (0x%llx bytes at 0x%llx) outside the file", (unsigned long long)h->erase_size,
                        (unsigned long long)h->erase_off), why;
    uint64_t bitmap_off = (1 + (uint64_t)h->sub_blocks) * h->block_size;
    if (!dp_map_has(m, bitmap_off, (uint64_t)h->bitmap_blocks * h->block_size))
        return snprintf(why, len, "bitmap of %u blocks (bitmap_blocks) at 0x%llx outside the file", h->bitmap_blocks,
                        (unsigned long long)bitmap_off), why;
    return NULL;
}

struct dd_walk {
    struct dp_dump *d;
    struct dp_runs_builder rb;
    uint64_t desc_off, n_desc, bad, first_bad, set_runs;
};

/* One dumpable page: its descriptor is the next in the table; its data must lie in the file. */
static int dd_page(struct dd_walk *w, const struct dd_header *h, uint64_t pfn)
{
    const struct dp_map *m = &w->d->map;
    uint64_t at = w->desc_off + w->n_desc++ * DD_PAGE_DESC_SIZE;
    int ok = dp_map_has(m, at, DD_PAGE_DESC_SIZE);
    if (ok) {
        uint64_t off = rd64(m, at, h->big);
        uint32_t size = rd32(m, at + 8, h->big), flags = rd32(m, at + 12, h->big);
        ok = size && size <= h->block_size && dp_map_has(m, off, size) && ((flags & DD_COMPRESSED) || size == h->block_size);
    }
    if (!ok) {
        if (!w->bad++) w->first_bad = pfn;
        return DP_OK;
    }
    return pfn < h->max_pfn ? dp_runs_add(&w->rb, pfn, 1, 0) : DP_OK;
}

/* libkdumpfile's bitmap rule: when max_pfn fits in half the bitmap, the second half (the dumpable
 * pages) is the one that counts; the descriptors follow the whole bitmap. */
static int dd_walk_bitmap(struct dd_walk *w, const struct dd_header *h)
{
    const struct dp_map *m = &w->d->map;
    uint64_t off = (1 + (uint64_t)h->sub_blocks) * h->block_size, bytes = (uint64_t)h->bitmap_blocks * h->block_size;
    w->desc_off = off + bytes;
    if (h->max_pfn <= bytes * 8 / 2) off += (bytes /= 2);
    int prev = 0;
    for (uint64_t i = 0; i < bytes; i++) {
        uint8_t b = m->base[off + i];
        if (!b && !prev) continue;
        for (unsigned k = 0; k < 8; k++) {
            int set = (b >> k) & 1;
            if (set && !prev) w->set_runs++;
            prev = set;
            if (!set) continue;
            int rc = dd_page(w, h, i * 8 + k);
            if (rc) return rc;
        }
    }
    return DP_OK;
}

int dp_diskdump_check(struct dp_dump *d, char *err, size_t errlen)
{
    struct dd_header h = {0};
    char why[160];
    const char *bad = header_outside(&d->map, &h, why, sizeof why);
    if (bad) return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "malformed kdump: %s", bad);
    /* libkdumpfile keeps one region per run of set bits: bounded before it reads the bitmap */
    struct dd_walk w = {.d = d, .rb = {d, 0}};
    int rc = dd_walk_bitmap(&w, &h);
    if (rc == DP_ERR_BAD_DATA || w.set_runs > DD_MAX_SET_RUNS)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "malformed kdump: the bitmap holds more than %u runs of pages", DD_MAX_SET_RUNS);
    if (rc) return dp_dump_fail(err, errlen, d->path, rc, "out of memory");
    if (w.n_desc && w.bad == w.n_desc)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "truncated kdump: none of its 0x%llx pages (descriptors at 0x%llx) lies inside the file",
                            (unsigned long long)w.n_desc, (unsigned long long)w.desc_off);
    if (h.version >= 4 && h.note_size) dp_notes_scan(d, h.note_off, h.note_size);
    else if (h.version == 3 && h.vmci_size) d->notes.vmcoreinfo_off = h.vmci_off, d->notes.vmcoreinfo_size = h.vmci_size;
    d->kd_bad_pages = w.bad;
    d->kd_first_bad_pfn = w.first_bad;
    return dp_runs_finish(d);
}
