/* ARM64 pieces of the machine model: the ARM64_NT_CONTEXT record (ContextFlags 0x0, Cpsr 0x4, X0..X28
 * 0x8.., Fp 0xF0, Lr 0xF8, Sp 0x100, Pc 0x108; reference symbols-arm64 §B2) and AArch64 page-table
 * descriptors for 4 KiB pages (bits 1:0 = 11 for tables and pages, AF = bit 10 on pages). Windows ARM64
 * uses one 512-entry root for both halves of the address space, walked like an x64 PML4. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

#define ARM64_CONTEXT_FLAGS 0x400007u /* CONTEXT_ARM64 | control, integer, floating point */
#define ARM64_CPSR_EL1H 0x60000005u   /* Z, C set; EL1 with SP_EL1 */

void arm64_context_defaults(uint8_t *c)
{
    put_le(c, ARM64_CONTEXT_FLAGS, 4);
    put_le(c + 4, ARM64_CPSR_EL1H, 4);
}

/* x0..x30, with the aliases fp (x29), lr (x30), sp, pc/ip, cpsr/flags. */
int arm64_reg(const char *name, unsigned *off, unsigned *width)
{
    *width = 8;
    if (!strcmp(name, "fp")) name = "x29";
    else if (!strcmp(name, "lr")) name = "x30";
    if (name[0] == 'x' && name[1] >= '0' && name[1] <= '9') {
        char *end;
        unsigned long n = strtoul(name + 1, &end, 10);
        if (*end || n > 30 || (name[1] == '0' && name[2])) return -1;
        *off = 8 + 8 * (unsigned)n;
        return 0;
    }
    if (!strcmp(name, "sp")) return *off = 0x100, 0;
    if (!strcmp(name, "pc") || !strcmp(name, "ip")) return *off = 0x108, 0;
    if (!strcmp(name, "cpsr") || !strcmp(name, "flags")) return *off = 4, *width = 4, 0;
    return -1;
}

uint64_t arm64_table_bits(void) { return 0x3; }
uint64_t arm64_page_bits(void) { return 0x3 | 1ull << 10; }
