/* The dump file, mapped read-only: readers take pointers into it and never copy it whole. */
#include "dump_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
    m->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->fd < 0) return dp_dump_fail(err, errlen, path, DP_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(m->fd, &st) != 0) {
        int e = errno;
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "not a regular file");
    }
    if (st.st_size == 0) {
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_BAD_DATA, "file is empty");
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "file too large to map");
    }
    /* MAP_PRIVATE + PROT_READ: nothing we do can reach the file. */
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, m->fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        dp_map_close(m);
        return dp_dump_fail(err, errlen, path, DP_ERR_IO, "cannot map: %s", strerror(e));
    }
    m->base = p;
    m->size = (size_t)st.st_size;
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
