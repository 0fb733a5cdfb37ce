/* The CodeView (RSDS) record of a PE image's debug directory: the PDB's GUID, age and file name,
 * which make its symbol-store key. Read from an image mapped in a dump, or from a file (an image
 * fetched from a symbol store), where RVAs are translated through the section table. Layout:
 * Microsoft PE/COFF specification, "The .debug Section"; RSDS: reference notes §A1. */
#include "pe_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define PE_DIR_DEBUG 6
#define DEBUG_ENTRY 28
#define DEBUG_MAX_ENTRIES 32
#define DEBUG_TYPE_CODEVIEW 2
#define RSDS_HEAD 24 /* "RSDS", GUID, age */

static int valid_name(char *name)
{
    size_t n = strlen(name);
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) return 0;
    /* the linker records the path it wrote: keep the file name */
    char *base = name;
    for (char *p = name; *p; p++)
        if (*p == '\\' || *p == '/') base = p + 1;
    memmove(name, base, strlen(base) + 1);
    return name[0] != 0;
}

int dp_pe_codeview(const struct dp_pe *pe, struct dp_pe_codeview *out)
{
    uint32_t dir, size;
    if (!out) return DP_ERR_INVALID;
    if (dp_pe_data_directory(pe, PE_DIR_DEBUG, &dir, &size)) return DP_ERR_NOT_FOUND;
    unsigned n = size / DEBUG_ENTRY;
    if (n > DEBUG_MAX_ENTRIES) n = DEBUG_MAX_ENTRIES;
    for (unsigned i = 0; i < n; i++) {
        uint8_t e[DEBUG_ENTRY];
        int rc = pe_read(pe, dir + (uint64_t)DEBUG_ENTRY * i, e, sizeof e);
        if (rc) return rc;
        uint32_t type = rd32(e + 12), len = rd32(e + 16), rva = rd32(e + 20);
        if (type != DEBUG_TYPE_CODEVIEW || len < RSDS_HEAD + 2 || !rva) continue;
        uint8_t rec[RSDS_HEAD + sizeof out->pdb_name];
        size_t want = len < sizeof rec ? len : sizeof rec;
        if ((rc = pe_read(pe, rva, rec, want))) return rc;
        if (memcmp(rec, "RSDS", 4) != 0) continue; /* NB10 (PDB 2.0) and others: no GUID key */
        memcpy(out->guid, rec + 4, 16);
        out->age = rd32(rec + 20);
        size_t name_len = want - RSDS_HEAD;
        if (name_len >= sizeof out->pdb_name) name_len = sizeof out->pdb_name - 1;
        memcpy(out->pdb_name, rec + RSDS_HEAD, name_len);
        out->pdb_name[name_len] = 0;
        return valid_name(out->pdb_name) ? DP_OK : DP_ERR_BAD_DATA;
    }
    return DP_ERR_NOT_FOUND;
}

/* ---- a PE file read by RVA: headers at their file offsets, sections through the section table ---- */

struct rva_view {
    const uint8_t *data;
    size_t size;
    const struct dp_pe *pe; /* NULL while the headers are parsed */
};

static int rva_read(void *user, uint64_t rva, void *buf, size_t len)
{
    const struct rva_view *v = user;
    uint64_t off = rva;
    if (v->pe && rva >= v->pe->header_size) {
        const struct pe_section *hit = NULL;
        for (size_t i = 0; i < v->pe->n_sections && !hit; i++) {
            const struct pe_section *s = &v->pe->sections[i];
            if (rva >= s->va && rva - s->va < s->raw_size) hit = s;
        }
        if (!hit || rva + len - hit->va > hit->raw_size) return DP_ERR_FAULT;
        off = hit->raw_ptr + (rva - hit->va);
    }
    if (!range_in(off, len, v->size)) return DP_ERR_FAULT;
    memcpy(buf, v->data + off, len);
    return DP_OK;
}

static int identify(const struct rva_view *view, struct dp_pe_identity *id, const char **why)
{
    struct dp_pe *pe;
    int rc = dp_pe_open_why(rva_read, (void *)view, 0, 0, &pe, why);
    if (rc) return rc == DP_ERR_FAULT ? DP_ERR_BAD_DATA : rc;
    ((struct rva_view *)view)->pe = pe;
    uint8_t b[4];
    uint32_t lfanew = rd32(view->data + 0x3c); /* checked by the header parser */
    id->size_of_image = pe->size;
    id->machine = pe->machine;
    id->timestamp = rva_read((void *)view, lfanew + 8u, b, 4) == DP_OK ? rd32(b) : 0;
    id->has_codeview = dp_pe_codeview(pe, &id->codeview) == DP_OK;
    dp_pe_close(pe);
    return DP_OK;
}

int dp_pe_file_identity(const char *path, struct dp_pe_identity *id, char *err, size_t errlen)
{
    uint64_t size;
    const char *why = NULL;
    memset(id, 0, sizeof *id);
    int fd = dp_open_regular(path, "image", DP_PE_MAX_FILE_IMAGE, &size, err, errlen);
    if (fd < 0) return DP_ERR_IO;
    void *map = size ? mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: empty or unreadable image", path);
        return DP_ERR_IO;
    }
    struct rva_view view = {map, (size_t)size, NULL};
    int rc = identify(&view, id, &why);
    munmap(map, (size_t)size);
    if (rc) snprintf(err, errlen, "%s: %s", path, why ? why : "not a PE image");
    return rc;
}
