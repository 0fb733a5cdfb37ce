/* Internals shared by the dump readers. Not part of the host's interface (that is dump.h). */
#ifndef DP_HOST_DUMP_INTERNAL_H
#define DP_HOST_DUMP_INTERNAL_H

#include "dump.h"

#include <stdarg.h>
#include <string.h>

#define DP_PAGE_SHIFT 12u
#define DP_PAGE_SIZE 4096u
/* Physical addresses above 2^52 exist on no x86 machine; bounding PFNs keeps pfn << 12 from overflowing. */
#define DP_MAX_PFN (1ull << 40)

/* ---- the read-only file mapping ---- */
struct dp_map {
    const uint8_t *base;
    size_t size;
    int fd;
};

int dp_map_open(const char *path, struct dp_map *m, char *err, size_t errlen);
void dp_map_close(struct dp_map *m);

/* True when [off, off + len) lies inside the file; safe against overflow. */
static inline int dp_map_has(const struct dp_map *m, uint64_t off, uint64_t len)
{
    return off <= m->size && len <= m->size - off;
}
static inline uint16_t dp_le16(const struct dp_map *m, uint64_t off)
{
    uint16_t v;
    memcpy(&v, m->base + off, sizeof v);
    return v;
}
static inline uint32_t dp_le32(const struct dp_map *m, uint64_t off)
{
    uint32_t v;
    memcpy(&v, m->base + off, sizeof v);
    return v;
}
static inline uint64_t dp_le64(const struct dp_map *m, uint64_t off)
{
    uint64_t v;
    memcpy(&v, m->base + off, sizeof v);
    return v;
}
/* A pointer-sized field: 4 or 8 bytes. */
static inline uint64_t dp_leptr(const struct dp_map *m, uint64_t off, unsigned ptr_size)
{
    return ptr_size == 8 ? dp_le64(m, off) : dp_le32(m, off);
}

/* ---- physical memory ---- */

/* A run of present pages: PFNs [first_pfn, first_pfn + n_pages), stored contiguously from file_off. */
struct dp_extent {
    uint64_t first_pfn, n_pages, file_off;
};

/* Bitmap dumps: page PFN is present when its bit is set; its data is the rank-th stored page. */
struct dp_bitmap {
    uint64_t bits_off;   /* file offset of the bitmap */
    uint64_t nbits;      /* bits covered: PFN 0 .. nbits - 1 */
    uint64_t first_page; /* file offset of the first stored page */
    uint64_t *rank;      /* set bits before each 512-bit block */
};
#define DP_RANK_BLOCK_BITS 512u

enum dp_phys_kind {
    DP_PHYS_NONE = 0, /* header-only and small dumps */
    DP_PHYS_EXTENTS,  /* run-based and RDMP: binary search over extents */
    DP_PHYS_BITMAP,   /* bitmap: rank lookup; extents hold the maximal runs for dp_dump_run */
    DP_PHYS_KDUMP,    /* libkdumpfile does the reads */
};

/* A piece of virtual memory a small dump carries directly (stack, data blocks, KDBG copy). */
struct dp_vregion {
    uint64_t va, size, file_off;
};

/* A block of secondary dump data (windows_tags.c). */
struct dp_tag {
    uint8_t guid[16];
    uint64_t file_off;
    uint32_t size;
};

struct dp_xlat;
struct dp_kd;

/* One virtual CPU's state from a hypervisor-side dump (QEMU's "QEMU" notes): what a Windows-guest finder
 * needs to pick a page table root and a KPCR. */
struct dp_vcpu {
    uint64_t rip, rsp, cr3, gs_base, kernel_gs_base;
    uint16_t cs; /* selector: (cs & 3) == 0 means the CPU was in kernel mode */
};
#define DP_MAX_VCPUS 4096u

/* What a container's ELF notes say about its guest (notes.c). */
struct dp_guest_notes {
    enum dp_arch arch;              /* from the CPU notes' layout; DP_ARCH_UNKNOWN when they say nothing */
    unsigned n_prstatus;            /* NT_PRSTATUS notes: one per CPU */
    char os_release[65];            /* VMCOREINFO "OSRELEASE=": the guest is Linux */
    uint64_t vmcoreinfo_off;        /* file extent of the VMCOREINFO note's bytes (0, 0: none); for a Windows */
    uint64_t vmcoreinfo_size;       /* guest with virtio-win's fwcfg driver it holds a DUMP_HEADER64 */
    struct dp_vcpu *vcpus;          /* QEMU CPU states, in note order */
    size_t n_vcpus;
};

/* A PT_LOAD of an ELF container: physical and virtual placement of file bytes. */
struct dp_segment {
    uint64_t vaddr, paddr, file_off, size;
};

struct dp_dump {
    struct dp_dump_info info;
    char *path;
    struct dp_map map;
    uint32_t header_size; /* 0x1000 or 0x2000 for Windows dumps */

    enum dp_phys_kind phys_kind;
    struct dp_extent *runs;
    size_t n_runs;
    struct dp_bitmap bmp;

    struct dp_vregion *vregions; /* sorted by va */
    uint64_t *vreg_maxend;       /* highest end among vregions[0..i]: lets lookups cope with overlaps */
    size_t n_vregions;

    struct dp_xlat *xlat; /* page-table translation, when the dump has physical memory and a DTB */
    struct dp_kd *kd;     /* non-Windows dumps */
    struct dp_guest_notes notes;
    uint64_t kd_bad_pages;    /* diskdump pages whose descriptor or data lies outside the file (absent) */
    uint64_t kd_first_bad_pfn;
    int vmware;               /* a .vmem laid out by its .vmss/.vmsn */
    int xen_core;             /* an xc_core domain dump: runs point into the mapping */
    int flattened;            /* the map is a rearranged in-memory copy of a flattened kdump */
    struct dp_segment *segs; /* ELF containers: PT_LOADs, for translation through p_vaddr */
    size_t n_segs;

