/* PE images: the mapped image a module has in the dump (relocated to its load base, imports bound)
 * and the on-disk file it came from (preferred ImageBase, file alignment, .reloc, import names). */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

#define E_LFANEW 0x80u
#define FILE_ALIGN 0x200u
#define SCN_CODE 0x60000020u      /* code, execute, read */
#define SCN_RDATA 0x40000040u     /* initialised data, read */
#define SCN_RELOC 0x42000040u     /* ... discardable */
#define DIR_EXPORT 0
#define DIR_IMPORT 1
#define DIR_BASERELOC 5
#define DIR_IAT 12

struct pe {
    struct gen *g;
    struct module *m;
    uint8_t *img;
    struct u64vec relocs;      /* RVAs of absolute pointers */
    struct u64vec iat_rva, iat_file; /* IAT slots and what the file holds there (hint/name RVA) */
    struct bytes meta, reloc;  /* generated .edata (exports, imports) and .reloc */
    uint32_t meta_rva, reloc_rva, export_size, import_off, iat_lo, iat_hi;
    uint64_t code_end;
    struct section *secs;
    size_t n_secs;
};

static unsigned opt_size(const struct gen *g) { return is64(g) ? 0xF0 : 0xE0; }
static unsigned dir_off(const struct gen *g) { return E_LFANEW + 24 + (is64(g) ? 0x70 : 0x60); }

