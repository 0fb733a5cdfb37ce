/* What the stack plugin tells: STACK_TEXT, stack.frame rows, and the culprit verdict. */
#ifndef SW_REPORT_H
#define SW_REPORT_H

#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stddef.h>

#include "sw_context.h"
#include "sw_walk.h"

#define SW_SYMBOL_LEN 160

/* Each frame as the user reads it, resolved once. */
struct sw_named_frame {
    const struct sw_frame *f;
    const struct dp_module *module; /* the module ip is in, or NULL */
    char symbol[SW_SYMBOL_LEN];
};

/* One STACK_TEXT line: "b80a60cc 808927bb nt!KeBugCheckEx+0x1b" (x64: "ffff8504`29890ee8 ..."). */
void sw_format_frame(char *out, size_t len, unsigned ptr_size, const struct sw_frame *f, const char *symbol);
const char *sw_source_name(enum sw_source s);

/* x64 addresses the way WinDbg prints them, high and low halves apart: ffff8504`29890ee8. */
void sw_format_addr(char *out, size_t len, unsigned ptr_size, uint64_t v);

/* The stack.text finding and one stack.frame row per frame; COMMAND (".cxr 0x...", or "") is the
 * context the walk started from. */
void sw_report_stack(dp_ctx *ctx, const struct sw_stack *st, const struct sw_named_frame *frames, unsigned ptr_size,
                     const char *command);

/* ".cxr 0x..." / ".trap 0x..." for a found context, "" otherwise. */
void sw_context_command(char *out, size_t len, const struct sw_fault *f);

/* The stack.context finding (EXCEPTION_RECORD, CONTEXT or TRAP_FRAME, registers, the faulting
 * instruction; or one line saying none was found) and the stack.context artifact. */
void sw_report_fault(dp_ctx *ctx, const struct sw_fault *f, unsigned ptr_size);

/* Where the fault happened on the walked stack: frame SITE (has_site), reached through COMMAND. */
struct sw_site {
    int has_site;
    size_t site;
    const char *command;
};

/* Votes for the faulting frame's module (stepping over the bug-check machinery) and for the first
 * non-OS module on the stack, and writes the stack.culprit finding. */
void sw_report_culprit(dp_ctx *ctx, const struct sw_named_frame *frames, size_t n, const struct sw_site *site);

/* "driver!Dispatch+0x12" -> "Dispatch"; "" for "driver+0x38400" (an offset is not a name). */
void sw_function_of(const char *symbol, char *out, size_t len);

#endif
