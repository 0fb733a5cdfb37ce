/* Flat physical memory images: page N at file offset N * 4096 (raw, .mem, .bin; VMware's .vmem).
 * Named with --format raw, or recognised by what a PC's low memory holds - the legacy BIOS area's
 * SMBIOS/DMI entry point with a valid checksum, or a Windows x64 low stub in the first MiB - so an
 * arbitrary file is never taken for memory. A .vmem with a .vmss/.vmsn beside it gets the memory
 * regions that file describes (vmware.c); without one, VMware's layout for guests above 3 GiB. */
#include "dump_internal.h"

#include <stdlib.h>

#define MIB (1ull << 20)
#define LEGACY_BIOS 0xf0000u
#define LOW_STUB_LIMIT MIB

static int checksum_ok(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

/* An SMBIOS 2.x (_SM_, 31 bytes), 3.x (_SM3_, 24 bytes) or legacy _DMI_ (15 bytes) entry point,
 * checksum-valid, on a 16-byte boundary in 0xF0000-0xFFFFF, as the firmware of every PC places it. */
static int bios_anchor(const struct dp_map *m)
{
    if (!dp_map_has(m, LEGACY_BIOS, 0x10000)) return 0;
    for (uint64_t off = LEGACY_BIOS; off < LEGACY_BIOS + 0x10000 - 32; off += 16) {
        const uint8_t *p = m->base + off;
        if (!memcmp(p, "_SM_", 4) && p[5] >= 0x1f && p[5] <= 0x20 && checksum_ok(p, p[5]) && !memcmp(p + 16, "_DMI_", 5))
            return 1;
        if (!memcmp(p, "_SM3_", 5) && p[6] >= 0x18 && p[6] <= 0x20 && checksum_ok(p, p[6])) return 1;
        if (!memcmp(p, "_DMI_", 5) && checksum_ok(p, 15)) return 1;
    }
    return 0;
}

/* Windows x64's low stub (MemProcFS, vmmwininit.c): a page starting E9 ?? ?? 00 01 00 06 00 whose
 * kernel entry (+0x70) is a kernel address and whose PML4 (+0xA0) is a page inside the image. */
static int x64_low_stub(const struct dp_map *m)
{
    for (uint64_t off = 0x1000; off + 0x1000 <= LOW_STUB_LIMIT && off + 0x1000 <= m->size; off += 0x1000) {
        if ((dp_le64(m, off) & 0xffffffffffff00ffull) != 0x00000001000600e9ull) continue;
        uint64_t entry = dp_le64(m, off + 0x70), pml4 = dp_le64(m, off + 0xa0);
        if ((entry >> 47) == 0x1ffff && !(pml4 & 0xfff) && pml4 && pml4 < m->size) return 1;
    }
    return 0;
}

/* Files that say what they are (ELF, kdump, flattened kdump) are never taken for
 * raw memory, even when a page of theirs happens to sit at offset 0xF0000. */
static int has_container_magic(const struct dp_map *m)
{
    static const char *const magics[] = {"\x7f\x45\x4c\x46", "KDUMP   ", "DISKDUMP", "makedumpfile"}; /* \x7fELF */
    for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
        if (dp_map_has(m, 0, strlen(magics[i])) && !memcmp(m->base, magics[i], strlen(magics[i]))) return 1;
    return 0;
}

int dp_raw_recognise(const struct dp_map *m, const char *path)
{
    if (m->size < MIB || (m->size & (DP_PAGE_SIZE - 1)) || has_container_magic(m)) return 0;
    char side[4096];
    return bios_anchor(m) || x64_low_stub(m) || dp_vmware_side_file(path, side, sizeof side);
}

int dp_raw_open(struct dp_dump *d, int explicit_format, char *err, size_t errlen)
{
    (void)explicit_format;
    if (d->map.size < DP_PAGE_SIZE)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "raw image of %zu bytes holds no page", d->map.size);
    struct dp_runs_builder rb = {d, 0};
    int rc = dp_vmware_layout(d, &rb, err, errlen);
    if (rc == DP_ERR_NOT_FOUND) rc = dp_runs_add(&rb, 0, d->map.size >> DP_PAGE_SHIFT, 0);
    if (rc == DP_ERR_NOMEM) return dp_dump_fail(err, errlen, d->path, rc, "out of memory");
    if (rc) return rc;
    dp_runs_finish(d);
    d->phys_kind = DP_PHYS_EXTENTS;
    d->info.format = d->vmware ? "vmware-vmem" : "raw";
    d->info.dump_type = "complete";
    d->info.page_size = DP_PAGE_SIZE;
    return DP_OK;
}
