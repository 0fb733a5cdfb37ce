/* SMBIOS: an entry point (_SM_ 2.x, _SM3_ 3.x or a bare legacy _DMI_) and its structure table, in
 * physical memory; negative scenarios can spoil a checksum, a string index or the table length. */
#include "dpgen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct tbl {
    struct gen *g;
    struct bytes b;
    unsigned count, handle, major, minor;
    size_t type1_off;
};

/* One structure: formatted part (header filled here) then its string set. */
struct smb { uint8_t f[0x40]; unsigned len; struct bytes strs; unsigned nstr; };

static int smb_str(struct gen *g, struct smb *s, node_t *map, const char *key, unsigned off)
{
    const char *v;
    if (ex_str(g, map, key, NULL, &v) != 0)
        return -1;
    if (v && *v) {
        bytes_put(&s->strs, v, strlen(v) + 1);
        s->f[off] = (uint8_t)++s->nstr;
    }
    return 0;
}

static int smb_num(struct gen *g, struct smb *s, node_t *map, const char *key, unsigned off, unsigned width,
                   uint64_t dflt)
{
    uint64_t v;
    if (ex_opt_u64(g, map, key, dflt, &v) != 0)
        return -1;
    put_le(s->f + off, v, width);
    return 0;
}

static void tbl_add(struct tbl *t, struct smb *s, unsigned type)
{
    s->f[0] = (uint8_t)type;
    s->f[1] = (uint8_t)s->len;
    put_le(s->f + 2, t->handle++, 2);
    bytes_put(&t->b, s->f, s->len);
    if (s->nstr)
        bytes_put(&t->b, s->strs.p, s->strs.n);
    else
        bytes_zero(&t->b, 1);
    bytes_zero(&t->b, 1);
    bytes_free(&s->strs);
    t->count++;
}

static int uuid_bytes(struct gen *g, node_t *map, uint8_t *out, int swap_fields)
{
    const char *u;
    uint8_t raw[16] = {0};
    size_t n = 0;
    if (ex_str(g, map, "uuid", NULL, &u) != 0)
        return -1;
    for (const char *c = u; c && *c; c++) {
        if (*c == '-')
            continue;
        if (!isxdigit((unsigned char)*c) || n >= 32)
            return fail(g, map, "uuid: expected 32 hex digits");
        unsigned v = (unsigned)(isdigit((unsigned char)*c) ? *c - '0' : (tolower((unsigned char)*c) - 'a' + 10));
        raw[n / 2] |= (uint8_t)(n % 2 ? v : v << 4);
        n++;
    }
    if (u && n != 32)
        return fail(g, map, "uuid: expected 32 hex digits");
    memcpy(out, raw, 16);
    if (swap_fields) { /* 2.6+: time_low, time_mid, time_hi are little-endian */
        static const uint8_t order[8] = {3, 2, 1, 0, 5, 4, 7, 6};
        for (int i = 0; i < 8; i++)
            out[i] = raw[order[i]];
    }
    return 0;
}

static int add_bios(struct tbl *t, node_t *n)
{
    static const char *const keys[] = {"vendor", "version", "date", "major_release", "minor_release", "ext1",
                                       "ext2", "characteristics", "rom_size", NULL};
    struct smb s = {.len = (t->major > 2 || t->minor >= 4) ? 0x18 : 0x12};
    if (ex_check_keys(t->g, n, keys) || smb_str(t->g, &s, n, "vendor", 4) || smb_str(t->g, &s, n, "version", 5) ||
        smb_num(t->g, &s, n, "rom_size", 9, 1, 0) || smb_str(t->g, &s, n, "date", 8) ||
        smb_num(t->g, &s, n, "characteristics", 0xA, 8, 0x80) || smb_num(t->g, &s, n, "ext1", 0x12, 1, 0) ||
        smb_num(t->g, &s, n, "ext2", 0x13, 1, 0) || smb_num(t->g, &s, n, "major_release", 0x14, 1, 0) ||
        smb_num(t->g, &s, n, "minor_release", 0x15, 1, 0))
        return -1;
    put_le(s.f + 6, 0xE800, 2);
    s.f[0x16] = s.f[0x17] = 0xFF; /* no embedded controller */
    tbl_add(t, &s, 0);
    return 0;
}

