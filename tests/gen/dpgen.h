/* dpgen: builds Windows crash dumps (and ELF cores) from YAML scenarios, for tests.
 * Every part writes into one model of the crashed machine (struct gen): physical pages, page tables,
 * modules; the writers then serialise that model in the chosen dump format. */
#ifndef DPGEN_H
#define DPGEN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#define PAGE_SIZE 0x1000u
#define PAGE_MASK 0xfffull
/* Upper bound on pages a scenario may make present: keeps a typo from writing gigabytes. */
#define MAX_PAGES (1u << 18)

enum arch { ARCH_X86, ARCH_PAE, ARCH_X64, ARCH_ARM64 };
enum dump_type { DT_NONE, DT_COMPLETE, DT_BITMAP, DT_SMALL, DT_ELF, DT_QEMU_ELF, DT_KDUMP, DT_RAW, DT_XEN };

/* How a hypervisor-side container is written (dpgen flags; see SCENARIO.md). */
struct container_opts {
    const char *vmcoreinfo; /* NULL/"none", "windows" (fwcfg DUMP_HEADER), "linux:RELEASE" */
    const char *kdump_machine; /* utsname.machine of a kdump header; "" as QEMU leaves it */
    int paging;             /* QEMU ELF: dump-guest-memory -p (PT_LOADs carry guest virtual addresses) */
};

/* ---- util.c ---- */
struct bytes { uint8_t *p; size_t n, cap; };
struct u64vec { uint64_t *v; size_t n, cap; };
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
void bytes_put(struct bytes *b, const void *src, size_t len);
void bytes_put_le(struct bytes *b, uint64_t v, size_t width);
void bytes_zero(struct bytes *b, size_t len);
void bytes_align(struct bytes *b, size_t align);
void bytes_free(struct bytes *b);
void u64vec_push(struct u64vec *v, uint64_t x);
void put_le(uint8_t *dst, uint64_t v, size_t width);
uint64_t get_le(const uint8_t *src, size_t width);
uint64_t align_up(uint64_t v, uint64_t align);
int ascii_casecmp(const char *a, const char *b);

/* ---- scenario.c: typed access to the scenario's YAML tree ---- */
struct scen { yaml_document_t doc; const char *path; };
typedef yaml_node_t node_t;
int scen_load(struct scen *s, const char *path, char *err, size_t errlen);
void scen_free(struct scen *s);
node_t *scen_root(struct scen *s);
node_t *sc_get(struct scen *s, node_t *map, const char *key);
size_t sc_len(node_t *seq);
node_t *sc_at(struct scen *s, node_t *seq, size_t i);
const char *sc_text(node_t *n); /* scalar text or NULL */
int sc_is_map(node_t *n);
int sc_is_seq(node_t *n);
int sc_line(node_t *n);

/* ---- the model ---- */
struct page { uint64_t pfn; uint8_t *data; };
struct run { uint64_t base_pfn, count; };

struct export { char *name; uint32_t rva; };
struct import_dll { const char *dll; uint32_t iat_rva; node_t *names; node_t *node; };
struct section { char name[9]; uint32_t rva, size, chars; };
struct module {
    char *name, *alias, *path;
    uint64_t base, file_base;
    uint32_t size, timestamp, checksum, entry_rva;
    struct export *exports; size_t n_exports;
    node_t *node;
    struct import_dll *imports; size_t n_imports;
    struct section *secs; size_t n_secs;
    int reference_file;
    int image;                  /* 0: listed in the module list only, no pages (its image is elsewhere) */
    struct bytes file;          /* the on-disk PE (built for file_base, with .reloc) */
    uint64_t kldr_va, name_va, path_va;
};

struct gen {
    struct scen *sc;
    enum arch arch;
    enum dump_type type;
    uint32_t build, major, processors, product_type, suite_mask;
    uint64_t system_time, uptime;
    /* physical memory */
    struct page *pages; size_t n_pages, cap_pages;
    uint64_t mem_size, alloc_next;
    struct run *runs; size_t n_runs;
    int explicit_runs;
    /* paging */
    uint64_t cr3;
    /* kernel */
    struct module *mods; size_t n_mods;
    uint64_t module_list_va, process_head_va, pfn_db_va, kdbg_va, heap_next;
    uint64_t bugcheck, bug_params[4];
    uint8_t context[0x4d0];
    uint64_t sp, ip;
    uint64_t stack_lo, stack_hi;
    uint64_t smbios_va; uint32_t smbios_len; uint64_t smbios_pa;
    unsigned smbios_major, smbios_minor;
    const char *comment;
    struct container_opts copt;
    char err[512];
};

