/* The `!analyze -v` keys that come from the dump rather than from the analyzers: PROCESS_NAME and
 * CURRENT_IRQL, read from a small dump's EPROCESS and KPRCB copies with offsets by build
 * (kernel_offsets.def); and the kernel's image name as WinDbg gives it. */
#include "summary.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ctx_dump.h"
#include "dump/dump.h"
#include "symbols.h"

struct kernel_offsets {
    enum dp_arch arch;
    uint32_t first, last;
    uint32_t image_file_name, debugger_saved_irql, prcb_size;
};

static const struct kernel_offsets offsets[] = {
#define KOFF(arch, first, last, name, irql, prcb) {arch, first, last, name, irql, prcb},
#include "kernel_offsets.def"
#undef KOFF
};

static const struct kernel_offsets *offsets_for(const struct dp_dump_info *i)
{
    for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++)
        if (offsets[k].arch == i->arch && i->os_build >= offsets[k].first && i->os_build <= offsets[k].last) return &offsets[k];
    return NULL;
}

/* ImageFileName: up to 15 printable characters, NUL-terminated; anything else is not believed. */
static const char *process_name(struct dp_ctx *c, const struct kernel_offsets *o)
{
    const uint8_t *p;
    size_t len;
    if (dp_dump_triage_block(c->dump, DP_TRIAGE_PROCESS, &p, &len) != DP_OK || len < o->image_file_name + 16) return NULL;
    const char *name = (const char *)p + o->image_file_name;
    size_t n = strnlen(name, 16);
    if (!n || n == 16) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isprint((unsigned char)name[i])) return NULL;
    return dp_arena_printf(c->arena, "%.*s", (int)n, name);
}

static int current_irql(struct dp_ctx *c, const struct kernel_offsets *o)
{
    const uint8_t *p;
    size_t len;
    if (dp_dump_triage_block(c->dump, DP_TRIAGE_PRCB, &p, &len) != DP_OK || len < o->prcb_size) return -1;
    return p[o->debugger_saved_irql] <= 31 ? p[o->debugger_saved_irql] : -1; /* HIGH_LEVEL is 15 (x64), 31 (x86) */
}

void dp_summary_dump_keys(struct dp_ctx *c)
{
    const struct kernel_offsets *o = c->dump ? offsets_for(dp_ctx_dump_info(c)) : NULL;
    c->summary.current_irql = -1;
    if (!o) return;
    c->summary.process_name = process_name(c, o);
    c->summary.current_irql = current_irql(c, o);
}

/* WinDbg names the kernel by its PDB: ntkrnlmp on every x64 and non-PAE multiprocessor system,
 * ntkrpamp on PAE x86; the loaded-module list says ntoskrnl.exe either way. */
const char *dp_summary_image_name(struct dp_ctx *c, const struct dp_module *m)
{
    char stem[64];
    if (!m || !m->name) return NULL;
    dp_module_short_name(m->name, stem, sizeof stem);
    if (strcmp(stem, "nt") != 0) return m->name;
    if (m->pdb_name && strlen(m->pdb_name) > 4 && !strcasecmp(m->pdb_name + strlen(m->pdb_name) - 4, ".pdb"))
        return dp_arena_printf(c->arena, "%.*s.exe", (int)strlen(m->pdb_name) - 4, m->pdb_name);
    return dp_ctx_dump_info(c)->paging == DP_PAGING_X86_PAE ? "ntkrpamp.exe" : "ntkrnlmp.exe";
}
