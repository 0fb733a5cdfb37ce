/* Classification and `ub` search over real x86/x64 instruction bytes, decoded by capstone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../cp_classify.h"
#include "capstone_decoder.h"

/* The seed's driver+0x36532 neighbourhood: a function tail (leave; ret 18h), int3 padding, then the
 * function the pool block points at (push 2Ch; push offset; call; mov byte ptr [ebp-19h],0 ...). */
static const uint8_t x86_code[] = {
    0x55, 0x8b, 0xec, 0x83, 0xec, 0x10, 0x8b, 0x45, 0x08, 0x50, 0xe8, 0x10, 0x20, 0x00, 0x00, /* body */
    0x8b, 0xc6, 0x5f, 0x5e, 0x5b, 0xc9, 0xc2, 0x18, 0x00,                                   /* leave; ret 18h */
    0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,                                                     /* padding */
    0x6a, 0x2c, 0x68, 0x08, 0x1d, 0x5c, 0xb9, 0xe8, 0x12, 0xd7, 0x02, 0x00,                 /* entry (+30) */
    0xc6, 0x45, 0xe7, 0x00, 0x83, 0x65, 0xdc, 0x00, 0xff, 0x15, 0x5c, 0xef, 0x5b, 0xb9,     /* +42: after call */
    0x8b, 0x4d, 0x0c, 0x3b, 0xc1, 0x75, 0x05, 0x33, 0xc0, 0x40, 0x90, 0x90,
};
#define X86_BASE 0xb958f514u
#define X86_ENTRY (X86_BASE + 30)

static const uint8_t x64_code[] = {
    0x48, 0x8b, 0xc1, 0x48, 0x83, 0xc4, 0x28, 0xc3,                         /* mov rax,rcx; add rsp,28h; ret */
    0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,                         /* padding */
    0x48, 0x89, 0x5c, 0x24, 0x08, 0x57, 0x48, 0x83, 0xec, 0x20, 0x48, 0x8b, /* entry (+16) */
    0xf9, 0xe8, 0x00, 0x10, 0x00, 0x00, 0x48, 0x8b, 0xd8, 0x48, 0x8b, 0xc3, /* call ends at +34 */
    0x48, 0x8b, 0x5c, 0x24, 0x30, 0x48, 0x83, 0xc4, 0x20, 0x5f, 0xc3, 0xcc,
};
#define X64_BASE 0xfffff80012345000ull
#define X64_ENTRY (X64_BASE + 16)

struct fixture {
    csh h;
    struct cp_decoder dec;
    struct cp_window win;
};

static int setup(void **state, cs_mode mode, const uint8_t *code, size_t len, uint64_t base)
{
    static struct fixture f;
    f.h = test_open(mode);
    if (!f.h) return -1;
    f.dec = (struct cp_decoder){.decode = test_decode, .ud = &f.h};
    f.win = (struct cp_window){.bytes = code, .len = len, .start = base};
    *state = &f;
    return 0;
}
static int setup_x86(void **s) { return setup(s, CS_MODE_32, x86_code, sizeof x86_code, X86_BASE); }
static int setup_x64(void **s) { return setup(s, CS_MODE_64, x64_code, sizeof x64_code, X64_BASE); }
static int teardown(void **s)
{
    struct fixture *f = *s;
    cs_close(&f->h);
    return 0;
}

static struct cp_verdict classify(void **s, uint64_t addr, int exec)
{
    struct fixture *f = *s;
    return cp_classify(&f->dec, &f->win, addr, exec);
}

static void x86_entry_after_padding(void **s)
{
    struct cp_verdict v = classify(s, X86_ENTRY, 1);
    assert_int_equal(v.cls, CP_FUNCTION_ENTRY);
    assert_int_equal(v.confidence, 90); /* padding before, push as its first instruction */
}

static void x86_ub_shows_leave_ret_and_padding(void **s)
{
    struct fixture *f = *s;
    struct cp_backward b;
    cp_search_backward(&f->dec, &f->win, X86_ENTRY, &b);
    assert_true(b.found);
    assert_int_equal(b.start, X86_BASE); /* the longest clean run starts at the window's first byte */
    struct dp_insn ub[CP_MAX_LISTING];
    size_t n = cp_listing_backward(&f->dec, &f->win, X86_ENTRY, &b, ub, CP_MAX_LISTING);
    assert_int_equal(n, 8);
    assert_string_equal(ub[0].mnemonic, "leave");
    assert_int_equal(ub[0].address, X86_ENTRY - 10);
    assert_string_equal(ub[1].mnemonic, "ret");
    assert_string_equal(ub[1].operands, "0x18");
    for (size_t i = 2; i < 8; i++) assert_string_equal(ub[i].mnemonic, "int3");
}

static void x86_forward_listing(void **s)
{
    struct fixture *f = *s;
    struct dp_insn u[CP_MAX_LISTING];
    size_t n = cp_decode_forward(&f->dec, &f->win, X86_ENTRY, u, CP_MAX_LISTING);
    assert_int_equal(n, 8);
    assert_string_equal(u[0].mnemonic, "push");
    assert_string_equal(u[0].operands, "0x2c");
    assert_string_equal(u[2].mnemonic, "call");
    assert_int_equal(u[7].address, X86_ENTRY + 29); /* cmp eax, ecx */
}

static void x86_return_address(void **s)
{
    struct cp_verdict v = classify(s, X86_ENTRY + 12, 1);
    assert_int_equal(v.cls, CP_RETURN_ADDRESS);
    assert_true(v.confidence >= 80);
}

