/* A pipeline's YAML as a small tree, built from libyaml's event API under caps on depth and node
 * count (the document loader took 20 s on 200 KB of nesting), without aliases. */
#ifndef DP_HOST_PIPELINE_YAML_H
#define DP_HOST_PIPELINE_YAML_H

#include <stddef.h>

#include "util.h"

enum dp_ynode_type { DP_Y_SCALAR = 1, DP_Y_SEQ, DP_Y_MAP };

struct dp_ynode {
    enum dp_ynode_type type;
    const char *value;      /* scalars */
    struct dp_ynode **kids; /* a sequence's items; a mapping's key, value, key, value ... */
    size_t n;
    unsigned line, col; /* 1-based */
};

enum { DP_YAML_MAX_DEPTH = 32, DP_YAML_MAX_NODES = 100000 };
#define DP_PIPELINE_MAX_BYTES (1u << 20)

/* Parses DATA (LEN bytes) of FILE into nodes in A. Errors are "FILE:LINE:COL: message". */
int dp_yaml_tree(struct dp_arena *a, const char *data, size_t len, const char *file, struct dp_ynode **root,
                 char *err, size_t errlen);

#endif
