/* Which symbol file names a module: WinDbg's deferred loading, one module at a time. */
#ifndef DP_HOST_SYMBOLS_MODSYM_H
#define DP_HOST_SYMBOLS_MODSYM_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>

struct dp_symtab;
struct dp_sympath;
struct dp_symfile;

/* The symbol file for M: a file given directly that matches it (DIRECT: the symbol path's FILE
 * entries, loaded before any dump), else, when the module's PDB key is known, one already loaded in this
 * process under that key, else the one SP finds under it. NULL when none: SP's miss list says why
 * (not found; or found but not loading or answering to another key, which is rejected).
 * *UNVERIFIED is set when the file was matched by name only although it carries a key: the
 * module's key was unknown, so nothing checked that the file belongs to this build. */
const struct dp_symfile *dp_modsym_resolve(const struct dp_symtab *direct, struct dp_sympath *sp,
                                           const struct dp_module *m, int *unverified);

#endif
