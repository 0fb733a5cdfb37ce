/* Compressed kdump ("KDUMP   ", header version 6) as QEMU's dump-guest-memory -z writes it
 * (qemu dump/dump.c create_header32/64, write_dump_bitmap, write_dump_pages): block 0 the disk_dump
 * header (32- or 64-bit layout by the guest), block 1 the kdump sub-header followed by the ELF notes
 * (qemu_notes: CPU notes and VMCOREINFO, which offset_vmcoreinfo points into), two identical page
 * bitmaps, one 24-byte page descriptor per present page, then the page data: all zero pages share one
 * stored copy, the others zlib-compressed when that is smaller. utsname.machine is left empty, as
 * QEMU leaves the architecture unset, unless copt.kdump_machine names one. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BS PAGE_SIZE
#define DUMP_DH_COMPRESSED_ZLIB 1u

static int is_zero(const uint8_t *p)
{
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i]) return 0;
    return 1;
}

/* header fields after utsname: the 64-bit layout pads to 408 (timeval 16 bytes), the 32-bit one to 404 */
static void header(struct gen *g, uint8_t *h, uint32_t sub_blocks, uint32_t bitmap_blocks, uint64_t max_pfn)
{
    int wide = is64(g);
    memcpy(h, "KDUMP   ", 8);
    put_le(h + 8, 6, 4);
    const char *machine = g->copt.kdump_machine ? g->copt.kdump_machine : "";
    strncpy((char *)h + 12 + 4 * 65, machine, 64); /* utsname: sysname nodename release version machine domain */
    uint8_t *f = h + (wide ? 424 : 412);
    put_le(f, 0, 4);              /* status */
    put_le(f + 4, BS, 4);         /* block_size */
    put_le(f + 8, sub_blocks, 4); /* sub_hdr_size */
    put_le(f + 12, bitmap_blocks, 4);
    put_le(f + 16, max_pfn > 0xffffffffu ? 0xffffffffu : max_pfn, 4);
    put_le(f + 36, g->processors ? g->processors : 1, 4); /* nr_cpus */
}

static void sub_header(struct gen *g, uint8_t *s, uint64_t note_off, uint64_t note_len, uint64_t vo, uint64_t vl,
                       uint64_t max_pfn)
{
    if (is64(g)) { /* phys_base dump_level split start end vmci(off,size) note(off,size) erase(off,size) 64-bit pfns */
        put_le(s + 8, 1, 4);
        put_le(s + 32, vo, 8), put_le(s + 40, vl, 8);
        put_le(s + 48, note_off, 8), put_le(s + 56, note_len, 8);
        put_le(s + 96, max_pfn, 8);
        return;
    }
    put_le(s + 4, 1, 4); /* packed 32-bit form */
    put_le(s + 20, vo, 8), put_le(s + 28, vl, 4);
    put_le(s + 32, note_off, 8), put_le(s + 40, note_len, 4);
    put_le(s + 72, max_pfn, 8);
}

/* descriptors and data, in PFN order */
static void pages(struct gen *g, struct bytes *desc, struct bytes *data, uint64_t data_off)
{
    uint8_t zero[PAGE_SIZE] = {0}, buf[PAGE_SIZE + 1024];
    bytes_put(data, zero, PAGE_SIZE); /* the shared zero page */
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = 0; p < g->runs[r].count; p++) {
            const uint8_t *page = pm_page_or_zero(g, g->runs[r].base_pfn + p);
            uint64_t off = data_off, size = PAGE_SIZE, flags = 0;
            uLongf clen = sizeof buf;
            if (!is_zero(page)) {
                off = data_off + data->n;
                if (compress2(buf, &clen, page, PAGE_SIZE, 6) == Z_OK && clen < PAGE_SIZE) {
                    bytes_put(data, buf, clen), size = clen, flags = DUMP_DH_COMPRESSED_ZLIB;
                } else {
                    bytes_put(data, page, PAGE_SIZE);
                }
            }
            bytes_put_le(desc, off, 8);
            bytes_put_le(desc, size, 4);
            bytes_put_le(desc, flags, 4);
            bytes_put_le(desc, 0, 8);
        }
}

int write_diskdump(struct gen *g, FILE *f)
{
    struct bytes notes = {0}, out = {0}, desc = {0}, data = {0};
    uint64_t vo, vl, max_pfn = gen_max_pfn(g);
    if (qemu_notes(g, &notes, &vo, &vl)) return -1;
    unsigned sub_size = is64(g) ? 104 : 80;
    uint32_t sub_blocks = (uint32_t)align_up(sub_size + notes.n, BS) / BS;
    uint64_t bitmap_len = align_up(align_up(max_pfn, 8) / 8, BS);
    uint32_t bitmap_blocks = (uint32_t)(2 * bitmap_len / BS);
    uint64_t note_off = BS + sub_size, desc_off = (1ull + sub_blocks + bitmap_blocks) * BS;
    bytes_zero(&out, (1ull + sub_blocks) * BS);
    header(g, out.p, sub_blocks, bitmap_blocks, max_pfn);
    sub_header(g, out.p + BS, note_off, notes.n, vo ? note_off + vo : 0, vl, max_pfn);
    memcpy(out.p + note_off, notes.p, notes.n);
    uint8_t *bitmap = xcalloc(1, bitmap_len);
    uint64_t present = 0;
    for (size_t r = 0; r < g->n_runs; r++)
        for (uint64_t p = g->runs[r].base_pfn; p < g->runs[r].base_pfn + g->runs[r].count; p++, present++)
            bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
    bytes_put(&out, bitmap, bitmap_len);
    bytes_put(&out, bitmap, bitmap_len);
    free(bitmap);
    pages(g, &desc, &data, desc_off + present * 24);
    bytes_put(&out, desc.p, desc.n);
    bytes_put(&out, data.p, data.n);
    int rc = fwrite(out.p, out.n, 1, f) == 1 ? 0 : fail(g, NULL, "write error");
    bytes_free(&notes), bytes_free(&out), bytes_free(&desc), bytes_free(&data);
    return rc;
}