static int add_system(struct tbl *t, node_t *n, int bad_index)
{
    static const char *const keys[] = {"manufacturer", "product", "version", "serial", "uuid", "sku", "family",
                                       "wakeup", NULL};
    struct smb s = {.len = 0x1B};
    int swap = t->major > 2 || t->minor >= 6;
    if (ex_check_keys(t->g, n, keys) || smb_str(t->g, &s, n, "manufacturer", 4) ||
        smb_str(t->g, &s, n, "product", 5) || smb_str(t->g, &s, n, "version", 6) ||
        smb_str(t->g, &s, n, "serial", 7) || uuid_bytes(t->g, n, s.f + 8, swap) ||
        smb_num(t->g, &s, n, "wakeup", 0x18, 1, 6) || smb_str(t->g, &s, n, "sku", 0x19) ||
        smb_str(t->g, &s, n, "family", 0x1A))
        return -1;
    if (bad_index)
        s.f[5] = (uint8_t)(s.nstr + 3); /* product name points past the string set */
    t->type1_off = t->b.n;
    tbl_add(t, &s, 1);
    return 0;
}

static int add_board_or_chassis(struct tbl *t, node_t *n, unsigned type)
{
    static const char *const keys[] = {"manufacturer", "product", "version", "serial", "asset", "type", NULL};
    struct smb s = {.len = type == 2 ? 0x0F : 0x0D};
    if (ex_check_keys(t->g, n, keys) || smb_str(t->g, &s, n, "manufacturer", 4) ||
        smb_str(t->g, &s, n, "version", 6) || smb_str(t->g, &s, n, "serial", 7) ||
        smb_str(t->g, &s, n, "asset", 8))
        return -1;
    if (type == 2 && smb_str(t->g, &s, n, "product", 5))
        return -1;
    if (type == 3) {
        if (smb_num(t->g, &s, n, "type", 5, 1, 1))
            return -1;
        s.f[9] = s.f[0xA] = s.f[0xB] = s.f[0xC] = 3; /* states: safe */
    } else {
        s.f[9] = 1;     /* hosting board */
        s.f[0xD] = 0xA; /* motherboard */
    }
    tbl_add(t, &s, type);
    return 0;
}

