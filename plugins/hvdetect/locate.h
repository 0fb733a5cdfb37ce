/* Finding the SMBIOS table in the dump's physical memory (the only part of hvdetect that reads it). */
#ifndef HV_LOCATE_H
#define HV_LOCATE_H

#include "smbios.h"

#include <dumppipe/dumppipe.h>

/* The tag Windows 10 files the raw SMBIOS firmware table under in small dumps (seen on x64 and ARM64). */
#define HV_SMBIOS_DUMP_TAG "{BC5C008F-1E3A-44D7-988D-86F6884C6758}"

enum hv_smbios_status {
    HV_SMBIOS_READ = 0,
    HV_SMBIOS_NO_PHYS,     /* no physical memory to search and no table in the secondary data */
    HV_SMBIOS_NOT_FOUND,   /* no valid entry point in any present page */
    HV_SMBIOS_UNREADABLE,  /* entry point found, table absent from the dump or corrupt */
};

struct hv_smbios_result {
    enum hv_smbios_status status;
    struct hv_smbios_info info; /* valid when status == HV_SMBIOS_READ */
    char note[256];             /* one line saying what was found or why not */
    char tag[40];               /* the secondary-data tag the table came from, "" when from memory */
};

/* Physical memory: legacy F0000-FFFFF first (best anchor there), then every present page, 16-byte
 * aligned; then the raw table in the dump's secondary data (small dumps).
 * DP_OK whatever was found (see res->status); DP_ERR_NOMEM only. */
int hv_smbios_locate(dp_ctx *ctx, struct hv_smbios_result *res);

const char *hv_smbios_status_name(enum hv_smbios_status s);

#endif
