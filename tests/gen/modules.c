/* Loaded modules: the scenario's module table (parsed first, so every expression can name any
 * module or export), their PE images, the KLDR_DATA_TABLE_ENTRY list from PsLoadedModuleList and the
 * KDDEBUGGER_DATA64 block. */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

static const char *const module_keys[] = {"name", "alias", "path", "base", "size", "file_base", "timestamp",
                                          "entry", "sections", "exports", "imports", "code",
                                          "reference_file", "image", NULL};

static int cmp_export(const void *a, const void *b)
{
    return strcmp(((const struct export *)a)->name, ((const struct export *)b)->name);
}

static char *default_alias(const char *name)
{
    if (!ascii_casecmp(name, "ntoskrnl.exe") || !ascii_casecmp(name, "ntkrnlpa.exe") ||
        !ascii_casecmp(name, "ntkrnlmp.exe") || !ascii_casecmp(name, "ntkrpamp.exe"))
        return xstrdup("nt");
    char *a = xstrdup(name), *dot = strrchr(a, '.');
    if (dot && dot != a)
        *dot = 0;
    return a;
}

static char *default_path(const char *name)
{
    const char *ext = strrchr(name, '.');
    const char *dir = ext && !ascii_casecmp(ext, ".sys") ? "\\SystemRoot\\system32\\drivers\\" : "\\WINDOWS\\system32\\";
    char *p = xcalloc(strlen(dir) + strlen(name) + 1, 1);
    strcat(strcat(p, dir), name);
    return p;
}

static int parse_exports(struct gen *g, struct module *m, node_t *map)
{
    if (!map)
        return 0;
    if (!sc_is_map(map))
        return fail(g, map, "exports: expected a mapping name: rva");
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    m->exports = xcalloc(n, sizeof(*m->exports));
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
        node_t *k = yaml_document_get_node(&g->sc->doc, p->key), *v = yaml_document_get_node(&g->sc->doc, p->value);
        uint64_t rva;
        if (!sc_text(k) || ex_u64(g, v, &rva) != 0)
            return -1;
        if (rva >= m->size)
            return fail(g, v, "export %s rva 0x%llx is past the image", sc_text(k), (unsigned long long)rva);
        m->exports[m->n_exports++] = (struct export){xstrdup(sc_text(k)), (uint32_t)rva};
    }
    qsort(m->exports, m->n_exports, sizeof(*m->exports), cmp_export);
    return 0;
}

static uint32_t default_chars(const char *name)
{
    if (!strcmp(name, ".text") || !strncmp(name, "PAGE", 4) || !strcmp(name, "INIT"))
        return 0x60000020;
    return !strcmp(name, ".rdata") ? 0x40000040 : 0xC8000040; /* else: non-paged read/write data */
}

static int parse_sections(struct gen *g, struct module *m, node_t *list)
{
    static const char *const keys[] = {"name", "rva", "size", "characteristics", NULL};
    m->secs = xcalloc(sc_len(list) ? sc_len(list) : 1, sizeof(*m->secs));
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *s = sc_at(g->sc, list, i);
        const char *name;
        uint64_t rva, size, chars;
        if (ex_check_keys(g, s, keys) || ex_str(g, s, "name", NULL, &name) ||
            ex_opt_u64(g, s, "rva", 0, &rva) || ex_opt_u64(g, s, "size", 0, &size))
            return -1;
        if (!name || strlen(name) > 8)
            return fail(g, s, "section needs a name of at most 8 characters");
        if (ex_opt_u64(g, s, "characteristics", default_chars(name), &chars))
            return -1;
        uint64_t prev_end = i ? m->secs[i - 1].rva + (uint64_t)align_up(m->secs[i - 1].size, PAGE_SIZE) : PAGE_SIZE;
        if (rva & PAGE_MASK || rva < prev_end || size == 0 || rva + size > m->size)
            return fail(g, s, "section %s: rva must be page aligned, ascending, inside the image", name);
        struct section *sec = &m->secs[m->n_secs++];
        snprintf(sec->name, sizeof(sec->name), "%s", name);
        sec->rva = (uint32_t)rva;
        sec->size = (uint32_t)size;
        sec->chars = (uint32_t)chars;
    }
    return 0;
}

