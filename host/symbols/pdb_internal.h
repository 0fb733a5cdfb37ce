/* Shared between the PDB reader's files; not for other users. */
#ifndef DP_HOST_SYMBOLS_PDB_INTERNAL_H
#define DP_HOST_SYMBOLS_PDB_INTERNAL_H

#include "msf.h"
#include "pdb.h"
#include "symerr.h"

enum { DBG_FPO = 0, DBG_OMAP_TO_SRC = 3, DBG_OMAP_FROM_SRC = 4, DBG_SECTION_HDR = 5, DBG_NEW_FPO = 9,
       DBG_ORIG_SECTION_HDR = 10, DBG_COUNT = 11 };

struct pdb_section {
    uint32_t va, size;
};

struct dp_pdb {
    const char *name; /* for messages */
    uint8_t *map;     /* our mapping, or NULL when the caller owns the bytes */
    size_t map_size;
    struct dp_msf *msf;
    struct dp_pdb_info info;
    uint16_t dbg[DBG_COUNT]; /* optional debug header stream numbers, 0xFFFF absent */
    uint16_t sym_records;    /* DBI: symbol record stream */
    const uint8_t *modinfo;  /* DBI module info substream */
    uint32_t modinfo_size;
    struct pdb_section *sects, *img_sects; /* seg:off -> RVA (original when OMAP), and the image's */
    uint32_t n_sects, n_img_sects;
    const uint8_t *omap_from; /* pairs of u32 (source rva, image rva), sorted */
    uint32_t n_omap;
    const uint8_t *frames; /* FrameData, 32 bytes each, sorted on open */
    uint32_t n_frames;
    const uint8_t *fpo; /* FPO_DATA, 16 bytes each */
    uint32_t n_fpo;
    const char *strtab; /* the /names string buffer */
    uint32_t strtab_size;
    struct dp_arena *arena; /* undecorated names, sorted frame copies */
    struct dp_symidx idx;
};

static inline uint16_t pdb_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t pdb_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* seg:off to the image RVA, through OMAP when present; 0 when it maps nowhere. *limit: the end of
 * the image section holding it. */
int dp_pdb_seg_to_rva(const struct dp_pdb *p, uint16_t seg, uint32_t off, uint32_t *rva, uint32_t *limit);
int dp_pdb_load_symbols(struct dp_pdb *p, char *err, size_t errlen);
int dp_pdb_load_frames(struct dp_pdb *p, char *err, size_t errlen);

#endif
