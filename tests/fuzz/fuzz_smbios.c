/* The SMBIOS decoder of plugins/hvdetect (smbios.c). The first HV_SMBIOS_ENTRY_MAX bytes are an entry
 * point, the rest a structure table. The table is decoded twice: under the parsed entry point when
 * its checksums hold, and under one made up from the first byte, so mutations of the table are not
 * wasted on inputs whose entry checksum is wrong. */
#include <dumppipe/dumppipe.h>
#include <string.h>

#include "fuzz_common.h"
#include "smbios.h"

static volatile size_t fz_sink;

static void decode(const uint8_t *table, size_t len, const struct hv_smbios_entry *e)
{
    struct hv_smbios_info info;
    if (hv_smbios_decode(table, len, e, &info) != DP_OK) {
        fz_sink += strlen(info.error);
        return;
    }
    for (int f = 0; f < HV_F_COUNT; f++) fz_sink += strlen(info.str[f]) + strlen(hv_field_name((enum hv_field)f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t off = 0; off < size && off < 64; off += 16) fz_sink += hv_smbios_anchor_at(data + off, size - off);
    size_t head = size < HV_SMBIOS_ENTRY_MAX ? size : HV_SMBIOS_ENTRY_MAX;
    const uint8_t *table = data + head;
    size_t len = size - head;
    struct hv_smbios_entry e;
    if (hv_smbios_parse_entry(data, head, &e) == DP_OK) decode(table, len, &e);
    uint8_t sel = size ? data[0] : 0;
    struct hv_smbios_entry made = {
        .anchor = (enum hv_anchor)(1 + sel % 3),
        .major = (uint8_t)(2 + (sel >> 2) % 2),
        .minor = (uint8_t)(sel >> 3),
        .table_len = (uint32_t)len,
        .struct_count = (sel & 0x80) ? 0 : (uint32_t)(sel & 0x3f),
    };
    decode(table, len, &made);
    /* the whole input as the raw firmware table a small dump's secondary data carries */
    if (hv_smbios_parse_raw(data, size, &e) == DP_OK) decode(data + HV_SMBIOS_RAW_HEADER, e.table_len, &e);
    return 0;
}
