/* Names of a PDB: S_PUB32 records of the symbol record stream, and S_GPROC32/S_LPROC32 records
 * of the module streams (full PDBs), whose code sizes make "function+disp" exact
 * (llvm.org/docs/PDB/CodeViewSymbols.html, ModiStream.html). */
#include "pdb_internal.h"

#include <dumppipe/dumppipe.h>
#include <string.h>

#define S_PUB32 0x110E
#define S_LPROC32 0x110F
#define S_GPROC32 0x1110
#define S_LPROC32_ID 0x1146
#define S_GPROC32_ID 0x1147
#define IMAGE_FILE_MACHINE_I386 0x14c

/* x86 C decoration: "_name", "_name@12" (stdcall), "@name@8" (fastcall); import pointers
 * "__imp__name@4" read "_imp__name" and "__imp_@name@4" "_imp_name", as debuggers print them.
 * C++ names ('?') stay raw. Returns NAME itself when nothing changes. */
static const char *undecorate(struct dp_pdb *p, const char *name)
{
    if (name[0] == 0x7f) return dp_arena_printf(p->arena, "_%s", name + 1); /* "\x7fHAL_NULL_THUNK_DATA" */
    if (p->info.machine != IMAGE_FILE_MACHINE_I386 || name[0] == '?') return name;
    const char *start = name[0] == '_' || name[0] == '@' ? name + 1 : name;
    size_t n = strlen(start);
    const char *at = strrchr(start, '@');
    if (at && at > start && at[1] && strspn(at + 1, "0123456789") == strlen(at + 1)) n = (size_t)(at - start);
    if (start == name && n == strlen(name)) return name;
    if (n > 6 && strncmp(start, "_imp_@", 6) == 0)
        return dp_arena_printf(p->arena, "_imp_%.*s", (int)(n - 6), start + 6);
    return dp_arena_printf(p->arena, "%.*s", (int)n, start);
}

/* One CodeView record at POS of BUF (SIZE bytes): its kind and length, checked. */
static int next_record(const uint8_t *buf, uint32_t size, uint32_t pos, uint16_t *kind, uint32_t *len)
{
    if (size - pos < 4) return 0;
    uint32_t reclen = pdb_rd16(buf + pos);
    if (reclen < 2 || reclen > size - pos - 2) return 0;
    *kind = pdb_rd16(buf + pos + 2);
    *len = reclen + 2;
    return 1;
}

/* A NUL-terminated name at OFF inside the record, or NULL. */
static const char *record_name(const uint8_t *rec, uint32_t len, uint32_t off)
{
    if (off >= len || !memchr(rec + off, 0, len - off)) return NULL;
    return (const char *)rec + off;
}

static int add_symbol(struct dp_pdb *p, uint16_t seg, uint32_t off, uint32_t size, const char *name)
{
    uint32_t rva, limit;
    if (!name || !*name || !dp_pdb_seg_to_rva(p, seg, off, &rva, &limit)) return DP_OK;
    const char *clean = undecorate(p, name);
    if (!clean) return DP_ERR_NOMEM;
    return dp_symidx_add(&p->idx, rva, size, limit, clean);
}

/* DBI headers written before VC 8 leave Machine 0: then the names tell, as x86 C names carry a
 * leading '_' or '@' and x64/ARM64 names mostly do not. */
static void guess_machine(struct dp_pdb *p, const uint8_t *s, uint32_t size)
{
    uint32_t len, total = 0, decorated = 0;
    uint16_t kind;
    for (uint32_t pos = 0; next_record(s, size, pos, &kind, &len); pos += len) {
        if (kind != S_PUB32 || len < 15) continue;
        total++;
        decorated += s[pos + 14] == '_' || s[pos + 14] == '@';
    }
    if (total && decorated > total / 2) p->info.machine = IMAGE_FILE_MACHINE_I386;
}

/* u16 len, u16 kind, u32 flags, u32 offset, u16 segment, name */
static int load_publics(struct dp_pdb *p)
{
    const uint8_t *s;
    uint32_t size, len;
    uint16_t kind;
    if (p->sym_records == 0xFFFF || dp_msf_stream(p->msf, p->sym_records, &s, &size) != DP_OK) return DP_OK;
    if (!p->info.machine) guess_machine(p, s, size);
    for (uint32_t pos = 0; next_record(s, size, pos, &kind, &len); pos += len) {
        if (kind != S_PUB32 || len < 14) continue;
        int rc = add_symbol(p, pdb_rd16(s + pos + 12), pdb_rd32(s + pos + 8), 0, record_name(s + pos, len, 14));
        if (rc != DP_OK) return rc;
        p->info.n_publics++;
    }
    return DP_OK;
}

/* PROCSYM32: parent, end, next, code length @16, debug start/end, type, offset @32, segment @36,
 * flags @38, name @39. */
static int load_module_procs(struct dp_pdb *p, uint16_t stream, uint32_t sym_bytes)
{
    const uint8_t *s;
    uint32_t size, len;
    uint16_t kind;
    if (stream == 0xFFFF || dp_msf_stream(p->msf, stream, &s, &size) != DP_OK) return DP_OK;
    if (sym_bytes > size) sym_bytes = size;
    for (uint32_t pos = 4; pos < sym_bytes && next_record(s, sym_bytes, pos, &kind, &len); pos += len) {
        if ((kind != S_GPROC32 && kind != S_LPROC32 && kind != S_GPROC32_ID && kind != S_LPROC32_ID) || len < 40)
            continue;
        const uint8_t *r = s + pos;
        uint32_t code = pdb_rd32(r + 16);
        int rc = add_symbol(p, pdb_rd16(r + 36), pdb_rd32(r + 32), code ? code : 1, record_name(r, len, 39));
        if (rc != DP_OK) return rc;
        p->info.n_procs++;
    }
    return DP_OK;
}

/* ModInfo: ... ModuleSymStream u16 @34, SymByteSize u32 @36, ModuleName @64, ObjFileName, pad to 4.
 * Each module stream is walked once: a hostile list naming one big stream many times would
 * otherwise cost modules x records. */
static int load_modules(struct dp_pdb *p)
{
    const uint8_t *m = p->modinfo;
    uint32_t size = p->modinfo_size, pos = 0;
    uint8_t seen[65536 / 8] = {0};
    while (size - pos >= 66) {
        const uint8_t *r = m + pos;
        const char *mod = record_name(r, size - pos, 64);
        const char *obj = mod ? record_name(r, size - pos, 64 + (uint32_t)strlen(mod) + 1) : NULL;
        if (!obj) break; /* a truncated entry ends the walk: the publics still name everything */
        uint16_t stream = pdb_rd16(r + 34);
        if (!(seen[stream / 8] & (1u << (stream % 8)))) {
            seen[stream / 8] |= (uint8_t)(1u << (stream % 8));
            int rc = load_module_procs(p, stream, pdb_rd32(r + 36));
            if (rc != DP_OK) return rc;
        }
        uint32_t next = (uint32_t)(obj + strlen(obj) + 1 - (const char *)m);
        next = (next + 3u) & ~3u;
        if (next <= pos || next > size) break;
        pos = next;
    }
    return DP_OK;
}

int dp_pdb_load_symbols(struct dp_pdb *p, char *err, size_t errlen)
{
    int rc = load_modules(p);
    if (rc == DP_OK) rc = load_publics(p);
    if (rc != DP_OK) return rc;
    (void)err, (void)errlen;
    dp_symidx_sort(&p->idx);
    return DP_OK;
}
