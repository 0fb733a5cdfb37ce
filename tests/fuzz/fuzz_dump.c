/* The Windows crash dump reader (host/dump): header, runs, bitmap, triage header and data blocks,
 * translation and the module list, all through dp_dump_open on a file that holds the input. */

#include "dump/dump.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_open_and_exercise(data, size);
    return 0;
}