static int put_code(struct pe *pe)
{
    node_t *list = sc_get(pe->g->sc, pe->m->node, "code");
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *item = sc_at(pe->g->sc, list, i);
        struct bytes b = {0};
        struct u64vec rel = {0};
        uint64_t rva;
        int rc = ex_opt_u64(pe->g, item, "rva", 0, &rva);
        if (rc == 0 && (rva < PAGE_SIZE || rva >= pe->m->size))
            rc = fail(pe->g, item, "code rva 0x%llx is outside %s's sections", (unsigned long long)rva, pe->m->name);
        if (rc == 0)
            rc = ex_data(pe->g, item, pe->m->base + rva, &b, &rel);
        if (rc == 0 && rva + b.n > pe->m->size)
            rc = fail(pe->g, item, "code at rva 0x%llx runs past the image", (unsigned long long)rva);
        if (rc == 0) {
            if (b.n)
                memcpy(pe->img + rva, b.p, b.n);
            if (rva + b.n > pe->code_end)
                pe->code_end = rva + b.n;
            for (size_t r = 0; r < rel.n; r++)
                u64vec_push(&pe->relocs, rva + rel.v[r]);
        }
        bytes_free(&b);
        free(rel.v);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Base relocation blocks: one per 4 KiB page holding sites, entries (type << 12 | offset), padded
 * to a 4-byte boundary with type-0 entries. */
static void build_relocs(struct pe *pe)
{
    unsigned type = is64(pe->g) ? 10 /* DIR64 */ : 3 /* HIGHLOW */;
    if (pe->relocs.n)
        qsort(pe->relocs.v, pe->relocs.n, sizeof(uint64_t), cmp_u64);
    for (size_t i = 0; i < pe->relocs.n;) {
        uint64_t page = pe->relocs.v[i] & ~PAGE_MASK;
        size_t start = pe->reloc.n, j = i;
        bytes_put_le(&pe->reloc, page, 4);
        bytes_put_le(&pe->reloc, 0, 4);
        for (; j < pe->relocs.n && (pe->relocs.v[j] & ~PAGE_MASK) == page; j++)
            bytes_put_le(&pe->reloc, type << 12 | (pe->relocs.v[j] & PAGE_MASK), 2);
        if ((j - i) & 1)
            bytes_put_le(&pe->reloc, 0, 2);
        put_le(pe->reloc.p + start + 4, pe->reloc.n - start, 4);
        i = j;
    }
}

static uint32_t put_string(struct bytes *b, const char *s)
{
    uint32_t off = (uint32_t)b->n;
    bytes_put(b, s, strlen(s) + 1);
    return off;
}

/* Export directory: names sorted (the parser sorted them), ordinals = positions, base 1. */
static void build_exports(struct pe *pe)
{
    struct module *m = pe->m;
    size_t n = m->n_exports;
    uint32_t r = pe->meta_rva, funcs = 40, names = funcs + 4 * n, ords = names + 4 * n;
    bytes_zero(&pe->meta, ords + 2 * n);
    uint8_t *d = pe->meta.p;
    put_le(d + 4, m->timestamp, 4);
    put_le(d + 0x10, 1, 4);
    put_le(d + 0x14, n, 4);
    put_le(d + 0x18, n, 4);
    put_le(d + 0x1C, r + funcs, 4);
    put_le(d + 0x20, r + names, 4);
    put_le(d + 0x24, r + ords, 4);
    uint32_t name_off = put_string(&pe->meta, m->name);
    put_le(pe->meta.p + 0xC, r + name_off, 4);
    for (size_t i = 0; i < n; i++) {
        uint32_t s = put_string(&pe->meta, m->exports[i].name);
        put_le(pe->meta.p + funcs + 4 * i, m->exports[i].rva, 4);
        put_le(pe->meta.p + names + 4 * i, r + s, 4);
        put_le(pe->meta.p + ords + 2 * i, i, 2);
    }
    pe->export_size = (uint32_t)pe->meta.n;
    bytes_align(&pe->meta, 8);
}

static int bind_import(struct pe *pe, struct import_dll *imp, size_t k, uint32_t hint_rva)
{
    node_t *nn = sc_at(pe->g->sc, imp->names, k);
    struct module *dll = mod_find(pe->g, imp->dll);
    uint32_t rva, slot = imp->iat_rva + (uint32_t)(k * ptr_size(pe->g));
    if (!dll || !sc_text(nn) || mod_export(dll, sc_text(nn), &rva) != 0)
        return fail(pe->g, nn, "%s imports %s!%s, which no module exports", pe->m->name, imp->dll,
                    sc_text(nn) ? sc_text(nn) : "?");
    if (slot < PAGE_SIZE || slot + 2ull * ptr_size(pe->g) > pe->meta_rva)
        return fail(pe->g, imp->node, "IAT slot 0x%x is outside %s's sections", slot, pe->m->name);
    put_le(pe->img + slot, dll->base + rva, ptr_size(pe->g));
    u64vec_push(&pe->iat_rva, slot);
    u64vec_push(&pe->iat_file, hint_rva);
    if (pe->iat_lo == 0 || slot < pe->iat_lo)
        pe->iat_lo = slot;
    if (slot + 2 * ptr_size(pe->g) > pe->iat_hi)
        pe->iat_hi = slot + 2 * ptr_size(pe->g); /* includes the null terminator slot */
    return 0;
}

/* Import descriptors, lookup tables and hint/name entries; the IAT itself lives where the scenario
 * put it and holds the bound addresses, as after the kernel loader ran. */
static int build_imports(struct pe *pe, int bind)
{
    unsigned ps = ptr_size(pe->g);
    struct module *m = pe->m;
    pe->import_off = (uint32_t)pe->meta.n;
    bytes_zero(&pe->meta, (m->n_imports + 1) * 20);
    for (size_t i = 0; i < m->n_imports; i++) {
        struct import_dll *imp = &m->imports[i];
        size_t n = sc_len(imp->names);
        bytes_align(&pe->meta, ps);
        uint32_t ilt = (uint32_t)pe->meta.n;
        bytes_zero(&pe->meta, (n + 1) * ps);
        for (size_t k = 0; k < n; k++) {
            bytes_align(&pe->meta, 2);
            uint32_t hint = (uint32_t)pe->meta.n;
            bytes_zero(&pe->meta, 2);
            put_string(&pe->meta, sc_text(sc_at(pe->g->sc, imp->names, k)) ? sc_text(sc_at(pe->g->sc, imp->names, k)) : "");
            put_le(pe->meta.p + ilt + k * ps, pe->meta_rva + hint, ps);
            if (bind && bind_import(pe, imp, k, pe->meta_rva + hint) != 0)
                return -1;
        }
        uint32_t dll_name = put_string(&pe->meta, imp->dll);
        uint8_t *desc = pe->meta.p + pe->import_off + 20 * i;
        put_le(desc, pe->meta_rva + ilt, 4);
        put_le(desc + 12, pe->meta_rva + dll_name, 4);
        put_le(desc + 16, imp->iat_rva, 4);
    }
    return 0;
}

static int layout_meta(struct pe *pe)
{
    struct module *m = pe->m;
    build_relocs(pe);
    build_exports(pe); /* first pass only measures */
    if (build_imports(pe, 0) != 0)
        return -1;
    uint64_t meta_pages = align_up(pe->meta.n, PAGE_SIZE), reloc_pages = align_up(pe->reloc.n + 8, PAGE_SIZE);
    uint64_t end = PAGE_SIZE;
    for (size_t i = 0; i < m->n_secs; i++)
        if (m->secs[i].rva + (uint64_t)m->secs[i].size > end)
            end = m->secs[i].rva + (uint64_t)m->secs[i].size;
    if (end + meta_pages + reloc_pages > m->size)
        return fail(pe->g, m->node, "%s: size 0x%x leaves no room after its sections for exports/imports/relocs "
                    "(needs 0x%llx)", m->name, m->size, (unsigned long long)(end + meta_pages + reloc_pages));
    pe->meta_rva = (uint32_t)(m->size - meta_pages - reloc_pages);
    if (pe->code_end > pe->meta_rva)
        return fail(pe->g, m->node, "%s: code reaches rva 0x%llx, where the generated .edata starts", m->name,
                    (unsigned long long)pe->meta_rva);
    pe->reloc_rva = (uint32_t)(m->size - reloc_pages);
    bytes_free(&pe->meta);
    build_exports(pe);
    if (build_imports(pe, 1) != 0)
        return -1;
    if (pe->meta.n) /* a module with no exports or imports has no metadata (and a NULL buffer) */
        memcpy(pe->img + pe->meta_rva, pe->meta.p, pe->meta.n);
    if (pe->reloc.n)
        memcpy(pe->img + pe->reloc_rva, pe->reloc.p, pe->reloc.n);
    return 0;
}

static void all_sections(struct pe *pe)
{
    struct module *m = pe->m;
    pe->n_secs = m->n_secs + 2;
    pe->secs = xcalloc(pe->n_secs, sizeof(*pe->secs));
    memcpy(pe->secs, m->secs, m->n_secs * sizeof(*m->secs));
    pe->secs[m->n_secs] = (struct section){".edata", pe->meta_rva, (uint32_t)pe->meta.n, SCN_RDATA};
    pe->secs[m->n_secs + 1] = (struct section){".reloc", pe->reloc_rva, (uint32_t)pe->reloc.n, SCN_RELOC};
}

static uint32_t headers_size(const struct pe *pe)
{
    return (uint32_t)align_up(E_LFANEW + 24 + opt_size(pe->g) + 40 * pe->n_secs, FILE_ALIGN);
}

static void put_dir(struct pe *pe, unsigned idx, uint32_t rva, uint32_t size)
{
    put_le(pe->img + dir_off(pe->g) + 8 * idx, rva, 4);
    put_le(pe->img + dir_off(pe->g) + 8 * idx + 4, size, 4);
}

static void write_section_table(struct pe *pe, uint32_t *code_size, uint32_t *data_size)
{
    uint8_t *sh = pe->img + E_LFANEW + 24 + opt_size(pe->g);
    uint32_t raw = headers_size(pe);
    *code_size = *data_size = 0;
    for (size_t i = 0; i < pe->n_secs; i++, sh += 40) {
        struct section *s = &pe->secs[i];
        uint32_t raw_size = (uint32_t)align_up(s->size, FILE_ALIGN);
        memcpy(sh, s->name, strlen(s->name));
        put_le(sh + 8, s->size, 4);
        put_le(sh + 12, s->rva, 4);
        put_le(sh + 16, raw_size, 4);
        put_le(sh + 20, raw, 4);
        put_le(sh + 36, s->chars, 4);
        raw += raw_size;
        *(s->chars & 0x20 ? code_size : data_size) += raw_size;
    }
}

static void write_headers(struct pe *pe)
{
    struct gen *g = pe->g;
    struct module *m = pe->m;
    uint8_t *h = pe->img, *coff = h + E_LFANEW + 4, *opt = coff + 20;
    uint32_t code_size, data_size;
    memcpy(h, "MZ", 2);
    put_le(h + 0x3C, E_LFANEW, 4);
    memcpy(h + E_LFANEW, "PE\0\0", 4);
    put_le(coff, g->arch == ARCH_ARM64 ? 0xAA64 : is64(g) ? 0x8664 : 0x14C, 2);
    put_le(coff + 2, pe->n_secs, 2);
    put_le(coff + 4, m->timestamp, 4);
    put_le(coff + 16, opt_size(g), 2);
    put_le(coff + 18, is64(g) ? 0x0022 : 0x0102, 2); /* executable; large-address-aware / 32-bit */
    write_section_table(pe, &code_size, &data_size);
    put_le(opt, is64(g) ? 0x20B : 0x10B, 2);
    opt[2] = 8;
    put_le(opt + 4, code_size, 4);
    put_le(opt + 8, data_size, 4);
    put_le(opt + 0x10, m->entry_rva, 4);
    put_le(opt + 0x14, m->n_secs ? m->secs[0].rva : PAGE_SIZE, 4);
    if (is64(g))
        put_le(opt + 0x18, m->base, 8);
    else
        put_le(opt + 0x1C, m->base, 4);
    put_le(opt + 0x20, PAGE_SIZE, 4);
    put_le(opt + 0x24, FILE_ALIGN, 4);
    put_le(opt + 0x28, g->build >= 6000 ? 6 : 5, 2);
    put_le(opt + 0x30, g->build >= 6000 ? 6 : 5, 2);
    put_le(opt + 0x38, m->size, 4);
    put_le(opt + 0x3C, headers_size(pe), 4);
    put_le(opt + 0x44, 1, 2); /* IMAGE_SUBSYSTEM_NATIVE */
    put_le(opt + (is64(g) ? 0x6C : 0x5C), 16, 4);
    put_dir(pe, DIR_EXPORT, pe->meta_rva, pe->export_size);
    if (m->n_imports)
        put_dir(pe, DIR_IMPORT, pe->meta_rva + pe->import_off, (uint32_t)(m->n_imports + 1) * 20);
    if (pe->reloc.n)
        put_dir(pe, DIR_BASERELOC, pe->reloc_rva, (uint32_t)pe->reloc.n);
    if (pe->iat_hi)
        put_dir(pe, DIR_IAT, pe->iat_lo, pe->iat_hi - pe->iat_lo);
}

/* Standard PE checksum: 16-bit one's-complement-style sum with the CheckSum field as zero, plus length. */
static uint32_t pe_checksum(const uint8_t *p, size_t n, size_t field)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i += 2) {
        uint32_t w = p[i] | (i + 1 < n ? p[i + 1] << 8 : 0);
        if (i >= field && i < field + 4)
            w = 0;
        sum += w;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint32_t)(sum + n);
}

