/* PE images: as mapped in a dump (read through a callback) or loaded from a file on disk.
 * Every field read from an image is treated as hostile: offsets and counts are checked against the
 * image size before use, tables are bounded, reads of absent pages come back as DP_ERR_FAULT. */
#ifndef DP_HOST_PE_H
#define DP_HOST_PE_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

/* Reads LEN bytes at virtual address VA: 0, or a dp_status (DP_ERR_FAULT for absent pages). */
typedef int (*dp_pe_read_fn)(void *user, uint64_t va, void *buf, size_t len);

#define DP_PE_MAX_SECTIONS 96
#define DP_PE_DIR_EXPORT 0
#define DP_PE_DIR_EXCEPTION 3
#define DP_PE_DIR_BASERELOC 5
#define DP_PE_MACHINE_I386 0x14c
#define DP_PE_MACHINE_AMD64 0x8664
#define DP_PE_MACHINE_ARM64 0xaa64

struct dp_pe;

/* Parses the headers of the image mapped at BASE. SIZE_OF_IMAGE bounds every RVA (the module
 * list's size); 0 takes SizeOfImage from the optional header. The reader must outlive the dp_pe. */
int dp_pe_open(dp_pe_read_fn read, void *user, uint64_t base, uint64_t size_of_image, struct dp_pe **out);
void dp_pe_close(struct dp_pe *pe);

uint16_t dp_pe_machine(const struct dp_pe *pe);
uint64_t dp_pe_base(const struct dp_pe *pe);
uint32_t dp_pe_size(const struct dp_pe *pe);

/* Copies up to MAX sections; returns how many the image has. */
size_t dp_pe_sections(const struct dp_pe *pe, struct dp_section *out, size_t max);
/* DP_ERR_NOT_FOUND when the directory is absent (index past NumberOfRvaAndSizes, or zero). */
int dp_pe_data_directory(const struct dp_pe *pe, unsigned index, uint32_t *rva, uint32_t *size);

/* The named export at or below ADDR (an absolute address inside the image); forwarders are skipped.
 * The export table is read once, on first use. *name stays valid until dp_pe_close.
 * DP_ERR_NOT_FOUND: outside the image, below the first export or no exports; DP_ERR_FAULT: the
 * export tables are not in the dump; DP_ERR_BAD_DATA: they are corrupt. */
int dp_pe_export_nearest(struct dp_pe *pe, uint64_t addr, const char **name, uint64_t *disp);

/* x64 .pdata: the RUNTIME_FUNCTION covering RVA (indirect entries followed). */
int dp_pe_runtime_function(const struct dp_pe *pe, uint32_t rva, uint32_t *begin, uint32_t *end,
                           uint32_t *unwind_rva);

/* Applies one x64 frame's unwind: REGS holds the frame's state (ip, sp and gpr[]; gpr[4] is
 * ignored on entry, sp rules); on success it holds the caller's ip and sp and the restored
 * nonvolatile registers (fp mirrors gpr[5]). Unwind info is read through READ at IMAGE_BASE +
 * UNWIND_RVA, stack slots through READ too. BEGIN_RVA is the function's start, used to tell how much
 * of the prolog ran. Chained unwind info is followed up to DP_PE_MAX_UNWIND_CHAIN entries. */
#define DP_PE_MAX_UNWIND_CHAIN 32
int dp_pe_unwind_x64(dp_pe_read_fn read, void *user, uint64_t image_base, uint32_t begin_rva,
                     uint32_t unwind_rva, struct dp_regs *regs);
/* Finds the runtime function for regs->ip in PE and unwinds through it. DP_ERR_NOT_FOUND when
 * the ip has no .pdata entry (a leaf function: the caller's rip is at [rsp]). */
int dp_pe_unwind_frame(const struct dp_pe *pe, struct dp_regs *regs);

/* Lays the PE file at PATH out as the loader would at BASE: a zeroed buffer of SizeOfImage (at most
 * DP_PE_MAX_FILE_IMAGE), headers and sections at their RVAs, base relocations applied.
 * *image is malloc'd; free() it. On failure err holds "PATH: what is wrong". */
#define DP_PE_MAX_FILE_IMAGE (512u << 20)
int dp_pe_load_file(const char *path, uint64_t base, uint8_t **image, size_t *size, char *err, size_t errlen);

/* The CodeView (RSDS) record of the debug directory: GUID and age (the PDB's symbol-store key,
 * dp_sympath_pdb_key) and the PDB file name without its directory. DP_ERR_NOT_FOUND when the image
 * has none (or only an NB10 record); DP_ERR_FAULT when its page is not in the dump; DP_ERR_BAD_DATA
 * when the name is empty or holds control characters. pe_codeview.c. */
struct dp_pe_codeview {
    uint8_t guid[16]; /* as stored: Data1..Data3 little-endian, Data4 bytes */
    uint32_t age;
    char pdb_name[256];
};
int dp_pe_codeview(const struct dp_pe *pe, struct dp_pe_codeview *out);

/* What identifies an image file on disk (one fetched from a symbol store): its store key parts
 * and its CodeView record. On failure err holds "PATH: what is wrong". */
struct dp_pe_identity {
    uint32_t timestamp, size_of_image;
    uint16_t machine;
    int has_codeview;
    struct dp_pe_codeview codeview;
};
int dp_pe_file_identity(const char *path, struct dp_pe_identity *id, char *err, size_t errlen);

#endif
