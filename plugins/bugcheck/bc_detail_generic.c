/* Every documented code that the hand-made tables do not describe: one line each in bugcheck_params.def
 * (description, then Arg1..Arg4), and the cases of those whose parameter selects one in
 * bugcheck_subtypes.def. Facts from Microsoft's per-code bug check pages (MicrosoftDocs/
 * windows-driver-docs, windows-driver-docs-pr/debugger/bug-check-0x*.md, checkout of 2025-11-12); the
 * wording is ours. Codes whose parameters point at memory later plugins follow keep their rows in the
 * bc_detail_*.c tables, where each parameter can carry an address role. */
#include "bc_tables.h"

/* The page lists no parameters at all (old codes, kept for the name). */
#define NODOC "not documented."
/* The page says the code has no parameters. */
#define UNUSED "not used."
#define RSVD "reserved."
/* Shorthands for the subtype rows. */
#define T(text) BC_TXT(text)
#define G BC_GENERIC
#define SUB(v, text, a, b, c) BC_SUB(v, text, a, b, c),
#define SUB1(v, text) BC_SUB1(v, text),

/* First pass over the subtype file: one array per code, bc_sub_<code>. */
#define BC_SUBTABLE(code) static const struct bc_subtype bc_sub_##code[] = {
#define BC_SUBTABLE_END };
#include "bugcheck_subtypes.def"
#undef BC_SUBTABLE
#undef BC_SUBTABLE_END

#define BC_PARAMS(c, d, a1, a2, a3, a4) \
    {.code = (c), .description = (d), .params = {BC_TXT(a1), BC_TXT(a2), BC_TXT(a3), BC_TXT(a4)}},
/* A code whose parameter SEL (1..4) selects a case listed in bugcheck_subtypes.def under the same code. */
#define BC_PARAMS_SEL(c, sel, d, a1, a2, a3, a4)                                                          \
    {.code = (c), .description = (d), .params = {BC_TXT(a1), BC_TXT(a2), BC_TXT(a3), BC_TXT(a4)},       \
     .selector = (sel), BC_SUBTYPES(bc_sub_##c)},
static const struct bc_detail generic_rows[] = {
#include "bugcheck_params.def"
};
#undef BC_PARAMS
#undef BC_PARAMS_SEL

BC_TABLE(bc_generic_table, generic_rows);
