/* PE images read through a callback (a module in a dump) or from a file on disk (pe_file part below).
 * Layout facts: Microsoft PE/COFF specification (headers, export directory, base relocations) and the
 * x64 exception-handling documentation (RUNTIME_FUNCTION, UNWIND_INFO, UNWIND_CODE). */
#include "pe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PE_MAX_LFANEW 0x10000u /* headers live in the first pages; anything further is corrupt */
#define PE_MAX_DIRS 16
#define PE_MAX_EXPORTS 65536u /* ntoskrnl exports ~3,000 names; this only stops absurd counts */
#define PE_MAX_NAME 512
#define PE_PAGE 4096u
#define PE_SCN_CNT_CODE 0x20u
#define PE_SCN_MEM_EXECUTE 0x20000000u

struct pe_section {
    char name[9];
    uint32_t va, extent, raw_size, raw_ptr, characteristics;
};

struct pe_export {
    uint32_t rva;
    uint32_t name_off; /* into names */
};

struct dp_pe {
    dp_pe_read_fn read;
    void *user;
    uint64_t base;
    uint32_t size; /* every RVA + length stays below this */
    uint16_t machine;
    int is64;
    uint64_t image_base; /* preferred base from the optional header */
    uint32_t header_size;
    uint32_t header_image_size;
    uint32_t dir_rva[PE_MAX_DIRS], dir_size[PE_MAX_DIRS];
    unsigned n_dirs;
    size_t n_sections;
    struct pe_section sections[DP_PE_MAX_SECTIONS];
    int exports_loaded, exports_rc;
    struct pe_export *exports;
    size_t n_exports;
    char *names;
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int range_in(uint64_t off, uint64_t len, uint64_t size) { return len <= size && off <= size - len; }

static int pe_read(const struct dp_pe *pe, uint64_t rva, void *buf, size_t len)
{
    if (!range_in(rva, len, pe->size)) return DP_ERR_BAD_DATA;
    return pe->read(pe->user, pe->base + rva, buf, len);
}

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

static int pe_open_why(dp_pe_read_fn read, void *user, uint64_t base, uint64_t size_of_image, struct dp_pe **out,
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
    return pe_open_why(read, user, base, size_of_image, out, &why);
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
    size_t len = strlen(name) + 1;
    char *grown = realloc(pe->names, *pool_len + len);
    if (!grown) return DP_ERR_NOMEM;
    pe->names = grown;
    memcpy(pe->names + *pool_len, name, len);
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

int dp_pe_export_nearest(struct dp_pe *pe, uint64_t addr, const char **name, uint64_t *disp)
{
    if (!name || !disp) return DP_ERR_INVALID;
    if (!pe->exports_loaded) {
        pe->exports_rc = load_exports(pe);
        pe->exports_loaded = 1;
    }
    if (pe->exports_rc) return pe->exports_rc;
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

/* ---- x64 exception data ---- */

static int read_runtime_function(const struct dp_pe *pe, uint64_t rva, uint32_t f[3])
{
    uint8_t raw[12];
    int rc = pe_read(pe, rva, raw, sizeof raw);
    if (rc) return rc;
    f[0] = rd32(raw), f[1] = rd32(raw + 4), f[2] = rd32(raw + 8);
    return DP_OK;
}

int dp_pe_runtime_function(const struct dp_pe *pe, uint32_t rva, uint32_t *begin, uint32_t *end, uint32_t *unwind_rva)
{
    uint32_t dir, dir_size, f[3];
    if (!begin || !end || !unwind_rva) return DP_ERR_INVALID;
    if (pe->machine != DP_PE_MACHINE_AMD64) return DP_ERR_NOT_APPLICABLE;
    if (dp_pe_data_directory(pe, DP_PE_DIR_EXCEPTION, &dir, &dir_size)) return DP_ERR_NOT_FOUND;
    if (!range_in(dir, dir_size, pe->size)) return DP_ERR_BAD_DATA;
    size_t lo = 0, hi = dir_size / 12; /* sorted by BeginAddress: about 32 reads at most */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int rc = read_runtime_function(pe, dir + 12ull * mid, f);
        if (rc) return rc;
        if (f[1] <= f[0]) return DP_ERR_BAD_DATA;
        if (rva < f[0]) hi = mid;
        else if (rva >= f[1]) lo = mid + 1;
        else break;
    }
    if (lo >= hi) return DP_ERR_NOT_FOUND;
    *end = f[1];
    if (f[2] & 1) { /* indirect: the entry shares the unwind data of the primary entry it names */
        int rc = read_runtime_function(pe, f[2] & ~1u, f);
        if (rc) return rc;
        if (f[2] & 1) return DP_ERR_BAD_DATA;
    }
    *begin = f[0];
    *unwind_rva = f[2];
    return DP_OK;
}

enum { UWOP_PUSH_NONVOL, UWOP_ALLOC_LARGE, UWOP_ALLOC_SMALL, UWOP_SET_FPREG, UWOP_SAVE_NONVOL, UWOP_SAVE_NONVOL_FAR,
       UWOP_EPILOG, UWOP_SPARE, UWOP_SAVE_XMM128, UWOP_SAVE_XMM128_FAR, UWOP_PUSH_MACHFRAME };
#define UNW_FLAG_CHAININFO 4
#define RSP 4

struct unwinder {
    dp_pe_read_fn read;
    void *user;
    uint64_t rsp, rip;
    int have_rip; /* set by a machine frame */
    uint64_t gpr[16];
};

static int read_u64(const struct unwinder *u, uint64_t va, uint64_t *v)
{
    uint8_t b[8];
    int rc = u->read(u->user, va, b, sizeof b);
    if (rc == DP_OK) *v = rd64(b);
    return rc;
}

/* Slots (16-bit units) an operation occupies; 0 for an operation we do not know. */
static unsigned op_slots(unsigned op, unsigned info)
{
    static const unsigned char slots[] = {1, 2, 1, 1, 2, 3, 2, 3, 2, 3, 1};
    if (op >= sizeof slots) return 0;
    return op == UWOP_ALLOC_LARGE && info ? 3 : slots[op];
}

static int set_reg(struct unwinder *u, unsigned reg, uint64_t va)
{
    uint64_t v;
    int rc = read_u64(u, va, &v);
    if (rc == DP_OK && reg != RSP) u->gpr[reg] = v;
    return rc;
}

/* Undoes one prolog operation. FRAME is the base of the fixed allocation that save offsets count from. */
static int apply_op(struct unwinder *u, const uint8_t *code, unsigned frame_reg, unsigned frame_off, uint64_t frame)
{
    unsigned op = code[1] & 15, info = code[1] >> 4;
    switch (op) {
    case UWOP_PUSH_NONVOL: {
        int rc = set_reg(u, info, u->rsp);
        return u->rsp += 8, rc;
    }
    case UWOP_ALLOC_LARGE:
        if (info > 1) return DP_ERR_BAD_DATA;
        u->rsp += info ? rd32(code + 2) : 8ull * rd16(code + 2);
        return DP_OK;
    case UWOP_ALLOC_SMALL: u->rsp += 8ull * info + 8; return DP_OK;
    case UWOP_SET_FPREG:
        if (!frame_reg) return DP_ERR_BAD_DATA;
        u->rsp = u->gpr[frame_reg] - 16ull * frame_off;
        return DP_OK;
    case UWOP_SAVE_NONVOL: return set_reg(u, info, frame + 8ull * rd16(code + 2));
    case UWOP_SAVE_NONVOL_FAR: return set_reg(u, info, frame + rd32(code + 2));
    case UWOP_PUSH_MACHFRAME: {
        if (info > 1) return DP_ERR_BAD_DATA;
        uint64_t at = u->rsp + (info ? 8 : 0); /* an error code sits below the frame */
        int rc = read_u64(u, at, &u->rip);
        if (!rc) rc = read_u64(u, at + 24, &u->rsp);
        u->have_rip = 1;
        return rc;
    }
    default: return DP_OK; /* XMM saves and epilog descriptors change no integer register */
    }
}

/* Applies one UNWIND_INFO; PROLOG_DONE is how many prolog bytes ran (UINT64_MAX: all). Sets *next to
 * the chained unwind info's RVA, or 0. */
static int apply_info(struct unwinder *u, uint64_t image_base, uint32_t rva, uint64_t prolog_done, uint32_t *next)
{
    uint8_t hdr[4], codes[256 * 2 + 12];
    int rc = u->read(u->user, image_base + rva, hdr, sizeof hdr);
    if (rc) return rc;
    unsigned version = hdr[0] & 7, flags = hdr[0] >> 3, count = hdr[2], frame_reg = hdr[3] & 15, frame_off = hdr[3] >> 4;
    if (version != 1 && version != 2) return DP_ERR_BAD_DATA;
    size_t codes_len = 2u * ((count + 1) & ~1u) + ((flags & UNW_FLAG_CHAININFO) ? 12 : 0);
    if (codes_len && (rc = u->read(u->user, image_base + rva + 4, codes, codes_len))) return rc;
    /* Save offsets count from the fixed allocation's base: rsp, or where the frame register says it
     * is. Saves come after the frame register is set, so a prolog cut short never uses a stale one. */
    uint64_t frame = frame_reg ? u->gpr[frame_reg] - 16ull * frame_off : u->rsp;
    for (unsigned i = 0; i < count;) {
        unsigned slots = op_slots(codes[2 * i + 1] & 15, codes[2 * i + 1] >> 4);
        if (!slots || i + slots > count) return DP_ERR_BAD_DATA;
        if (prolog_done >= codes[2 * i] && (rc = apply_op(u, codes + 2 * i, frame_reg, frame_off, frame))) return rc;
        i += slots;
    }
    *next = (flags & UNW_FLAG_CHAININFO) ? rd32(codes + 2u * ((count + 1) & ~1u) + 8) : 0;
    if (flags & UNW_FLAG_CHAININFO && !*next) return DP_ERR_BAD_DATA;
    return DP_OK;
}

int dp_pe_unwind_x64(dp_pe_read_fn read, void *user, uint64_t image_base, uint32_t begin_rva, uint32_t unwind_rva,
                     struct dp_regs *regs)
{
    if (!read || !regs) return DP_ERR_INVALID;
    struct unwinder u = {.read = read, .user = user, .rsp = regs->sp};
    memcpy(u.gpr, regs->gpr, sizeof u.gpr);
    u.gpr[RSP] = regs->sp;
    uint64_t prolog_done = regs->ip - (image_base + begin_rva); /* huge when ip is below: all ran */
    uint32_t rva = unwind_rva;
    for (unsigned depth = 0; rva; depth++) {
        if (depth == DP_PE_MAX_UNWIND_CHAIN) return DP_ERR_BAD_DATA; /* a chain this long is a loop */
        uint32_t next;
        int rc = apply_info(&u, image_base, rva & ~1u, depth ? UINT64_MAX : prolog_done, &next);
        if (rc) return rc;
        u.gpr[RSP] = u.rsp;
        rva = next;
    }
    if (!u.have_rip) {
        int rc = read_u64(&u, u.rsp, &u.rip);
        if (rc) return rc;
        u.rsp += 8;
    }
    memcpy(regs->gpr, u.gpr, sizeof regs->gpr);
    regs->gpr[RSP] = regs->sp = u.rsp;
    regs->ip = u.rip;
    regs->fp = regs->gpr[5];
    return DP_OK;
}

int dp_pe_unwind_frame(const struct dp_pe *pe, struct dp_regs *regs)
{
    if (!regs) return DP_ERR_INVALID;
    if (regs->ip < pe->base || regs->ip - pe->base >= pe->size) return DP_ERR_NOT_FOUND;
    uint32_t begin, end, unwind;
    int rc = dp_pe_runtime_function(pe, (uint32_t)(regs->ip - pe->base), &begin, &end, &unwind);
    if (rc) return rc;
    return dp_pe_unwind_x64(pe->read, pe->user, pe->base, begin, unwind, regs);
}

/* ---- a PE file on disk, laid out as the loader would ---- */

struct file_view {
    const uint8_t *data;
    size_t size;
};

/* Headers sit at the same offsets in the file and in memory, so the header parser reads the file. */
static int file_read(void *user, uint64_t off, void *buf, size_t len)
{
    const struct file_view *f = user;
    if (!range_in(off, len, f->size)) return DP_ERR_FAULT;
    memcpy(buf, f->data + off, len);
    return DP_OK;
}

static int lay_out(const struct dp_pe *pe, const struct file_view *f, uint8_t *image, const char **why)
{
    if (!range_in(0, pe->header_size, f->size) || pe->header_size > pe->size)
        return *why = "SizeOfHeaders exceeds the file or the image", DP_ERR_BAD_DATA;
    memcpy(image, f->data, pe->header_size);
    for (size_t i = 0; i < pe->n_sections; i++) {
        const struct pe_section *s = &pe->sections[i];
        uint32_t len = s->raw_size < s->extent ? s->raw_size : s->extent; /* the rest stays zero */
        if (!len) continue;
        if (!range_in(s->raw_ptr, len, f->size)) return *why = "section data past the end of the file", DP_ERR_BAD_DATA;
        memcpy(image + s->va, f->data + s->raw_ptr, len);
    }
    return DP_OK;
}

static int relocate_one(uint8_t *image, size_t size, unsigned type, uint64_t at, uint64_t delta)
{
    unsigned width = type == 10 ? 8 : type == 3 ? 4 : 2;
    if (!range_in(at, width, size)) return DP_ERR_BAD_DATA;
    uint8_t *p = image + at;
    uint64_t v;
    switch (type) {
    case 1: v = ((((uint64_t)rd16(p) << 16) + delta) >> 16) & 0xffff; break; /* HIGH */
    case 2: v = (rd16(p) + delta) & 0xffff; break;                             /* LOW */
    case 3: v = (rd32(p) + delta) & 0xffffffffu; break;                        /* HIGHLOW */
    case 10: v = rd64(p) + delta; break;                                       /* DIR64 */
    default: return DP_ERR_NOT_APPLICABLE;
    }
    for (unsigned b = 0; b < width; b++) p[b] = (uint8_t)(v >> (8 * b));
    return DP_OK;
}

static int apply_relocations(const struct dp_pe *pe, uint8_t *image, uint64_t delta, const char **why)
{
    uint32_t dir, dir_size;
    if (dp_pe_data_directory(pe, DP_PE_DIR_BASERELOC, &dir, &dir_size))
        return *why = "image must move but has no base relocations", DP_ERR_NOT_APPLICABLE;
    if (!range_in(dir, dir_size, pe->size)) return *why = "relocation directory outside the image", DP_ERR_BAD_DATA;
    const uint8_t *r = image + dir;
    for (uint32_t pos = 0; dir_size - pos >= 8;) {
        uint32_t page = rd32(r + pos), block = rd32(r + pos + 4);
        if (block < 8 || block % 2 || block > dir_size - pos)
            return *why = "relocation block size inconsistent", DP_ERR_BAD_DATA;
        for (uint32_t e = pos + 8; e < pos + block; e += 2) {
            unsigned type = rd16(r + e) >> 12, off = rd16(r + e) & 0xfff;
            if (type == 0) continue; /* ABSOLUTE: padding */
            int rc = relocate_one(image, pe->size, type, (uint64_t)page + off, delta);
            if (rc == DP_ERR_NOT_APPLICABLE) return *why = "unsupported relocation type", DP_ERR_BAD_DATA;
            if (rc) return *why = "relocation target outside the image", rc;
        }
        pos += block;
    }
    return DP_OK;
}

static int load_mapped(const struct file_view *f, uint64_t base, uint8_t **image, size_t *size, const char **why)
{
    struct dp_pe *pe;
    int rc = pe_open_why(file_read, (void *)f, 0, 0, &pe, why);
    if (rc) return rc == DP_ERR_FAULT ? DP_ERR_BAD_DATA : rc; /* a short file is a corrupt file */
    uint8_t *img = NULL;
    if (pe->size > DP_PE_MAX_FILE_IMAGE) {
        *why = "SizeOfImage too large", rc = DP_ERR_BAD_DATA;
    } else if (!(img = calloc(1, pe->size))) {
        *why = "out of memory", rc = DP_ERR_NOMEM;
    } else if (!(rc = lay_out(pe, f, img, why)) && base != pe->image_base) {
        rc = apply_relocations(pe, img, base - pe->image_base, why);
    }
    if (rc == DP_OK) *image = img, *size = pe->size;
    else free(img);
    dp_pe_close(pe);
    return rc;
}

int dp_pe_load_file(const char *path, uint64_t base, uint8_t **image, size_t *size, char *err, size_t errlen)
{
    if (!path || !image || !size) return DP_ERR_INVALID;
    const char *why = NULL;
    int rc = DP_OK, fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        why = strerror(errno), rc = DP_ERR_IO;
    } else if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        why = "not a regular non-empty file", rc = DP_ERR_IO;
    } else {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            why = strerror(errno), rc = DP_ERR_IO;
        } else {
            struct file_view f = {map, (size_t)st.st_size};
            rc = load_mapped(&f, base, image, size, &why);
            munmap(map, (size_t)st.st_size);
        }
    }
    if (fd >= 0) close(fd);
    if (rc && err && errlen) snprintf(err, errlen, "%s: %s", path, why ? why : "cannot load");
    return rc;
}