int fail(struct gen *g, node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int is64(const struct gen *g) { return g->arch == ARCH_X64 || g->arch == ARCH_ARM64; }
static inline unsigned ptr_size(const struct gen *g) { return is64(g) ? 8 : 4; }

/* ---- expr.c: numbers, symbol expressions, byte programs ---- */
int ex_u64(struct gen *g, node_t *n, uint64_t *out);            /* number or "mod!sym+off" */
int ex_opt_u64(struct gen *g, node_t *map, const char *key, uint64_t dflt, uint64_t *out);
int ex_opt_bool(struct gen *g, node_t *map, const char *key, int dflt, int *out);
int ex_check_keys(struct gen *g, node_t *map, const char *const *allowed);
int ex_str(struct gen *g, node_t *map, const char *key, const char *dflt, const char **out);
int ex_eval(struct gen *g, node_t *where, const char *text, uint64_t *out);
/* Appends the bytes an item describes (bytes / dwords / qwords / words / ascii / utf16) to out. dest_va is
 * where out[0] will live (for rel32 fields); relocs, when non-NULL, collects out-offsets of {abs} fields. */
int ex_data(struct gen *g, node_t *item, uint64_t dest_va, struct bytes *out, struct u64vec *relocs);
struct module *mod_find(struct gen *g, const char *name);
int mod_export(struct module *m, const char *name, uint32_t *rva);

/* ---- physmem.c ---- */
uint8_t *pm_page(struct gen *g, uint64_t pfn, int create);
int pm_write(struct gen *g, uint64_t pa, const void *buf, size_t len);
int pm_read(struct gen *g, uint64_t pa, void *buf, size_t len);
int pm_alloc(struct gen *g, uint64_t *pfn);
int pm_setup(struct gen *g, node_t *mem);
int pm_finish_runs(struct gen *g);
uint64_t pm_present_pages(const struct gen *g);
/* A present page's bytes; pages inside a run that nothing wrote read as zeros. */
const uint8_t *pm_page_or_zero(struct gen *g, uint64_t pfn);

/* ---- paging.c ---- */
int vm_init(struct gen *g);
int vm_map(struct gen *g, uint64_t va, uint64_t pa);
int vm_translate(struct gen *g, uint64_t va, uint64_t *pa);
int vm_ensure(struct gen *g, uint64_t va, uint64_t len);        /* maps fresh pages where unmapped */
int vm_write(struct gen *g, uint64_t va, const void *buf, size_t len);
int vm_read(struct gen *g, uint64_t va, void *buf, size_t len);
int vm_put(struct gen *g, uint64_t va, uint64_t v, unsigned width);
int vm_mappings(struct gen *g, node_t *list, int pass);
uint64_t vm_heap_alloc(struct gen *g, uint64_t len);

/* ---- pe.c ---- */
int pe_build(struct gen *g, struct module *m);
int pe_write_file(struct gen *g, struct module *m, const char *dir);

/* ---- modules.c ---- */
int mods_parse(struct gen *g, node_t *list);
int mods_build(struct gen *g, node_t *kernel);
void mods_free(struct gen *g);

/* ---- smbios.c / pool.c / cpu.c / patch ---- */
int smbios_build(struct gen *g, node_t *n);
int smbios_map(struct gen *g);
int pool_build(struct gen *g, node_t *list);
int cpu_build(struct gen *g, node_t *bugcheck, node_t *context, node_t *stack);
int patches_apply(struct gen *g, node_t *list);

/* ---- writers ---- */
unsigned hdr_size(const struct gen *g);
unsigned hdr_context_offset(const struct gen *g);
unsigned hdr_exception_offset(const struct gen *g);
void hdr_fill(struct gen *g, uint8_t *hdr, uint32_t dump_type);
void hdr_set_comment(struct gen *g, uint8_t *hdr, const char *comment);
void hdr_set_required_space(struct gen *g, uint8_t *hdr, uint64_t size);
void hdr_set_minidump_fields(struct gen *g, uint8_t *hdr, uint32_t fields);
void hdr_set_runs(struct gen *g, uint8_t *hdr);
int write_kdmp(struct gen *g, FILE *f);
int write_triage(struct gen *g, FILE *f, node_t *small);

/* ---- arm64.c ---- */
void arm64_context_defaults(uint8_t *context);
int arm64_reg(const char *name, unsigned *off, unsigned *width); /* -1: no such register */
uint64_t arm64_table_bits(void);
uint64_t arm64_page_bits(void);

/* ---- write_blobs.c: secondary dump data (the SMBIOS table) after a small dump ---- */
int blobs_write(struct gen *g, struct bytes *f);
int write_elf(struct gen *g, FILE *f);
void elf_note(struct bytes *b, const char *name, uint32_t type, const void *desc, size_t len);
void elf_prstatus(struct gen *g, struct bytes *b);
void elf_ehdr(struct gen *g, struct bytes *b, int wide, uint16_t phnum);
void elf_phdr(struct bytes *b, int wide, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr, uint64_t filesz,
              uint64_t memsz);
/* write_qemu.c: QEMU dump-guest-memory ELF; its notes also go into the kdump writer's note area */
int write_qemu_elf(struct gen *g, FILE *f);
/* notes: CORE/NT_PRSTATUS and a "QEMU" QEMUCPUState per CPU, then VMCOREINFO as copt says;
 * *vmci_off is the VMCOREINFO desc's offset inside the notes (0 when none) */
int qemu_notes(struct gen *g, struct bytes *notes, uint64_t *vmci_off, uint64_t *vmci_len);
int write_diskdump(struct gen *g, FILE *f);
int write_raw(struct gen *g, FILE *f);
int write_xen(struct gen *g, FILE *f); /* xl dump-core (xc_core) of an HVM guest */
uint64_t gen_max_pfn(const struct gen *g);

#endif
