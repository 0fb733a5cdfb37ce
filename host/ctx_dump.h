/* The context's view of the dump: memory, modules, PE images, symbols, disassembly. */
#ifndef DP_HOST_CTX_DUMP_H
#define DP_HOST_CTX_DUMP_H

#include "context.h"
#include "disasm.h"

extern const struct dp_host_api dp_host_api_table;

int dp_ctx_index_modules(struct dp_ctx *c);
void dp_ctx_release_modules(struct dp_ctx *c);

const struct dp_dump_info *dp_ctx_dump_info(dp_ctx *c);
int dp_ctx_get_regs(dp_ctx *c, struct dp_regs *out);
int dp_ctx_read_phys(dp_ctx *c, uint64_t pa, void *buf, size_t len);
int dp_ctx_read_virt(dp_ctx *c, uint64_t va, void *buf, size_t len);
int dp_ctx_translate(dp_ctx *c, uint64_t va, uint64_t *pa);
size_t dp_ctx_phys_run_count(dp_ctx *c);
int dp_ctx_phys_run(dp_ctx *c, size_t i, uint64_t *pfn, uint64_t *n);
const uint8_t *dp_ctx_phys_page(dp_ctx *c, uint64_t pfn);
size_t dp_ctx_module_count(dp_ctx *c);
const struct dp_module *dp_ctx_module_get(dp_ctx *c, size_t i);
const struct dp_module *dp_ctx_module_by_addr(dp_ctx *c, uint64_t addr);
const struct dp_module *dp_ctx_module_by_name(dp_ctx *c, const char *name);
size_t dp_ctx_module_sections(dp_ctx *c, const struct dp_module *m, struct dp_section *out, size_t max);
int dp_ctx_module_export_nearest(dp_ctx *c, const struct dp_module *m, uint64_t addr, const char **name,
                                 uint64_t *disp);
int dp_ctx_module_data_directory(dp_ctx *c, const struct dp_module *m, unsigned idx, uint32_t *rva,
                                 uint32_t *size);
int dp_ctx_symbol_lookup(dp_ctx *c, uint64_t addr, struct dp_symbol *out);
/* Before the steps run (they run in forked children, whose loads would be lost): loads the
 * symbols of the modules a stack walk and the bug check will name, and adds the symbols.missing
 * finding for the keys that were not found. See docs/symbols.md. */
int dp_ctx_preload_symbols(dp_ctx *c);
int dp_ctx_symbolize(dp_ctx *c, uint64_t addr, char *buf, size_t len);
int dp_ctx_disasm(dp_ctx *c, enum dp_arch arch, const uint8_t *code, size_t len, uint64_t addr,
                  struct dp_insn *out);
int dp_ctx_load_image_file(dp_ctx *c, const char *path, uint64_t base, uint8_t **image, size_t *size);
void dp_ctx_free_buffer(dp_ctx *c, void *p);
int dp_ctx_unwind_frame(dp_ctx *c, struct dp_regs *regs);
size_t dp_ctx_dump_tag_count(dp_ctx *c);
int dp_ctx_dump_tag_get(dp_ctx *c, size_t i, struct dp_dump_tag *out);

#define DP_CTX_DUMP_API_ENTRIES                                                                    \
    .dump_info = dp_ctx_dump_info, .get_regs = dp_ctx_get_regs, .read_phys = dp_ctx_read_phys,    \
    .read_virt = dp_ctx_read_virt, .translate = dp_ctx_translate,                                  \
    .phys_run_count = dp_ctx_phys_run_count, .phys_run = dp_ctx_phys_run,                          \
    .phys_page = dp_ctx_phys_page, .module_count = dp_ctx_module_count,                            \
    .module_get = dp_ctx_module_get, .module_by_addr = dp_ctx_module_by_addr,                      \
    .module_by_name = dp_ctx_module_by_name, .module_sections = dp_ctx_module_sections,            \
    .module_export_nearest = dp_ctx_module_export_nearest,                                         \
    .module_data_directory = dp_ctx_module_data_directory, .symbolize = dp_ctx_symbolize,          \
    .disasm = dp_ctx_disasm, .load_image_file = dp_ctx_load_image_file,                            \
    .free_buffer = dp_ctx_free_buffer, .unwind_frame = dp_ctx_unwind_frame,                        \
    .dump_tag_count = dp_ctx_dump_tag_count, .dump_tag_get = dp_ctx_dump_tag_get

#endif