    int has_regs;
    struct dp_regs regs;

    struct dp_module *modules;
    size_t n_modules;

    struct dp_tag *tags; /* secondary dump data, in file order */
    size_t n_tags;

    uint8_t page_buf[DP_PAGE_SIZE]; /* dp_dump_phys_page for backends without a mapping */
};

/* Writes "PATH: message" into err and returns status. */
__attribute__((format(printf, 5, 6))) int dp_dump_fail(char *err, size_t errlen, const char *path, int status,
                                                       const char *fmt, ...);

/* windows.c */
int dp_win_open(struct dp_dump *d, char *err, size_t errlen);
int dp_win_is_crashdump(const struct dp_map *m);
/* Takes the registers from the CONTEXT copy at file offset off (small dumps keep one there). */
int dp_win_set_context(struct dp_dump *d, uint64_t off, char *err, size_t errlen);
/* Takes the registers from a CONTEXT at virtual address va; DP_ERR_FAULT when it is not in the dump. */
int dp_win_set_context_at(struct dp_dump *d, uint64_t va);

/* windows_phys.c */
int dp_win_load_runs(struct dp_dump *d, char *err, size_t errlen);
int dp_win_load_bitmap(struct dp_dump *d, uint64_t hdr_off, char *err, size_t errlen);
int dp_win_load_summary32(struct dp_dump *d, char *err, size_t errlen);

const uint8_t *dp_phys_lookup(const struct dp_dump *d, uint64_t pfn);

/* windows_triage.c */
int dp_win_load_triage(struct dp_dump *d, char *err, size_t errlen);
int dp_vregion_read(const struct dp_dump *d, uint64_t va, void *buf, size_t len);

/* windows_tags.c: the "DumpBlob" section at file offset off, when there is one. DP_OK or DP_ERR_NOMEM. */
int dp_win_load_tags(struct dp_dump *d, uint64_t off);

/* xlat.c */
int dp_xlat_new(struct dp_dump *d, char *err, size_t errlen);
void dp_xlat_free(struct dp_xlat *x);
int dp_xlat_translate(struct dp_xlat *x, uint64_t va, uint64_t *pa);

/* modules.c */
int dp_modules_walk(struct dp_dump *d, char *err, size_t errlen);
int dp_modules_add(struct dp_dump *d, size_t *cap, const char *name, uint64_t base, uint64_t size,
                   uint32_t timestamp, uint32_t checksum);
void dp_modules_free(struct dp_dump *d);
/* UTF-16LE (n_units code units) to a new NUL-terminated UTF-8 string; NULL on allocation failure. */
char *dp_utf16_to_utf8(const uint8_t *src, size_t n_units);

/* elf_check.c: ELF containers, checked before libkdumpfile sees them */
int dp_elf_check(struct dp_dump *d, char *err, size_t errlen);
int dp_segments_translate(const struct dp_dump *d, uint64_t va, uint64_t *pa);

/* xen_core.c: Xen domain dumps (xc_core), read directly from the mapping */
const char *dp_xen_core_check(struct dp_dump *d, int wide, uint64_t shoff, uint16_t shentsize, uint64_t count,
                              int *is_xen);
void dp_xen_core_info(struct dp_dump *d);

/* flattened.c: makedumpfile -F / QEMU kdump output, laid out again in memory */
int dp_is_flattened(const struct dp_map *m);
int dp_flattened_rearrange(struct dp_dump *d, char *err, size_t errlen);

/* kdump_check.c: diskdump / compressed kdump, checked before libkdumpfile sees them */
int dp_is_diskdump(const struct dp_map *m);
int dp_diskdump_check(struct dp_dump *d, char *err, size_t errlen);

/* notes.c */
void dp_notes_scan(struct dp_dump *d, uint64_t off, uint64_t size);
void dp_notes_free(struct dp_guest_notes *n);

/* runs.c: present-page runs of the containers, built while their tables are checked */
struct dp_runs_builder {
    struct dp_dump *d;
    size_t cap;
};
int dp_runs_add(struct dp_runs_builder *b, uint64_t first_pfn, uint64_t n_pages, uint64_t file_off);
/* Sorts, merges overlapping or adjacent runs, and counts the present pages. */
int dp_runs_finish(struct dp_dump *d);
int dp_runs_has(const struct dp_dump *d, uint64_t pfn);

/* raw.c: flat physical images (raw, VMware .vmem) */
int dp_raw_open(struct dp_dump *d, int explicit_format, char *err, size_t errlen);
int dp_raw_recognise(const struct dp_map *m, const char *path);
/* vmware.c: the .vmss/.vmsn beside a .vmem; DP_ERR_NOT_FOUND when there is none (read flat) */
int dp_vmware_side_file(const char *vmem, char *out, size_t len); /* PATH.vmss or PATH.vmsn beside PATH.vmem */
int dp_vmware_layout(struct dp_dump *d, struct dp_runs_builder *rb, char *err, size_t errlen);

/* kdumpfile.c */
int dp_kd_open(struct dp_dump *d, char *err, size_t errlen);
void dp_kd_close(struct dp_kd *kd);
int dp_kd_read_phys(struct dp_dump *d, uint64_t addr, void *buf, size_t len);
int dp_kd_translate(struct dp_dump *d, uint64_t va, uint64_t *pa);

#endif
