/* The libkdumpfile front end (host/dump/kdumpfile.c): ELF, diskdump and the other formats it reads.
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
