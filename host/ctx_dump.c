/* SDK services over the opened dump. With no dump (--explain) every read is "not applicable". */
#include "ctx_dump.h"

#include <stdlib.h>
#include <string.h>

#include "ctx_image.h"
#include "dump/dump.h"
#include "pe.h"
#include "symbols.h"

struct dp_module_pe {
    int state; /* 0 not tried, 1 parsed, -1 headers absent or corrupt */
    struct dp_pe *pe;
};

const struct dp_dump_info *dp_ctx_dump_info(dp_ctx *c) { return c->dump ? dp_dump_get_info(c->dump) : &c->info_none; }

int dp_ctx_get_regs(dp_ctx *c, struct dp_regs *out)
{
    if (!out) return DP_ERR_INVALID;
    return c->dump ? dp_dump_regs(c->dump, out) : DP_ERR_NOT_APPLICABLE;
}

int dp_ctx_read_phys(dp_ctx *c, uint64_t pa, void *buf, size_t len)
{
    if (!buf && len) return DP_ERR_INVALID;
    return c->dump ? dp_dump_read_phys(c->dump, pa, buf, len) : DP_ERR_NOT_APPLICABLE;
}

int dp_ctx_read_virt(dp_ctx *c, uint64_t va, void *buf, size_t len)
{
    if (!buf && len) return DP_ERR_INVALID;
    return c->dump ? dp_dump_read_virt(c->dump, va, buf, len) : DP_ERR_NOT_APPLICABLE;
}

int dp_ctx_translate(dp_ctx *c, uint64_t va, uint64_t *pa)
{
    if (!pa) return DP_ERR_INVALID;
    return c->dump ? dp_dump_translate(c->dump, va, pa) : DP_ERR_NOT_APPLICABLE;
}

size_t dp_ctx_phys_run_count(dp_ctx *c) { return c->dump ? dp_dump_run_count(c->dump) : 0; }

int dp_ctx_phys_run(dp_ctx *c, size_t i, uint64_t *pfn, uint64_t *n)
{
    if (!pfn || !n) return DP_ERR_INVALID;
    return c->dump ? dp_dump_run(c->dump, i, pfn, n) : DP_ERR_NOT_APPLICABLE;
}

const uint8_t *dp_ctx_phys_page(dp_ctx *c, uint64_t pfn) { return c->dump ? dp_dump_phys_page(c->dump, pfn) : NULL; }

size_t dp_ctx_dump_tag_count(dp_ctx *c) { return c->dump ? dp_dump_n_tags(c->dump) : 0; }

int dp_ctx_dump_tag_get(dp_ctx *c, size_t i, struct dp_dump_tag *out)
{
    if (!out) return DP_ERR_INVALID;
    return c->dump ? dp_dump_tag_at(c->dump, i, out) : DP_ERR_NOT_FOUND;
}

/* ---- modules ---- */

size_t dp_ctx_module_count(dp_ctx *c) { return c->n_modules; }

const struct dp_module *dp_ctx_module_get(dp_ctx *c, size_t i)
{
    return i < c->n_modules ? dp_dump_module(c->dump, i) : NULL;
}


static int cmp_base(const void *a, const void *b, void *arg)
{
    struct dp_dump *d = arg;
    uint64_t x = dp_dump_module(d, *(const size_t *)a)->base, y = dp_dump_module(d, *(const size_t *)b)->base;
    return x < y ? -1 : x > y;
}

int dp_ctx_index_modules(struct dp_ctx *c)
{
    c->n_modules = c->dump ? dp_dump_module_count(c->dump) : 0;
    if (!c->n_modules) return DP_OK;
    c->module_order = calloc(c->n_modules, sizeof *c->module_order);
    c->pe_cache = calloc(c->n_modules, sizeof *c->pe_cache);
    if (!c->module_order || !c->pe_cache) return DP_ERR_NOMEM;
    for (size_t i = 0; i < c->n_modules; i++) c->module_order[i] = i;
    qsort_r(c->module_order, c->n_modules, sizeof *c->module_order, cmp_base, c->dump);
    return DP_OK;
}

void dp_ctx_release_modules(struct dp_ctx *c)
{
    for (size_t i = 0; c->pe_cache && i < c->n_modules; i++) dp_pe_close(c->pe_cache[i].pe);
    free(c->pe_cache);
    free(c->module_order);
    c->pe_cache = NULL;
    c->module_order = NULL;
}

/* Modules may overlap in a corrupt list; the one with the highest base at or below addr that
 * covers it wins, which is also what a debugger shows. */
const struct dp_module *dp_ctx_module_by_addr(dp_ctx *c, uint64_t addr)
{
    size_t lo = 0, hi = c->n_modules;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dp_dump_module(c->dump, c->module_order[mid])->base <= addr) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k-- > 0;) {
        const struct dp_module *m = dp_dump_module(c->dump, c->module_order[k]);
        if (addr - m->base < m->size) return m;
        if (lo - k > 8) break; /* overlaps deeper than this are not worth a linear scan */
    }
    return NULL;
}

static int name_matches(const char *modname, const char *want)
{
    if (dp_strcaseeq(modname, want)) return 1;
    const char *dot = strrchr(modname, '.');
    size_t stem = dot ? (size_t)(dot - modname) : strlen(modname);
    return strlen(want) == stem && strncasecmp(modname, want, stem) == 0;
}

