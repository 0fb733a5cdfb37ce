/* The ARM64 frame-record walk over a fake machine: a stack of {x29, x30} records, a module whose code is
 * readable (so a bl before each return address is checked) and one whose code is not in the dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sw_walk.h"

#define STACK 0xfffff801be080000ull
#define STACK_LEN 0x2000u
#define NT 0xfffff80100000000ull /* code readable */
#define DRV 0xfffff80200000000ull /* code not in the dump */
#define MOD_LEN 0x10000u
#define BL 0x94000000u

static uint8_t stack[STACK_LEN];
static uint8_t nt_code[MOD_LEN];

static int in(uint64_t va, size_t len, uint64_t base, uint64_t size) { return va >= base && va - base <= size && size - (va - base) >= len; }

static int fake_read(void *user, uint64_t va, void *buf, size_t len)
{
    (void)user;
    if (in(va, len, STACK, STACK_LEN)) return memcpy(buf, stack + (va - STACK), len), DP_OK;
    if (in(va, len, NT, MOD_LEN)) return memcpy(buf, nt_code + (va - NT), len), DP_OK;
    return DP_ERR_FAULT;
}

static int fake_module_at(void *user, uint64_t addr, uint64_t *base, int *exec)
{
    (void)user;
    if (addr - NT < MOD_LEN) return *base = NT, *exec = 1, 1;
    if (addr - DRV < MOD_LEN) return *base = DRV, *exec = -1, 1;
    return 0;
}

/* The host's contract for ARM64: 4-byte instructions; bl is a call. */
static int fake_decode(void *user, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    (void)user;
    uint32_t w;
    if (len < 4) return DP_ERR_BAD_DATA;
    memcpy(&w, code, 4);
    memset(out, 0, sizeof *out);
    out->address = addr, out->size = 4;
    if ((w & 0xfc000000u) == BL) out->flags = DP_INSN_CALL;
    return DP_OK;
}

static const struct sw_env env = {.arch = DP_ARCH_ARM64, .read = fake_read, .module_at = fake_module_at,
                                  .decode = fake_decode};

static void put64(uint64_t va, uint64_t v) { memcpy(stack + (va - STACK), &v, 8); }
static void bl_before(uint64_t ret) { uint32_t w = BL; memcpy(nt_code + (ret - NT) - 4, &w, 4); }

static void record(uint64_t fp, uint64_t prev, uint64_t ret)
{
    put64(fp, prev);
    put64(fp + 8, ret);
}

static void reset(void)
{
    memset(stack, 0, sizeof stack);
    memset(nt_code, 0, sizeof nt_code);
}

static struct dp_regs regs_at(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t lr)
{
    struct dp_regs r = {.arch = DP_ARCH_ARM64, .ip = pc, .sp = sp, .fp = fp};
    r.gpr[29] = fp, r.gpr[30] = lr;
    return r;
}

static void chain(void **state)
{
    (void)state;
    reset();
    bl_before(NT + 0x2004);
    bl_before(NT + 0x3008);
    record(STACK + 0x100, STACK + 0x180, NT + 0x2004);
    record(STACK + 0x180, STACK + 0x200, DRV + 0x5010);
    record(STACK + 0x200, 0, NT + 0x3008);
    struct dp_regs r = regs_at(NT + 0x1234, STACK + 0xf0, STACK + 0x100, 0);
    struct sw_stack st;
    assert_int_equal(sw_walk(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK); /* dispatches on the arch */
    assert_int_equal(st.n, 4);
    const uint64_t ip[] = {NT + 0x1234, NT + 0x2004, DRV + 0x5010, NT + 0x3008};
    const uint64_t sp[] = {STACK + 0x100, STACK + 0x180, STACK + 0x200, STACK + 0x210};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(st.frames[i].ip, ip[i]);
        assert_int_equal(st.frames[i].sp, sp[i]);
        assert_int_equal(st.frames[i].ret, i < 3 ? ip[i + 1] : 0);
        assert_int_equal(st.frames[i].source, i ? SW_SRC_FRAME_POINTER : SW_SRC_CONTEXT);
        assert_int_equal(st.frames[i].weak, i == 2); /* the driver's code is not there to check */
    }
    assert_int_equal(st.lo, STACK + 0xf0);
    assert_false(sw_stack_scanned(&st));
    sw_stack_release(&st);

    /* max_frames bounds the walk */
    assert_int_equal(sw_walk(&env, &r, 0x10000, 2, &st), DP_OK);
    assert_int_equal(st.n, 2);
    sw_stack_release(&st);
}

/* A leaf function: the return address is in LR only, x29 still points at the caller's record. */
static void leaf_uses_lr(void **state)
{
    (void)state;
    reset();
    bl_before(NT + 0x2004);
    bl_before(NT + 0x4444);
    record(STACK + 0x100, 0, NT + 0x2004);
    struct dp_regs r = regs_at(DRV + 0x40, STACK + 0xf0, STACK + 0x100, NT + 0x4444);
    struct sw_stack st;
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 3);
    assert_int_equal(st.frames[0].ret, NT + 0x4444);
    assert_int_equal(st.frames[1].ip, NT + 0x4444);
    assert_int_equal(st.frames[1].ret, NT + 0x2004);
    assert_int_equal(st.frames[2].ip, NT + 0x2004);

    /* LR into pc's own module is a stale value from an earlier call, not a caller */
    r = regs_at(NT + 0x1000, STACK + 0xf0, STACK + 0x100, NT + 0x4444);
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.frames[1].ip, NT + 0x2004);
}

/* Saved LR values may carry pointer-authentication bits: stripped back to the kernel address. */
static void pac_stripped(void **state)
{
    (void)state;
    reset();
    bl_before(NT + 0x2004);
    record(STACK + 0x100, 0, (NT + 0x2004) & 0x00ffffffffffffffull); /* PAC field cleared, bit 55 kept */
    struct dp_regs r = regs_at(NT + 0x10, STACK + 0x100, STACK + 0x100, 0);
    struct sw_stack st;
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.frames[1].ip, NT + 0x2004);
    assert_int_equal(sw_arm64_strip_pac(0x0012000000401000ull), 0x0000000000401000ull); /* user half */
}

/* Records that go down, loop, or leave the stack end the chain; an unreadable sp is a fault. */
static void broken_chains(void **state)
{
    (void)state;
    reset();
    bl_before(NT + 0x2004);
    record(STACK + 0x100, STACK + 0x100, NT + 0x2004); /* points at itself */
    struct dp_regs r = regs_at(NT + 0x10, STACK + 0x100, STACK + 0x100, 0);
    struct sw_stack st;
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 2);
    record(STACK + 0x100, STACK + 0x80, NT + 0x2004); /* below the frame */
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 2);
    record(STACK + 0x100, STACK + 0x1ff8, NT + 0x2004); /* record would straddle the stack's end */
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 2);
    record(STACK + 0x100, 0, 0x1234); /* not a return address into any module */
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_OK);
    assert_int_equal(st.n, 1);
    assert_int_equal(st.frames[0].ret, 0);
    r.sp = STACK - 0x1000;
    assert_int_equal(sw_walk_arm64(&env, &r, 0x10000, SW_MAX_FRAMES, &st), DP_ERR_FAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain),
        cmocka_unit_test(leaf_uses_lr),
        cmocka_unit_test(pac_stripped),
        cmocka_unit_test(broken_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
