/* SMBIOS entry points and structure tables, decoded from byte buffers (no dump access here).
 * Everything read is hostile: a table that breaks any rule is rejected whole, so a corrupt table
 * yields no evidence rather than half-trusted strings. */
#ifndef HV_SMBIOS_H
#define HV_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define HV_SMBIOS_STR_MAX 96            /* longer strings are cut: they are compared, not stored */
#define HV_SMBIOS_TABLE_MAX (1u << 20)  /* real tables are a few KiB; bigger ones are not read */
#define HV_SMBIOS_ENTRY_MAX 0x20        /* bytes to fetch at an anchor to parse any entry point */

/* HV_ANCHOR_RAW: no entry point, the table came with the 8-byte header of Windows' raw firmware table
 * (RawSMBIOSData: calling method, major, minor, DMI revision, u32 length), as small dumps carry it. */
enum hv_anchor { HV_ANCHOR_NONE = 0, HV_ANCHOR_SM, HV_ANCHOR_SM3, HV_ANCHOR_DMI, HV_ANCHOR_RAW };
#define HV_SMBIOS_RAW_HEADER 8

struct hv_smbios_entry {
    enum hv_anchor anchor;
    uint8_t major, minor;
    uint8_t bcd_revision; /* WinDbg's "DMIVersion"; 0 for _SM3_, which has none */
    uint64_t table_addr;
    uint32_t table_len;    /* exact for 2.x, a maximum for 3.x */
    uint32_t struct_count; /* 0 when the entry gives none (3.x) */
};

/* The decoded strings; names double as smbios.info artifact fields and signature sources. */
enum hv_field {
    HV_F_BIOS_VENDOR = 0,
    HV_F_BIOS_VERSION,
    HV_F_BIOS_DATE,
    HV_F_MANUFACTURER,
    HV_F_PRODUCT,
    HV_F_SYSTEM_VERSION,
    HV_F_SERIAL,
    HV_F_UUID,
    HV_F_SKU,
    HV_F_FAMILY,
    HV_F_BOARD_MANUFACTURER,
    HV_F_BOARD_PRODUCT,
    HV_F_BOARD_VERSION,
    HV_F_CHASSIS_MANUFACTURER,
    HV_F_CHASSIS_ASSET_TAG,
    HV_F_PROCESSOR, /* type 4 Processor Version: "Snapdragon(TM) 835" */
    HV_F_COUNT
};

struct hv_smbios_info {
    struct hv_smbios_entry entry;
    uint64_t entry_addr;
    uint32_t table_used; /* bytes up to and including the end structure */
    uint32_t n_structs;
    int has_bios, has_system;
    int has_release; /* BIOS major/minor release present (2.4+) */
    uint8_t bios_major, bios_minor;
    int has_ext2;
    int vm_bit; /* type 0 extension byte 2 bit 4 */
    char str[HV_F_COUNT][HV_SMBIOS_STR_MAX];
    char error[128]; /* why the table was rejected */
};

const char *hv_field_name(enum hv_field f);
/* -1 when NAME is not a field name. */
int hv_field_by_name(const char *name);

/* Which anchor starts at P (AVAIL bytes readable), HV_ANCHOR_NONE if none. */
enum hv_anchor hv_smbios_anchor_at(const uint8_t *p, size_t avail);

/* Parses the entry point at BUF. DP_OK; DP_ERR_NOT_FOUND when no anchor; DP_ERR_BAD_DATA when the
 * anchor is there but a checksum, length or the table size is wrong. */
int hv_smbios_parse_entry(const uint8_t *buf, size_t len, struct hv_smbios_entry *out);

/* Parses the raw firmware table header at BUF (LEN bytes with the table after it): DP_OK with
 * table_addr = HV_SMBIOS_RAW_HEADER (the table's offset in BUF); DP_ERR_BAD_DATA when the header is not
 * a plausible one or its length runs past LEN. */
int hv_smbios_parse_raw(const uint8_t *buf, size_t len, struct hv_smbios_entry *out);

/* Decodes the structure table TABLE[0..LEN) described by ENTRY into OUT (which it clears first,
 * keeping OUT->entry = *ENTRY). DP_OK, or DP_ERR_BAD_DATA with OUT->error set. */
int hv_smbios_decode(const uint8_t *table, size_t len, const struct hv_smbios_entry *entry,
                     struct hv_smbios_info *out);

#endif
