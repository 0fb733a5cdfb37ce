/* Compressed store files (ntkrnlmp.pd_): Microsoft CAB archives, MSZIP, LZX or Quantum, through
 * libmspack. The archive is hostile input: the sizes its header claims are capped before anything
 * is decompressed (libmspack writes exactly the file's declared length), and the name inside the
 * archive is never used as a path. */
#include "sp_internal.h"

#include <errno.h>
#include <libgen.h>
#include <mspack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAB_MAX_FILES 64u /* a store's CAB holds one file; anything near this is not one */

static const char *mspack_error(int e)
{
    static const char *const names[] = {"no error", "bad arguments", "cannot open", "truncated or unreadable",
                                        "write error", "seek error", "out of memory", "no CAB signature",
                                        "bad data format", "checksum mismatch", "compression error",
                                        "decompression error"};
    return e >= 0 && (size_t)e < sizeof names / sizeof *names ? names[e] : "unknown error";
}

static struct mscabd_file *pick(struct mscabd_cabinet *cab, const char *want, unsigned *count)
{
    struct mscabd_file *only = NULL, *named = NULL;
    *count = 0;
    for (struct mscabd_file *f = cab->files; f && *count <= CAB_MAX_FILES; f = f->next) {
        ++*count;
        only = f;
        const char *base = f->filename ? strrchr(f->filename, '\\') : NULL;
        base = base ? base + 1 : f->filename;
        if (base && want && strcasecmp(base, want) == 0 && !named) named = f;
    }
    return named ? named : *count == 1 ? only : NULL;
}

static int extract(struct mscab_decompressor *d, struct mscabd_file *f, const char *dest, char *err, size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    sp_path(dir, sizeof dir, "%s", dest);
    sp_path(tmp, sizeof tmp, "%s/.dp-cab-XXXXXX", dirname(dir));
    int fd = mkstemp(tmp);
    if (fd < 0) return sp_path(err, errlen, "%s: %s", tmp, strerror(errno)), DP_ERR_IO;
    close(fd);
    int mrc = d->extract(d, f, tmp);
    struct stat st;
    int rc = DP_OK;
    if (mrc != MSPACK_ERR_OK) {
        snprintf(err, errlen, "corrupt CAB data: %s", mspack_error(mrc));
        rc = DP_ERR_BAD_DATA;
    } else if (stat(tmp, &st) != 0 || (unsigned long long)st.st_size != f->length) {
        snprintf(err, errlen, "CAB expanded to a different size than it declares");
        rc = DP_ERR_BAD_DATA;
    } else if (rename(tmp, dest) != 0) {
        sp_path(err, errlen, "%s: %s", dest, strerror(errno));
        rc = DP_ERR_IO;
    }
    if (rc != DP_OK) unlink(tmp);
    return rc;
}

int sp_cab_extract(const char *src, const char *want, const char *dest, unsigned long long max_bytes, char *err,
                   size_t errlen)
{
    char why[PATH_MAX + 256] = "";
    struct mscab_decompressor *d = mspack_create_cab_decompressor(NULL);
    if (!d) return snprintf(err, errlen, "%s: cannot start the CAB decompressor", src), DP_ERR_NOMEM;
    /* refuse a compressed file larger than the cap before libmspack reads it */
    uint64_t size;
    int fd = dp_open_regular(src, "compressed symbol file", max_bytes, &size, why, sizeof why);
    if (fd < 0) {
        mspack_destroy_cab_decompressor(d);
        return sp_path(err, errlen, "%s", why), DP_ERR_IO;
    }
    close(fd);
    struct mscabd_cabinet *cab = d->open(d, (char *)src);
    int rc = DP_ERR_BAD_DATA;
    unsigned count = 0;
    struct mscabd_file *f = cab ? pick(cab, want, &count) : NULL;
    if (!cab) snprintf(why, sizeof why, "not a CAB archive: %s", mspack_error(d->last_error(d)));
    else if (!f) snprintf(why, sizeof why, "the CAB holds %s%u files and none is %s", count > CAB_MAX_FILES ? "over " : "", count, want);
    else if ((unsigned long long)f->offset + f->length > max_bytes)
        snprintf(why, sizeof why, "the CAB declares %u bytes at offset %u, more than the %llu allowed", f->length,
                 f->offset, max_bytes);
    else rc = extract(d, f, dest, why, sizeof why);
    if (cab) d->close(d, cab);
    mspack_destroy_cab_decompressor(d);
    if (rc != DP_OK) sp_path(err, errlen, "%s: %s", src, why);
    return rc;
}
