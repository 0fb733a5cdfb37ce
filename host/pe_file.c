/* A PE file on disk laid out as the loader would place it, base relocations applied. */
#include "pe_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a PE file on disk, laid out as the loader would ---- */

struct file_view {
    const uint8_t *data;
    size_t size;
};

/* Headers sit at the same offsets in the file and in memory, so the header parser reads the file. */
static int file_read(void *user, uint64_t off, void *buf, size_t len)
{
    const struct file_view *f = user;
    if (!range_in(off, len, f->size)) return DP_ERR_FAULT;
    memcpy(buf, f->data + off, len);
    return DP_OK;
}

static int lay_out(const struct dp_pe *pe, const struct file_view *f, uint8_t *image, const char **why)
{
    if (!range_in(0, pe->header_size, f->size) || pe->header_size > pe->size)
        return *why = "SizeOfHeaders exceeds the file or the image", DP_ERR_BAD_DATA;
    memcpy(image, f->data, pe->header_size);
    for (size_t i = 0; i < pe->n_sections; i++) {
        const struct pe_section *s = &pe->sections[i];
        uint32_t len = s->raw_size < s->extent ? s->raw_size : s->extent; /* the rest stays zero */
        if (!len) continue;
        if (!range_in(s->raw_ptr, len, f->size)) return *why = "section data past the end of the file", DP_ERR_BAD_DATA;
        memcpy(image + s->va, f->data + s->raw_ptr, len);
    }
    return DP_OK;
}

static int relocate_one(uint8_t *image, size_t size, unsigned type, uint64_t at, uint64_t delta)
{
    unsigned width = type == 10 ? 8 : type == 3 ? 4 : 2;
    if (!range_in(at, width, size)) return DP_ERR_BAD_DATA;
    uint8_t *p = image + at;
    uint64_t v;
    switch (type) {
    case 1: v = ((((uint64_t)rd16(p) << 16) + delta) >> 16) & 0xffff; break; /* HIGH */
    case 2: v = (rd16(p) + delta) & 0xffff; break;                             /* LOW */
    case 3: v = (rd32(p) + delta) & 0xffffffffu; break;                        /* HIGHLOW */
    case 10: v = rd64(p) + delta; break;                                       /* DIR64 */
    default: return DP_ERR_NOT_APPLICABLE;
    }
    for (unsigned b = 0; b < width; b++) p[b] = (uint8_t)(v >> (8 * b));
    return DP_OK;
}

static int apply_relocations(const struct dp_pe *pe, uint8_t *image, uint64_t delta, const char **why)
{
    uint32_t dir, dir_size;
    if (dp_pe_data_directory(pe, DP_PE_DIR_BASERELOC, &dir, &dir_size))
        return *why = "image must move but has no base relocations", DP_ERR_NOT_APPLICABLE;
    if (!range_in(dir, dir_size, pe->size)) return *why = "relocation directory outside the image", DP_ERR_BAD_DATA;
    const uint8_t *r = image + dir;
    for (uint32_t pos = 0; dir_size - pos >= 8;) {
        uint32_t page = rd32(r + pos), block = rd32(r + pos + 4);
        if (block < 8 || block % 2 || block > dir_size - pos)
            return *why = "relocation block size inconsistent", DP_ERR_BAD_DATA;
        for (uint32_t e = pos + 8; e < pos + block; e += 2) {
            unsigned type = rd16(r + e) >> 12, off = rd16(r + e) & 0xfff;
            if (type == 0) continue; /* ABSOLUTE: padding */
            int rc = relocate_one(image, pe->size, type, (uint64_t)page + off, delta);
            if (rc == DP_ERR_NOT_APPLICABLE) return *why = "unsupported relocation type", DP_ERR_BAD_DATA;
            if (rc) return *why = "relocation target outside the image", rc;
        }
        pos += block;
    }
    return DP_OK;
}

static int load_mapped(const struct file_view *f, uint64_t base, uint8_t **image, size_t *size, const char **why)
{
    struct dp_pe *pe;
    int rc = dp_pe_open_why(file_read, (void *)f, 0, 0, &pe, why);
    if (rc) return rc == DP_ERR_FAULT ? DP_ERR_BAD_DATA : rc; /* a short file is a corrupt file */
    uint8_t *img = NULL;
    if (pe->size > DP_PE_MAX_FILE_IMAGE) {
        *why = "SizeOfImage too large", rc = DP_ERR_BAD_DATA;
    } else if (!(img = calloc(1, pe->size))) {
        *why = "out of memory", rc = DP_ERR_NOMEM;
    } else if (!(rc = lay_out(pe, f, img, why)) && base != pe->image_base) {
        rc = apply_relocations(pe, img, base - pe->image_base, why);
    }
    if (rc == DP_OK) *image = img, *size = pe->size;
    else free(img);
    dp_pe_close(pe);
    return rc;
}

int dp_pe_load_file(const char *path, uint64_t base, uint8_t **image, size_t *size, char *err, size_t errlen)
{
    if (!path || !image || !size) return DP_ERR_INVALID;
    const char *why = NULL;
    int rc = DP_OK, fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        why = strerror(errno), rc = DP_ERR_IO;
    } else if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        why = "not a regular non-empty file", rc = DP_ERR_IO;
    } else {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            why = strerror(errno), rc = DP_ERR_IO;
        } else {
            struct file_view f = {map, (size_t)st.st_size};
            rc = load_mapped(&f, base, image, size, &why);
            munmap(map, (size_t)st.st_size);
        }
    }
    if (fd >= 0) close(fd);
    if (rc && err && errlen) snprintf(err, errlen, "%s: %s", path, why ? why : "cannot load");
    return rc;
}