static int parse_imports(struct gen *g, struct module *m, node_t *list)
{
    static const char *const keys[] = {"dll", "iat_rva", "names", NULL};
    m->imports = xcalloc(sc_len(list) ? sc_len(list) : 1, sizeof(*m->imports));
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *n = sc_at(g->sc, list, i);
        struct import_dll *imp = &m->imports[m->n_imports++];
        uint64_t iat;
        if (ex_check_keys(g, n, keys) || ex_str(g, n, "dll", NULL, &imp->dll) || ex_opt_u64(g, n, "iat_rva", 0, &iat))
            return -1;
        imp->names = sc_get(g->sc, n, "names");
        imp->node = n;
        imp->iat_rva = (uint32_t)iat;
        if (!imp->dll || !sc_is_seq(imp->names) || !sc_len(imp->names) || !iat)
            return fail(g, n, "an import needs dll, iat_rva and a list of names");
    }
    return 0;
}

static int parse_module(struct gen *g, struct module *m, node_t *n, size_t index)
{
    const char *name, *alias, *path;
    uint64_t size, ts, entry;
    m->node = n;
    if (ex_check_keys(g, n, module_keys) || ex_str(g, n, "name", NULL, &name) || ex_str(g, n, "alias", NULL, &alias) ||
        ex_str(g, n, "path", NULL, &path) || ex_opt_u64(g, n, "base", 0, &m->base) ||
        ex_opt_u64(g, n, "size", 0, &size) || ex_opt_u64(g, n, "timestamp", 0x45d69710 + index, &ts) ||
        ex_opt_bool(g, n, "reference_file", 0, &m->reference_file) || ex_opt_bool(g, n, "image", 1, &m->image))
        return -1;
    if (!m->image && (m->reference_file || sc_get(g->sc, n, "sections") || sc_get(g->sc, n, "exports") ||
                      sc_get(g->sc, n, "imports") || sc_get(g->sc, n, "code")))
        return fail(g, n, "a module with image: false has no sections, exports, imports, code or reference file");
    if (!name || !m->base || m->base & PAGE_MASK || size < 3 * PAGE_SIZE || size > 0x4000000 || size & PAGE_MASK)
        return fail(g, n, "a module needs a name, a page-aligned base and a page-multiple size of 3 pages..64 MiB");
    m->name = xstrdup(name);
    m->alias = alias ? xstrdup(alias) : default_alias(name);
    m->path = path ? xstrdup(path) : default_path(name);
    m->size = (uint32_t)size;
    m->timestamp = (uint32_t)ts;
    uint64_t dflt_file_base = is64(g) ? 0x140000000ull : 0x10000;
    if (ex_opt_u64(g, n, "file_base", m->base == dflt_file_base ? dflt_file_base * 2 : dflt_file_base, &m->file_base))
        return -1;
    if (m->file_base == m->base || m->file_base & 0xffff)
        return fail(g, n, "file_base must be 64K aligned and differ from base, so relocation is needed");
    if (parse_exports(g, m, sc_get(g->sc, n, "exports")) || parse_sections(g, m, sc_get(g->sc, n, "sections")) ||
        parse_imports(g, m, sc_get(g->sc, n, "imports")))
        return -1;
    if (ex_opt_u64(g, n, "entry", m->n_secs ? m->secs[0].rva : PAGE_SIZE, &entry))
        return -1;
    m->entry_rva = (uint32_t)entry;
    return 0;
}

