/* The walker over a fake machine: a stack page, modules with code bytes (decoded by capstone, as the
 * host does), a fake x64 unwinder with per-function frame sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../codeptr/tests/capstone_decoder.h"
#include "sw_walk.h"

#define STACK_X86 0x8000ull
#define STACK_X64 0xffff800000008000ull
#define STACK_LEN 0x2000u
#define CODE_LEN 0x1000u

struct fake_mod {
    uint64_t base, size;
    int exec;      /* 1: executable, 0: data, -1: headers absent */
    int has_code;  /* code bytes readable */
    int no_unwind; /* x64: unwind data absent (DP_ERR_FAULT) */
    uint8_t code[CODE_LEN];
};

struct fake_fn {
    uint64_t begin, end, frame; /* x64: bytes the prolog allocates below the return address */
};

struct fake {
    enum dp_arch arch;
    uint64_t stack_va;
    uint8_t stack[STACK_LEN];
    struct fake_mod mods[3];
    struct fake_fn fns[8];
    size_t n_fns;
    csh cs;
};

static struct fake F;

static int in(uint64_t va, size_t len, uint64_t base, uint64_t size) { return va >= base && va - base <= size && size - (va - base) >= len; }

static int fake_read(void *user, uint64_t va, void *buf, size_t len)
{
    struct fake *f = user;
    if (in(va, len, f->stack_va, STACK_LEN)) return memcpy(buf, f->stack + (va - f->stack_va), len), DP_OK;
    for (int i = 0; i < 3; i++)
        if (f->mods[i].has_code && in(va, len, f->mods[i].base, CODE_LEN))
            return memcpy(buf, f->mods[i].code + (va - f->mods[i].base), len), DP_OK;
    return DP_ERR_FAULT;
}

static struct fake_mod *mod_at(struct fake *f, uint64_t a)
{
    for (int i = 0; i < 3; i++)
        if (f->mods[i].size && a - f->mods[i].base < f->mods[i].size) return &f->mods[i];
    return NULL;
}

static int fake_module_at(void *user, uint64_t addr, uint64_t *base, int *exec)
{
    struct fake_mod *m = mod_at(user, addr);
    if (m) *exec = m->exec, *base = m->base;
    return m != NULL;
}

static int fake_decode(void *user, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    return test_decode(&((struct fake *)user)->cs, code, len, addr, out);
}

/* dp_unwind_frame's contract for functions that only allocate a fixed frame (no frame pointer). */
static int fake_unwind(void *user, struct dp_regs *r)
{
    struct fake *f = user;
    struct fake_mod *m = mod_at(f, r->ip);
    if (!m) return DP_ERR_NOT_FOUND;
    if (m->no_unwind) return DP_ERR_FAULT;
    for (size_t i = 0; i < f->n_fns; i++) {
        if (r->ip < f->fns[i].begin || r->ip >= f->fns[i].end) continue;
        uint8_t b[8];
        if (fake_read(f, r->sp + f->fns[i].frame, b, 8)) return DP_ERR_FAULT;
        uint64_t ret = 0;
        for (int k = 7; k >= 0; k--) ret = ret << 8 | b[k];
        r->ip = ret;
        r->sp = r->gpr[4] = r->sp + f->fns[i].frame + 8;
        return DP_OK;
    }
    return DP_ERR_NOT_FOUND;
}

static struct sw_env env_for(enum dp_arch arch)
{
    return (struct sw_env){.user = &F, .arch = arch, .read = fake_read, .module_at = fake_module_at,
                           .decode = fake_decode, .unwind = arch == DP_ARCH_X64 ? fake_unwind : NULL};
}

static void put(uint64_t va, uint64_t v)
{
    unsigned ps = F.arch == DP_ARCH_X64 ? 8 : 4;
    assert_true(in(va, ps, F.stack_va, STACK_LEN));
    for (unsigned i = 0; i < ps; i++) F.stack[va - F.stack_va + i] = (uint8_t)(v >> (8 * i));
}

