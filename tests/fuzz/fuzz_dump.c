/* The Windows crash dump reader (host/dump): header, runs, bitmap, triage header and data blocks,
 * translation and the module list, all through dp_dump_open on a file that holds the input. */
#include <unistd.h>

#include "dump/dump.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
