/* x86 frame records: new FrameData (32 bytes: RvaStart, CodeSize, LocalSize, ParamsSize,
 * MaxStackSize, FrameFunc into /names, PrologSize u16, SavedRegsSize u16, Flags) and old FPO_DATA
 * (16 bytes: ulOffStart, cbProcSize, cdwLocals, cdwParams u16, bits u16). Both are bare arrays. */
#include "pdb_internal.h"

#include <dumppipe/dumppipe.h>
#include <stdlib.h>
#include <string.h>

static int cmp_start(const void *a, const void *b)
{
    uint32_t x = pdb_rd32(a), y = pdb_rd32(b);
    return (x > y) - (x < y);
}

/* Records are searched by start address; sort a copy when the writer did not. */
static const uint8_t *sorted_records(struct dp_pdb *p, const uint8_t *s, uint32_t n, uint32_t rec)
{
    uint32_t i = 1;
    while (i < n && pdb_rd32(s + (size_t)rec * i) >= pdb_rd32(s + (size_t)rec * (i - 1))) i++;
    if (i >= n) return s;
    uint8_t *copy = dp_arena_memdup(p->arena, s, (size_t)n * rec);
    if (copy) qsort(copy, n, rec, cmp_start);
    return copy;
}

static int load_array(struct dp_pdb *p, uint16_t stream, uint32_t rec, const uint8_t **out, uint32_t *n)
{
    const uint8_t *s;
    uint32_t size;
    *out = NULL, *n = 0;
    if (stream == 0xFFFF || dp_msf_stream(p->msf, stream, &s, &size) != DP_OK || size < rec) return DP_OK;
    if (!(*out = sorted_records(p, s, size / rec, rec))) return DP_ERR_NOMEM;
    *n = size / rec;
    return DP_OK;
}

int dp_pdb_load_frames(struct dp_pdb *p, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    int rc = load_array(p, p->dbg[DBG_NEW_FPO], 32, &p->frames, &p->n_frames);
    if (rc == DP_OK) rc = load_array(p, p->dbg[DBG_FPO], 16, &p->fpo, &p->n_fpo);
    return rc;
}

/* The last record starting at or below RVA that still covers it; records of nested or
 * overlapping ranges are checked a few back. */
static const uint8_t *covering(const uint8_t *v, uint32_t n, uint32_t rec, uint32_t rva)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pdb_rd32(v + mid * rec) <= rva) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k-- > 0 && lo - k <= 8;) {
        const uint8_t *r = v + k * rec;
        if (rva - pdb_rd32(r) < pdb_rd32(r + 4)) return r;
    }
    return NULL;
}

static const char *program(const struct dp_pdb *p, uint32_t off)
{
    if (!p->strtab || off >= p->strtab_size || !memchr(p->strtab + off, 0, p->strtab_size - off)) return NULL;
    return p->strtab[off] ? p->strtab + off : NULL;
}

int dp_pdb_frame_lookup(const struct dp_pdb *p, uint32_t rva, struct dp_pdb_frame *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *r = covering(p->frames, p->n_frames, 32, rva);
    if (r) {
        *out = (struct dp_pdb_frame){.rva_start = pdb_rd32(r), .code_size = pdb_rd32(r + 4),
                                     .locals_size = pdb_rd32(r + 8), .params_size = pdb_rd32(r + 12),
                                     .max_stack_size = pdb_rd32(r + 16), .program = program(p, pdb_rd32(r + 20)),
                                     .prolog_size = pdb_rd16(r + 24), .saved_regs_size = pdb_rd16(r + 26),
                                     .flags = pdb_rd32(r + 28)};
        return DP_OK;
    }
    if (!(r = covering(p->fpo, p->n_fpo, 16, rva))) return DP_ERR_NOT_FOUND;
    uint16_t bits = pdb_rd16(r + 14);
    *out = (struct dp_pdb_frame){.rva_start = pdb_rd32(r), .code_size = pdb_rd32(r + 4),
                                 .locals_size = 4 * pdb_rd32(r + 8), .params_size = 4u * pdb_rd16(r + 12),
                                 .prolog_size = bits & 0xFF, .saved_regs_size = (uint16_t)(4 * ((bits >> 8) & 7)),
                                 .flags = (bits >> 11 & 1) | (bits >> 11 & 2)};
    return DP_OK;
}
