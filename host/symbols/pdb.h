/* A PDB file (MSF 7.00) read for symbolization and x86 unwinding: PDB info (GUID, age), DBI
 * (machine, section headers, OMAP), public symbols, module procedures when the PDB is full, and
 * FrameData/FPO records. The file is mapped read-only and indexed once. See docs/symbols.md. */
#ifndef DP_HOST_SYMBOLS_PDB_H
#define DP_HOST_SYMBOLS_PDB_H

#include <stddef.h>
#include <stdint.h>

#include "symidx.h"

struct dp_pdb;

struct dp_pdb_info {
    uint32_t version, signature;
    uint32_t age;     /* PDB info stream */
    uint32_t dbi_age; /* DBI stream: what an image's RSDS age is matched against */
    uint8_t guid[16]; /* as stored: Data1..Data3 little-endian, Data4 bytes */
    char id[48];      /* symbol-store key: GUID as 32 upper-case hex digits, then the age in hex */
    uint16_t machine; /* IMAGE_FILE_MACHINE_* from the DBI header; 0 when unknown */
    size_t n_publics, n_procs;
    int has_omap;
};

/* x86 frame description for RVA, from the new FrameData stream (program set) or old FPO data. */
struct dp_pdb_frame {
    uint32_t rva_start, code_size, locals_size, params_size, max_stack_size;
    uint16_t prolog_size, saved_regs_size;
    uint32_t flags;      /* FrameData flags; for old FPO: bit 0 SEH, bit 1 uses EBP */
    const char *program; /* "$T0 .raSearch = ..." or NULL (old FPO or no program) */
};

/* Opens and indexes PATH (a regular file, at most 4 GiB). DP_OK, or a dp_status with "PATH: what
 * is wrong" in err. */
int dp_pdb_open(const char *path, struct dp_pdb **out, char *err, size_t errlen);
/* The same over bytes the caller keeps until dp_pdb_close (fuzzing, tests). */
int dp_pdb_open_mem(const uint8_t *data, size_t size, const char *name, struct dp_pdb **out, char *err,
                    size_t errlen);
void dp_pdb_close(struct dp_pdb *p);

const struct dp_pdb_info *dp_pdb_info(const struct dp_pdb *p);
const struct dp_symidx *dp_pdb_index(const struct dp_pdb *p);
/* Procedure containing RVA, else the nearest public at or below it in the same section. */
int dp_pdb_lookup(const struct dp_pdb *p, uint32_t rva, const char **name, uint32_t *disp);
/* The frame record covering RVA: DP_OK, DP_ERR_NOT_FOUND. */
int dp_pdb_frame_lookup(const struct dp_pdb *p, uint32_t rva, struct dp_pdb_frame *out);

#endif