const struct dp_module *dp_ctx_module_by_name(dp_ctx *c, const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < c->n_modules; i++) {
        const struct dp_module *m = dp_dump_module(c->dump, i);
        if (m->name && name_matches(m->name, name)) return m;
    }
    return NULL;
}

/* Headers, exports, .pdata and unwind codes: from the dump, or from the module's image from the
 * symbol path where the dump lacks the pages (ctx_image.c). */
static int read_virt_cb(void *user, uint64_t va, void *buf, size_t len) { return dp_ctx_read_virt_image(user, va, buf, len); }

static struct dp_pe *module_pe(dp_ctx *c, const struct dp_module *m)
{
    if (!m || !c->dump) return NULL;
    for (size_t i = 0; i < c->n_modules; i++) {
        if (dp_dump_module(c->dump, i) != m) continue;
        struct dp_module_pe *slot = &c->pe_cache[i];
        if (slot->state == 0)
            slot->state = dp_pe_open(read_virt_cb, c, m->base, m->size, &slot->pe) == DP_OK ? 1 : -1;
        return slot->state == 1 ? slot->pe : NULL;
    }
    return NULL;
}

size_t dp_ctx_module_sections(dp_ctx *c, const struct dp_module *m, struct dp_section *out, size_t max)
{
    struct dp_pe *pe = module_pe(c, m);
    return pe ? dp_pe_sections(pe, out, max) : 0;
}

int dp_ctx_module_export_nearest(dp_ctx *c, const struct dp_module *m, uint64_t addr, const char **name,
                                 uint64_t *disp)
{
    struct dp_pe *pe = module_pe(c, m);
    if (!name || !disp) return DP_ERR_INVALID;
    return pe ? dp_pe_export_nearest(pe, addr, name, disp) : DP_ERR_NOT_FOUND;
}

int dp_ctx_module_data_directory(dp_ctx *c, const struct dp_module *m, unsigned idx, uint32_t *rva, uint32_t *size)
{
    struct dp_pe *pe = module_pe(c, m);
    if (!rva || !size) return DP_ERR_INVALID;
    return pe ? dp_pe_data_directory(pe, idx, rva, size) : DP_ERR_NOT_FOUND;
}

/* Symbol maps first (they know static functions), then exports, then module+offset. */
int dp_ctx_symbol_lookup(dp_ctx *c, uint64_t addr, struct dp_symbol *out)
{
    if (!out) return DP_ERR_INVALID;
    *out = (struct dp_symbol){0};
    const struct dp_module *m = dp_ctx_module_by_addr(c, addr);
    if (!m) return DP_OK;
    out->module = m;
    out->module_offset = out->displacement = addr - m->base;
    const char *sym = NULL;
    uint32_t sdisp = 0;
    uint64_t disp = 0;
    if (c->symtab && addr - m->base <= UINT32_MAX &&
        dp_symtab_lookup(c->symtab, m->name, (uint32_t)(addr - m->base), &sym, &sdisp) == DP_OK) {
        out->function = sym, out->displacement = sdisp, out->source = "sym";
    } else if (dp_ctx_module_export_nearest(c, m, addr, &sym, &disp) == DP_OK) {
        out->function = sym, out->displacement = disp, out->source = "export";
    }
    return DP_OK;
}

int dp_ctx_symbolize(dp_ctx *c, uint64_t addr, char *buf, size_t len)
{
    struct dp_symbol s;
    if (!buf || !len || dp_ctx_symbol_lookup(c, addr, &s) != DP_OK) return DP_ERR_INVALID;
    if (!s.module) {
        snprintf(buf, len, "%0*llx", dp_ctx_dump_info(c)->ptr_size == 4 ? 8 : 16, (unsigned long long)addr);
        return DP_OK;
    }
    char shortname[64];
    dp_module_short_name(s.module->name, shortname, sizeof shortname);
    dp_format_symbol(buf, len, shortname, s.function, s.displacement);
    return DP_OK;
}

int dp_ctx_disasm(dp_ctx *c, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    if (!code || !out) return DP_ERR_INVALID;
    return dp_disasm_one(c->disasm, arch, code, len, addr, out);
}

int dp_ctx_load_image_file(dp_ctx *c, const char *path, uint64_t base, uint8_t **image, size_t *size)
{
    char err[512];
    if (!path || !image || !size) return DP_ERR_INVALID;
    int rc = dp_pe_load_file(path, base, image, size, err, sizeof err);
    if (rc != DP_OK) snprintf(c->error, sizeof c->error, "%s", err);
    return rc;
}

void dp_ctx_free_buffer(dp_ctx *c, void *p)
{
    (void)c;
    free(p);
}

int dp_ctx_unwind_frame(dp_ctx *c, struct dp_regs *regs)
{
    if (!regs) return DP_ERR_INVALID;
    if (dp_ctx_dump_info(c)->arch != DP_ARCH_X64) return DP_ERR_NOT_APPLICABLE;
    const struct dp_module *m = dp_ctx_module_by_addr(c, regs->ip);
    if (!m) return DP_ERR_NOT_FOUND;
    struct dp_pe *pe = module_pe(c, m);
    return pe ? dp_pe_unwind_frame(pe, regs) : DP_ERR_FAULT;
}
