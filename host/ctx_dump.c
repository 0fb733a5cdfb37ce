/* SDK services over the opened dump. With no dump (--explain) every read is "not applicable". */
#include "ctx_dump.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_image.h"
#include "dump/dump.h"
#include "pe.h"
#include "symbols/modsym.h"
#include "symbols/pdb.h"
#include "symbols/pdb_unwind.h"
#include "symbols/symbols.h"
#include "symbols/symfile.h"

/* How much of the current stack the parent reads to find the modules a stack walk will need. */
#define DP_PRELOAD_STACK_BYTES 16384

struct dp_module_pe {
    int state; /* 0 not tried, 1 parsed, -1 headers absent or corrupt */
    struct dp_pe *pe;
    int sym_state; /* 0 not looked, 1 looked */
    const struct dp_symfile *sym; /* in the process-wide cache */
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
 * covers it wins, which is also what a debugger shows. The module's index, or SIZE_MAX. */
static size_t module_index_by_addr(dp_ctx *c, uint64_t addr)
{
    size_t lo = 0, hi = c->n_modules;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dp_dump_module(c->dump, c->module_order[mid])->base <= addr) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k-- > 0;) {
        const struct dp_module *m = dp_dump_module(c->dump, c->module_order[k]);
        if (addr - m->base < m->size) return c->module_order[k];
        if (lo - k > 8) break; /* overlaps deeper than this are not worth a linear scan */
    }
    return SIZE_MAX;
}

