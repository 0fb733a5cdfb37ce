/* MSF 7.00 (llvm.org/docs/PDB/MsfFile.html): superblock, free block maps, and a stream directory
 * whose blocks are listed in the block at BlockMapAddr. Every index read from the file is checked
 * against the block count and the file size before it is used. */
#include "msf.h"

#include "symerr.h"

#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char msf7_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";
static const char msfz_magic[] = "Microsoft MSFZ Container";
static const char msf2_magic[] = "Microsoft C/C++ program database 2.00";

struct msf_stream {
    uint32_t size;          /* DP_MSF_NIL for nil */
    const uint32_t *blocks; /* into dir: ceil(size / block_size) entries, validated */
    const uint8_t *data;    /* resolved view, NULL until asked */
    uint8_t *owned;         /* gathered copy when the blocks are not in order */
};

struct dp_msf {
    const uint8_t *file;
    size_t file_size;
    uint32_t block_size, n_blocks, n_streams;
    uint32_t *dir; /* the directory, gathered */
    struct msf_stream *streams;
};

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

int dp_msf_sniff(const uint8_t *data, size_t size)
{
    if (size >= sizeof msf7_magic && memcmp(data, msf7_magic, sizeof msf7_magic) == 0) return 1;
    if (size >= sizeof msfz_magic - 1 && memcmp(data, msfz_magic, sizeof msfz_magic - 1) == 0) return 2;
    if (size >= sizeof msf2_magic - 1 && memcmp(data, msf2_magic, sizeof msf2_magic - 1) == 0) return 3;
    return 0;
}

static uint32_t blocks_for(uint32_t bytes, uint32_t bs) { return bytes / bs + (bytes % bs != 0); }

static const uint8_t *block_at(const struct dp_msf *m, uint32_t b) { return m->file + (size_t)b * m->block_size; }

/* The directory: its block list sits in the block at BlockMapAddr. */
static int read_directory(struct dp_msf *m, uint32_t dir_bytes, uint32_t map_block, const char *name, char *err,
                          size_t errlen)
{
    uint32_t n = blocks_for(dir_bytes, m->block_size);
    if (dir_bytes < 4 || n > m->block_size / 4)
        return dp_symerr(err, errlen, name, "PDB stream directory size %u does not fit one block map", dir_bytes);
    if (map_block >= m->n_blocks) return dp_symerr(err, errlen, name, "PDB block map at block %u past the end", map_block);
    if (!(m->dir = malloc((size_t)n * m->block_size))) return DP_ERR_NOMEM;
    const uint8_t *map = block_at(m, map_block);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = rd32(map + 4 * i);
        if (b >= m->n_blocks || b == 0)
            return dp_symerr(err, errlen, name, "PDB directory block %u is block %u, outside the file", i, b);
        memcpy((uint8_t *)m->dir + (size_t)i * m->block_size, block_at(m, b), m->block_size);
    }
    return DP_OK;
}

/* NumStreams, StreamSizes[NumStreams], then each stream's block list. */
static int index_streams(struct dp_msf *m, uint32_t dir_bytes, const char *name, char *err, size_t errlen)
{
    uint32_t words = dir_bytes / 4, n = m->dir[0];
    if (n > words - 1) return dp_symerr(err, errlen, name, "PDB directory claims %u streams in %u bytes", n, dir_bytes);
    m->n_streams = n;
    if (!(m->streams = calloc(n ? n : 1, sizeof *m->streams))) return DP_ERR_NOMEM;
    uint32_t pos = 1 + n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = m->dir[1 + i];
        m->streams[i].size = size;
        if (size == DP_MSF_NIL) continue;
        uint32_t nb = blocks_for(size, m->block_size);
        if (nb > words - pos) return dp_symerr(err, errlen, name, "PDB stream %u's block list runs past the directory", i);
        m->streams[i].blocks = m->dir + pos;
        for (uint32_t k = 0; k < nb; k++)
            if (m->dir[pos + k] >= m->n_blocks)
                return dp_symerr(err, errlen, name, "PDB stream %u block %u is %u, outside the file", i, k, m->dir[pos + k]);
        pos += nb;
    }
    return DP_OK;
}

int dp_msf_open(const uint8_t *data, size_t size, const char *name, struct dp_msf **out, char *err, size_t errlen)
{
    *out = NULL;
    switch (dp_msf_sniff(data, size)) {
    case 1: break;
    case 2: return dp_symerr(err, errlen, name, "an MSFZ (compressed PDB) container, which dumppipe does not read (it reads MSF 7.00 PDBs)");
    case 3: return dp_symerr(err, errlen, name, "an old 2.00-format PDB, not supported (only MSF 7.00)");
    default: return dp_symerr(err, errlen, name, "not a PDB (no MSF 7.00 signature)");
    }
    if (size < 56) return dp_symerr(err, errlen, name, "PDB superblock truncated");
    uint32_t bs = rd32(data + 32), fpm = rd32(data + 36), nblocks = rd32(data + 40);
    uint32_t dir_bytes = rd32(data + 44), map_block = rd32(data + 52);
    if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096) return dp_symerr(err, errlen, name, "PDB block size %u invalid", bs);
    if (fpm != 1 && fpm != 2) return dp_symerr(err, errlen, name, "PDB free block map at block %u (must be 1 or 2)", fpm);
    if (nblocks < 3 || (uint64_t)nblocks * bs > size)
        return dp_symerr(err, errlen, name, "PDB claims %u blocks of %u bytes, file has %zu bytes", nblocks, bs, size);
    struct dp_msf *m = calloc(1, sizeof *m);
    if (!m) return DP_ERR_NOMEM;
    m->file = data, m->file_size = size, m->block_size = bs, m->n_blocks = nblocks;
    int rc = read_directory(m, dir_bytes, map_block, name, err, errlen);
    if (rc == DP_OK) rc = index_streams(m, dir_bytes, name, err, errlen);
    if (rc != DP_OK) {
        dp_msf_close(m);
        return rc;
    }
    *out = m;
    return DP_OK;
}

void dp_msf_close(struct dp_msf *m)
{
    if (!m) return;
    for (uint32_t i = 0; m->streams && i < m->n_streams; i++) free(m->streams[i].owned);
    free(m->streams);
    free(m->dir);
    free(m);
}

uint32_t dp_msf_stream_count(const struct dp_msf *m) { return m->n_streams; }
uint32_t dp_msf_block_size(const struct dp_msf *m) { return m->block_size; }

int dp_msf_stream(struct dp_msf *m, uint32_t idx, const uint8_t **data, uint32_t *size)
{
    *data = NULL, *size = 0;
    if (idx >= m->n_streams || m->streams[idx].size == DP_MSF_NIL || m->streams[idx].size == 0) return DP_ERR_NOT_FOUND;
    struct msf_stream *s = &m->streams[idx];
    if (!s->data) {
        uint32_t nb = blocks_for(s->size, m->block_size), k = 1;
        while (k < nb && s->blocks[k] == s->blocks[k - 1] + 1) k++;
        if (k == nb) s->data = block_at(m, s->blocks[0]); /* in order: read in place */
        else {
            if (!(s->owned = malloc(s->size))) return DP_ERR_NOMEM;
            for (uint32_t i = 0; i < nb; i++) {
                uint32_t off = i * m->block_size, n = s->size - off < m->block_size ? s->size - off : m->block_size;
                memcpy(s->owned + off, block_at(m, s->blocks[i]), n);
            }
            s->data = s->owned;
        }
    }
    *data = s->data, *size = s->size;
    return DP_OK;
}
