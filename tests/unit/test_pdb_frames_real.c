/* The x86 frame records of a real Microsoft kernel PDB (../shared: ntkrnlpa.pdb, XP SP2 PAE, 1 KiB
 * blocks): both streams load, and records of known functions carry what their signatures say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dumppipe/dumppipe.h>

#include "pdb.h"
#include "pdb_internal.h"

#define NT_BASE 0x804D7000u /* where sym.txt places the kernel */

static struct dp_pdb *open_kernel(void)
{
    char path[1024], err[512];
    const char *src = getenv("DP_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/../shared/testdata/symbols/ntkrnlpa/ntkrnlpa.pdb", src ? src : ".");
    if (access(path, R_OK) != 0) return NULL;
    struct dp_pdb *p = NULL;
    if (dp_pdb_open(path, &p, err, sizeof err) != DP_OK) fail_msg("%s", err);
    return p;
}

static void test_streams_load(void **state)
{
    (void)state;
    struct dp_pdb *p = open_kernel();
    if (!p) skip();
    /* counted independently (a Python MSF walk: the DBI optional debug header names FPO stream 5 of
     * 31,376 bytes and FrameData stream 8 of 497,920 bytes: 16- and 32-byte records) */
    assert_int_equal(p->n_frames, 15560);
    assert_int_equal(p->n_fpo, 1961);
    for (uint32_t i = 1; i < p->n_frames; i++) /* sorted for the binary search */
        assert_true(pdb_rd32(p->frames + 32 * i) >= pdb_rd32(p->frames + 32 * (i - 1)));
    dp_pdb_close(p);
}

static void test_known_records(void **state)
{
    (void)state;
    struct dp_pdb *p = open_kernel();
    if (!p) skip();
    struct dp_pdb_frame fr;
    /* KeBugCheckEx (0x804f8c9a), C with EBP: five ULONG parameters, the frame-pointer program */
    assert_int_equal(dp_pdb_frame_lookup(p, 0x804f8c9a - NT_BASE + 4, &fr), DP_OK);
    assert_int_equal(fr.rva_start, 0x804f8c9a - NT_BASE);
    assert_int_equal(fr.params_size, 5 * 4);
    assert_non_null(fr.program);
    assert_string_equal(fr.program, "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = $L $T0 .cbSavedRegs - = "
                                    "$P $T0 4 + .cbParams + =");
    /* RtlCompareMemory (0x80541ea0), assembly: an old FPO_DATA record, three parameters, no program */
    assert_int_equal(dp_pdb_frame_lookup(p, 0x80541ea0 - NT_BASE + 4, &fr), DP_OK);
    assert_int_equal(fr.rva_start, 0x80541ea0 - NT_BASE);
    assert_int_equal(fr.params_size, 3 * 4);
    assert_null(fr.program);
    dp_pdb_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_streams_load), cmocka_unit_test(test_known_records)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
