/* What `!analyze -v` prints about the fault's own context: EXCEPTION_RECORD (.exr), CONTEXT (.cxr) or
 * TRAP_FRAME (.trap) with the registers as WinDbg lays them out, and the faulting instruction. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sw_report.h"

static const struct {
    uint32_t code;
    const char *name;
} excodes[] = {
#define SW_EXCODE(c, n) {c, n},
#include "sw_exception_codes.def"
#undef SW_EXCODE
};

static const char *excode_name(uint32_t code)
{
    for (size_t i = 0; i < sizeof excodes / sizeof excodes[0]; i++)
        if (excodes[i].code == code) return excodes[i].name;
    return NULL;
}

void sw_format_addr(char *out, size_t len, unsigned ptr_size, uint64_t v)
{
    if (ptr_size == 8) snprintf(out, len, "%08" PRIx32 "`%08" PRIx32, (uint32_t)(v >> 32), (uint32_t)v);
    else snprintf(out, len, "%08" PRIx32, (uint32_t)v);
}

static void exception_record(dp_ctx *ctx, struct dp_text *t, const struct sw_fault *f, unsigned ps)
{
    const struct sw_exr *x = &f->exr;
    char sym[SW_SYMBOL_LEN];
    const char *name = excode_name(x->code);
    dp_symbolize(ctx, x->address, sym, sizeof sym);
    dp_text_printf(t, "EXCEPTION_RECORD:  %0*" PRIx64 " -- (.exr 0x%" PRIx64 ")\n", (int)ps * 2, x->va, x->va);
    dp_text_printf(t, "ExceptionAddress: %0*" PRIx64 " (%s)\n", (int)ps * 2, x->address, sym);
    dp_text_printf(t, "   ExceptionCode: %08" PRIx32 "%s%s%s\n", x->code, name ? " (" : "", name ? name : "", name ? ")" : "");
    dp_text_printf(t, "  ExceptionFlags: %08" PRIx32 "\nNumberParameters: %" PRIu32 "\n", x->flags, x->n_params);
    for (unsigned i = 0; i < x->n_params; i++)
        dp_text_printf(t, "   Parameter[%u]: %0*" PRIx64 "\n", i, (int)ps * 2, x->params[i]);
    if (x->code == 0xC0000005u && x->n_params >= 2) {
        const char *how = x->params[0] == 0 ? "read from" : x->params[0] == 1 ? "write to" : x->params[0] == 8 ? "execute" : NULL;
        if (how) dp_text_printf(t, "Attempt to %s address %0*" PRIx64 "\n", how, (int)ps * 2, x->params[1]);
    }
    dp_text_printf(t, "\n");
}

static void x86_flags(struct dp_text *t, uint64_t efl)
{
    static const struct {
        unsigned bit;
        const char *clear, *set;
    } bits[] = {{11, "nv", "ov"}, {10, "up", "dn"}, {9, "di", "ei"}, {7, "pl", "ng"},
                {6, "nz", "zr"},  {4, "na", "ac"},  {2, "po", "pe"}, {0, "nc", "cy"}};
    dp_text_printf(t, "iopl=%u        ", (unsigned)(efl >> 12) & 3);
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        dp_text_printf(t, " %s", (efl >> bits[i].bit) & 1 ? bits[i].set : bits[i].clear);
}

static uint64_t reg(const struct sw_fault *f, unsigned i) { return (f->valid >> i) & 1 ? f->regs.gpr[i] : 0; }

static void segments(struct dp_text *t, const struct sw_fault *f, uint64_t efl)
{
    static const char *const names[] = {"cs", "ss", "ds", "es", "fs", "gs"};
    for (unsigned i = 0; i < 6; i++) dp_text_printf(t, "%s=%04" PRIx64 "  ", names[i], (f->valid_seg >> i) & 1 ? f->seg[i] : 0);
    dp_text_printf(t, "           efl=%08" PRIx64 "\n", efl);
}

static void registers_x64(struct dp_text *t, const struct sw_fault *f)
{
    /* WinDbg's order: rax rbx rcx / rdx rsi rdi / rip rsp rbp / r8 r9 r10 / r11 r12 r13 / r14 r15 */
    static const int order[] = {0, 3, 1, 2, 6, 7, -1, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};
    static const char *const names[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", " r8", " r9", "r10",
                                        "r11", "r12", "r13", "r14", "r15"};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int i = order[k];
        uint64_t v = i < 0 ? f->regs.ip : reg(f, (unsigned)i);
        dp_text_printf(t, "%s=%016" PRIx64 "%s", i < 0 ? "rip" : names[i], v, k % 3 == 2 || k + 1 == sizeof order / sizeof order[0] ? "\n" : " ");
    }
    x86_flags(t, f->regs.flags);
    dp_text_printf(t, "\n");
    segments(t, f, f->regs.flags);
}

