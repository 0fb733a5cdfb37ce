/* PE images read through a callback (a module in a dump) or from a file on disk (pe_file part below).
 * Layout facts: Microsoft PE/COFF specification (headers, export directory, base relocations) and the
 * x64 exception-handling documentation (RUNTIME_FUNCTION, UNWIND_INFO, UNWIND_CODE). */
#include "pe_internal.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- headers ---- */

static int parse_dos(const struct dp_pe *pe, uint32_t *lfanew, const char **why)
{
    uint8_t dos[64];
    int rc = pe_read(pe, 0, dos, sizeof dos);
    if (rc) return *why = "DOS header unreadable", rc;
    if (dos[0] != 'M' || dos[1] != 'Z') return *why = "no MZ signature", DP_ERR_BAD_DATA;
    *lfanew = rd32(dos + 0x3c);
    if (*lfanew > PE_MAX_LFANEW || !range_in(*lfanew, 24, pe->size))
        return *why = "e_lfanew points outside the headers", DP_ERR_BAD_DATA;
    return DP_OK;
}

static int parse_optional(struct dp_pe *pe, const uint8_t *opt, uint16_t opt_size, const char **why)
{
    if (opt_size < 2) return *why = "optional header missing", DP_ERR_BAD_DATA;
    uint16_t magic = rd16(opt);
    unsigned dir_off;
    if (magic == 0x10b) {
        pe->is64 = 0, dir_off = 96, pe->image_base = opt_size >= 32 ? rd32(opt + 28) : 0;
    } else if (magic == 0x20b) {
        pe->is64 = 1, dir_off = 112, pe->image_base = opt_size >= 32 ? rd64(opt + 24) : 0;
    } else {
        return *why = "unknown optional header magic", DP_ERR_BAD_DATA;
    }
    if (opt_size < dir_off) return *why = "SizeOfOptionalHeader too small for its magic", DP_ERR_BAD_DATA;
    pe->header_image_size = rd32(opt + 56);
    pe->header_size = rd32(opt + 60);
    uint32_t n_dirs = rd32(opt + dir_off - 4);
    if (n_dirs > PE_MAX_DIRS) n_dirs = PE_MAX_DIRS; /* the loader ignores entries past 16 as well */
    if (dir_off + 8u * n_dirs > opt_size)
        return *why = "SizeOfOptionalHeader inconsistent with NumberOfRvaAndSizes", DP_ERR_BAD_DATA;
    pe->n_dirs = n_dirs;
    for (unsigned i = 0; i < n_dirs; i++) {
        pe->dir_rva[i] = rd32(opt + dir_off + 8 * i);
        pe->dir_size[i] = rd32(opt + dir_off + 8 * i + 4);
    }
    return DP_OK;
}

static int parse_sections(struct dp_pe *pe, uint64_t table, unsigned n, const char **why)
{
    uint8_t raw[DP_PE_MAX_SECTIONS * 40];
    int rc = pe_read(pe, table, raw, 40u * n);
    if (rc) return *why = "section table unreadable or outside the image", rc;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *s = raw + 40 * i;
        struct pe_section *d = &pe->sections[i];
        memcpy(d->name, s, 8);
        d->name[8] = 0;
        uint32_t vsize = rd32(s + 8);
        d->va = rd32(s + 12);
        d->raw_size = rd32(s + 16);
        d->raw_ptr = rd32(s + 20);
        d->characteristics = rd32(s + 36);
        d->extent = vsize ? vsize : d->raw_size;
        if (!range_in(d->va, d->extent, pe->size)) return *why = "section outside SizeOfImage", DP_ERR_BAD_DATA;
    }
    pe->n_sections = n;
    return DP_OK;
}

static int parse_headers(struct dp_pe *pe, uint64_t size_of_image, const char **why)
{
    uint32_t lfanew;
    int rc = parse_dos(pe, &lfanew, why);
    if (rc) return rc;
    uint8_t fh[24];
    if ((rc = pe_read(pe, lfanew, fh, sizeof fh))) return *why = "NT headers unreadable", rc;
    if (memcmp(fh, "PE\0\0", 4) != 0) return *why = "no PE signature", DP_ERR_BAD_DATA;
    pe->machine = rd16(fh + 4);
    uint16_t n_sections = rd16(fh + 6), opt_size = rd16(fh + 20);
    if (n_sections > DP_PE_MAX_SECTIONS) return *why = "NumberOfSections too large", DP_ERR_BAD_DATA;
    uint8_t opt[240] = {0};
    size_t want = opt_size < sizeof opt ? opt_size : sizeof opt;
    if ((rc = pe_read(pe, lfanew + 24u, opt, want))) return *why = "optional header unreadable", rc;
    if ((rc = parse_optional(pe, opt, opt_size, why))) return rc;
    if (!size_of_image) {
        if (!pe->header_image_size) return *why = "SizeOfImage is zero", DP_ERR_BAD_DATA;
        pe->size = pe->header_image_size;
    }
    return parse_sections(pe, (uint64_t)lfanew + 24 + opt_size, n_sections, why);
}

