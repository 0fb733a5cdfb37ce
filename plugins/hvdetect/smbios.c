/* SMBIOS decoding (reference §6.1, §6.2). */
#include "smbios.h"

#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const field_names[HV_F_COUNT] = {
    [HV_F_BIOS_VENDOR] = "bios_vendor",
    [HV_F_BIOS_VERSION] = "bios_version",
    [HV_F_BIOS_DATE] = "bios_date",
    [HV_F_MANUFACTURER] = "manufacturer",
    [HV_F_PRODUCT] = "product",
    [HV_F_SYSTEM_VERSION] = "system_version",
    [HV_F_SERIAL] = "serial",
    [HV_F_UUID] = "uuid",
    [HV_F_SKU] = "sku",
    [HV_F_FAMILY] = "family",
    [HV_F_BOARD_MANUFACTURER] = "board_manufacturer",
    [HV_F_BOARD_PRODUCT] = "board_product",
    [HV_F_BOARD_VERSION] = "board_version",
    [HV_F_CHASSIS_MANUFACTURER] = "chassis_manufacturer",
    [HV_F_CHASSIS_ASSET_TAG] = "chassis_asset_tag",
    [HV_F_PROCESSOR] = "processor",
};

const char *hv_field_name(enum hv_field f) { return (unsigned)f < HV_F_COUNT ? field_names[f] : "?"; }

