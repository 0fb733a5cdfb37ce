/* The symbol path: where symbol files and images come from, in WinDbg's syntax.
 *
 * Entries, ';'-separated, from -s/--symbols (repeatable), the pipeline's `symbols:`, then
 * $DUMPPIPE_SYMBOL_PATH and $_NT_SYMBOL_PATH:
 *   FILE                 a symbol file given directly: .pdb, .sym (Breakpad), Volatility ISF .json/.json.gz/.json.xz
 *   DIR                  a flat directory (FILE directly inside) or a symbol-store tree (FILE/KEY/FILE,
 *                        two-tier stores with index2.txt, file.ptr redirections, compressed FILE with '_' last)
 *   srv*[CACHE*]URL      a symbol server over HTTP(S), downloads kept in CACHE (default: the last cache*
 *                        before it, else $XDG_CACHE_HOME/dumppipe/symbols or ~/.cache/dumppipe/symbols)
 *   srv*DIR              a store given the server way
 *   cache*DIR            where downloads of the entries that follow are kept
 * No network unless a server entry is configured.
 *
 * Contract between the store side (sympath.c, find.c, store.c, http.c, cab.c) and the symbol readers.
 * Entries that cannot be used are errors naming them (dp_sympath_add); docs/symbols.md has the details. */
#ifndef DP_HOST_SYMPATH_H
#define DP_HOST_SYMPATH_H

#include <stddef.h>
#include <stdint.h>

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

/* What was looked up and not found, or failed, for "symbols it lacked" reports: "FILE/KEY: why",
 * one line per key, in the order first asked. Counts the keys asked since the last
 * dp_sympath_begin_dump (all of them if it was never called), so a key another dump already missed
 * is reported again for the dump that needs it, at no cost. */
size_t dp_sympath_miss_count(const struct dp_sympath *sp);
const char *dp_sympath_miss(const struct dp_sympath *sp, size_t index);

/* ---- extensions (store side) ---- */

/* Limits of the network side; defaults in brackets, overridden from the environment by
 * dp_sympath_limits_from_env: connect timeout [10 s] $DUMPPIPE_SYMBOL_CONNECT_TIMEOUT, whole-request
 * timeout [60 s] $DUMPPIPE_SYMBOL_TIMEOUT, retries after a 5xx or a timeout [2]
 * $DUMPPIPE_SYMBOL_RETRIES, largest download or decompressed file [512 MiB] $DUMPPIPE_SYMBOL_MAX_SIZE,
 * redirects followed [5]. */
struct dp_sympath_limits {
    unsigned long connect_timeout_ms, timeout_ms;
    unsigned retries;
    unsigned long long max_bytes;
    unsigned max_redirects;
};
void dp_sympath_get_limits(const struct dp_sympath *sp, struct dp_sympath_limits *out);
void dp_sympath_set_limits(struct dp_sympath *sp, const struct dp_sympath_limits *l);
/* DP_OK, or DP_ERR_INVALID with err naming the variable and its bad value. */
int dp_sympath_limits_from_env(struct dp_sympath *sp, char *err, size_t errlen);

/* Like dp_sympath_add; relative local paths in SPEC are taken relative to BASE_DIR (a pipeline's
 * directory). */
int dp_sympath_add_relative(struct dp_sympath *sp, const char *spec, const char *origin, const char *base_dir,
                            char *err, size_t errlen);

/* SPEC with its relative local paths (plain paths, caches, srv* stores) made absolute against
 * BASE_DIR and its syntax otherwise kept: a pipeline's `symbols:` entries, resolved where the file is.
 * malloc'd; NULL on out of memory. */
char *dp_sympath_rebase(const char *spec, const char *base_dir);

/* Entries that search anything (stores, flat directories, servers); 0: dp_sympath_find never finds. */
size_t dp_sympath_search_count(const struct dp_sympath *sp);

/* The file dp_sympath_find gave for FILE/KEY is not what the key promised (another image, a PDB
 * with another GUID, an HTML error page): a copy in one of the path's caches is deleted, so it is
 * not found again next run, and the key becomes a miss with WHY. DP_ERR_NOT_FOUND when FILE/KEY
 * was not found before. */
int dp_sympath_reject(struct dp_sympath *sp, const char *file, const char *key, const char *why);

/* Starts the miss list of a new dump (see dp_sympath_miss_count). */
void dp_sympath_begin_dump(struct dp_sympath *sp);

/* The symbol-store key of an image: TimeDateStamp as %08X, then SizeOfImage as %x. */
void dp_sympath_image_key(uint32_t timestamp, uint32_t size_of_image, char out[24]);
/* The key of a PDB from its RSDS GUID (16 bytes as stored: Data1..3 little-endian) and age. */
void dp_sympath_pdb_key(const uint8_t guid[16], uint32_t age, char out[48]);

#endif
