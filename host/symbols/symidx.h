/* The sorted address index every symbol reader builds once: functions with a known extent
 * (PDB procedures, Breakpad FUNC) and points (publics, ISF symbols, Breakpad PUBLIC) that own the
 * addresses after them up to a limit (the end of their section when known). */
#ifndef DP_HOST_SYMBOLS_SYMIDX_H
#define DP_HOST_SYMBOLS_SYMIDX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct dp_symidx_entry {
    uint32_t rva, end; /* the entry covers [rva, end) */
    const char *name;  /* owned by the reader */
};

struct dp_symidx {
    struct dp_vec sized, points; /* struct dp_symidx_entry, sorted by dp_symidx_sort */
};

void dp_symidx_init(struct dp_symidx *x);
void dp_symidx_free(struct dp_symidx *x);
/* SIZE 0 makes a point, owning up to LIMIT (exclusive; 0 for "no limit"). DP_OK or DP_ERR_NOMEM. */
int dp_symidx_add(struct dp_symidx *x, uint32_t rva, uint32_t size, uint32_t limit, const char *name);
/* Sorts by address; of several names at one address the first added stays first. */
void dp_symidx_sort(struct dp_symidx *x);
/* The function containing RVA, else the nearest point at or below it that still owns RVA.
 * DP_OK with *name and *disp, or DP_ERR_NOT_FOUND. */
int dp_symidx_lookup(const struct dp_symidx *x, uint32_t rva, const char **name, uint32_t *disp);
size_t dp_symidx_count(const struct dp_symidx *x);

#endif