static void x86_mid_instruction(void **s)
{
    /* inside "push offset b95c1d08" */
    assert_int_equal(classify(s, X86_ENTRY + 3, 1).cls, CP_IMPLAUSIBLE);
    /* inside the call's rel32 */
    assert_int_equal(classify(s, X86_ENTRY + 9, 1).cls, CP_IMPLAUSIBLE);
}

static void x86_inside_function(void **s)
{
    struct cp_verdict v = classify(s, X86_ENTRY + 16, 1); /* and dword ptr [ebp-24h],0 */
    assert_int_equal(v.cls, CP_INSIDE_FUNCTION);
}

static void x86_padding_is_implausible(void **s)
{
    assert_int_equal(classify(s, X86_ENTRY - 3, 1).cls, CP_IMPLAUSIBLE);
}

static void x86_nonexecutable_is_data(void **s)
{
    struct cp_verdict v = classify(s, X86_ENTRY, 0);
    assert_int_equal(v.cls, CP_DATA);
}

static void x86_outside_window_is_implausible(void **s)
{
    assert_int_equal(classify(s, X86_BASE + sizeof x86_code, 1).cls, CP_IMPLAUSIBLE);
}

static void x86_entry_at_window_start_uses_prologue(void **s)
{
    struct cp_verdict v = classify(s, X86_BASE, 1); /* push ebp, nothing readable before it */
    assert_int_equal(v.cls, CP_FUNCTION_ENTRY);
    assert_true(v.confidence <= 50);
}

static void undecodable_bytes(void **s)
{
    struct fixture *f = *s;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct cp_window w = {.bytes = junk, .len = sizeof junk, .start = 0x1000};
    struct cp_verdict v = cp_classify(&f->dec, &w, 0x1004, 1);
    assert_int_equal(v.cls, CP_IMPLAUSIBLE);
    assert_int_equal(v.confidence, 90);
}

static void x64_entry_after_padding(void **s)
{
    struct cp_verdict v = classify(s, X64_ENTRY, 1);
    assert_int_equal(v.cls, CP_FUNCTION_ENTRY);
    assert_int_equal(v.confidence, 90); /* mov [rsp+8],rbx home-space save */
}

static void x64_return_address(void **s)
{
    assert_int_equal(classify(s, X64_ENTRY + 18, 1).cls, CP_RETURN_ADDRESS);
}

static void x64_mid_instruction(void **s)
{
    assert_int_equal(classify(s, X64_ENTRY + 2, 1).cls, CP_IMPLAUSIBLE); /* inside mov [rsp+8],rbx */
    assert_int_equal(classify(s, X64_ENTRY + 15, 1).cls, CP_IMPLAUSIBLE); /* inside the call */
}

static void x64_after_ret_without_padding(void **s)
{
    /* the byte after the final ret is int3: padding */
    assert_int_equal(classify(s, X64_BASE + sizeof x64_code - 1, 1).cls, CP_IMPLAUSIBLE);
    /* the ret itself follows pop rdi: inside */
    assert_int_equal(classify(s, X64_BASE + sizeof x64_code - 2, 1).cls, CP_INSIDE_FUNCTION);
}

static void jump_target_is_inside(void **s)
{
    struct fixture *f = *s;
    /* cmp ecx,10h; je +5; xor eax,eax; jmp +2; inc eax; nop; ret: "inc eax" follows a jmp but is the je's target */
    static const uint8_t code[] = {0x83, 0xf9, 0x10, 0x74, 0x04, 0x33, 0xc0, 0xeb, 0x01, 0x40, 0x90, 0xc3};
    struct cp_window w = {.bytes = code, .len = sizeof code, .start = 0x401000};
    struct cp_verdict v = cp_classify(&f->dec, &w, 0x401009, 1);
    assert_int_equal(v.cls, CP_INSIDE_FUNCTION);
    assert_int_equal(v.confidence, 70);
}

static void class_names(void **s)
{
    (void)s;
    assert_string_equal(cp_class_name(CP_FUNCTION_ENTRY), "function-entry");
    assert_string_equal(cp_class_name(CP_RETURN_ADDRESS), "return-address");
    assert_string_equal(cp_class_name(CP_INSIDE_FUNCTION), "inside-function");
    assert_string_equal(cp_class_name(CP_DATA), "data");
    assert_string_equal(cp_class_name(CP_IMPLAUSIBLE), "implausible");
}

int main(void)
{
    const struct CMUnitTest x86[] = {
        cmocka_unit_test(x86_entry_after_padding),
        cmocka_unit_test(x86_ub_shows_leave_ret_and_padding),
        cmocka_unit_test(x86_forward_listing),
        cmocka_unit_test(x86_return_address),
        cmocka_unit_test(x86_mid_instruction),
        cmocka_unit_test(x86_inside_function),
        cmocka_unit_test(x86_padding_is_implausible),
        cmocka_unit_test(x86_nonexecutable_is_data),
        cmocka_unit_test(x86_outside_window_is_implausible),
        cmocka_unit_test(x86_entry_at_window_start_uses_prologue),
        cmocka_unit_test(undecodable_bytes),
        cmocka_unit_test(jump_target_is_inside),
        cmocka_unit_test(class_names),
    };
    const struct CMUnitTest x64[] = {
        cmocka_unit_test(x64_entry_after_padding),
        cmocka_unit_test(x64_return_address),
        cmocka_unit_test(x64_mid_instruction),
        cmocka_unit_test(x64_after_ret_without_padding),
    };
    int fails = cmocka_run_group_tests_name("codeptr x86", x86, setup_x86, teardown);
    fails += cmocka_run_group_tests_name("codeptr x64", x64, setup_x64, teardown);
    return fails;
}
