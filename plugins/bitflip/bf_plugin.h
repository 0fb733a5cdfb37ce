/* bitflip's passes over the dump; each adds evidence and counts what it looked at. */
#ifndef BF_PLUGIN_H
#define BF_PLUGIN_H

#include <dumppipe/dumppipe.h>

#include "bf_bits.h"

#define BF_MAX_EVIDENCE 64

struct bf_run {
    const struct dp_dump_info *info;
    struct bf_evidence ev[BF_MAX_EVIDENCE];
    size_t n_ev;
    uint64_t headers, repairs, pointers, links, bugcheck_addrs, code_bytes;
    unsigned modules_compared, code_patches, code_hooks;
};

/* Appends e unless the same kind at the same address is already there. */
void bf_add_evidence(struct bf_run *r, const struct bf_evidence *e);

void bf_scan_headers(dp_ctx *ctx, struct bf_run *r);
void bf_scan_pointers(dp_ctx *ctx, struct bf_run *r);
void bf_scan_bugcheck(dp_ctx *ctx, struct bf_run *r);
/* Compares every module with its file in reference_dir (NULL: with its image from the symbol path);
 * DP_OK, or an error for an unusable dir. */
int bf_scan_code(dp_ctx *ctx, struct bf_run *r, const char *reference_dir, uint64_t max_bytes);

#endif
