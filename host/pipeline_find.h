/* Where a pipeline named by -p or `extends:` is found. */
#ifndef DP_HOST_PIPELINE_FIND_H
#define DP_HOST_PIPELINE_FIND_H

#include "util.h"

/* NAME as given: absolute, or relative to the directory of FROM (the pipeline that extends it) or to
 * the current directory when FROM is NULL (-p). When that file does not exist and NAME has no '/',
 * each directory of $DUMPPIPE_PIPELINE_PATH (colon-separated) is tried, then the shipped pipelines:
 * the install's share/dumppipe/pipelines next to the program, then the source tree's pipelines/.
 * Returns the path to open (in ARENA); NAME as resolved against FROM when found nowhere, so the
 * error names what was tried first. */
const char *dp_pipeline_find(struct dp_arena *arena, const char *name, const char *from);

#endif
