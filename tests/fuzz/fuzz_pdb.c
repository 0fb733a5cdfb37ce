/* The PDB reader (host/symbols/pdb*.c, msf.c) over bytes in memory: open and index, then name
 * addresses across and past every indexed entry, and ask for x86 frame records. */
#include <dumppipe/dumppipe.h>
#include <string.h>

#include "fuzz_common.h"
#include "pdb.h"

static volatile uint64_t fz_sink;

static void probe(const struct dp_pdb *p, uint32_t rva)
{
    const char *name;
    uint32_t disp;
    struct dp_pdb_frame fr;
    if (dp_pdb_lookup(p, rva, &name, &disp) == DP_OK) fz_sink += strlen(name) + disp;
    if (dp_pdb_frame_lookup(p, rva, &fr) == DP_OK) fz_sink += fr.code_size + (fr.program ? strlen(fr.program) : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dp_pdb *p;
    char err[512];
    if (dp_pdb_open_mem(data, size, "fuzz.pdb", &p, err, sizeof err) != DP_OK) return 0;
    const struct dp_symidx *x = dp_pdb_index(p);
    const struct dp_vec *vecs[] = {&x->points, &x->sized};
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < vecs[v]->len && i < 4096; i++) {
            const struct dp_symidx_entry *e = dp_vec_at(vecs[v], i);
            probe(p, e->rva);
            probe(p, e->rva - 1);
            probe(p, e->end);
        }
    probe(p, 0);
    probe(p, UINT32_MAX);
    fz_sink += dp_pdb_info(p)->machine + strlen(dp_pdb_info(p)->id);
    dp_pdb_close(p);
    return 0;
}
