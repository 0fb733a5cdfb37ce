/* x86 unwinding by FrameData programs and old FPO records (host/symbols/pdb_unwind.c), over a
 * small fake memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <dumppipe/dumppipe.h>

#include "pdb_unwind.h"

/* Memory 0x1000..0x1fff holds value(va) = va * 3 + 1; the rest is absent. */
static int fake_read(void *user, uint32_t va, uint32_t *out)
{
    (void)user;
    if (va < 0x1000 || va > 0x1ffc) return DP_ERR_FAULT;
    *out = va * 3 + 1;
    return DP_OK;
}

static struct dp_x86_frame start(void) { return (struct dp_x86_frame){.eip = 0x401000, .esp = 0x1100, .ebp = 0x1200, .ebx = 7}; }

static void test_frame_pointer_program(void **state)
{
    (void)state;
    struct dp_pdb_frame fr = {.locals_size = 8, .saved_regs_size = 4, .params_size = 8,
                              .program = "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = "
                                         "$L $T0 .cbSavedRegs - = $P $T0 4 + .cbParams + ="};
    struct dp_x86_frame r = start();
    assert_int_equal(dp_pdb_unwind_x86(&fr, &r, fake_read, NULL), DP_OK);
    assert_int_equal(r.eip, 0x1204 * 3 + 1);
    assert_int_equal(r.ebp, 0x1200 * 3 + 1);
    assert_int_equal(r.esp, 0x1208);
    assert_int_equal(r.ebx, 7); /* not restored by the program: unchanged */
}

static void test_ra_search_program(void **state)
{
    (void)state;
    /* clang's program for a function without a frame pointer; .raSearch = esp + locals + saved */
    struct dp_pdb_frame fr = {.locals_size = 0x10, .saved_regs_size = 8,
                              .program = "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = $ebx $T0 8 - ^ = $ebp $ebp 16 @ ="};
    struct dp_x86_frame r = start();
    assert_int_equal(dp_pdb_unwind_x86(&fr, &r, fake_read, NULL), DP_OK);
    assert_int_equal(r.eip, 0x1118 * 3 + 1);
    assert_int_equal(r.esp, 0x111c);
    assert_int_equal(r.ebx, 0x1110 * 3 + 1);
    assert_int_equal(r.ebp, 0x1200); /* 0x1200 aligned down to 16 */
}

static void test_bad_programs(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "$eip 1 +",                       /* nothing assigned */
        "$T0 $esp = $eip $T0 0 / = $esp $T0 =", /* division by zero */
        "$eip $T5 =",                      /* reads an unset temporary */
        "$eip =",                          /* stack underflow */
        "$eip 4 3 @ = $esp 0 =",           /* align by a non-power of two */
        "$eip 0x10 = $esp 0 =",            /* not a decimal number */
        "$eip $aVeryLongVariableName = $esp 0 =",
        "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dp_pdb_frame fr = {.program = bad[i]};
        struct dp_x86_frame r = start(), before = r;
        if (dp_pdb_unwind_x86(&fr, &r, fake_read, NULL) != DP_ERR_BAD_DATA) fail_msg("case %zu: '%s' accepted", i, bad[i]);
        assert_memory_equal(&r, &before, sizeof r); /* a failed unwind leaves the registers */
    }
    struct dp_pdb_frame fr = {.program = "$T0 $esp 65536 + = $eip $T0 ^ = $esp $T0 ="};
    struct dp_x86_frame r = start();
    assert_int_equal(dp_pdb_unwind_x86(&fr, &r, fake_read, NULL), DP_ERR_FAULT); /* memory absent */
}

static void test_old_fpo(void **state)
{
    (void)state;
    struct dp_pdb_frame fr = {.locals_size = 0x20, .saved_regs_size = 8, .flags = 0};
    struct dp_x86_frame r = start();
    assert_int_equal(dp_pdb_unwind_x86(&fr, &r, fake_read, NULL), DP_OK);
    assert_int_equal(r.eip, 0x1128 * 3 + 1);
    assert_int_equal(r.esp, 0x112c);
    fr.flags = 2; /* uses EBP */
    r = start();
    assert_int_equal(dp_pdb_unwind_x86(&fr, &r, fake_read, NULL), DP_OK);
    assert_int_equal(r.eip, 0x1204 * 3 + 1);
    assert_int_equal(r.ebp, 0x1200 * 3 + 1);
    assert_int_equal(r.esp, 0x1208);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_pointer_program),
        cmocka_unit_test(test_ra_search_program),
        cmocka_unit_test(test_bad_programs),
        cmocka_unit_test(test_old_fpo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