int hv_field_by_name(const char *name)
{
    for (int i = 0; i < HV_F_COUNT; i++)
        if (strcmp(field_names[i], name) == 0) return i;
    return -1;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int sums_to_zero(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

enum hv_anchor hv_smbios_anchor_at(const uint8_t *p, size_t avail)
{
    if (avail >= 5 && memcmp(p, "_SM3_", 5) == 0) return HV_ANCHOR_SM3;
    if (avail >= 4 && memcmp(p, "_SM_", 4) == 0) return HV_ANCHOR_SM;
    if (avail >= 5 && memcmp(p, "_DMI_", 5) == 0) return HV_ANCHOR_DMI;
    return HV_ANCHOR_NONE;
}

static int parse_sm3(const uint8_t *b, size_t len, struct hv_smbios_entry *e)
{
    if (len < 0x18 || b[6] < 0x18 || b[6] > len || !sums_to_zero(b, b[6])) return DP_ERR_BAD_DATA;
    e->major = b[7];
    e->minor = b[8];
    e->bcd_revision = 0;
    e->table_len = le32(b + 0x0C);
    e->table_addr = le64(b + 0x10);
    e->struct_count = 0;
    if (e->table_len > HV_SMBIOS_TABLE_MAX) e->table_len = HV_SMBIOS_TABLE_MAX; /* a maximum only */
    return DP_OK;
}

/* 2.1 firmware sometimes says 0x1E although the entry is 0x1F bytes long. */
static int parse_sm(const uint8_t *b, size_t len, struct hv_smbios_entry *e)
{
    if (len < 0x1F || b[5] < 0x1E || b[5] > 0x20 || b[5] > len) return DP_ERR_BAD_DATA;
    if (!sums_to_zero(b, b[5]) || memcmp(b + 0x10, "_DMI_", 5) != 0 || !sums_to_zero(b + 0x10, 0x0F))
        return DP_ERR_BAD_DATA;
    e->major = b[6];
    e->minor = b[7];
    e->table_len = le16(b + 0x16);
    e->table_addr = le32(b + 0x18);
    e->struct_count = le16(b + 0x1C);
    e->bcd_revision = b[0x1E];
    return DP_OK;
}

static int parse_dmi(const uint8_t *b, size_t len, struct hv_smbios_entry *e)
{
    if (len < 0x0F || !sums_to_zero(b, 0x0F)) return DP_ERR_BAD_DATA;
    e->table_len = le16(b + 6);
    e->table_addr = le32(b + 8);
    e->struct_count = le16(b + 0x0C);
    e->bcd_revision = b[0x0E];
    e->major = b[0x0E] >> 4;
    e->minor = b[0x0E] & 0x0F;
    return DP_OK;
}

int hv_smbios_parse_entry(const uint8_t *buf, size_t len, struct hv_smbios_entry *out)
{
    memset(out, 0, sizeof *out);
    out->anchor = hv_smbios_anchor_at(buf, len);
    int rc;
    switch (out->anchor) {
    case HV_ANCHOR_SM3: rc = parse_sm3(buf, len, out); break;
    case HV_ANCHOR_SM: rc = parse_sm(buf, len, out); break;
    case HV_ANCHOR_DMI: rc = parse_dmi(buf, len, out); break;
    default: return DP_ERR_NOT_FOUND;
    }
    if (rc == DP_OK && out->table_len < 4) rc = DP_ERR_BAD_DATA;
    return rc;
}

/* A version outside 2.0-3.x or a table that cannot hold one structure is not a firmware table. */
int hv_smbios_parse_raw(const uint8_t *buf, size_t len, struct hv_smbios_entry *out)
{
    memset(out, 0, sizeof *out);
    if (len < HV_SMBIOS_RAW_HEADER + 4 || buf[1] < 2 || buf[1] > 3) return DP_ERR_BAD_DATA;
    uint32_t table_len = le32(buf + 4);
    if (table_len < 4 || table_len > len - HV_SMBIOS_RAW_HEADER || table_len > HV_SMBIOS_TABLE_MAX)
        return DP_ERR_BAD_DATA;
    out->anchor = HV_ANCHOR_RAW;
    out->major = buf[1];
    out->minor = buf[2];
    out->bcd_revision = buf[3];
    out->table_addr = HV_SMBIOS_RAW_HEADER;
    out->table_len = table_len;
    return DP_OK;
}

/* ---- structure table ---- */

struct walk {
    const uint8_t *t;
    size_t len;
    struct hv_smbios_info *out;
};

__attribute__((format(printf, 2, 3))) static int reject(struct walk *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->out->error, sizeof w->out->error, fmt, ap);
    va_end(ap);
    return DP_ERR_BAD_DATA;
}

/* Finds the end of the string set starting at OFF: sets *end past its closing NUL, *count. */
static int string_set(const struct walk *w, size_t off, size_t *end, unsigned *count)
{
    const uint8_t *t = w->t;
    *count = 0;
    if (off + 1 < w->len && t[off] == 0 && t[off + 1] == 0) {
        *end = off + 2;
        return DP_OK;
    }
    while (off < w->len) {
        const uint8_t *nul = memchr(t + off, 0, w->len - off);
        if (!nul) return DP_ERR_BAD_DATA;
        (*count)++;
        off = (size_t)(nul - t) + 1;
        if (off < w->len && t[off] == 0) {
            *end = off + 1;
            return DP_OK;
        }
    }
    return DP_ERR_BAD_DATA;
}

/* Length of the valid UTF-8 sequence at S (a printable character), 0 when S starts none: control
 * characters, stray continuation bytes, overlong forms, surrogates and truncated sequences. */
static size_t utf8_char(const unsigned char *s)
{
    if (s[0] >= 0x20 && s[0] < 0x7f) return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
        (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* Copies string INDEX (1-based) of the set at OFF into DST, trailing blanks cut. What enters here ends up
 * in JSON and text reports, so it must be valid UTF-8: whatever is not becomes '?'. */
static void copy_string(const struct walk *w, size_t off, unsigned index, char *dst)
{
    dst[0] = 0;
    if (index == 0) return;
    for (unsigned i = 1; i < index; i++) off += strlen((const char *)w->t + off) + 1;
    const unsigned char *s = w->t + off;
    size_t n = 0;
    while (*s) {
        size_t k = utf8_char(s);
        if (n + (k ? k : 1) >= HV_SMBIOS_STR_MAX) break; /* never cut a character in two */
        if (k) memcpy(dst + n, s, k), n += k, s += k;
        else dst[n++] = '?', s++;
    }
    while (n > 0 && dst[n - 1] == ' ') n--;
    dst[n] = 0;
}

struct str_slot {
    uint8_t offset;
    enum hv_field field;
};

static const struct str_slot bios_slots[] = {{4, HV_F_BIOS_VENDOR}, {5, HV_F_BIOS_VERSION}, {8, HV_F_BIOS_DATE}};
static const struct str_slot system_slots[] = {{4, HV_F_MANUFACTURER}, {5, HV_F_PRODUCT}, {6, HV_F_SYSTEM_VERSION},
                                               {7, HV_F_SERIAL}, {0x19, HV_F_SKU}, {0x1A, HV_F_FAMILY}};
static const struct str_slot board_slots[] = {{4, HV_F_BOARD_MANUFACTURER}, {5, HV_F_BOARD_PRODUCT}, {6, HV_F_BOARD_VERSION}};
static const struct str_slot chassis_slots[] = {{4, HV_F_CHASSIS_MANUFACTURER}, {8, HV_F_CHASSIS_ASSET_TAG}};
static const struct str_slot processor_slots[] = {{0x10, HV_F_PROCESSOR}};

/* Checks every string index of the structure at OFF before copying any: one bad index rejects the table. */
static int take_strings(struct walk *w, size_t off, const struct str_slot *slots, size_t n, unsigned count)
{
    const uint8_t *s = w->t + off;
    for (size_t i = 0; i < n; i++)
        if (slots[i].offset < s[1] && s[slots[i].offset] > count)
            return reject(w, "type %u at +0x%zx: string index %u of %u", s[0], off, s[slots[i].offset], count);
    for (size_t i = 0; i < n; i++)
        if (slots[i].offset < s[1]) copy_string(w, off + s[1], s[slots[i].offset], w->out->str[slots[i].field]);
    return DP_OK;
}

static int version_at_least(const struct hv_smbios_entry *e, unsigned major, unsigned minor)
{
    return e->major > major || (e->major == major && e->minor >= minor);
}

/* Since SMBIOS 2.6 the first three UUID fields are little-endian. All-zero / all-FF mean "none". */
static void format_uuid(const uint8_t *u, int little, char *dst)
{
    int zero = 1, ff = 1;
    for (int i = 0; i < 16; i++) zero &= u[i] == 0, ff &= u[i] == 0xff;
    if (zero || ff) {
        dst[0] = 0;
        return;
    }
    static const uint8_t le_order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char *p = dst;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
        p += sprintf(p, "%02X", u[little ? le_order[i] : i]);
    }
}

static int take_structure(struct walk *w, size_t off, unsigned count)
{
    const uint8_t *s = w->t + off;
    struct hv_smbios_info *o = w->out;
    switch (s[0]) {
    case 0:
        if (o->has_bios) return DP_OK;
        o->has_bios = 1;
        if (s[1] > 0x13) o->has_ext2 = 1, o->vm_bit = (s[0x13] >> 4) & 1;
        if (s[1] > 0x15) o->has_release = 1, o->bios_major = s[0x14], o->bios_minor = s[0x15];
        return take_strings(w, off, bios_slots, sizeof bios_slots / sizeof *bios_slots, count);
    case 1:
        if (o->has_system) return DP_OK;
        o->has_system = 1;
        if (s[1] >= 0x18) format_uuid(s + 8, version_at_least(&o->entry, 2, 6), o->str[HV_F_UUID]);
        return take_strings(w, off, system_slots, sizeof system_slots / sizeof *system_slots, count);
    case 2:
        if (o->str[HV_F_BOARD_MANUFACTURER][0] || o->str[HV_F_BOARD_PRODUCT][0]) return DP_OK;
        return take_strings(w, off, board_slots, sizeof board_slots / sizeof *board_slots, count);
    case 3:
        if (o->str[HV_F_CHASSIS_MANUFACTURER][0]) return DP_OK;
        return take_strings(w, off, chassis_slots, sizeof chassis_slots / sizeof *chassis_slots, count);
    case 4:
        if (o->str[HV_F_PROCESSOR][0]) return DP_OK;
        return take_strings(w, off, processor_slots, 1, count);
    default: return DP_OK;
    }
}

static int walk_table(struct walk *w)
{
    const struct hv_smbios_entry *e = &w->out->entry;
    size_t off = 0;
    /* Every structure takes at least 6 bytes (4 header + 2 NULs), which bounds the loop. */
    while (off < w->len) {
        if (e->struct_count && w->out->n_structs >= e->struct_count) break;
        if (w->len - off < 4) return reject(w, "structure at +0x%zx runs off the table", off);
        const uint8_t *s = w->t + off;
        if (s[1] < 4) return reject(w, "structure at +0x%zx has length %u", off, s[1]);
        if (s[1] > w->len - off) return reject(w, "structure at +0x%zx runs off the table", off);
        size_t end;
        unsigned count;
        if (string_set(w, off + s[1], &end, &count) != DP_OK)
            return reject(w, "type %u at +0x%zx: string set not terminated inside the table", s[0], off);
        int rc = take_structure(w, off, count);
        if (rc != DP_OK) return rc;
        w->out->n_structs++;
        off = end;
        if (s[0] == 127) break;
        if (e->anchor == HV_ANCHOR_SM3 && off >= w->len) return reject(w, "no end-of-table structure");
    }
    w->out->table_used = (uint32_t)off;
    return DP_OK;
}

int hv_smbios_decode(const uint8_t *table, size_t len, const struct hv_smbios_entry *entry,
                     struct hv_smbios_info *out)
{
    memset(out, 0, sizeof *out);
    out->entry = *entry;
    struct walk w = {table, len, out};
    if (len > entry->table_len) w.len = entry->table_len;
    int rc = walk_table(&w);
    if (rc == DP_OK && !out->has_bios && !out->has_system) rc = reject(&w, "no BIOS or system structure");
    if (rc != DP_OK) {
        char why[sizeof out->error];
        memcpy(why, out->error, sizeof why);
        memset(out, 0, sizeof *out);
        out->entry = *entry;
        memcpy(out->error, why, sizeof why);
    }
    return rc;
}