static void registers_x86(struct dp_text *t, const struct sw_fault *f)
{
    dp_text_printf(t, "eax=%08" PRIx64 " ebx=%08" PRIx64 " ecx=%08" PRIx64 " edx=%08" PRIx64 " esi=%08" PRIx64 " edi=%08" PRIx64 "\n",
                   reg(f, 0), reg(f, 3), reg(f, 1), reg(f, 2), reg(f, 6), reg(f, 7));
    dp_text_printf(t, "eip=%08" PRIx64 " esp=%08" PRIx64 " ebp=%08" PRIx64 " ", f->regs.ip, f->regs.sp, reg(f, 5));
    x86_flags(t, f->regs.flags);
    dp_text_printf(t, "\n");
    segments(t, f, f->regs.flags);
}

static void registers_arm64(struct dp_text *t, const struct sw_fault *f)
{
    for (unsigned i = 0; i < 29; i++)
        dp_text_printf(t, "%sx%u=%016" PRIx64 "%s", i < 10 ? " " : "", i, f->regs.gpr[i], i % 4 == 3 || i == 28 ? "\n" : "  ");
    dp_text_printf(t, " fp=%016" PRIx64 "   lr=%016" PRIx64 "   sp=%016" PRIx64 "\n pc=%016" PRIx64 "  psr=%08" PRIx64 "\n",
                   f->regs.gpr[29], f->regs.gpr[30], f->regs.sp, f->regs.ip, f->regs.flags);
}

/* Capstone writes "[r9 + r8], edx"; WinDbg "[r9+r8],edx". */
static void windbg_operands(char *out, size_t len, const char *in)
{
    size_t k = 0;
    for (size_t i = 0; in[i] && k + 1 < len; i++) {
        char prev = i ? in[i - 1] : 0, next = in[i + 1];
        if (in[i] == ' ' && (prev == ',' || strchr("+-*", next) || (prev && strchr("+-*", prev)))) continue;
        out[k++] = in[i];
    }
    out[k] = 0;
}

static void faulting_instruction(dp_ctx *ctx, struct dp_text *t, uint64_t ip, unsigned ps)
{
    uint8_t code[16];
    char sym[SW_SYMBOL_LEN], addr[24], hex[40] = "", ops[sizeof ((struct dp_insn *)0)->operands];
    struct dp_insn in;
    dp_symbolize(ctx, ip, sym, sizeof sym);
    sw_format_addr(addr, sizeof addr, ps, ip);
    dp_text_printf(t, "%s:\n", sym);
    size_t n = sizeof code;
    /* the instruction may end the last page the dump holds: try shorter reads */
    while (n && dp_read_virt(ctx, ip, code, n) != DP_OK) n--;
    if (!n || dp_disasm(ctx, dp_dump_info(ctx)->arch, code, n, ip, &in) != DP_OK) {
        dp_text_printf(t, "%s ??              ???  (%s)\n", addr, n ? "the bytes there do not decode" : "code not in the dump");
        return;
    }
    for (unsigned i = 0; i < in.size && i < sizeof code; i++) snprintf(hex + 2 * i, sizeof hex - 2 * i, "%02x", code[i]);
    windbg_operands(ops, sizeof ops, in.operands);
    dp_text_printf(t, "%s %-16s%-7s %s\n", addr, hex, in.mnemonic, ops);
}

