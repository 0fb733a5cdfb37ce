/* Symbol files given directly (PDB, Volatility ISF, Breakpad .sym), and the one way every part of
 * dumppipe prints "module!symbol+0xdisp". See docs/symbols.md. */
#ifndef DP_HOST_SYMBOLS_H
#define DP_HOST_SYMBOLS_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

struct dp_symtab;
struct dp_symfile;

struct dp_symtab *dp_symtab_new(void); /* NULL on OOM */
void dp_symtab_free(struct dp_symtab *t);

/* Adds one symbol file (one module), loaded through the process-wide cache (symbols/symfile.h):
 * a PDB, a Volatility ISF (.json, .json.gz, .json.xz) or a Breakpad .sym. A malformed .sym MODULE,
 * FUNC or PUBLIC record fails the whole file with "PATH:LINE: what is wrong" in err; records of
 * other kinds (FILE, line records, STACK, INFO, INLINE...) are skipped. Two files for the same
 * module is an error. */
int dp_symtab_load(struct dp_symtab *t, const char *path, char *err, size_t errlen);

/* The function containing RVA, else the nearest public at or below it, in the file for
 * MODULE_NAME ("driver.sys", matched to "driver.pdb" by dp_module_short_name). DP_ERR_NOT_FOUND
 * otherwise. *name stays valid until dp_symcache_clear. */
int dp_symtab_lookup(const struct dp_symtab *t, const char *module_name, uint32_t rva, const char **name,
                     uint32_t *disp);

size_t dp_symtab_count(const struct dp_symtab *t);
const struct dp_symfile *dp_symtab_file(const struct dp_symtab *t, size_t i);

/* The name WinDbg gives a module: the base name without its extension, "nt" for every kernel image
 * (ntoskrnl, ntkrnlpa, ntkrnlmp, ntkrpamp, ntkrla57) and "hal" for the HAL variants. Accepts paths.
 * Returns the length of the full result (as snprintf does). */
size_t dp_module_short_name(const char *name, char *out, size_t len);

/* "module!sym+0x12", "module!sym" (disp 0), "module+0x36532" (no sym). DP_ERR_INVALID when the
 * buffer was too small (the text is then truncated but terminated). */
int dp_format_symbol(char *buf, size_t len, const char *module, const char *sym, uint64_t disp);

#endif