/* Writes BYTES so that they end at RET in RET's module: a call instruction returning there. */
static uint64_t call_before(uint64_t ret, const char *bytes, size_t n)
{
    struct fake_mod *m = mod_at(&F, ret);
    assert_non_null(m);
    memcpy(m->code + (ret - m->base) - n, bytes, n);
    return ret;
}
#define CALL_REL32(ret) call_before((ret), "\xe8\x10\x00\x00\x00", 5)

static void setup_machine(enum dp_arch arch)
{
    csh keep = F.cs;
    memset(&F, 0, sizeof F);
    F.cs = keep;
    F.arch = arch;
    uint64_t hi = arch == DP_ARCH_X64 ? 0xfffff80000000000ull : 0;
    F.stack_va = arch == DP_ARCH_X64 ? STACK_X64 : STACK_X86;
    uint64_t bases[3] = {hi + 0x10000, hi + 0x20000, hi + 0x30000};
    for (int i = 0; i < 3; i++) {
        F.mods[i].base = bases[i];
        F.mods[i].size = 0x4000;
        F.mods[i].exec = i == 2 ? -1 : 1;
        F.mods[i].has_code = i != 2;
        memset(F.mods[i].code, 0xcc, CODE_LEN); /* int3 padding: no call ends anywhere by accident */
    }
}

static int group_setup(void **state)
{
    (void)state;
    F.cs = test_open(CS_MODE_32);
    return F.cs ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    cs_close(&F.cs);
    return 0;
}

static void use_mode(cs_mode mode)
{
    cs_close(&F.cs);
    F.cs = test_open(mode);
    assert_true(F.cs != 0);
}

static void test_call_ends_at(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    use_mode(CS_MODE_32);
    struct sw_env e = env_for(DP_ARCH_X86);
    const uint8_t rel[] = {0x90, 0x90, 0xe8, 1, 2, 3, 4};            /* call rel32 */
    const uint8_t ind[] = {0x90, 0xff, 0x15, 0x00, 0x10, 0x40, 0x00}; /* call [abs] */
    const uint8_t reg[] = {0x90, 0x90, 0x90, 0xff, 0xd0};             /* call eax */
    const uint8_t mov[] = {0x90, 0x8b, 0x45, 0x08};                   /* mov eax, [ebp+8] */
    const uint8_t jmp[] = {0x90, 0xe9, 1, 2, 3, 4};                   /* jmp rel32: not a call */
    assert_true(sw_call_ends_at(&e, rel, sizeof rel, 0x1007));
    assert_true(sw_call_ends_at(&e, ind, sizeof ind, 0x1007));
    assert_true(sw_call_ends_at(&e, reg, sizeof reg, 0x1005));
    assert_false(sw_call_ends_at(&e, mov, sizeof mov, 0x1004));
    assert_false(sw_call_ends_at(&e, jmp, sizeof jmp, 0x1006));
    assert_false(sw_call_ends_at(&e, rel, 1, 0x1001));
    use_mode(CS_MODE_64);
    e = env_for(DP_ARCH_X64);
    const uint8_t rip[] = {0x48, 0xff, 0x15, 1, 2, 3, 4}; /* call qword ptr [rip+disp] */
    const uint8_t r11[] = {0x90, 0x41, 0xff, 0xd3};        /* call r11 */
    assert_true(sw_call_ends_at(&e, rip, sizeof rip, 0x2007));
    assert_true(sw_call_ends_at(&e, r11, sizeof r11, 0x2004));
    use_mode(CS_MODE_32);
}

