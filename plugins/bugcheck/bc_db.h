/* The bug check database: every code Microsoft documents, with its name, a description and the meaning of
 * each of its four parameters, decoded per subtype where one parameter selects the case. The data lives in
 * bugcheck_names.def, bugcheck_params.def and bugcheck_subtypes.def (one line per code or case) and, for
 * the codes whose parameters are addresses later plugins follow, in the bc_detail_*.c tables. Pure data
 * and pure functions: nothing here needs a dump or a context. */
#ifndef BUGCHECK_BC_DB_H
#define BUGCHECK_BC_DB_H

#include <stddef.h>
#include <stdint.h>

enum bc_class {
    BC_CLASS_OTHER = 0,
    BC_CLASS_POOL_CORRUPTION,
    BC_CLASS_MEMORY_CORRUPTION,
    BC_CLASS_SPECIAL_POOL,
    BC_CLASS_EXCEPTION,
    BC_CLASS_HARDWARE,
    BC_CLASS_HANG,
};

/* What an address-valued parameter is, for the plugins that follow (bugcheck.address). */
enum bc_role {
    BC_ROLE_NONE = 0,
    BC_ROLE_POOL_ENTRY,
    BC_ROLE_NEXT_POOL_ENTRY,
    BC_ROLE_ADDRESS_TOUCHED,
    BC_ROLE_CODE_ADDRESS,
    BC_ROLE_EXCEPTION_ADDRESS,
    BC_ROLE_BAD_BIT_ADDRESS,
};

enum bc_kind { BC_KIND_DATA = 0, BC_KIND_POOL, BC_KIND_CODE };

struct bc_param {
    const char *text; /* NULL: not described */
    unsigned char role; /* enum bc_role; BC_ROLE_NONE when the value is not an address worth following */
    unsigned char kind; /* enum bc_kind */
    uint32_t only_if_arg1; /* when non-zero, the role applies only when Arg1 has this value */
};

/* One case of a code whose selector parameter picks the meaning of the other three. */
struct bc_subtype {
    uint64_t value;
    const char *text;          /* what this value of the selector means */
    struct bc_param others[3]; /* the remaining parameters in order (Arg2..Arg4, or Arg1..Arg3 for 0xC1) */
};

struct bc_detail {
    uint32_t code;
    const char *description; /* first lines of the explanation, '\n' between lines */
    const char *more;        /* further explanation, printed with show_all_params */
    struct bc_param params[4];
    unsigned selector; /* 0: no subtypes; 1..4: the parameter that selects one */
    const struct bc_subtype *subtypes;
    size_t n_subtypes;
};

struct bc_name {
    uint32_t code;
    const char *name;
    enum bc_class cls;
};

#define BC_M_FLAG 0x10000000u

/* All named codes, sorted by code. */
size_t bc_name_count(void);
const struct bc_name *bc_name_at(size_t index);

/* All described codes. */
size_t bc_detail_count(void);
const struct bc_detail *bc_detail_at(size_t index);
const struct bc_detail *bc_detail_find(uint32_t code);

const char *bc_class_name(enum bc_class cls);
const char *bc_role_name(enum bc_role role);
const char *bc_kind_name(enum bc_kind kind);

/* The answer of the one lookup function. */
struct bc_lookup {
    uint32_t code;
    int known;     /* the code (or, for an _M variant, its base) is named in the database */
    char name[80]; /* "UNKNOWN_BUGCHECK" when not known */
    enum bc_class cls;
    const struct bc_detail *detail; /* base code's detail for _M variants; NULL when not described */
};

/* Fills *out for CODE; returns out->known. _M variants (0x10000000 set) carry their own name (listed, or
 * the base name with "_M" appended) and their base code's class and meaning. */
int bc_lookup(uint32_t code, struct bc_lookup *out);

/* A code and its parameters, decoded: the text for every parameter under the selected subtype. */
struct bc_decoded {
    struct bc_lookup lk;
    uint64_t params[4];
    int has_subtype;                /* the code has a selector parameter */
    uint64_t subtype;               /* its value */
    const struct bc_subtype *sub;   /* NULL when that value is not in the table */
    const struct bc_param *meta[4]; /* meaning of each parameter; never NULL (may have NULL text) */
};

void bc_decode(uint32_t code, const uint64_t params[4], struct bc_decoded *out);

/* One parameter that is an address to hand on to the pool, code or stack analyses. */
struct bc_address {
    uint64_t addr;
    enum bc_role role;
    enum bc_kind kind;
    unsigned param; /* 1..4 */
};

/* Fills out[] (room for 4) with the parameters of D that are addresses of interest; zero values are
 * skipped (nothing to follow). Returns how many. */
size_t bc_addresses(const struct bc_decoded *d, struct bc_address out[4]);

/* Severity class: 1 when the class means memory is corrupt or hardware failed. */
int bc_class_is_critical(enum bc_class cls);

#endif
