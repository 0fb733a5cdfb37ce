/* The DUMP_HEADER32 / DUMP_HEADER64 every Windows kernel dump starts with (reference 1.2, 1.3),
 * pre-filled with "PAGE" like the kernel's writer so unused fields read back as the fill. */
#include "dpgen.h"

#include <string.h>

struct hdr_layout {
    unsigned size, dtb, pfn, psl, pah, machine, nproc, code, params, pwidth, kdbg, context, ctx_len, ctx_area,
        exception, exc_len, comment, dump_type, minidump_fields, product, suite, required, uptime, systime;
};
static const struct hdr_layout h32 = {0x1000, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x2C, 4, 0x60, 0x320,
                                      0x2CC, 1200, 0x7D0, 0x50, 0x820, 0xF88, 0xF8C, 0xF94, 0xF98, 0xFA0, 0xFB8,
                                      0xFC0};
static const struct hdr_layout h64 = {0x2000, 0x10, 0x18, 0x20, 0x28, 0x30, 0x34, 0x38, 0x40, 8, 0x80, 0x348,
                                      0x4D0, 3000, 0xF00, 0x98, 0xFB0, 0xF98, 0x1038, 0x1040, 0x1044, 0xFA0, 0x1030,
                                      0xFA8};

unsigned hdr_size(const struct gen *g) { return is64(g) ? h64.size : h32.size; }
unsigned hdr_context_offset(const struct gen *g) { return is64(g) ? h64.context : h32.context; }
unsigned hdr_exception_offset(const struct gen *g) { return is64(g) ? h64.exception : h32.exception; }

void hdr_fill(struct gen *g, uint8_t *h, uint32_t dump_type)
{
    const struct hdr_layout *l = is64(g) ? &h64 : &h32;
    unsigned pw = l->pwidth;
    for (unsigned i = 0; i < l->size; i += 4)
        memcpy(h + i, "PAGE", 4);
    memcpy(h + 4, is64(g) ? "DU64" : "DUMP", 4);
    put_le(h + 8, g->major, 4);
    put_le(h + 0xC, g->build, 4);
    put_le(h + l->dtb, g->cr3, pw);
    put_le(h + l->pfn, g->pfn_db_va, pw);
    put_le(h + l->psl, g->module_list_va, pw);
    put_le(h + l->pah, g->process_head_va, pw);
    put_le(h + l->machine, g->arch == ARCH_ARM64 ? 0xAA64 : is64(g) ? 0x8664 : 0x14C, 4);
    put_le(h + l->nproc, g->processors, 4);
    put_le(h + l->code, g->bugcheck, 4);
    if (is64(g))
        put_le(h + 0x3C, 0, 4);
    for (int i = 0; i < 4; i++)
        put_le(h + l->params + i * pw, g->bug_params[i], pw);
    memset(h + l->params + 4 * pw, 0, 32); /* VersionUser */
    if (!is64(g))
        put_le(h + 0x5C, g->arch == ARCH_PAE, 4); /* PaeEnabled, KdSecondaryVersion, spare */
    put_le(h + l->kdbg, g->kdbg_va, pw);
    memset(h + l->context, 0, l->ctx_area);
    memcpy(h + l->context, g->context, l->ctx_len);
    memset(h + l->exception, 0, l->exc_len);
    put_le(h + l->dump_type, dump_type, 4);
    put_le(h + l->minidump_fields, 0, 4);
    put_le(h + l->minidump_fields + 4, 0, 4); /* SecondaryDataState */
    put_le(h + l->product, g->product_type, 4);
    put_le(h + l->suite, g->suite_mask, 4);
    put_le(h + l->suite + 4, 0, 4); /* WriterStatus */
    put_le(h + l->uptime, g->uptime, 8);
    put_le(h + l->systime, g->system_time, 8);
    if (is64(g))
        memset(h + 0x104C, 0, 0xC); /* unused, KdSecondaryVersion, Attributes, BootId */
    else
        memset(h + 0x8A0, 0, 8);    /* Attributes, BootId */
    hdr_set_comment(g, h, g->comment);
}

void hdr_set_comment(struct gen *g, uint8_t *h, const char *comment)
{
    uint8_t *c = h + (is64(g) ? h64.comment : h32.comment);
    if (!comment)
        return;
    memset(c, 0, 128);
    memcpy(c, comment, strlen(comment) < 127 ? strlen(comment) : 127);
}

void hdr_set_required_space(struct gen *g, uint8_t *h, uint64_t size)
{
    put_le(h + (is64(g) ? h64.required : h32.required), size, 8);
}

void hdr_set_minidump_fields(struct gen *g, uint8_t *h, uint32_t fields)
{
    put_le(h + (is64(g) ? h64.minidump_fields : h32.minidump_fields), fields, 4);
}

/* PHYSICAL_MEMORY_DESCRIPTOR32/64 (reference 1.4); used by run-based dumps only. */
void hdr_set_runs(struct gen *g, uint8_t *h)
{
    uint8_t *d = h + (is64(g) ? 0x88 : 0x64);
    unsigned w = is64(g) ? 8 : 4;
    put_le(d, g->n_runs, 4);
    if (is64(g))
        put_le(d + 4, 0, 4);
    put_le(d + (is64(g) ? 8 : 4), pm_present_pages(g), w);
    uint8_t *r = d + (is64(g) ? 0x10 : 8);
    for (size_t i = 0; i < g->n_runs; i++, r += 2 * w) {
        put_le(r, g->runs[i].base_pfn, w);
        put_le(r + w, g->runs[i].count, w);
    }
}