const struct dp_module *dp_ctx_module_by_addr(dp_ctx *c, uint64_t addr)
{
    size_t i = module_index_by_addr(c, addr);
    return i == SIZE_MAX ? NULL : dp_dump_module(c->dump, i);
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
    if (!m || !c->dump || !c->n_modules) return NULL;
    /* modules handed out are elements of the dump's array: their index is their position */
    uintptr_t first = (uintptr_t)dp_dump_module(c->dump, 0), at = (uintptr_t)m;
    if (at < first || (at - first) % sizeof *m || (at - first) / sizeof *m >= c->n_modules) return NULL;
    struct dp_module_pe *slot = &c->pe_cache[(at - first) / sizeof *m];
    if (slot->state == 0) slot->state = dp_pe_open(read_virt_cb, c, m->base, m->size, &slot->pe) == DP_OK ? 1 : -1;
    return slot->state == 1 ? slot->pe : NULL;
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

__attribute__((format(printf, 3, 4))) static void note(dp_ctx *c, struct dp_vec *list, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char **slot = dp_vec_push(list);
    if (slot) *slot = dp_arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
}

/* The module's symbol file, found on its first lookup (WinDbg's deferred loading). The module
 * records its symbol status for the module list; the dump's module array is the host's own,
 * allocated at open, so writing through it is sound. */
static const struct dp_symfile *module_symbols(dp_ctx *c, size_t i)
{
    struct dp_module_pe *slot = &c->pe_cache[i];
    if (slot->sym_state) return slot->sym;
    slot->sym_state = 1;
    struct dp_module *m = (struct dp_module *)dp_dump_module(c->dump, i);
    int unverified;
    slot->sym = dp_modsym_resolve(c->symtab, c->sympath, m, &unverified);
    if (unverified) note(c, &c->symbols_unverified, "%s: %s", m->name ? m->name : "?", slot->sym->path);
    uint32_t rva, size;
    if (slot->sym) {
        m->symbol_status = slot->sym->kind;
        m->symbol_file = slot->sym->path;
    } else {
        m->symbol_status = dp_ctx_module_data_directory(c, m, 0, &rva, &size) == DP_OK && size ? "export" : "none";
    }
    return slot->sym;
}

/* Symbol files first (they know static functions), then exports, then module+offset. */
int dp_ctx_symbol_lookup(dp_ctx *c, uint64_t addr, struct dp_symbol *out)
{
    if (!out) return DP_ERR_INVALID;
    *out = (struct dp_symbol){0};
    size_t i = module_index_by_addr(c, addr);
    if (i == SIZE_MAX) return DP_OK;
    const struct dp_module *m = dp_dump_module(c->dump, i);
    out->module = m;
    out->module_offset = out->displacement = addr - m->base;
    const struct dp_symfile *f = module_symbols(c, i);
    const char *sym = NULL;
    uint32_t sdisp = 0;
    uint64_t disp = 0;
    if (f && addr - m->base <= UINT32_MAX && dp_symfile_lookup(f, (uint32_t)(addr - m->base), &sym, &sdisp) == DP_OK) {
        out->function = sym, out->displacement = sdisp, out->source = f->kind;
    } else if (dp_ctx_module_export_nearest(c, m, addr, &sym, &disp) == DP_OK) {
        out->function = sym, out->displacement = disp, out->source = "export";
    }
    return DP_OK;
}

/* Words on the stack that point into a module are the return addresses a stack walk will name. */
static void preload_stack(dp_ctx *c, const struct dp_regs *r, unsigned ptr)
{
    uint8_t buf[DP_PRELOAD_STACK_BYTES];
    uint64_t sp = r->sp & ~(uint64_t)(ptr - 1);
    size_t got = 0;
    while (got < sizeof buf && dp_ctx_read_virt(c, sp + got, buf + got, 512) == DP_OK) got += 512;
    for (size_t off = 0; off + ptr <= got; off += ptr) {
        uint64_t v = 0;
        memcpy(&v, buf + off, ptr);
        size_t i = module_index_by_addr(c, v);
        if (i != SIZE_MAX) module_symbols(c, i);
    }
}

/* One warning finding per kind of symbol trouble, one line per module, as !analyze warns. */
static int report(dp_ctx *c, const struct dp_vec *list, const char *code, const char *title_fmt)
{
    if (!list->len) return DP_OK;
    struct dp_text t;
    dp_text_init(&t);
    for (size_t k = 0; k < list->len; k++) dp_text_printf(&t, "%s\n", *(const char **)dp_vec_at(list, k));
    char title[160];
    snprintf(title, sizeof title, title_fmt, list->len);
    struct dp_finding f = {.code = code, .severity = DP_SEV_WARNING, .confidence = 100, .title = title,
                           .details = dp_text_str(&t)};
    int rc = dp_ctx_add_finding(c, "host", &f);
    dp_text_free(&t);
    return rc;
}

int dp_ctx_preload_symbols(dp_ctx *c)
{
    if (!c->dump || !c->n_modules || (!c->sympath && !dp_symtab_count(c->symtab))) return DP_OK;
    const struct dp_dump_info *di = dp_ctx_dump_info(c);
    struct dp_regs r;
    size_t i;
    if (dp_ctx_get_regs(c, &r) == DP_OK) {
        if ((i = module_index_by_addr(c, r.ip)) != SIZE_MAX) module_symbols(c, i);
        preload_stack(c, &r, di->ptr_size == 4 ? 4 : 8);
    }
    for (int k = 0; di->has_bugcheck && k < 4; k++)
        if ((i = module_index_by_addr(c, di->bugcheck_params[k])) != SIZE_MAX) module_symbols(c, i);
    return report(c, &c->symbols_unverified, "symbols.unverified",
                  "Symbols of %zu module(s) matched by name only: the dump does not say which build they are");
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

static int read32_cb(void *user, uint32_t va, uint32_t *out) { return dp_ctx_read_virt(user, va, out, 4); }

/* x86: the FrameData/FPO record of the PDB of the module ip is in (hardware gpr order: eax ecx edx
 * ebx esp ebp esi edi). DP_ERR_NOT_APPLICABLE without such a record: frame pointers then. */
static int unwind_x86(dp_ctx *c, struct dp_regs *regs)
{
    size_t i = module_index_by_addr(c, regs->ip);
    const struct dp_symfile *f = i == SIZE_MAX ? NULL : module_symbols(c, i);
    const struct dp_module *m = i == SIZE_MAX ? NULL : dp_dump_module(c->dump, i);
    struct dp_pdb_frame fr;
    if (!f || !f->pdb || dp_pdb_frame_lookup(f->pdb, (uint32_t)(regs->ip - m->base), &fr) != DP_OK)
        return DP_ERR_NOT_APPLICABLE;
    struct dp_x86_frame x = {.eip = (uint32_t)regs->ip, .esp = (uint32_t)regs->sp, .ebp = (uint32_t)regs->fp,
                             .ebx = (uint32_t)regs->gpr[3], .esi = (uint32_t)regs->gpr[6], .edi = (uint32_t)regs->gpr[7]};
    int rc = dp_pdb_unwind_x86(&fr, &x, read32_cb, c);
    if (rc != DP_OK) return rc;
    regs->ip = x.eip, regs->sp = regs->gpr[4] = x.esp, regs->fp = regs->gpr[5] = x.ebp;
    regs->gpr[3] = x.ebx, regs->gpr[6] = x.esi, regs->gpr[7] = x.edi;
    return DP_OK;
}

int dp_ctx_unwind_frame(dp_ctx *c, struct dp_regs *regs)
{
    if (!regs) return DP_ERR_INVALID;
    if (dp_ctx_dump_info(c)->arch == DP_ARCH_X86) return c->dump ? unwind_x86(c, regs) : DP_ERR_NOT_APPLICABLE;
    if (dp_ctx_dump_info(c)->arch != DP_ARCH_X64) return DP_ERR_NOT_APPLICABLE;
    const struct dp_module *m = dp_ctx_module_by_addr(c, regs->ip);
    if (!m) return DP_ERR_NOT_FOUND;
    struct dp_pe *pe = module_pe(c, m);
    return pe ? dp_pe_unwind_frame(pe, regs) : DP_ERR_FAULT;
}
