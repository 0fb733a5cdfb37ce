/* Any symbol file as the host meets it (host/symbols/cache.c): told apart by content, then read as
 * a PDB, a Volatility ISF (plain, gzip, xz; json-c) or a Breakpad .sym, through a file. */
#include <dumppipe/dumppipe.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "symfile.h"

static volatile uint64_t fz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512];
    int fd = fz_memfd(data, size, path, sizeof path);
    if (fd < 0) return 0;
    const struct dp_symfile *f;
    if (dp_symcache_load(path, &f, err, sizeof err) == DP_OK) {
        const char *name;
        uint32_t disp;
        for (uint32_t rva = 0; rva < 0x3000; rva += 0x7f)
            if (dp_symfile_lookup(f, rva, &name, &disp) == DP_OK) fz_sink += strlen(name) + disp;
        fz_sink += dp_symfile_matches(f, "drv.sys", "drv.pdb", "000102030405060708090A0B0C0D0E0F1");
    }
    dp_symcache_clear(); /* every input is a new file */
    close(fd);
    return 0;
}
