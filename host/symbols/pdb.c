/* PDB info stream, DBI header and its optional debug header, section headers and OMAP
 * (llvm.org/docs/PDB/PdbStream.html, DbiStream.html; microsoft/pdb-rs docs/pdb/dbi*.md). */
#include "pdb_internal.h"

#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sympath.h"

#define PDB_MAX_FILE (4ull << 30)
#define DBI_HEADER 64

/* The named-stream map after the GUID: a string buffer and a hash table of (name offset, stream). */
static void find_names_stream(struct dp_pdb *p, const uint8_t *s, uint32_t size, uint32_t *stream)
{
    *stream = DP_MSF_NIL;
    uint32_t pos = 28;
    if (size < pos + 4) return;
    uint32_t buf_len = pdb_rd32(s + pos);
    if (buf_len > size - pos - 4) return;
    const char *buf = (const char *)s + pos + 4;
    pos += 4 + buf_len;
    if (size - pos < 8) return;
    uint32_t n = pdb_rd32(s + pos);
    pos += 8; /* size, capacity */
    for (int vec = 0; vec < 2; vec++) { /* present and deleted bit vectors */
        if (size - pos < 4) return;
        uint32_t words = pdb_rd32(s + pos);
        if (words > (size - pos - 4) / 4) return;
        pos += 4 + 4 * words;
    }
    for (uint32_t i = 0; i < n && size - pos >= 8; i++, pos += 8) {
        uint32_t off = pdb_rd32(s + pos);
        if (off < buf_len && memchr(buf + off, 0, buf_len - off) && strcmp(buf + off, "/names") == 0)
            *stream = pdb_rd32(s + pos + 4);
    }
    (void)p;
}

/* /names: signature 0xEFFEEFFE, hash version, byte count, then the strings. */
static void load_strtab(struct dp_pdb *p, uint32_t stream)
{
    const uint8_t *s;
    uint32_t size;
    if (stream == DP_MSF_NIL || dp_msf_stream(p->msf, stream, &s, &size) != DP_OK || size < 12) return;
    uint32_t len = pdb_rd32(s + 8);
    if (pdb_rd32(s) != 0xEFFEEFFEu || len > size - 12) return;
    p->strtab = (const char *)s + 12, p->strtab_size = len;
}

static int read_info(struct dp_pdb *p, char *err, size_t errlen)
{
    const uint8_t *s;
    uint32_t size;
    if (dp_msf_stream(p->msf, 1, &s, &size) != DP_OK || size < 28)
        return dp_symerr(err, errlen, p->name, "PDB info stream missing or shorter than 28 bytes");
    p->info.version = pdb_rd32(s), p->info.signature = pdb_rd32(s + 4), p->info.age = pdb_rd32(s + 8);
    memcpy(p->info.guid, s + 12, 16);
    uint32_t names;
    find_names_stream(p, s, size, &names);
    load_strtab(p, names);
    return DP_OK;
}

static int read_sections(struct dp_pdb *p, uint16_t stream, struct pdb_section **out, uint32_t *n)
{
    const uint8_t *s;
    uint32_t size;
    *out = NULL, *n = 0;
    if (stream == 0xFFFF || dp_msf_stream(p->msf, stream, &s, &size) != DP_OK) return DP_OK;
    uint32_t count = size / 40;
    if (!count) return DP_OK;
    struct pdb_section *v = dp_arena_alloc(p->arena, (size_t)count * sizeof *v);
    if (!v) return DP_ERR_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        v[i].size = pdb_rd32(s + 40 * i + 8);
        v[i].va = pdb_rd32(s + 40 * i + 12);
        uint32_t raw = pdb_rd32(s + 40 * i + 16); /* SizeOfRawData: VirtualSize may be 0 in old images */
        if (raw > v[i].size) v[i].size = raw;
    }
    *out = v, *n = count;
    return DP_OK;
}

