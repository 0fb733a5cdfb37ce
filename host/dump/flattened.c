/* makedumpfile's flattened format (-F), which QEMU's dump-guest-memory writes for its kdump formats
 * (QEMU 7.2: always): a 4096-byte header "makedumpfile" (type 1, version 1, big-endian), then records
 * {int64 offset, int64 size (big-endian), data} that place bytes of the real kdump file, ended by offset
 * -1. libkdumpfile 0.5.1 does not read it, so the records are laid out again in an anonymous memory file
 * (the size of the rearranged kdump: compressed pages, far smaller than the guest's memory), which then
 * replaces the mapping; the dump on disk is only read. Every record is checked against both files. */
#include "dump_internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define FLAT_HEADER 4096u
#define FLAT_MAX_OUT (4ull << 30) /* a rearranged kdump above this: use makedumpfile -R */

static uint64_t be64(const struct dp_map *m, uint64_t off) { return __builtin_bswap64(dp_le64(m, off)); }

int dp_is_flattened(const struct dp_map *m)
{
    return dp_map_has(m, 0, 32) && !memcmp(m->base, "makedumpfile", 12) && !m->base[12];
}

/* Walks the records; with fd >= 0 also writes them. Returns the rearranged size or sets *why. */
static uint64_t walk(const struct dp_map *m, int fd, const char **why)
{
    uint64_t pos = FLAT_HEADER, end = 0;
    while (1) {
        if (!dp_map_has(m, pos, 16)) return *why = "record header past the end of the file (truncated)", 0;
        uint64_t off = be64(m, pos), size = be64(m, pos + 8);
        if (off == UINT64_MAX) return end;
        pos += 16;
        if (off >= FLAT_MAX_OUT || !size || size > FLAT_MAX_OUT - off) return *why = "record outside 4 GiB", 0;
        if (!dp_map_has(m, pos, size)) return *why = "record data past the end of the file (truncated)", 0;
        if (fd >= 0) {
            for (uint64_t done = 0; done < size;) {
                ssize_t n = pwrite(fd, m->base + pos + done, size - done, (off_t)(off + done));
                if (n <= 0) return *why = "cannot write the rearranged copy", 0;
                done += (uint64_t)n;
            }
        }
        if (off + size > end) end = off + size;
        pos += size;
    }
}

int dp_flattened_rearrange(struct dp_dump *d, char *err, size_t errlen)
{
    const char *why = NULL;
    if (be64(&d->map, 16) != 1 || be64(&d->map, 24) != 1) why = "unknown type or version";
    uint64_t size = why ? 0 : walk(&d->map, -1, &why);
    if (!why && !size) why = "no records";
    if (why) return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "malformed flattened kdump (makedumpfile -F): %s", why);
    int fd = memfd_create("dumppipe-rearranged-kdump", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0 || (walk(&d->map, fd, &why), why)) {
        int e = errno;
        if (fd >= 0) close(fd);
        return dp_dump_fail(err, errlen, d->path, DP_ERR_IO, "cannot rearrange the flattened kdump: %s",
                            why ? why : strerror(e));
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "cannot map the rearranged kdump");
    }
    dp_map_close(&d->map);
    d->map = (struct dp_map){p, (size_t)size, fd};
    d->flattened = 1;
    return DP_OK;
}
