/* VMware's .vmem is a flat image of guest RAM, but not always of the guest's physical address space:
 * above 3 GiB the PCI hole is left out, and the .vmss (suspended) or .vmsn (snapshot) beside it says
 * where each stretch of the file belongs. Its "memory" group holds tags regionsCount, regionPPN[i]
 * (guest page), regionPageNum[i] (page in the .vmem) and regionSize[i] (pages); format as read by
 * Volatility 3 (layers/vmware.py) and LeechCore (device_file.c). Without a side file the .vmem is
 * read flat. */
#include "dump_internal.h"
#include "../util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define META_READ_MAX (16u << 20) /* the groups and tags sit at the start; the rest may be memory */
#define MAX_GROUPS 4096u
#define MAX_REGIONS 1024u

struct vm_meta {
    const uint8_t *p;
    size_t n;
    unsigned version;
    uint64_t count, ppn[MAX_REGIONS], page[MAX_REGIONS], size[MAX_REGIONS];
    int have_count;
};

static uint64_t le(const uint8_t *p, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void keep_tag(struct vm_meta *v, const char *name, size_t name_len, const uint8_t *idx, unsigned n_idx, uint64_t val)
{
    uint64_t i = n_idx ? le(idx, 4) : 0;
    if (name_len == 12 && !memcmp(name, "regionsCount", 12) && !n_idx) v->count = val, v->have_count = 1;
    if (n_idx != 1 || i >= MAX_REGIONS) return;
    if (name_len == 9 && !memcmp(name, "regionPPN", 9)) v->ppn[i] = val;
    else if (name_len == 13 && !memcmp(name, "regionPageNum", 13)) v->page[i] = val;
    else if (name_len == 10 && !memcmp(name, "regionSize", 10)) v->size[i] = val;
}

/* Tags: flags (bits 6-7: index count, 0-5: data size; 62/63: a sized blob), name length, name,
 * 32-bit indices, data. Flags and name length both 0 end the group. */
static const char *walk_tags(struct vm_meta *v, uint64_t off)
{
    while (off + 2 <= v->n) {
        unsigned flags = v->p[off], name_len = v->p[off + 1], n_idx = (flags >> 6) & 3, dlen = flags & 0x3f;
        if (!flags && !name_len) return NULL;
        uint64_t idx = off + 2 + name_len, data = idx + 4ull * n_idx;
        if (dlen == 62 || dlen == 63) {
            unsigned w = v->version == 0 ? 4 : 8;
            if (data + 2ull * w + 2 > v->n) return "tag past the end";
            uint64_t blob = le(v->p + data, w);
            if (blob > v->n - (data + 2ull * w + 2)) return "tag data past the end";
            off = data + 2ull * w + 2 + blob;
            continue;
        }
        if (data + dlen > v->n) return "tag past the end";
        if (dlen == 4 || dlen == 8) keep_tag(v, (const char *)v->p + off + 2, name_len, v->p + idx, n_idx, le(v->p + data, dlen));
        off = data + dlen;
    }
    return "memory group not terminated";
}

static const char *parse_meta(struct vm_meta *v)
{
    static const uint8_t magics[][4] = {{0xd0, 0xbe, 0xd2, 0xbe}, {0xd1, 0xba, 0xd1, 0xba}, {0xd2, 0xbe, 0xd2, 0xbe},
                                        {0xd3, 0xbe, 0xd3, 0xbe}};
    if (v->n < 12) return "too short";
    int magic = 0;
    for (size_t i = 0; i < sizeof magics / sizeof *magics; i++) magic |= !memcmp(v->p, magics[i], 4);
    if (!magic) return "not a VMware state file (magic)";
    v->version = v->p[0] & 0xf;
    uint64_t groups = le(v->p + 8, 4);
    if (groups > MAX_GROUPS || 12 + groups * 80 > v->n) return "group table past the end";
    for (uint64_t g = 0; g < groups; g++) {
        const uint8_t *e = v->p + 12 + g * 80;
        if (strncmp((const char *)e, "memory", 64) != 0) continue;
        const char *why = walk_tags(v, le(e + 64, 8));
        if (why) return why;
        if (!v->have_count) return "no regionsCount in the memory group";
        return v->count > MAX_REGIONS ? "too many memory regions" : NULL;
    }
    return "no memory group";
}

int dp_vmware_side_file(const char *vmem, char *out, size_t len)
{
    size_t n = strlen(vmem);
    if (n < 5 || strcmp(vmem + n - 5, ".vmem") != 0) return 0;
    static const char *const exts[] = {".vmss", ".vmsn"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, len, "%.*s%s", (int)(n - 5), vmem, exts[i]);
        if (access(out, F_OK) == 0) return 1;
    }
    return 0;
}

static int read_meta(const char *path, struct vm_meta *v, uint8_t **buf, char *err, size_t errlen)
{
    uint64_t size = 0;
    int fd = dp_open_regular(path, "VMware state file", 0, &size, err, errlen);
    if (fd < 0) return DP_ERR_IO;
    size_t want = size < META_READ_MAX ? (size_t)size : META_READ_MAX, got = 0;
    *buf = malloc(want ? want : 1);
    while (*buf && got < want) {
        ssize_t r = pread(fd, *buf + got, want - got, (off_t)got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!*buf) return DP_ERR_NOMEM;
    v->p = *buf, v->n = got;
    return DP_OK;
}

int dp_vmware_layout(struct dp_dump *d, struct dp_runs_builder *rb, char *err, size_t errlen)
{
    char meta_path[4096];
    if (!dp_vmware_side_file(d->path, meta_path, sizeof meta_path)) return DP_ERR_NOT_FOUND;
    struct vm_meta *v = calloc(1, sizeof *v);
    uint8_t *buf = NULL;
    if (!v) return DP_ERR_NOMEM;
    int rc = read_meta(meta_path, v, &buf, err, errlen);
    const char *why = rc ? NULL : parse_meta(v);
    if (why) rc = dp_dump_fail(err, errlen, meta_path, DP_ERR_BAD_DATA, "malformed VMware state file: %s", why);
    for (uint64_t i = 0; !rc && i < v->count; i++) {
        uint64_t off = v->page[i] << DP_PAGE_SHIFT, pages = v->size[i];
        if (v->page[i] > d->map.size >> DP_PAGE_SHIFT || pages > (d->map.size - off) >> DP_PAGE_SHIFT)
            rc = dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                              "memory region %llu of %s (0x%llx pages from page 0x%llx) lies past the end of the .vmem",
                              (unsigned long long)i, meta_path, (unsigned long long)pages, (unsigned long long)v->page[i]);
        else rc = dp_runs_add(rb, v->ppn[i], pages, off);
    }
    d->vmware = !rc && v->count;
    if (!rc && !v->count) rc = DP_ERR_NOT_FOUND; /* not split into regions: flat */
    free(buf);
    free(v);
    return rc;
}
