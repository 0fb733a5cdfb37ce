/* The container front end (host/dump/kdumpfile.c, elf_check.c, kdump_check.c, notes.c, xen_core.c):
 * QEMU and Linux ELF, compressed kdump/diskdump (seeds: dpgen's qemu-elf and kdump forms of every
 * scenario), Xen domain dumps, and the other formats libkdumpfile reads.
 * Inputs that start like a Windows dump are the other target's business and are skipped, so the
 * mutations this target keeps explore only the libkdumpfile path. */
#include <string.h>

#include "dump/dump.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "PAGE", 4) == 0) return 0;
    fz_open_and_exercise(data, size);
    return 0;
}