static void context_block(dp_ctx *ctx, struct dp_text *t, const struct sw_fault *f, unsigned ps)
{
    int trap = f->kind == SW_CTX_TRAP;
    dp_text_printf(t, "%s:  %0*" PRIx64 " -- (.%s 0x%" PRIx64 ")\n", trap ? "TRAP_FRAME" : "CONTEXT", (int)ps * 2, f->va,
                   trap ? "trap" : "cxr", f->va);
    if (trap) dp_text_printf(t, "NOTE: The trap frame does not contain all registers.\nSome register values may be zeroed or incorrect.\n");
    switch (f->regs.arch) {
    case DP_ARCH_X64: registers_x64(t, f); break;
    case DP_ARCH_X86: registers_x86(t, f); break;
    default: registers_arm64(t, f); break;
    }
    faulting_instruction(ctx, t, f->regs.ip, ps);
    dp_text_printf(t, "Resetting default scope\n");
}

void sw_context_command(char *out, size_t len, const struct sw_fault *f)
{
    if (f->kind == SW_CTX_NONE) snprintf(out, len, "%s", "");
    else snprintf(out, len, ".%s 0x%" PRIx64, f->kind == SW_CTX_TRAP ? "trap" : "cxr", f->va);
}

static void publish_context(dp_ctx *ctx, const struct sw_fault *f, const char *cmd)
{
    struct dp_field row[8];
    size_t n = 0;
    row[n++] = DP_STR("kind", f->kind == SW_CTX_TRAP ? "trap" : f->kind == SW_CTX_CONTEXT ? "context" : "none");
    if (f->kind != SW_CTX_NONE) {
        row[n++] = DP_ADDR("addr", f->va);
        row[n++] = DP_ADDR("ip", f->regs.ip);
        row[n++] = DP_STR("command", cmd);
        row[n++] = DP_U64("param", f->param);
    }
    if (f->has_code) row[n++] = DP_U64("exception_code", f->code);
    if (f->has_exr) row[n++] = DP_ADDR("exception_record", f->exr.va);
    dp_publish(ctx, "stack.context", row, n);
}

void sw_report_fault(dp_ctx *ctx, const struct sw_fault *f, unsigned ps)
{
    struct dp_text t;
    char cmd[64], title[320], where[48];
    dp_text_init(&t);
    sw_context_command(cmd, sizeof cmd, f);
    if (f->has_exr) exception_record(ctx, &t, f, ps);
    if (f->kind != SW_CTX_NONE) {
        context_block(ctx, &t, f, ps);
        if (f->param) snprintf(where, sizeof where, "Arg%u", f->param);
        else snprintf(where, sizeof where, "found on the stack");
        snprintf(title, sizeof title, "%s of the fault: %s (%s)", f->kind == SW_CTX_TRAP ? "trap frame" : "context record", cmd, where);
    } else {
        snprintf(title, sizeof title, "no context of the fault: %s; STACK_TEXT starts in the bug-check context", f->why);
    }
    const struct dp_field ev[] = {DP_STR("command", cmd), DP_ADDR("ip", f->regs.ip)};
    struct dp_finding fd = {.code = "stack.context", .severity = DP_SEV_INFO, .confidence = f->kind != SW_CTX_NONE ? 90 : 100,
                            .title = title, .details = dp_text_str(&t), .evidence = ev,
                            .n_evidence = f->kind != SW_CTX_NONE ? 2 : 0};
    dp_add_finding(ctx, &fd);
    publish_context(ctx, f, cmd);
    dp_text_free(&t);
}
