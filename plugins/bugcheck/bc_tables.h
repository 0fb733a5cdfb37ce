/* Private to the database: the detail tables and the shorthands that keep them readable. */
#ifndef BUGCHECK_BC_TABLES_H
#define BUGCHECK_BC_TABLES_H

#include "bc_db.h"

#define BC_TXT(t) {.text = (t)}
#define BC_ADDR(t, r, k) {.text = (t), .role = BC_ROLE_##r, .kind = BC_KIND_##k}
#define BC_RESERVED BC_TXT("reserved")
/* In a subtype row: keep the code's general meaning of this parameter. */
#define BC_GENERIC {.text = NULL}
#define BC_SUB(v, t, a, b, c) {.value = (v), .text = (t), .others = {a, b, c}}
/* A subtype that only names the case: the other parameters keep the code's general meaning. */
#define BC_SUB1(v, t) BC_SUB(v, t, BC_GENERIC, BC_GENERIC, BC_GENERIC)
#define BC_SUBTYPES(table) .subtypes = (table), .n_subtypes = sizeof(table) / sizeof((table)[0])

#define BC_TABLE(name, rows) const struct bc_detail_table name = {(rows), sizeof(rows) / sizeof((rows)[0])}

struct bc_detail_table {
    const struct bc_detail *rows;
    size_t n;
};

extern const struct bc_detail_table bc_pool_table;    /* bc_detail_pool.c: pool headers and callers */
extern const struct bc_detail_table bc_special_table; /* bc_detail_special.c: special pool, verifier */
extern const struct bc_detail_table bc_verifier_table; /* bc_detail_verifier.c: 0xC4, every violation code */
extern const struct bc_detail_table bc_mm_table;      /* bc_detail_mm.c: memory manager, PFN database */
extern const struct bc_detail_table bc_except_table;  /* bc_detail_except.c: exceptions, traps, bad accesses */
extern const struct bc_detail_table bc_other_table;   /* bc_detail_other.c: hangs, hardware, dying processes */
extern const struct bc_detail_table bc_generic_table; /* bc_detail_generic.c: every other code, from a .def */

#endif