int dp_pe_open_why(dp_pe_read_fn read, void *user, uint64_t base, uint64_t size_of_image, struct dp_pe **out,
                       const char **why)
{
    *why = "invalid argument";
    if (!read || !out || size_of_image > UINT32_MAX) return DP_ERR_INVALID;
    *out = NULL;
    struct dp_pe *pe = calloc(1, sizeof *pe);
    if (!pe) return *why = "out of memory", DP_ERR_NOMEM;
    pe->read = read, pe->user = user, pe->base = base;
    pe->size = size_of_image ? (uint32_t)size_of_image : UINT32_MAX; /* until SizeOfImage is known */
    int rc = parse_headers(pe, size_of_image, why);
    if (rc) {
        free(pe);
        return rc;
    }
    *out = pe;
    return DP_OK;
}

int dp_pe_open(dp_pe_read_fn read, void *user, uint64_t base, uint64_t size_of_image, struct dp_pe **out)
{
    const char *why;
    return dp_pe_open_why(read, user, base, size_of_image, out, &why);
}

void dp_pe_close(struct dp_pe *pe)
{
    if (!pe) return;
    free(pe->exports);
    free(pe->names);
    free(pe);
}

uint16_t dp_pe_machine(const struct dp_pe *pe) { return pe->machine; }
uint64_t dp_pe_base(const struct dp_pe *pe) { return pe->base; }
uint32_t dp_pe_size(const struct dp_pe *pe) { return pe->size; }

size_t dp_pe_sections(const struct dp_pe *pe, struct dp_section *out, size_t max)
{
    for (size_t i = 0; out && i < pe->n_sections && i < max; i++) {
        const struct pe_section *s = &pe->sections[i];
        memcpy(out[i].name, s->name, sizeof out[i].name);
        out[i].va = pe->base + s->va;
        out[i].size = s->extent;
        out[i].characteristics = s->characteristics;
        out[i].executable = (s->characteristics & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE)) != 0;
    }
    return pe->n_sections;
}

int dp_pe_data_directory(const struct dp_pe *pe, unsigned index, uint32_t *rva, uint32_t *size)
{
    if (!rva || !size) return DP_ERR_INVALID;
    if (index >= pe->n_dirs || !pe->dir_rva[index] || !pe->dir_size[index]) return DP_ERR_NOT_FOUND;
    *rva = pe->dir_rva[index];
    *size = pe->dir_size[index];
    return DP_OK;
}

/* ---- exports ---- */

/* Reads a NUL-terminated name page by page, so a short name before an absent page still reads.
 * DP_ERR_NOT_FOUND when no NUL comes within max bytes. */
static int read_cstring(const struct dp_pe *pe, uint32_t rva, char *buf, size_t max)
{
    if (rva >= pe->size) return DP_ERR_BAD_DATA;
    size_t got = 0;
    while (got < max) {
        uint64_t at = (uint64_t)rva + got;
        if (at >= pe->size) return DP_ERR_BAD_DATA;
        size_t chunk = PE_PAGE - (size_t)((pe->base + at) % PE_PAGE);
        if (chunk > max - got) chunk = max - got;
        if (chunk > pe->size - at) chunk = (size_t)(pe->size - at);
        int rc = pe_read(pe, at, buf + got, chunk);
        if (rc) return rc;
        void *nul = memchr(buf + got, 0, chunk);
        if (nul) return DP_OK;
        got += chunk;
    }
    return DP_ERR_NOT_FOUND;
}

static int cmp_export(const void *a, const void *b)
{
    const struct pe_export *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva ? 1 : (x->name_off > y->name_off) - (x->name_off < y->name_off);
}

struct export_tables {
    uint32_t dir_rva, dir_size, n_funcs, n_names;
    uint32_t *funcs, *names;
    uint16_t *ords;
};

static int read_export_tables(const struct dp_pe *pe, struct export_tables *t)
{
    uint8_t d[40];
    int rc;
    if (dp_pe_data_directory(pe, DP_PE_DIR_EXPORT, &t->dir_rva, &t->dir_size)) return DP_ERR_NOT_FOUND;
    if (t->dir_size < sizeof d) return DP_ERR_BAD_DATA;
    if ((rc = pe_read(pe, t->dir_rva, d, sizeof d))) return rc;
    t->n_funcs = rd32(d + 20), t->n_names = rd32(d + 24);
    if (t->n_funcs > PE_MAX_EXPORTS || t->n_names > PE_MAX_EXPORTS) return DP_ERR_BAD_DATA;
    uint32_t funcs_rva = rd32(d + 28), names_rva = rd32(d + 32), ords_rva = rd32(d + 36);
    if (!range_in(funcs_rva, 4ull * t->n_funcs, pe->size) || !range_in(names_rva, 4ull * t->n_names, pe->size) ||
        !range_in(ords_rva, 2ull * t->n_names, pe->size))
        return DP_ERR_BAD_DATA;
    t->funcs = malloc(4ull * t->n_funcs + 1);
    t->names = malloc(4ull * t->n_names + 1);
    t->ords = malloc(2ull * t->n_names + 1);
    if (!t->funcs || !t->names || !t->ords) return DP_ERR_NOMEM;
    if ((rc = pe_read(pe, funcs_rva, t->funcs, 4ull * t->n_funcs)) ||
        (rc = pe_read(pe, names_rva, t->names, 4ull * t->n_names)) ||
        (rc = pe_read(pe, ords_rva, t->ords, 2ull * t->n_names)))
        return rc;
    return DP_OK;
}

