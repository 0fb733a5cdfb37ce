/* The symbol path: where symbol files and images come from, in WinDbg's syntax.
 *
 * Entries, ';'-separated, from -s/--symbols (repeatable), the pipeline's `symbols:`, then
 * $DUMPPIPE_SYMBOL_PATH and $_NT_SYMBOL_PATH:
 *   FILE                 a symbol file given directly: .pdb, .sym (Breakpad), Volatility ISF .json/.json.gz/.json.xz
 *   DIR                  a flat directory (FILE directly inside) or a symbol-store tree (FILE/KEY/FILE,
 *                        two-tier stores with index2.txt, file.ptr redirections, compressed FILE with '_' last)
 *   srv*[CACHE*]URL      a symbol server over HTTP(S), downloads kept in CACHE (default: the first cache*)
 *   srv*DIR              a store given the server way
 *   cache*DIR            where downloads of the entries that follow are kept
 * No network unless a server entry is configured.
 *
 * Contract between the store side (sympath.c, store.c, http.c, cab.c) and the symbol readers. */
#ifndef DP_HOST_SYMPATH_H
#define DP_HOST_SYMPATH_H

#include <stddef.h>

struct dp_sympath;

/* An empty path (finds nothing, never touches the network). NULL on out of memory. */
struct dp_sympath *dp_sympath_new(void);
void dp_sympath_free(struct dp_sympath *sp);

/* Appends the entries of SPEC (WinDbg syntax above). ORIGIN names where SPEC came from ("-s",
 * "pipeline.yaml", "_NT_SYMBOL_PATH") for error messages. DP_OK, or DP_ERR_INVALID with err set. */
int dp_sympath_add(struct dp_sympath *sp, const char *spec, const char *origin, char *err, size_t errlen);

/* The files given directly as entries (FILE above), in order; the readers load these themselves. */
size_t dp_sympath_file_count(const struct dp_sympath *sp);
const char *dp_sympath_file(const struct dp_sympath *sp, size_t index);

/* Finds FILE under KEY, trying the entries in order: stores and flat directories, then each server
 * (downloaded into its cache, atomically, with timeouts, retries and a size cap; .pd_/.ex_/.sy_
 * decompressed). KEY: for a PDB its GUID as 32 upper-case hex digits then the age in hex
 * ("30B5FB31AE7E4ACAABA750AA241FF3312"); for an image TimeDateStamp as %08X then SizeOfImage as %x
 * ("BF639DC31046000"). FILE and KEY are sanitised (no path separators, no "..") before use.
 * On DP_OK, PATH holds a local regular, uncompressed file that stays until dp_sympath_free.
 * DP_ERR_NOT_FOUND when no entry has it (remembered, so a second ask costs nothing and the miss can
 * be reported); DP_ERR_IO when a server failed (err says which and why); never blocks longer than
 * the configured timeouts. */
int dp_sympath_find(struct dp_sympath *sp, const char *file, const char *key, char *path, size_t pathlen,
                    char *err, size_t errlen);

/* What was looked up and not found, or failed, for "symbols it lacked" reports: "FILE/KEY: why". */
size_t dp_sympath_miss_count(const struct dp_sympath *sp);
const char *dp_sympath_miss(const struct dp_sympath *sp, size_t index);

#endif