static void test_check_return(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    uint64_t ret = CALL_REL32(F.mods[0].base + 0x205);
    assert_int_equal(sw_check_return(&e, ret), SW_RET_AFTER_CALL);
    assert_int_equal(sw_check_return(&e, ret + 1), SW_RET_NO);       /* code, but no call ends there */
    assert_int_equal(sw_check_return(&e, 0x12345678), SW_RET_NO);    /* no module */
    assert_int_equal(sw_check_return(&e, 0), SW_RET_NO);
    assert_int_equal(sw_check_return(&e, F.mods[2].base + 0x1040), SW_RET_IN_MODULE); /* code not in the dump */
    assert_int_equal(sw_check_return(&e, F.mods[2].base), SW_RET_NO);          /* its image base */
    assert_int_equal(sw_check_return(&e, F.mods[2].base + 0x40), SW_RET_NO);   /* its headers */
    assert_int_equal(sw_check_return(&e, F.mods[2].base + 0x2000), SW_RET_NO); /* a page start */
    F.mods[1].exec = 0;
    assert_int_equal(sw_check_return(&e, CALL_REL32(F.mods[1].base + 0x105)), SW_RET_NO); /* data section */
    /* a call at the very start of a page whose previous page is absent is still seen */
    F.mods[1].exec = 1;
    F.mods[1].has_code = 1;
    F.mods[0].code[0] = 0xff, F.mods[0].code[1] = 0xd0; /* call eax at base: ends at base+2 */
    assert_int_equal(sw_check_return(&e, F.mods[0].base + 2), SW_RET_AFTER_CALL);
}

static void test_fp_link(void **state)
{
    (void)state;
    assert_true(sw_fp_link_ok(0x8110, 0x8140, 0x8000, 0x9000, 4));
    assert_false(sw_fp_link_ok(0x8110, 0x8110, 0x8000, 0x9000, 4)); /* points at itself: a cycle */
    assert_false(sw_fp_link_ok(0x8140, 0x8110, 0x8000, 0x9000, 4)); /* goes down: a cycle or garbage */
    assert_false(sw_fp_link_ok(0x8110, 0x8142, 0x8000, 0x9000, 4)); /* misaligned */
    assert_false(sw_fp_link_ok(0x8110, 0x8ffc, 0x8000, 0x9000, 4)); /* no room for the return address */
    assert_false(sw_fp_link_ok(0x8110, 0x9100, 0x8000, 0x9000, 4)); /* off the stack */
    assert_false(sw_fp_link_ok(0x8000, 0x8000 + SW_MAX_FRAME_BYTES + 4, 0x8000, 0x20000, 4)); /* too big a frame */
    assert_false(sw_fp_link_ok(0xfffffffffffffff0ull, 0xfffffffffffffff8ull, 0, UINT64_MAX, 8));
    assert_true(sw_fp_in_stack(0x8000, 0x8000, 0x9000, 4));
    assert_false(sw_fp_in_stack(0x7ffc, 0x8000, 0x9000, 4));
}

static struct dp_regs regs_x86(uint64_t ip, uint64_t sp, uint64_t fp)
{
    return (struct dp_regs){.arch = DP_ARCH_X86, .ip = ip, .sp = sp, .fp = fp, .gpr = {[4] = sp, [5] = fp}};
}

static void test_x86_chain(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    uint64_t nt = F.mods[1].base, drv = F.mods[0].base;
    uint64_t r1 = CALL_REL32(nt + 0x105), r2 = CALL_REL32(drv + 0x205);
    put(0x8110, 0x8140), put(0x8114, r1);
    put(0x8140, 0x8180), put(0x8144, r2);
    put(0x8180, 0), put(0x8184, 0);
    struct dp_regs r = regs_x86(nt + 0x50, 0x8100, 0x8110);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 3);
    assert_int_equal(st.frames[0].ip, nt + 0x50);
    assert_int_equal(st.frames[0].sp, 0x8110);
    assert_int_equal(st.frames[0].ret, r1);
    assert_int_equal(st.frames[0].source, SW_SRC_CONTEXT);
    assert_int_equal(st.frames[1].ip, r1);
    assert_int_equal(st.frames[1].sp, 0x8140);
    assert_int_equal(st.frames[1].source, SW_SRC_FRAME_POINTER);
    assert_int_equal(st.frames[2].ip, r2);
    assert_int_equal(st.frames[2].ret, 0);
    assert_false(sw_stack_scanned(&st));
    sw_stack_release(&st);
}

