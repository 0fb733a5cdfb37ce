/* Secondary dump data ("DumpBlob"): the blocks bug-check reason callbacks add to a dump, each under a GUID
 * tag (WinDbg's .enumtag). In a small dump the blob section starts at the triage header's SizeOfDump
 * (checked on five real Windows 10 dumps, x64 and ARM64):
 *   file header  "Dump" "Blob", HeaderSize u32 (0x10), BuildNumber u32
 *   each blob    HeaderSize u32 (0x20), Tag GUID (16), DataSize u32, PrePad u32, PostPad u32,
 *                then PrePad bytes, DataSize bytes of data, PostPad bytes, then the next blob.
 * Secondary data is optional: a section that stops making sense ends the list, it does not fail the dump. */
#include "dump_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define SIG_DUMP 0x706d7544u /* "Dump" */
#define SIG_BLOB 0x626f6c42u /* "Blob" */
#define FILE_HEADER_MIN 0x10u
#define BLOB_HEADER_MIN 0x20u
#define HEADER_MAX 0x1000u /* both headers are a few dozen bytes; larger ones are corrupt */
#define PAD_MAX 0x1000u
#define MAX_TAGS 65536u

static int add_tag(struct dp_dump *d, size_t *cap, uint64_t hdr, uint64_t data, uint32_t size)
{
    if (d->n_tags == *cap) {
        size_t n = *cap ? *cap * 2 : 32;
        struct dp_tag *t = realloc(d->tags, n * sizeof *t);
        if (!t) return DP_ERR_NOMEM;
        d->tags = t;
        *cap = n;
    }
    struct dp_tag *t = &d->tags[d->n_tags++];
    memcpy(t->guid, d->map.base + hdr + 4, sizeof t->guid);
    t->file_off = data;
    t->size = size;
    return DP_OK;
}

int dp_win_load_tags(struct dp_dump *d, uint64_t off)
{
    const struct dp_map *m = &d->map;
    if (!dp_map_has(m, off, FILE_HEADER_MIN) || dp_le32(m, off) != SIG_DUMP || dp_le32(m, off + 4) != SIG_BLOB)
        return DP_OK;
    uint32_t hs = dp_le32(m, off + 8);
    if (hs < FILE_HEADER_MIN || hs > HEADER_MAX) return DP_OK;
    size_t cap = 0;
    for (uint64_t p = off + hs; d->n_tags < MAX_TAGS && dp_map_has(m, p, BLOB_HEADER_MIN);) {
        uint32_t bhs = dp_le32(m, p), size = dp_le32(m, p + 20), pre = dp_le32(m, p + 24), post = dp_le32(m, p + 28);
        if (bhs < BLOB_HEADER_MIN || bhs > HEADER_MAX || pre > PAD_MAX || post > PAD_MAX) break;
        uint64_t data = p + bhs + pre;
        if (!dp_map_has(m, data, size)) break;
        if (add_tag(d, &cap, p, data, size)) return DP_ERR_NOMEM;
        p = data + size + post;
    }
    return DP_OK;
}

size_t dp_dump_n_tags(struct dp_dump *d) { return d->n_tags; }

/* GUID bytes as stored: Data1 u32, Data2 u16, Data3 u16 little-endian, then Data4 as is. */
static void format_guid(const uint8_t g[16], char out[40])
{
    snprintf(out, 40, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}", g[3], g[2], g[1],
             g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

int dp_dump_tag_at(struct dp_dump *d, size_t index, struct dp_dump_tag *out)
{
    if (!out) return DP_ERR_INVALID;
    if (index >= d->n_tags) return DP_ERR_NOT_FOUND;
    const struct dp_tag *t = &d->tags[index];
    format_guid(t->guid, out->guid);
    out->data = d->map.base + t->file_off;
    out->size = t->size;
    return DP_OK;
}