/* Adds one named export unless it is a forwarder or points nowhere. Unreadable names are skipped
 * (a dump may lack the page) and counted in *faulted. */
static int add_export(struct dp_pe *pe, const struct export_tables *t, size_t i, size_t *pool_len, size_t *faulted)
{
    uint16_t ord = rd16((const uint8_t *)&t->ords[i]);
    if (ord >= t->n_funcs) return DP_OK;
    uint32_t rva = rd32((const uint8_t *)&t->funcs[ord]);
    if (!rva || rva >= pe->size) return DP_OK;
    if (rva >= t->dir_rva && rva - t->dir_rva < t->dir_size) return DP_OK; /* "DLL.Name" forwarder */
    char name[PE_MAX_NAME];
    int rc = read_cstring(pe, rd32((const uint8_t *)&t->names[i]), name, sizeof name);
    if (rc == DP_ERR_FAULT || rc == DP_ERR_NOT_FOUND) return (*faulted) += rc == DP_ERR_FAULT, DP_OK;
    if (rc) return rc;
    char *clean = dp_utf8_sanitize(name, SIZE_MAX); /* a flipped byte must not reach a sink as invalid UTF-8 */
    size_t len = clean ? strlen(clean) + 1 : 0;
    char *grown = clean ? realloc(pe->names, *pool_len + len) : NULL;
    if (!grown) return free(clean), DP_ERR_NOMEM;
    pe->names = grown;
    memcpy(pe->names + *pool_len, clean, len);
    free(clean);
    pe->exports[pe->n_exports++] = (struct pe_export){.rva = rva, .name_off = (uint32_t)*pool_len};
    *pool_len += len;
    return DP_OK;
}

static int load_exports(struct dp_pe *pe)
{
    struct export_tables t = {0};
    int rc = read_export_tables(pe, &t);
    size_t pool_len = 0, faulted = 0;
    if (rc == DP_OK && t.n_names) {
        pe->exports = calloc(t.n_names, sizeof *pe->exports);
        if (!pe->exports) rc = DP_ERR_NOMEM;
    }
    for (size_t i = 0; rc == DP_OK && i < t.n_names; i++) rc = add_export(pe, &t, i, &pool_len, &faulted);
    free(t.funcs), free(t.names), free(t.ords);
    if (rc == DP_OK && !pe->n_exports) rc = faulted ? DP_ERR_FAULT : DP_ERR_NOT_FOUND;
    if (rc != DP_OK) {
        free(pe->exports), free(pe->names);
        pe->exports = NULL, pe->names = NULL, pe->n_exports = 0;
        return rc;
    }
    qsort(pe->exports, pe->n_exports, sizeof *pe->exports, cmp_export);
    return DP_OK;
}

static int exports_ready(struct dp_pe *pe)
{
    if (!pe->exports_loaded) {
        pe->exports_rc = load_exports(pe);
        pe->exports_loaded = 1;
    }
    return pe->exports_rc;
}

int dp_pe_export_address(struct dp_pe *pe, const char *name, uint64_t *va)
{
    if (!name || !va) return DP_ERR_INVALID;
    int rc = exports_ready(pe);
    if (rc) return rc;
    for (size_t i = 0; i < pe->n_exports; i++) /* sorted by address, not name: few lookups per image */
        if (!strcmp(pe->names + pe->exports[i].name_off, name)) {
            *va = pe->base + pe->exports[i].rva;
            return DP_OK;
        }
    return DP_ERR_NOT_FOUND;
}

int dp_pe_export_nearest(struct dp_pe *pe, uint64_t addr, const char **name, uint64_t *disp)
{
    if (!name || !disp) return DP_ERR_INVALID;
    int rc = exports_ready(pe);
    if (rc) return rc;
    if (addr < pe->base || addr - pe->base >= pe->size) return DP_ERR_NOT_FOUND;
    uint32_t rva = (uint32_t)(addr - pe->base);
    size_t lo = 0, hi = pe->n_exports; /* first export above rva */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pe->exports[mid].rva <= rva) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return DP_ERR_NOT_FOUND;
    *name = pe->names + pe->exports[lo - 1].name_off;
    *disp = rva - pe->exports[lo - 1].rva;
    return DP_OK;
}
