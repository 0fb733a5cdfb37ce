/* Test and benchmark driver for the symbol readers: prints what a PDB, ISF or .sym file holds,
 * names addresses, and times indexing and lookups.
 *   dpsym info FILE          id, second id, kind, machine, counts
 *   dpsym dump FILE          "P|F RVA END NAME" per index entry
 *   dpsym lookup FILE RVA... "RVA name+0xdisp" (or "RVA -")
 *   dpsym frame FILE RVA     the x86 FrameData/FPO record covering RVA
 *   dpsym unwind FILE RVA ESP EBP  one x86 frame unwound by the record covering RVA, over a fake
 *                            memory where the 32-bit value at VA is VA * 3 + 1
 *   dpsym bench FILE N       N lookups at addresses spread over the indexed range */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dumppipe/dumppipe.h>

#include "pdb.h"
#include "pdb_unwind.h"
#include "symfile.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const struct dp_symidx *index_of(const struct dp_symfile *f) { return f->pdb ? dp_pdb_index(f->pdb) : &f->idx; }

static void dump(const struct dp_symfile *f)
{
    const struct dp_symidx *x = index_of(f);
    const struct dp_symidx_entry *e = x->points.data;
    for (size_t i = 0; i < x->points.len; i++) printf("P %08x %08x %s\n", e[i].rva, e[i].end, e[i].name);
    e = x->sized.data;
    for (size_t i = 0; i < x->sized.len; i++) printf("F %08x %08x %s\n", e[i].rva, e[i].end, e[i].name);
}

static void info(const struct dp_symfile *f)
{
    printf("kind %s\nid %s\nid2 %s\npdb_name %s\n", f->kind, f->id, f->id2, f->pdb_name ? f->pdb_name : "-");
    if (f->pdb) {
        const struct dp_pdb_info *i = dp_pdb_info(f->pdb);
        printf("machine %x\nage %u\ndbi_age %u\npublics %zu\nprocs %zu\nomap %d\n", i->machine, i->age, i->dbi_age,
               i->n_publics, i->n_procs, i->has_omap);
    }
    printf("entries %zu\n", dp_symidx_count(index_of(f)));
}

static void lookup(const struct dp_symfile *f, const char *arg)
{
    uint32_t rva = (uint32_t)strtoul(arg, NULL, 16), disp;
    const char *name;
    if (dp_symfile_lookup(f, rva, &name, &disp) != DP_OK) printf("%x -\n", rva);
    else if (disp) printf("%x %s+0x%x\n", rva, name, disp);
    else printf("%x %s\n", rva, name);
}

static int frame(const struct dp_symfile *f, const char *arg)
{
    struct dp_pdb_frame fr;
    if (!f->pdb || dp_pdb_frame_lookup(f->pdb, (uint32_t)strtoul(arg, NULL, 16), &fr) != DP_OK) {
        puts("-");
        return 0;
    }
    printf("start %x size %x locals %x params %x saved %x prolog %x flags %x program %s\n", fr.rva_start, fr.code_size,
           fr.locals_size, fr.params_size, fr.saved_regs_size, fr.prolog_size, fr.flags, fr.program ? fr.program : "-");
    return 0;
}

static int fake_read(void *user, uint32_t va, uint32_t *out)
{
    (void)user;
    *out = va * 3 + 1;
    return DP_OK;
}

static void unwind(const struct dp_symfile *f, char **argv)
{
    struct dp_pdb_frame fr;
    uint32_t rva = (uint32_t)strtoul(argv[0], NULL, 16);
    struct dp_x86_frame r = {.eip = rva, .esp = (uint32_t)strtoul(argv[1], NULL, 16), .ebp = (uint32_t)strtoul(argv[2], NULL, 16)};
    if (!f->pdb || dp_pdb_frame_lookup(f->pdb, rva, &fr) != DP_OK) puts("-");
    else if (dp_pdb_unwind_x86(&fr, &r, fake_read, NULL) != DP_OK) puts("error");
    else printf("eip %x esp %x ebp %x\n", r.eip, r.esp, r.ebp);
}

static void bench(const struct dp_symfile *f, unsigned long n, double t_open)
{
    const struct dp_symidx *x = index_of(f);
    const struct dp_symidx_entry *e = x->points.len ? x->points.data : x->sized.data;
    size_t len = x->points.len ? x->points.len : x->sized.len;
    if (!len) return;
    uint32_t lo = e[0].rva, span = e[len - 1].rva - lo + 1;
    unsigned long found = 0, seed = 12345;
    double t0 = now();
    for (unsigned long i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        const char *name;
        uint32_t disp;
        found += dp_symfile_lookup(f, lo + (uint32_t)((seed >> 33) % span), &name, &disp) == DP_OK;
    }
    double t = now() - t0;
    printf("entries %zu open+index %.3f s lookups %lu in %.3f s (%.0f ns each) named %lu\n", dp_symidx_count(x),
           t_open, n, t, t * 1e9 / (double)n, found);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dpsym info|dump|lookup|frame|bench FILE [ARG...]\n");
        return 2;
    }
    const struct dp_symfile *f;
    char err[512];
    double t0 = now();
    if (dp_symcache_load(argv[2], &f, err, sizeof err) != DP_OK) {
        fprintf(stderr, "dpsym: %s\n", err);
        return 1;
    }
    double t_open = now() - t0;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "info")) info(f);
    else if (!strcmp(cmd, "dump")) dump(f);
    else if (!strcmp(cmd, "lookup")) for (int i = 3; i < argc; i++) lookup(f, argv[i]);
    else if (!strcmp(cmd, "frame") && argc > 3) frame(f, argv[3]);
    else if (!strcmp(cmd, "unwind") && argc > 5) unwind(f, argv + 3);
    else if (!strcmp(cmd, "bench") && argc > 3) bench(f, strtoul(argv[3], NULL, 10), t_open);
    else return 2;
    dp_symcache_clear();
    return 0;
}
