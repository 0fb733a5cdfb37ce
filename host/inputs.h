/* The dumps of a run: paths as given, directories expanded, `-` read from standard input. The
 * process that builds this list never opens a dump: it only looks at names and file types. */
#ifndef DP_HOST_INPUTS_H
#define DP_HOST_INPUTS_H

#include "util.h"

struct dp_inputs {
    struct dp_arena *arena;
    struct dp_vec paths; /* const char * */
};

/* A directory contributes every regular file below it (recursively, in byte order of names,
 * skipping names that start with '.', not following symbolic links to directories); `-` one path
 * per line of standard input; anything else is taken as given (a missing file gets its error
 * when its turn comes). Returns DP_OK, or a status with the one-line error printed. */
int dp_inputs_build(struct dp_inputs *in, char **args, int n);
void dp_inputs_free(struct dp_inputs *in);

#endif
