/* The progress line on standard error during a batch: dumps done/total, rate, ETA, and what a
 * plugin says about long work (dp_progress). Drawn only on a terminal, at most ten times a second. */
#ifndef DP_HOST_PROGRESS_H
#define DP_HOST_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct dp_progress_line {
    int on;
    size_t done, total;
    uint64_t t0_ms, drawn_ms;
    char plugin[160];
    int shown; /* a line is on the screen */
};

/* WANT: -1 when standard error is a terminal, 0 never, 1 always. */
void dp_progress_init(struct dp_progress_line *p, size_t total, int want);
void dp_progress_dump_done(struct dp_progress_line *p);
void dp_progress_plugin(struct dp_progress_line *p, const char *plugin, uint64_t done, uint64_t total, const char *what);
/* Erases the line before something else goes to standard error, and at the end. */
void dp_progress_clear(struct dp_progress_line *p);

#endif
