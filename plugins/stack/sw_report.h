/* What the stack plugin tells: STACK_TEXT, stack.frame rows, and the culprit verdict. */
#ifndef SW_REPORT_H
#define SW_REPORT_H

#include <dumppipe/dumppipe.h>
#include <stdarg.h>
#include <stddef.h>

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

/* The stack.text finding and one stack.frame row per frame. */
void sw_report_stack(dp_ctx *ctx, const struct sw_stack *st, const struct sw_named_frame *frames, unsigned ptr_size);

/* Picks the first frame in a non-OS module, votes for it and writes the stack.culprit finding. */
void sw_report_culprit(dp_ctx *ctx, const struct sw_named_frame *frames, size_t n);

/* "driver!Dispatch+0x12" -> "Dispatch"; "" for "driver+0x38400" (an offset is not a name). */
void sw_function_of(const char *symbol, char *out, size_t len);

#endif