static int read_omap(struct dp_pdb *p, char *err, size_t errlen)
{
    const uint8_t *s;
    uint32_t size;
    if (p->dbg[DBG_OMAP_FROM_SRC] == 0xFFFF || dp_msf_stream(p->msf, p->dbg[DBG_OMAP_FROM_SRC], &s, &size) != DP_OK)
        return DP_OK;
    p->omap_from = s, p->n_omap = size / 8;
    for (uint32_t i = 1; i < p->n_omap; i++)
        if (pdb_rd32(s + 8 * i) < pdb_rd32(s + 8 * (i - 1))) return dp_symerr(err, errlen, p->name, "PDB OMAP table not sorted");
    p->info.has_omap = p->n_omap > 0;
    return DP_OK;
}

/* DBI header, the substream sizes, and the optional debug header that ends the stream. */
static int read_dbi(struct dp_pdb *p, char *err, size_t errlen)
{
    const uint8_t *s;
    uint32_t size;
    memset(p->dbg, 0xFF, sizeof p->dbg);
    p->sym_records = 0xFFFF;
    if (dp_msf_stream(p->msf, 3, &s, &size) != DP_OK) return DP_OK; /* no DBI: nothing to name */
    if (size < DBI_HEADER || pdb_rd32(s) != 0xFFFFFFFFu)
        return dp_symerr(err, errlen, p->name, "DBI stream header missing or of a pre-7.0 format");
    p->info.dbi_age = pdb_rd32(s + 8);
    p->sym_records = pdb_rd16(s + 20);
    p->info.machine = pdb_rd16(s + 58);
    uint64_t pos = DBI_HEADER;
    static const unsigned size_at[] = {24, 28, 32, 36, 40, 52}; /* ModInfo, SecContr, SecMap, FileInfo, TSMap, EC */
    for (size_t i = 0; i < sizeof size_at / sizeof *size_at; i++) {
        int32_t n = (int32_t)pdb_rd32(s + size_at[i]);
        if (n < 0 || (uint64_t)n > size - pos) return dp_symerr(err, errlen, p->name, "DBI substream %zu size %d past the stream", i, n);
        if (i == 0) p->modinfo = s + pos, p->modinfo_size = (uint32_t)n;
        pos += (uint64_t)n;
    }
    int32_t opt = (int32_t)pdb_rd32(s + 48);
    if (opt < 0 || (uint64_t)opt > size - pos) return dp_symerr(err, errlen, p->name, "DBI optional debug header size %d past the stream", opt);
    for (uint32_t i = 0; i < DBG_COUNT && 2 * i + 2 <= (uint32_t)opt; i++) p->dbg[i] = pdb_rd16(s + pos + 2 * i);
    return DP_OK;
}

static int read_layout(struct dp_pdb *p, char *err, size_t errlen)
{
    int rc = read_sections(p, p->dbg[DBG_SECTION_HDR], &p->img_sects, &p->n_img_sects);
    if (rc == DP_OK) rc = read_omap(p, err, errlen);
    if (rc != DP_OK) return rc;
    if (p->info.has_omap && p->dbg[DBG_ORIG_SECTION_HDR] != 0xFFFF)
        return read_sections(p, p->dbg[DBG_ORIG_SECTION_HDR], &p->sects, &p->n_sects);
    p->sects = p->img_sects, p->n_sects = p->n_img_sects;
    p->info.has_omap = 0; /* an OMAP without the original headers cannot be applied */
    return DP_OK;
}

static uint32_t image_section_end(const struct dp_pdb *p, uint32_t rva)
{
    for (uint32_t i = 0; i < p->n_img_sects; i++) {
        const struct pdb_section *s = &p->img_sects[i];
        if (rva >= s->va && rva - s->va < s->size) return s->size > UINT32_MAX - s->va ? UINT32_MAX : s->va + s->size;
    }
    return 0;
}

/* OMAP_FROM_SRC: the last entry at or below the source RVA; a target of 0 means the code was removed. */
static int omap_map(const struct dp_pdb *p, uint32_t src, uint32_t *out)
{
    size_t lo = 0, hi = p->n_omap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pdb_rd32(p->omap_from + 8 * mid) <= src) lo = mid + 1;
        else hi = mid;
    }
    if (!lo) return 0;
    uint32_t from = pdb_rd32(p->omap_from + 8 * (lo - 1)), to = pdb_rd32(p->omap_from + 8 * (lo - 1) + 4);
    if (!to || src - from > UINT32_MAX - to) return 0;
    *out = to + (src - from);
    return 1;
}