int mods_parse(struct gen *g, node_t *list)
{
    if (list && !sc_is_seq(list))
        return fail(g, list, "modules: expected a list");
    g->mods = xcalloc(sc_len(list) ? sc_len(list) : 1, sizeof(*g->mods));
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *n = sc_at(g->sc, list, i);
        if (parse_module(g, &g->mods[g->n_mods], n, i) != 0)
            return -1;
        g->n_mods++;
        for (size_t j = 0; j + 1 < g->n_mods; j++) {
            struct module *a = &g->mods[j], *b = &g->mods[g->n_mods - 1];
            if (a->base < b->base + b->size && b->base < a->base + a->size)
                return fail(g, n, "module %s overlaps %s", b->name, a->name);
            if (mod_find(g, b->name) != b || mod_find(g, b->alias) != b)
                return fail(g, n, "module name or alias '%s' is used twice", b->alias);
        }
    }
    return 0;
}

/* UNICODE_STRING {Length, MaximumLength, Buffer} with its text placed in the kernel heap. */
static int put_unicode(struct gen *g, uint64_t at, const char *text)
{
    struct bytes b = {0};
    for (const char *c = text; *c; c++)
        bytes_put_le(&b, (uint8_t)*c, 2);
    bytes_zero(&b, 2);
    uint64_t buf = vm_heap_alloc(g, b.n);
    int rc = vm_write(g, buf, b.p, b.n);
    if (rc == 0)
        rc = vm_put(g, at, b.n - 2, 2) || vm_put(g, at + 2, b.n, 2) || vm_put(g, at + (is64(g) ? 8 : 4), buf, ptr_size(g));
    bytes_free(&b);
    return rc ? -1 : 0;
}

/* Field offsets of KLDR_DATA_TABLE_ENTRY (reference 3.2). */
struct kldr_layout { unsigned size, dllbase, entry, image_size, full, base, flags, load, checksum, stamp; };
static const struct kldr_layout kldr32 = {0x50, 0x18, 0x1C, 0x20, 0x24, 0x2C, 0x34, 0x38, 0x40, 0x44};
static const struct kldr_layout kldr64 = {0xA0, 0x30, 0x38, 0x40, 0x48, 0x58, 0x68, 0x6C, 0x78, 0x80};

static int write_kldr(struct gen *g, struct module *m)
{
    const struct kldr_layout *l = is64(g) ? &kldr64 : &kldr32;
    unsigned ps = ptr_size(g);
    uint64_t e = m->kldr_va = vm_heap_alloc(g, l->size);
    if (vm_ensure(g, e, l->size) || vm_put(g, e + l->dllbase, m->base, ps) ||
        vm_put(g, e + l->entry, m->base + m->entry_rva, ps) || vm_put(g, e + l->image_size, m->size, 4) ||
        put_unicode(g, e + l->full, m->path) || put_unicode(g, e + l->base, m->name) ||
        vm_put(g, e + l->flags, 0x09104000, 4) || vm_put(g, e + l->load, 1, 2) ||
        vm_put(g, e + l->checksum, m->checksum, 4) || vm_put(g, e + l->stamp, m->timestamp, 4))
        return -1;
    return 0;
}

/* Links head <-> entries in load order; `cycle` closes the list on the first entry instead of the head. */
static int link_list(struct gen *g, int cycle)
{
    unsigned ps = ptr_size(g);
    uint64_t head = g->module_list_va;
    if (vm_ensure(g, head, 2 * ps))
        return -1;
    for (size_t i = 0; i < g->n_mods; i++) {
        uint64_t next = i + 1 < g->n_mods ? g->mods[i + 1].kldr_va : cycle ? g->mods[0].kldr_va : head;
        uint64_t prev = i ? g->mods[i - 1].kldr_va : head;
        if (vm_put(g, g->mods[i].kldr_va, next, ps) || vm_put(g, g->mods[i].kldr_va + ps, prev, ps))
            return -1;
    }
    uint64_t first = g->n_mods ? g->mods[0].kldr_va : head, last = g->n_mods ? g->mods[g->n_mods - 1].kldr_va : head;
    return vm_put(g, head, first, ps) || vm_put(g, head + ps, last, ps) ? -1 : 0;
}

