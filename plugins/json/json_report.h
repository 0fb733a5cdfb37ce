/* The parts of the report a back end keys on: what ran on what input, modules, frames, culprit. */
#ifndef DP_JSON_REPORT_H
#define DP_JSON_REPORT_H

#include "json_out.h"

void json_tool_and_input(dp_ctx *c, struct jw *w);
void json_modules(dp_ctx *c, struct jw *w);
void json_stack(dp_ctx *c, struct jw *w);
void json_summary(dp_ctx *c, struct jw *w);

#endif