/* A frame-pointer-omitting driver breaks the chain: the scan skips a data pointer and a value that
 * does not follow a call, finds the next return address and picks the chain up again. */
static void test_x86_scan_and_resume(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    uint64_t nt = F.mods[1].base, drv = F.mods[0].base;
    uint64_t r1 = CALL_REL32(nt + 0x105), r2 = CALL_REL32(drv + 0x205), r3 = CALL_REL32(nt + 0x305),
             r4 = CALL_REL32(drv + 0x405);
    put(0x8110, 0x8140), put(0x8114, r1);
    put(0x8140, 0x12345678), put(0x8144, r2); /* saved ebp is garbage */
    put(0x8150, drv + 0x300);                 /* inside drv's code, but no call ends there */
    put(0x8154, 0x9000000);                   /* nowhere */
    put(0x815c, 0x81a0), put(0x8160, r3);     /* a return address with a framed function below it */
    put(0x81a0, 0), put(0x81a4, r4);
    struct dp_regs r = regs_x86(nt + 0x50, 0x8100, 0x8110);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 5);
    assert_int_equal(st.frames[2].ip, r2);
    assert_int_equal(st.frames[2].ret, r3);
    assert_int_equal(st.frames[2].sp, 0x815c);
    assert_int_equal(st.frames[3].ip, r3);
    assert_int_equal(st.frames[3].source, SW_SRC_SCAN);
    assert_int_equal(st.frames[3].sp, 0x81a0);
    assert_int_equal(st.frames[3].ret, r4);
    assert_int_equal(st.frames[4].ip, r4);
    assert_int_equal(st.frames[4].source, SW_SRC_FRAME_POINTER);
    assert_true(sw_stack_scanned(&st));
    assert_false(st.frames[3].weak);
    sw_stack_release(&st);
}

static void test_x86_cycle_and_bounds(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    uint64_t nt = F.mods[1].base;
    uint64_t r1 = CALL_REL32(nt + 0x105);
    put(0x8110, 0x8110), put(0x8114, r1); /* a frame that points at itself */
    struct dp_regs r = regs_x86(nt + 0x50, 0x8100, 0x8110);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 2);
    sw_stack_release(&st);
    /* a long valid chain stops at max_frames */
    for (uint64_t fp = 0x8100; fp < 0x8100 + 40 * 0x20; fp += 0x20) put(fp, fp + 0x20), put(fp + 4, r1);
    r = regs_x86(nt + 0x50, 0x8100, 0x8100);
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 10, &st), DP_OK);
    assert_int_equal(st.n, 10);
    sw_stack_release(&st);
    /* the stack ends where the dump's bytes end: max_bytes of 0x40 leaves no second frame */
    assert_int_equal(sw_walk(&e, &r, 0x40, 64, &st), DP_OK);
    assert_int_equal(st.hi - st.lo, 0x40);
    assert_true(st.n <= 3);
    sw_stack_release(&st);
    /* no stack at all */
    r = regs_x86(nt + 0x50, 0x50000, 0x50010);
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_ERR_FAULT);
    sw_stack_release(&st);
}

static void test_weak_frames(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    uint64_t nocode = F.mods[2].base;
    put(0x8120, nocode + 0x1777);
    struct dp_regs r = regs_x86(F.mods[1].base + 0x50, 0x8100, 0);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.frames[1].ip, nocode + 0x1777);
    assert_true(st.frames[1].weak);
    assert_int_equal(st.frames[1].source, SW_SRC_SCAN);
    sw_stack_release(&st);
}

/* dp_unwind_frame's x86 contract: DP_ERR_NOT_APPLICABLE where the PDB has no record; F.fns are
 * functions without a frame pointer whose record puts the return address FRAME bytes above esp
 * (.raSearch), restoring no EBP. */
