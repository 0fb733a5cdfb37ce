/* Module images from the symbol path, behind the context's reads (ctx_image.c), and the symbol keys
 * of the modules (modident.c). */
#ifndef DP_HOST_CTX_IMAGE_H
#define DP_HOST_CTX_IMAGE_H

#include "context.h"

/* Fills pdb_name/pdb_id of every module and finds the images a small dump lacks; records what the
 * symbol path did not have. Call once per dump, before the plugins run. */
int dp_ctx_identify_modules(struct dp_ctx *c);
void dp_ctx_forget_module_keys(struct dp_ctx *c);
/* A host finding "symbols.missing" when the symbol path lacked something this dump needed. */
void dp_ctx_report_symbol_misses(struct dp_ctx *c);

/* PATH is an image file that matches module INDEX (TimeDateStamp and SizeOfImage checked). */
int dp_ctx_set_module_image(struct dp_ctx *c, size_t index, const char *path);
void dp_ctx_release_images(struct dp_ctx *c);

/* Dump bytes where the dump has them; the rest, inside a module with an image from the symbol path,
 * from that image laid out and relocated at the module's base. DP_ERR_FAULT when neither has a byte. */
int dp_ctx_read_virt_image(dp_ctx *c, uint64_t va, void *buf, size_t len);
int dp_ctx_module_image_file(dp_ctx *c, const struct dp_module *m, const char **path);

#endif
