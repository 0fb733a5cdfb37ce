/* What the PE reader's parts (pe.c headers and exports, pe_unwind.c, pe_file.c) share. */
#ifndef DP_HOST_PE_INTERNAL_H
#define DP_HOST_PE_INTERNAL_H

#include "pe.h"

#define PE_MAX_LFANEW 0x10000u /* headers live in the first pages; anything further is corrupt */
#define PE_MAX_DIRS 16
#define PE_MAX_EXPORTS 65536u /* ntoskrnl exports ~3,000 names; this only stops absurd counts */
#define PE_MAX_NAME 512
#define PE_PAGE 4096u
#define PE_SCN_CNT_CODE 0x20u
#define PE_SCN_MEM_EXECUTE 0x20000000u

struct pe_section {
    char name[9];
    uint32_t va, extent, raw_size, raw_ptr, characteristics;
};

struct pe_export {
    uint32_t rva;
    uint32_t name_off; /* into names */
};

struct dp_pe {
    dp_pe_read_fn read;
    void *user;
    uint64_t base;
    uint32_t size; /* every RVA + length stays below this */
    uint16_t machine;
    int is64;
    uint64_t image_base; /* preferred base from the optional header */
    uint32_t header_size;
    uint32_t header_image_size;
    uint32_t dir_rva[PE_MAX_DIRS], dir_size[PE_MAX_DIRS];
    unsigned n_dirs;
    size_t n_sections;
    struct pe_section sections[DP_PE_MAX_SECTIONS];
    int exports_loaded, exports_rc;
    struct pe_export *exports;
    size_t n_exports;
    char *names;
};

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static inline uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static inline int range_in(uint64_t off, uint64_t len, uint64_t size) { return len <= size && off <= size - len; }

static inline int pe_read(const struct dp_pe *pe, uint64_t rva, void *buf, size_t len)
{
    if (!range_in(rva, len, pe->size)) return DP_ERR_BAD_DATA;
    return pe->read(pe->user, pe->base + rva, buf, len);
}

/* Parses and validates the headers; *why says what is wrong. */
int dp_pe_open_why(dp_pe_read_fn read, void *user, uint64_t base, uint64_t size_of_image, struct dp_pe **out,
                   const char **why);

#endif