/* x86 kernels store sign-extended pointers in the 64-bit KDBG fields. */
static uint64_t kdbg_ptr(const struct gen *g, uint64_t va)
{
    return is64(g) ? va : (uint64_t)(int64_t)(int32_t)(uint32_t)va;
}

static int write_kdbg(struct gen *g)
{
    uint64_t k = g->kdbg_va, size = g->build >= 7600 ? 0x368 : 0x340, pfn_var = 0;
    if (g->pfn_db_va) {
        pfn_var = vm_heap_alloc(g, 8); /* KDBG holds the address of MmPfnDatabase, not its value */
        if (vm_put(g, pfn_var, g->pfn_db_va, ptr_size(g)))
            return -1;
    }
    if (vm_ensure(g, k, size) || vm_put(g, k, kdbg_ptr(g, k), 8) || vm_put(g, k + 8, kdbg_ptr(g, k), 8) ||
        vm_write(g, k + 0x10, "KDBG", 4) || vm_put(g, k + 0x14, size, 4) ||
        vm_put(g, k + 0x18, kdbg_ptr(g, g->n_mods ? g->mods[0].base : 0), 8) ||
        vm_put(g, k + 0x36, g->arch == ARCH_PAE, 2) || vm_put(g, k + 0x48, kdbg_ptr(g, g->module_list_va), 8) ||
        vm_put(g, k + 0x50, kdbg_ptr(g, g->process_head_va), 8) || vm_put(g, k + 0xC0, kdbg_ptr(g, pfn_var), 8) ||
        vm_put(g, k + 0x138, PAGE_SIZE, 8))
        return -1;
    return 0;
}

int mods_build(struct gen *g, node_t *kernel)
{
    static const char *const keys[] = {"heap", "module_list", "module_list_cycle", "process_list",
                                       "pfn_database", "kdbg", NULL};
    int cycle;
    uint64_t dflt_heap = is64(g) ? 0xfffffa8000100000ull : 0x89100000ull;
    if (ex_check_keys(g, kernel, keys) || ex_opt_u64(g, kernel, "heap", dflt_heap, &g->heap_next) ||
        ex_opt_bool(g, kernel, "module_list_cycle", 0, &cycle))
        return -1;
    for (size_t i = 0; i < g->n_mods; i++)
        if (g->mods[i].image && pe_build(g, &g->mods[i]) != 0)
            return -1;
    uint64_t dflt_head = vm_heap_alloc(g, 16), dflt_kdbg = vm_heap_alloc(g, 0x368);
    if (ex_opt_u64(g, kernel, "module_list", dflt_head, &g->module_list_va) ||
        ex_opt_u64(g, kernel, "process_list", 0, &g->process_head_va) ||
        ex_opt_u64(g, kernel, "pfn_database", 0, &g->pfn_db_va) || ex_opt_u64(g, kernel, "kdbg", dflt_kdbg, &g->kdbg_va))
        return -1;
    for (size_t i = 0; i < g->n_mods; i++)
        if (write_kldr(g, &g->mods[i]) != 0)
            return -1;
    if (link_list(g, cycle) != 0)
        return -1;
    return g->kdbg_va ? write_kdbg(g) : 0;
}

void mods_free(struct gen *g)
{
    for (size_t i = 0; i < g->n_mods; i++) {
        struct module *m = &g->mods[i];
        for (size_t e = 0; e < m->n_exports; e++)
            free(m->exports[e].name);
        free(m->exports);
        free(m->name);
        free(m->alias);
        free(m->path);
        free(m->secs);
        free(m->imports);
        bytes_free(&m->file);
    }
    free(g->mods);
}
