/* codeptr's per-hit work against the host: read the code, classify, publish, report. */
#ifndef CP_REPORT_H
#define CP_REPORT_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

#define CP_MAX_HITS 64

struct cp_range {
    uint64_t start, end;
    char noun[80];      /* for people: "the corrupt block", "range a3458000-a3459000" */
    const char *region; /* for programs (ARTIFACTS.md): "corrupt-block", "neighbour", "range" */
};

struct cp_hit {
    uint64_t at, value;
    size_t range;
    char module[64];
    char symbol[128];
    int cls;
    unsigned confidence;
};

struct cp_scan {
    const struct dp_dump_info *info;
    struct cp_range ranges[64];
    size_t n_ranges;
    uint64_t max_bytes, bytes_scanned, bytes_unreadable;
    size_t max_hits, n_hits, hits_dropped;
    struct cp_hit hits[CP_MAX_HITS];
};

/* Handles one aligned value v found at `at` that points into module m. */
void cp_report_hit(dp_ctx *ctx, struct cp_scan *s, size_t range, uint64_t at, uint64_t v, const struct dp_module *m);

/* The closing info finding (a `dps` of the hits) and one culprit vote per module. */
void cp_report_summary(dp_ctx *ctx, struct cp_scan *s);

#endif