/* The file differs from the mapped image in its ImageBase, its un-relocated pointers and its IAT,
 * which holds hint/name RVAs until the loader binds it. */
static void build_file(struct pe *pe)
{
    struct module *m = pe->m;
    uint32_t hdr = headers_size(pe), sum_field = E_LFANEW + 24 + 0x40;
    unsigned ps = ptr_size(pe->g);
    uint8_t *img = xcalloc(1, m->size);
    memcpy(img, pe->img, m->size);
    put_le(img + E_LFANEW + 24 + (is64(pe->g) ? 0x18 : 0x1C), m->file_base, ps);
    for (size_t i = 0; i < pe->relocs.n; i++) {
        uint8_t *site = img + pe->relocs.v[i];
        put_le(site, get_le(site, ps) - m->base + m->file_base, ps);
    }
    for (size_t i = 0; i < pe->iat_rva.n; i++)
        put_le(img + pe->iat_rva.v[i], pe->iat_file.v[i], ps);
    bytes_put(&m->file, img, hdr);
    for (size_t i = 0; i < pe->n_secs; i++) {
        uint32_t raw = (uint32_t)align_up(pe->secs[i].size, FILE_ALIGN), avail = m->size - pe->secs[i].rva;
        bytes_put(&m->file, img + pe->secs[i].rva, raw < avail ? raw : avail);
        bytes_zero(&m->file, raw < avail ? 0 : raw - avail);
    }
    m->checksum = pe_checksum(m->file.p, m->file.n, sum_field);
    put_le(m->file.p + sum_field, m->checksum, 4);
    put_le(pe->img + sum_field, m->checksum, 4);
    free(img);
}

int pe_build(struct gen *g, struct module *m)
{
    struct pe pe = {.g = g, .m = m};
    pe.img = xcalloc(1, m->size);
    int rc = put_code(&pe);
    if (rc == 0)
        rc = layout_meta(&pe);
    if (rc == 0) {
        all_sections(&pe);
        if (headers_size(&pe) > PAGE_SIZE)
            rc = fail(g, m->node, "%s: too many sections", m->name);
    }
    if (rc == 0) {
        write_headers(&pe);
        build_file(&pe);
        rc = vm_write(g, m->base, pe.img, m->size);
    }
    free(pe.img);
    free(pe.relocs.v);
    free(pe.iat_rva.v);
    free(pe.iat_file.v);
    free(pe.secs);
    bytes_free(&pe.meta);
    bytes_free(&pe.reloc);
    return rc;
}

int pe_write_file(struct gen *g, struct module *m, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, m->name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(g, NULL, "cannot create %s", path);
    size_t n = fwrite(m->file.p, 1, m->file.n, f);
    if (fclose(f) != 0 || n != m->file.n)
        return fail(g, NULL, "cannot write %s", path);
    return 0;
}