static int add_oem(struct tbl *t, node_t *list)
{
    struct smb s = {.len = 5};
    for (size_t i = 0; i < sc_len(list); i++) {
        const char *v = sc_text(sc_at(t->g->sc, list, i));
        if (!v || !*v)
            return fail(t->g, list, "oem_strings: expected non-empty strings");
        bytes_put(&s.strs, v, strlen(v) + 1);
        s.nstr++;
    }
    s.f[4] = (uint8_t)s.nstr;
    tbl_add(t, &s, 11);
    return 0;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Builds the entry point for `kind` into ep (returns its length). */
static size_t entry_point(const struct tbl *t, const char *kind, uint64_t table_pa, uint32_t table_len,
                          uint8_t *ep, int bad_checksum)
{
    size_t len;
    uint8_t bcd = (uint8_t)(t->major << 4 | (t->minor & 0xF));
    if (!strcmp(kind, "sm3")) {
        len = 0x18;
        memcpy(ep, "_SM3_", 5);
        ep[6] = (uint8_t)len, ep[7] = (uint8_t)t->major, ep[8] = (uint8_t)t->minor, ep[0xA] = 1;
        put_le(ep + 0xC, table_len, 4);
        put_le(ep + 0x10, table_pa, 8);
        ep[5] = (uint8_t)-sum8(ep, len);
    } else if (!strcmp(kind, "dmi")) {
        len = 0x0F;
        memcpy(ep, "_DMI_", 5);
        put_le(ep + 6, table_len, 2);
        put_le(ep + 8, table_pa, 4);
        put_le(ep + 0xC, t->count, 2);
        ep[0xE] = bcd;
        ep[5] = (uint8_t)-sum8(ep, len);
    } else {
        len = 0x1F;
        memcpy(ep, "_SM_", 4);
        ep[5] = (uint8_t)len, ep[6] = (uint8_t)t->major, ep[7] = (uint8_t)t->minor;
        put_le(ep + 8, 0x100, 2); /* largest structure: generous upper bound */
        memcpy(ep + 0x10, "_DMI_", 5);
        put_le(ep + 0x16, table_len, 2);
        put_le(ep + 0x18, table_pa, 4);
        put_le(ep + 0x1C, t->count, 2);
        ep[0x1E] = bcd;
        ep[0x15] = (uint8_t)-sum8(ep + 0x10, 0xF);
        ep[4] = (uint8_t)-sum8(ep, len);
    }
    if (bad_checksum)
        ep[!strcmp(kind, "sm2") ? 4 : 5] ^= 0x5A;
    return len;
}

static int build_table(struct tbl *t, node_t *n, int bad_index)
{
    node_t *x;
    if (add_bios(t, sc_get(t->g->sc, n, "bios")) || add_system(t, sc_get(t->g->sc, n, "system"), bad_index))
        return -1;
    if ((x = sc_get(t->g->sc, n, "baseboard")) && add_board_or_chassis(t, x, 2))
        return -1;
    if ((x = sc_get(t->g->sc, n, "chassis")) && add_board_or_chassis(t, x, 3))
        return -1;
    if ((x = sc_get(t->g->sc, n, "oem_strings")) && add_oem(t, x))
        return -1;
    struct smb end = {.len = 4};
    tbl_add(t, &end, 127);
    return 0;
}

static int place(struct gen *g, node_t *n, struct tbl *t, const char *kind, int corrupt[3])
{
    uint64_t ep_pa, table_pa, va;
    uint8_t ep[0x20] = {0};
    if (ex_opt_u64(g, n, "address", 0xF0000, &ep_pa) || ex_opt_u64(g, n, "table_address", ep_pa + 0x20, &table_pa) ||
        ex_opt_u64(g, n, "va", 0, &va))
        return -1;
    if (ep_pa & 0xF)
        return fail(g, n, "smbios.address must be 16-byte aligned (readers scan on 16-byte boundaries)");
    if (table_pa < ep_pa + 0x20 && table_pa + t->b.n > ep_pa)
        return fail(g, n, "smbios table overlaps the entry point");
    /* overrun: the declared length ends inside the type 1 structure's formatted part */
    uint32_t len = corrupt[2] ? (uint32_t)t->type1_off + 8 : (uint32_t)t->b.n;
    size_t ep_len = entry_point(t, kind, table_pa, len, ep, corrupt[0]);
    if (pm_write(g, ep_pa, ep, ep_len) || pm_write(g, table_pa, t->b.p, t->b.n))
        return -1;
    g->smbios_pa = table_pa;
    g->smbios_len = (uint32_t)t->b.n;
    g->smbios_major = t->major, g->smbios_minor = t->minor;
    if (va & PAGE_MASK)
        return fail(g, n, "smbios.va must be page aligned");
    g->smbios_va = va ? va + (table_pa & PAGE_MASK) : 0;
    return 0;
}

/* The kernel's mapping of the table (small dumps carry it as a data block); runs once page tables
 * exist, while the physical writes above run before the allocator hands out pages. */
int smbios_map(struct gen *g)
{
    uint64_t off = g->smbios_pa & PAGE_MASK, va = g->smbios_va & ~PAGE_MASK;
    if (!g->smbios_va)
        return 0;
    for (uint64_t p = 0; p < off + g->smbios_len; p += PAGE_SIZE)
        if (vm_map(g, va + p, (g->smbios_pa & ~PAGE_MASK) + p))
            return -1;
    return 0;
}

int smbios_build(struct gen *g, node_t *n)
{
    static const char *const keys[] = {"entry", "address", "table_address", "version", "va", "bios", "system",
                                       "baseboard", "chassis", "oem_strings", "bad_checksum", "bad_string_index",
                                       "overrun", NULL};
    const char *kind, *version;
    int corrupt[3];
    struct tbl t = {.g = g, .handle = 0};
    if (!n)
        return 0;
    if (ex_check_keys(g, n, keys) || ex_str(g, n, "entry", "sm2", &kind) ||
        ex_opt_bool(g, n, "bad_checksum", 0, &corrupt[0]) || ex_opt_bool(g, n, "bad_string_index", 0, &corrupt[1]) ||
        ex_opt_bool(g, n, "overrun", 0, &corrupt[2]))
        return -1;
    if (strcmp(kind, "sm2") && strcmp(kind, "sm3") && strcmp(kind, "dmi"))
        return fail(g, n, "smbios.entry: sm2, sm3 or dmi");
    if (ex_str(g, n, "version", !strcmp(kind, "sm3") ? "3.0" : "2.4", &version) ||
        sscanf(version, "%u.%u", &t.major, &t.minor) != 2 || t.major < 2 || t.major > 3 || t.minor > 9)
        return fail(g, n, "smbios.version: expected MAJOR.MINOR, 2.0 .. 3.9");
    int rc = build_table(&t, n, corrupt[1]);
    if (rc == 0)
        rc = place(g, n, &t, kind, corrupt);
    bytes_free(&t.b);
    return rc;
}
