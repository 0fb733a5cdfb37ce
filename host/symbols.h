/* Symbol maps in the Breakpad text format (what dump_syms writes from a PDB), and the one way every
 * part of dumppipe prints "module!symbol+0xdisp". See docs/symbols.md. */
#ifndef DP_HOST_SYMBOLS_H
#define DP_HOST_SYMBOLS_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

struct dp_symtab;

struct dp_symtab *dp_symtab_new(void); /* NULL on OOM */
void dp_symtab_free(struct dp_symtab *t);

/* Adds one .sym file (one module). A malformed MODULE, FUNC or PUBLIC record fails the whole file
 * with "PATH:LINE: what is wrong" in err; records of other kinds (FILE, line records, STACK, INFO,
 * INLINE...) are skipped. Loading two files for the same module is an error. */
int dp_symtab_load(struct dp_symtab *t, const char *path, char *err, size_t errlen);

/* The FUNC containing RVA, else the nearest PUBLIC at or below it, in the map of MODULE_NAME
 * ("driver.sys", matched to "driver.pdb" by dp_module_short_name). DP_ERR_NOT_FOUND otherwise.
 * *name stays valid until dp_symtab_free. */
int dp_symtab_lookup(const struct dp_symtab *t, const char *module_name, uint32_t rva, const char **name,
                     uint32_t *disp);

/* The name WinDbg gives a module: the base name without its extension, "nt" for every kernel image
 * (ntoskrnl, ntkrnlpa, ntkrnlmp, ntkrpamp, ntkrla57) and "hal" for the HAL variants. Accepts paths.
 * Returns the length of the full result (as snprintf does). */
size_t dp_module_short_name(const char *name, char *out, size_t len);

/* "module!sym+0x12", "module!sym" (disp 0), "module+0x36532" (no sym). DP_ERR_INVALID when the
 * buffer was too small (the text is then truncated but terminated). */
int dp_format_symbol(char *buf, size_t len, const char *module, const char *sym, uint64_t disp);

#endif