int dp_pdb_seg_to_rva(const struct dp_pdb *p, uint16_t seg, uint32_t off, uint32_t *rva, uint32_t *limit)
{
    if (seg == 0 || seg > p->n_sects) return 0;
    const struct pdb_section *s = &p->sects[seg - 1];
    if (off > UINT32_MAX - s->va) return 0;
    uint32_t r = s->va + off;
    if (p->info.has_omap && !omap_map(p, r, &r)) return 0;
    *rva = r;
    *limit = image_section_end(p, r);
    return 1;
}

static int open_parsed(struct dp_pdb *p, const uint8_t *data, size_t size, char *err, size_t errlen)
{
    if (!(p->arena = dp_arena_new())) return DP_ERR_NOMEM;
    dp_symidx_init(&p->idx);
    int rc = dp_msf_open(data, size, p->name, &p->msf, err, errlen);
    if (rc == DP_OK) rc = read_info(p, err, errlen);
    if (rc == DP_OK) rc = read_dbi(p, err, errlen);
    if (rc == DP_OK) rc = read_layout(p, err, errlen);
    if (rc == DP_OK) rc = dp_pdb_load_symbols(p, err, errlen);
    if (rc == DP_OK) rc = dp_pdb_load_frames(p, err, errlen);
    if (rc == DP_OK) dp_sympath_pdb_key(p->info.guid, p->info.age, p->info.id);
    if (rc == DP_ERR_NOMEM && err && errlen) snprintf(err, errlen, "%s: out of memory indexing the PDB", p->name);
    return rc;
}

static void set_name(struct dp_pdb *p, const char *name)
{
    p->name = dp_arena_strdup(p->arena, name ? name : "PDB");
    if (!p->name) p->name = "PDB";
}

int dp_pdb_open_mem(const uint8_t *data, size_t size, const char *name, struct dp_pdb **out, char *err, size_t errlen)
{
    *out = NULL;
    struct dp_pdb *p = calloc(1, sizeof *p);
    if (!p) return DP_ERR_NOMEM;
    p->name = name ? name : "PDB";
    int rc = open_parsed(p, data, size, err, errlen);
    if (rc == DP_OK) set_name(p, name);
    if (rc != DP_OK) {
        dp_pdb_close(p);
        return rc;
    }
    *out = p;
    return DP_OK;
}

int dp_pdb_open(const char *path, struct dp_pdb **out, char *err, size_t errlen)
{
    uint64_t size;
    *out = NULL;
    int fd = dp_open_regular(path, "PDB", PDB_MAX_FILE, &size, err, errlen);
    if (fd < 0) return DP_ERR_IO;
    void *map = size ? mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: %s", path, size ? "cannot map the file" : "empty file, not a PDB");
        return size ? DP_ERR_IO : DP_ERR_BAD_DATA;
    }
    int rc = dp_pdb_open_mem(map, (size_t)size, path, out, err, errlen);
    if (rc != DP_OK) {
        munmap(map, (size_t)size);
        return rc;
    }
    (*out)->map = map, (*out)->map_size = (size_t)size;
    return DP_OK;
}

void dp_pdb_close(struct dp_pdb *p)
{
    if (!p) return;
    dp_symidx_free(&p->idx);
    dp_msf_close(p->msf);
    if (p->map) munmap(p->map, p->map_size);
    dp_arena_free(p->arena);
    free(p);
}

const struct dp_pdb_info *dp_pdb_info(const struct dp_pdb *p) { return &p->info; }
const struct dp_symidx *dp_pdb_index(const struct dp_pdb *p) { return &p->idx; }

int dp_pdb_lookup(const struct dp_pdb *p, uint32_t rva, const char **name, uint32_t *disp)
{
    return dp_symidx_lookup(&p->idx, rva, name, disp);
}
