/* Which symbol file names a module: WinDbg's deferred loading, one module at a time. */
#ifndef DP_HOST_SYMBOLS_MODSYM_H
#define DP_HOST_SYMBOLS_MODSYM_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>

struct dp_symtab;
struct dp_sympath;
struct dp_symfile;

/* The symbol file for M: a file given directly that matches it (the pipeline's list DIRECT, then
 * the FILE entries of SP), else, when the module's PDB key is known, one already loaded in this
 * process under that key, else the one SP finds under it. NULL when none; then err says why
 * ("ntkrnlmp.pdb/30B5...2: not found", a load error, or "" when there was no key to look up).
 * *UNVERIFIED is set when the file was matched by name only although it carries a key: the
 * module's key was unknown, so nothing checked that the file belongs to this build. */
const struct dp_symfile *dp_modsym_resolve(const struct dp_symtab *direct, struct dp_sympath *sp,
                                           const struct dp_module *m, int *unverified, char *err, size_t errlen);

#endif