static int fake_unwind_x86(void *user, struct dp_regs *r)
{
    struct fake *f = user;
    for (size_t i = 0; i < f->n_fns; i++) {
        if (r->ip < f->fns[i].begin || r->ip >= f->fns[i].end) continue;
        uint8_t b[4];
        if (fake_read(f, r->sp + f->fns[i].frame, b, 4)) return DP_ERR_FAULT;
        r->ip = (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
        r->sp = r->gpr[4] = r->sp + f->fns[i].frame + 4;
        return DP_OK;
    }
    return DP_ERR_NOT_APPLICABLE;
}

/* Two drivers' functions without a frame pointer, then nt with one: A's record finds the return
 * into B; B's record, run from where A's frame ends, would look at A's two stdcall arguments: the
 * walker searches up from .raSearch to the return into nt; nt's frame goes on by the EBP chain. */
static void test_x86_frame_data(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X86);
    struct sw_env e = env_for(DP_ARCH_X86);
    e.unwind = fake_unwind_x86;
    uint64_t nt = F.mods[1].base, drv = F.mods[0].base;
    F.fns[0] = (struct fake_fn){drv + 0x100, drv + 0x200, 0x10}; /* A */
    F.fns[1] = (struct fake_fn){drv + 0x200, drv + 0x300, 0x8};  /* B */
    F.n_fns = 2;
    uint64_t r1 = CALL_REL32(drv + 0x285), r2 = CALL_REL32(nt + 0x105), r3 = CALL_REL32(nt + 0x305);
    put(0x8110, r1);
    put(0x8114, 0x11), put(0x8118, 0x22);         /* A's arguments */
    put(0x811c, drv + 0x300), put(0x8120, 0x33);  /* B's locals: a code address no call ends at */
    put(0x8124, r2);
    put(0x8180, 0), put(0x8184, r3);              /* nt's frame: EBP unchanged since */
    struct dp_regs r = regs_x86(drv + 0x150, 0x8100, 0x8180);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 4);
    assert_int_equal(st.frames[0].ret, r1);
    assert_int_equal(st.frames[0].sp, 0x810c); /* the slot below the return address */
    assert_int_equal(st.frames[1].ip, r1);
    assert_int_equal(st.frames[1].source, SW_SRC_UNWIND);
    assert_int_equal(st.frames[1].ret, r2);
    assert_int_equal(st.frames[1].sp, 0x8120);
    assert_int_equal(st.frames[2].ip, r2);
    assert_int_equal(st.frames[2].source, SW_SRC_UNWIND);
    assert_int_equal(st.frames[2].sp, 0x8180); /* nt: its EBP frame */
    assert_int_equal(st.frames[2].ret, r3);
    assert_int_equal(st.frames[3].ip, r3);
    assert_int_equal(st.frames[3].source, SW_SRC_FRAME_POINTER);
    assert_false(sw_stack_scanned(&st));
    sw_stack_release(&st);
    /* nothing that follows a call within reach of B's .raSearch: the EBP chain instead */
    put(0x8124, 0x44);
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 3);
    assert_int_equal(st.frames[1].ip, r1);
    assert_int_equal(st.frames[1].source, SW_SRC_UNWIND);
    assert_int_equal(st.frames[1].ret, r3);
    assert_int_equal(st.frames[2].ip, r3);
    assert_int_equal(st.frames[2].source, SW_SRC_FRAME_POINTER);
    sw_stack_release(&st);
}

static struct dp_regs regs_x64(uint64_t ip, uint64_t sp)
{
    return (struct dp_regs){.arch = DP_ARCH_X64, .ip = ip, .sp = sp, .gpr = {[4] = sp}};
}

