/* The libkdumpfile front end (host/dump/kdumpfile.c): ELF, diskdump and the other formats it reads.
 * Inputs that start like a Windows dump are the other target's business and are skipped, so the
 * mutations this target keeps explore only the libkdumpfile path. */
#include <string.h>
#include <unistd.h>

#include "dump/dump.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "PAGE", 4) == 0) return 0;
    char path[64], err[1024];
    int fd = fz_memfd(data, size, path, sizeof path);
    if (fd < 0) return 0;
    struct dp_dump *d;
    if (dp_dump_open(path, &d, err, sizeof err) == DP_OK) {
        fz_exercise_dump(d);
        dp_dump_close(d);
    }
    close(fd);
    return 0;
}
