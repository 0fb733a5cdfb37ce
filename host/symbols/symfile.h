/* One loaded symbol file of any format (PDB, Volatility ISF, Breakpad .sym), and the process-wide
 * cache that makes each file parsed once per process: many dumps of one build share it, and
 * forked plugin children inherit it. See docs/symbols.md. */
#ifndef DP_HOST_SYMBOLS_SYMFILE_H
#define DP_HOST_SYMBOLS_SYMFILE_H

#include <stddef.h>
#include <stdint.h>

#include "symidx.h"

struct dp_pdb;

struct dp_symfile {
    const char *kind; /* "pdb", "isf", "sym": the module's symbol_status when it is used */
    const char *path;
    const char *pdb_name;  /* the PDB file name the file describes ("ntkrnlmp.pdb"), or NULL */
    char id[48], id2[48];  /* GUID+age keys it answers to ("" none); a PDB has two ages */
    struct dp_symidx idx;  /* ISF and Breakpad; a PDB keeps its own */
    struct dp_pdb *pdb;    /* PDB only */
    struct dp_arena *arena;
    uint64_t dev, ino, size;
    int64_t mtime;
};

/* Loads PATH, or returns the copy loaded before (same device, inode, size and mtime). The format
 * is told by content (MSF signature, '{', gzip/xz magic) and, for Breakpad, "MODULE ". The object
 * lives until dp_symcache_clear. DP_OK, or a dp_status with "PATH: what is wrong" in err. */
int dp_symcache_load(const char *path, const struct dp_symfile **out, char *err, size_t errlen);
/* A file already loaded that answers to ID (and, when given, describes PDB_NAME); NULL. */
const struct dp_symfile *dp_symcache_by_id(const char *pdb_name, const char *id);
/* Forgets and frees every file (tests; a long-running process that wants its memory back). */
void dp_symcache_clear(void);
size_t dp_symcache_count(void);

/* Does F describe a module with these keys? With both ids known they decide; otherwise the file
 * names do ("drv.pdb" for "drv.sys" or the PDB name), as WinDbg does for an unverified .sym. */
int dp_symfile_matches(const struct dp_symfile *f, const char *module_name, const char *pdb_name, const char *pdb_id);
int dp_symfile_lookup(const struct dp_symfile *f, uint32_t rva, const char **name, uint32_t *disp);

/* The format readers, filling F (whose arena exists). */
int dp_breakpad_load(struct dp_symfile *f, const char *text, size_t len, char *err, size_t errlen);
int dp_isf_load(struct dp_symfile *f, const uint8_t *data, size_t len, char *err, size_t errlen);

/* "ABCD...-..." or "{...}" or any case to the 32 upper-case hex digits of a key; 0 when not a GUID. */
int dp_symfile_norm_guid(const char *in, char out[33]);

#endif