/* A leaf at the top, then four functions that allocate fixed frames and keep no frame pointer. */
static void test_x64_unwind(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X64);
    use_mode(CS_MODE_64);
    struct sw_env e = env_for(DP_ARCH_X64);
    uint64_t k = F.mods[1].base, S = STACK_X64 + 0x100;
    F.fns[F.n_fns++] = (struct fake_fn){k + 0x200, k + 0x300, 0x20};
    F.fns[F.n_fns++] = (struct fake_fn){k + 0x400, k + 0x500, 0x38};
    F.fns[F.n_fns++] = (struct fake_fn){k + 0x600, k + 0x700, 0x18};
    F.fns[F.n_fns++] = (struct fake_fn){k + 0x800, k + 0x900, 0x8};
    uint64_t ra = CALL_REL32(k + 0x250), rb = CALL_REL32(k + 0x450), rc = CALL_REL32(k + 0x650),
             rd = CALL_REL32(k + 0x850);
    uint64_t sp1 = S + 8, sp2 = sp1 + 0x28, sp3 = sp2 + 0x40, sp4 = sp3 + 0x20;
    put(S, ra);            /* leaf at k+0x100: no entry, return address at [rsp] */
    put(sp1 + 0x20, rb);
    put(sp2 + 0x38, rc);
    put(sp3 + 0x18, rd);
    put(sp4 + 0x8, 0);     /* the thread's first frame */
    put(sp4 + 0x40, k + 0x10); /* stale data above: not after a call, ignored by the scan */
    struct dp_regs r = regs_x64(k + 0x100, S);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 5);
    uint64_t ips[] = {k + 0x100, ra, rb, rc, rd}, sps[] = {S, sp1, sp2, sp3, sp4};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(st.frames[i].ip, ips[i]);
        assert_int_equal(st.frames[i].sp, sps[i]);
        assert_int_equal(st.frames[i].source, i ? SW_SRC_UNWIND : SW_SRC_CONTEXT);
    }
    assert_int_equal(st.frames[4].ret, 0);
    assert_false(sw_stack_scanned(&st));
    sw_stack_release(&st);
    use_mode(CS_MODE_32);
}

/* No unwind data in the dump (a triage dump): the scan finds return addresses, and a module whose
 * code is absent is accepted by range only. */
static void test_x64_scan_without_unwind_data(void **state)
{
    (void)state;
    setup_machine(DP_ARCH_X64);
    use_mode(CS_MODE_64);
    struct sw_env e = env_for(DP_ARCH_X64);
    F.mods[0].no_unwind = F.mods[1].no_unwind = 1;
    uint64_t k = F.mods[1].base, S = STACK_X64 + 0x100;
    uint64_t ra = CALL_REL32(k + 0x250);
    put(S + 0x10, k + 0x300);          /* code, no call before it */
    put(S + 0x28, ra);
    put(S + 0x50, F.mods[2].base);         /* an image base: never a return address */
    put(S + 0x60, F.mods[2].base + 0x1123); /* module without code in the dump */
    struct dp_regs r = regs_x64(k + 0x100, S);
    struct sw_stack st;
    assert_int_equal(sw_walk(&e, &r, STACK_LEN, 64, &st), DP_OK);
    assert_int_equal(st.n, 3);
    assert_int_equal(st.frames[1].ip, ra);
    assert_int_equal(st.frames[1].source, SW_SRC_SCAN);
    assert_int_equal(st.frames[1].sp, S + 0x30);
    assert_int_equal(st.frames[2].ip, F.mods[2].base + 0x1123);
    assert_true(st.frames[2].weak);
    sw_stack_release(&st);
    use_mode(CS_MODE_32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_ends_at),  cmocka_unit_test(test_check_return),
        cmocka_unit_test(test_fp_link),       cmocka_unit_test(test_x86_chain),
        cmocka_unit_test(test_x86_scan_and_resume), cmocka_unit_test(test_x86_cycle_and_bounds),
        cmocka_unit_test(test_weak_frames),   cmocka_unit_test(test_x86_frame_data), cmocka_unit_test(test_x64_unwind),
        cmocka_unit_test(test_x64_scan_without_unwind_data),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
