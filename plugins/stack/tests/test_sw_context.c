/* Finding the fault's context over a fake machine: a stack page holding trap frames, context records
 * and exception records, found by the parameters that name them or by the faulting ip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sw_context.h"

#define STACK64 0xffff850429890000ull
#define STACK32 0x80a60000ull
#define LEN 0x2000u

static uint8_t mem[LEN];
static uint64_t base;

static int fake_read(void *user, uint64_t va, void *buf, size_t len)
{
    (void)user;
    if (va < base || va - base > LEN || LEN - (va - base) < len) return DP_ERR_FAULT;
    memcpy(buf, mem + (va - base), len);
    return DP_OK;
}

static void put(uint64_t va, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) mem[va - base + i] = (uint8_t)(v >> (8 * i));
}

static struct sw_env env(enum dp_arch arch)
{
    memset(mem, 0, sizeof mem);
    base = arch == DP_ARCH_X86 ? STACK32 : STACK64;
    return (struct sw_env){.arch = arch, .read = fake_read};
}

static struct sw_stack stack_of(void) { return (struct sw_stack){.lo = base, .hi = base + LEN, .bytes = mem}; }

static void find(const struct sw_env *e, uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3, uint64_t p4, struct sw_fault *f)
{
    uint64_t params[4] = {p1, p2, p3, p4};
    struct sw_stack st = stack_of();
    struct sw_ctx_env ce = {.env = e, .bugcheck_code = code, .params = params, .stack = &st};
    assert_int_equal(sw_find_fault(&ce, f), DP_OK);
}

/* 0x50: the x64 trap frame whose Rip is Arg3, found on the stack; an earlier decoy with another Rip is passed over. */
static void test_x64_trap_on_stack(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    uint64_t decoy = base + 0x100, tf = base + 0x800, ip = 0xfffff804206cb873ull;
    put(decoy + 0x168, 0xfffff80400001000ull, 8), put(decoy + 0x170, 0x10, 2);
    put(tf + 0x168, ip, 8), put(tf + 0x170, 0x10, 2), put(tf + 0x180, base + 0x1000, 8), put(tf + 0x158, 3, 8);
    put(tf + 0x30, 0x30, 8), put(tf + 0x178, 0x50287, 4);
    struct sw_fault f;
    find(&e, 0x50, 0xffffffffffffffb4ull, 0, ip, 2, &f);
    assert_int_equal(f.kind, SW_CTX_TRAP);
    assert_int_equal(f.va, tf);
    assert_int_equal(f.param, 0);
    assert_int_equal(f.regs.ip, ip);
    assert_int_equal(f.regs.sp, base + 0x1000);
    assert_int_equal(f.regs.gpr[0], 0x30);
    assert_int_equal(f.regs.flags, 0x50287);
    assert_true(f.partial);
}

/* A trap frame with a code segment Windows never uses is not believed. */
static void test_x64_trap_bad_cs(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    uint64_t tf = base + 0x800, ip = 0xfffff804206cb873ull;
    put(tf + 0x168, ip, 8), put(tf + 0x170, 0x4242, 2);
    struct sw_fault f;
    find(&e, 0x50, 1, 0, ip, 2, &f);
    assert_int_equal(f.kind, SW_CTX_NONE);
    assert_non_null(strstr(f.why, "no trap frame on the stack holds ip fffff804206cb873"));
}

/* 0x7E: Arg4 names the context record, Arg3 the exception record. */
static void test_x64_context_by_param(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    uint64_t cxr = base + 0x720, exr = base + 0xee8, ip = 0xfffff8048b58334cull;
    put(cxr + 0x30, 0x10001f, 4), put(cxr + 0x38, 0x10, 2), put(cxr + 0xf8, ip, 8), put(cxr + 0x98, base + 0x1120, 8);
    put(cxr + 0xc0, 0x44, 8);
    put(exr, 0xc0000005, 4), put(exr + 0x10, ip, 8), put(exr + 0x18, 2, 4), put(exr + 0x20, 1, 8), put(exr + 0x28, ~0ull, 8);
    struct sw_fault f;
    find(&e, 0x1000007e, 0xffffffffc0000005ull, ip, exr, cxr, &f);
    assert_int_equal(f.kind, SW_CTX_CONTEXT);
    assert_int_equal(f.param, 4);
    assert_int_equal(f.regs.ip, ip);
    assert_int_equal(f.regs.gpr[9], 0x44);
    assert_true(f.has_exr);
    assert_int_equal(f.exr_param, 3);
    assert_int_equal(f.exr.n_params, 2);
    assert_int_equal(f.exr.params[1], ~0ull);
    assert_int_equal(f.code, 0xc0000005u);
}

/* x86 0x1E: the 32-bit exception record (ExceptionAddress 0xc, NumberParameters 0x10, information
 * 0x14) and the trap frame are found on the stack by the exception address. */
static void test_x86_1e_search(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X86);
    uint64_t ip = 0x8fa01006, exr = base + 0x100, tf = base + 0x400;
    put(exr, 0xc0000005, 4), put(exr + 0xc, ip, 4), put(exr + 0x10, 2, 4), put(exr + 0x14, 0, 4), put(exr + 0x18, 0x10, 4);
    put(tf + 0x68, ip, 4), put(tf + 0x6c, 0x08, 4), put(tf + 0x60, base + 0x800, 4);
    struct sw_fault f;
    find(&e, 0x1e, 0xc0000005, ip, 0, 0x10, &f);
    assert_int_equal(f.kind, SW_CTX_TRAP);
    assert_int_equal(f.va, tf);
    assert_true(f.has_exr);
    assert_int_equal(f.exr.va, exr);
    assert_int_equal(f.exr.n_params, 2);
    assert_int_equal(f.exr.params[1], 0x10);
}

