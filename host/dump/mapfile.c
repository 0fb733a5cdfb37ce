/* The dump file, mapped read-only: readers take pointers into it and never copy it whole. */
#include "dump_internal.h"

#include "../util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int dp_dump_fail(char *err, size_t errlen, const char *path, int status, const char *fmt, ...)
{
    if (!err || !errlen) return status;
    int n = snprintf(err, errlen, "%s: ", path ? path : "(dump)");
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return status;
}

int dp_map_open(const char *path, struct dp_map *m, char *err, size_t errlen)
{
    m->base = NULL;
    m->size = 0;
    uint64_t size = 0;
    /* never blocks: a FIFO, device or directory is refused before anything waits on it */
    m->fd = dp_open_regular(path, "dump", 0, &size, err, errlen);
    if (m->fd < 0) return DP_ERR_IO;
    if (size == 0) {
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_BAD_DATA, "file is empty");
    }
    if (size > SIZE_MAX) {
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "file too large to map");
    }
    /* MAP_PRIVATE + PROT_READ: nothing we do can reach the file. */
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, m->fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "cannot map: %s", strerror(e));
    }
    m->base = p;
    m->size = (size_t)size;
    return DP_OK;
}

void dp_map_close(struct dp_map *m)
{
    if (m->base) munmap((void *)m->base, m->size);
    if (m->fd >= 0) close(m->fd);
    m->base = NULL;
    m->size = 0;
    m->fd = -1;
}
