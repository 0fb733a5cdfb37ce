/* CONTEXT and KTRAP_FRAME layouts: data, checked against public type dumps (reference
 * windows-dump-format.md 1.10; ntdiff/headers _KTRAP_FRAME and _CONTEXT for Windows 10 x64 and x86;
 * the Windows SDK's ARM64 CONTEXT). gpr[] follows struct dp_regs; -1 marks a register the structure
 * does not save. */
#include "sw_context.h"

#define NONE16 -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1

static const struct sw_layout layouts[] = {
    /* x64 CONTEXT (0x4d0): Rax 0x78 ... R15 0xf0, Rip 0xf8, EFlags 0x44, SegCs 0x38 ... */
    {.arch = DP_ARCH_X64, .kind = SW_CTX_CONTEXT, .size = 0x4d0, .ip = 0xf8, .sp = 0x98, .fp = 0xa0, .flags = 0x44,
     .fault_address = -1,
     .gpr = {0x78, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0, 0xb8, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0, NONE16},
     .seg = {0x38, 0x42, 0x3a, 0x3c, 0x3e, 0x40}, .seg_size = 2, .context_flags = 0x30, .arch_flag = 0x100000,
     .n_gpr = 16},
    /* x64 KTRAP_FRAME (0x190): volatile registers, and rbx/rdi/rsi/rbp where the trap handler saved them */
    {.arch = DP_ARCH_X64, .kind = SW_CTX_TRAP, .size = 0x190, .ip = 0x168, .sp = 0x180, .fp = 0x158, .flags = 0x178,
     .fault_address = 0xd0,
     .gpr = {0x30, 0x38, 0x40, 0x140, 0x180, 0x158, 0x150, 0x148, 0x48, 0x50, 0x58, 0x60, -1, -1, -1, -1, NONE16},
     .seg = {0x170, 0x188, 0x130, 0x132, 0x134, 0x136}, .seg_size = 2, .context_flags = -1, .n_gpr = 16},
    /* x86 CONTEXT (0x2cc): Edi 0x9c ... Eax 0xb0, Ebp 0xb4, Eip 0xb8, SegCs 0xbc, EFlags 0xc0, Esp 0xc4 */
    {.arch = DP_ARCH_X86, .kind = SW_CTX_CONTEXT, .size = 0x2cc, .ip = 0xb8, .sp = 0xc4, .fp = 0xb4, .flags = 0xc0,
     .fault_address = -1,
     .gpr = {0xb0, 0xac, 0xa8, 0xa4, 0xc4, 0xb4, 0xa0, 0x9c, -1, -1, -1, -1, -1, -1, -1, -1, NONE16},
     .seg = {0xbc, 0xc8, 0x98, 0x94, 0x90, 0x8c}, .seg_size = 4, .context_flags = 0, .arch_flag = 0x10000,
     .n_gpr = 8},
    /* x86 KTRAP_FRAME (0x8c): Edi 0x54, Esi 0x58, Ebx 0x5c, Ebp 0x60, Eip 0x68, SegCs 0x6c, EFlags 0x70,
     * HardwareEsp 0x74. Eax/Ecx/Edx and the data segments moved between releases: left out. */
    {.arch = DP_ARCH_X86, .kind = SW_CTX_TRAP, .size = 0x8c, .ip = 0x68, .sp = -2, .fp = 0x60, .flags = 0x70,
     .fault_address = -1,
     .gpr = {-1, -1, -1, 0x5c, -1, 0x60, 0x58, 0x54, -1, -1, -1, -1, -1, -1, -1, -1, NONE16},
     .seg = {0x6c, -1, -1, -1, -1, -1}, .seg_size = 4, .context_flags = -1, .n_gpr = 8},
    /* ARM64 CONTEXT (0x390): ContextFlags 0, Cpsr 4, X0..X28 8.., Fp 0xf0, Lr 0xf8, Sp 0x100, Pc 0x108 */
    {.arch = DP_ARCH_ARM64, .kind = SW_CTX_CONTEXT, .size = 0x390, .ip = 0x108, .sp = 0x100, .fp = 0xf0, .flags = 4,
     .fault_address = -1,
     .gpr = {0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70, 0x78, 0x80,
             0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0, 0xb8, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0, 0xf8, -1},
     .seg = {-1, -1, -1, -1, -1, -1}, .context_flags = 0, .arch_flag = 0x400000, .n_gpr = 31},
};

const struct sw_layout *sw_layout_for(enum dp_arch arch, enum sw_ctx_kind kind)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].arch == arch && layouts[i].kind == kind) return &layouts[i];
    return NULL;
}

static const struct sw_rule rules[] = {
#define SW_RULE(code, exc, ip, data, exr, cxr, trap, search) {code, exc, ip, data, exr, cxr, trap, search},
#include "sw_context_rules.def"
#undef SW_RULE
};

const struct sw_rule *sw_rule_for(uint32_t code)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].code == code) return &rules[i];
    return NULL;
}