/* A "context record" without CONTEXT_AMD64 | CONTEXT_CONTROL is refused with a reason. */
static void test_x64_context_bad_flags(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    uint64_t cxr = base + 0x720;
    put(cxr + 0x30, 0x13e22c63 & ~0x100000u, 4), put(cxr + 0x38, 0x10, 2);
    struct sw_fault f;
    find(&e, 0x3b, 0xc0000005, 0x1234, cxr, 0, &f);
    assert_int_equal(f.kind, SW_CTX_NONE);
    assert_non_null(strstr(f.why, "no control registers"));
}

/* 0x1E: nothing names the context; the context record on the stack wins over the trap frame, and the
 * exception record is found by code and address. */
static void test_x64_1e_search(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    uint64_t ip = 0xfffff8031b40f001ull, cxr = base + 0x400, tf = base + 0x600, exr = base + 0x200;
    put(tf + 0x168, ip, 8), put(tf + 0x170, 0x10, 2);
    put(cxr + 0x30, 0x10001f, 4), put(cxr + 0x38, 0x10, 2), put(cxr + 0xf8, ip, 8);
    put(exr, 0xc0000005, 4), put(exr + 0x10, ip, 8), put(exr + 0x18, 2, 4), put(exr + 0x28, 0x289, 8);
    struct sw_fault f;
    find(&e, 0x1e, 0xffffffffc0000005ull, ip, 0, 0x289, &f);
    assert_int_equal(f.kind, SW_CTX_CONTEXT);
    assert_int_equal(f.va, cxr);
    assert_true(f.has_exr);
    assert_int_equal(f.exr.va, exr);
    assert_int_equal(f.exr.params[1], 0x289);
}

/* x86: 0x8E names the trap frame (Arg3); a kernel-mode trap's esp is the address of HardwareEsp. */
static void test_x86_trap_by_param(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X86);
    uint64_t tf = base + 0x300;
    put(tf + 0x68, 0xb957b954, 4), put(tf + 0x6c, 0x08, 4), put(tf + 0x60, base + 0x500, 4), put(tf + 0x70, 0x10286, 4);
    put(tf + 0x5c, 0x1234, 4);
    struct sw_fault f;
    find(&e, 0x8e, 0xc0000005, 0xb957b954, tf, 0, &f);
    assert_int_equal(f.kind, SW_CTX_TRAP);
    assert_int_equal(f.param, 3);
    assert_int_equal(f.regs.ip, 0xb957b954);
    assert_int_equal(f.regs.sp, tf + 0x74);
    assert_int_equal(f.regs.fp, base + 0x500);
    assert_int_equal(f.regs.gpr[3], 0x1234);
    assert_false(f.valid & 1); /* eax is not taken from an x86 trap frame */
}

/* x86: 0x3B names the context record (Arg3). */
static void test_x86_context_by_param(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X86);
    uint64_t cxr = base + 0x100;
    put(cxr, 0x1001f, 4), put(cxr + 0xbc, 0x08, 4), put(cxr + 0xb8, 0x8088978c, 4), put(cxr + 0xc4, base + 0x800, 4);
    put(cxr + 0xb0, 0xdead, 4);
    struct sw_fault f;
    find(&e, 0x3b, 0xc0000005, 0x8088978c, cxr, 0, &f);
    assert_int_equal(f.kind, SW_CTX_CONTEXT);
    assert_int_equal(f.regs.sp, base + 0x800);
    assert_int_equal(f.regs.gpr[0], 0xdead);
}

/* A context record the parameters name outside the dump: said so, nothing invented. */
static void test_context_absent(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_X64);
    struct sw_fault f;
    find(&e, 0x7e, 0xc0000005, 0x1234, 0x10, 0x20, &f);
    assert_int_equal(f.kind, SW_CTX_NONE);
    assert_non_null(strstr(f.why, "is not in the dump"));
    find(&e, 0x133, 1, 0x1e00, 0, 0, &f);
    assert_int_equal(f.kind, SW_CTX_NONE);
    assert_string_equal(f.why, "bug check 0x133 names no context of a fault");
}

/* ARM64: the CONTEXT layout reads Pc, Sp, Fp and Lr (0x108, 0x100, 0xf0, 0xf8). */
static void test_arm64_context(void **state)
{
    (void)state;
    struct sw_env e = env(DP_ARCH_ARM64);
    uint64_t cxr = base + 0x200;
    put(cxr, 0x400003, 4), put(cxr + 0x108, 0xfffff801bcb31000ull, 8), put(cxr + 0x100, base + 0x1000, 8);
    put(cxr + 0xf0, base + 0x1100, 8), put(cxr + 0xf8, 0xfffff801bcb32000ull, 8);
    struct sw_fault f;
    find(&e, 0x7e, 0xc0000005, 0xfffff801bcb31000ull, 0, cxr, &f);
    assert_int_equal(f.kind, SW_CTX_CONTEXT);
    assert_int_equal(f.regs.ip, 0xfffff801bcb31000ull);
    assert_int_equal(f.regs.sp, base + 0x1000);
    assert_int_equal(f.regs.gpr[29], base + 0x1100);
    assert_int_equal(f.regs.gpr[30], 0xfffff801bcb32000ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x64_trap_on_stack),    cmocka_unit_test(test_x64_trap_bad_cs),
        cmocka_unit_test(test_x64_context_by_param), cmocka_unit_test(test_x64_context_bad_flags),
        cmocka_unit_test(test_x64_1e_search),        cmocka_unit_test(test_x86_trap_by_param),
        cmocka_unit_test(test_x86_context_by_param), cmocka_unit_test(test_context_absent),
        cmocka_unit_test(test_arm64_context),        cmocka_unit_test(test_x86_1e_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
