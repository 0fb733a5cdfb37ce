/* Secondary dump data after a small dump's SizeOfDump, as Windows 10 writes it: a "DumpBlob" file
 * header (signatures, HeaderSize 0x10, BuildNumber), then blobs of {HeaderSize 0x20, GUID tag,
 * DataSize, PrePad, PostPad} each followed by its data. The SMBIOS table goes there as the raw firmware
 * table (8-byte header: calling method, major, minor, DMI revision, u32 length) under its own tag. */
#include "dpgen.h"

#include <stdlib.h>

/* {BC5C008F-1E3A-44D7-988D-86F6884C6758}, as stored */
static const uint8_t smbios_tag[16] = {0x8f, 0x00, 0x5c, 0xbc, 0x3a, 0x1e, 0xd7, 0x44,
                                       0x98, 0x8d, 0x86, 0xf6, 0x88, 0x4c, 0x67, 0x58};
/* a driver's log, to show readers that other tags come first */
static const uint8_t log_tag[16] = {0x61, 0x7b, 0xba, 0x21, 0xf9, 0x05, 0xf1, 0x41,
                                    0x90, 0x48, 0xc0, 0x94, 0x93, 0xdc, 0xfe, 0x38};

static void blob(struct bytes *f, const uint8_t tag[16], const void *data, uint32_t size)
{
    uint32_t post = (8 - size % 8) % 8;
    bytes_put_le(f, 0x20, 4);
    bytes_put(f, tag, 16);
    bytes_put_le(f, size, 4);
    bytes_put_le(f, 0, 4);
    bytes_put_le(f, post, 4);
    bytes_put(f, data, size);
    bytes_zero(f, post);
}

int blobs_write(struct gen *g, struct bytes *f)
{
    if (!g->smbios_len) return 0;
    uint8_t *raw = xcalloc(1, g->smbios_len + 8u);
    raw[1] = (uint8_t)g->smbios_major, raw[2] = (uint8_t)g->smbios_minor;
    put_le(raw + 4, g->smbios_len, 4);
    int rc = pm_read(g, g->smbios_pa, raw + 8, g->smbios_len);
    if (rc == 0) {
        bytes_put(f, "DumpBlob", 8);
        bytes_put_le(f, 0x10, 4);
        bytes_put_le(f, 0xf0000000u | g->build, 4);
        blob(f, log_tag, "DriverLog", 9);
        blob(f, smbios_tag, raw, g->smbios_len + 8u);
    }
    free(raw);
    return rc;
}
