#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void dp_progress_init(struct dp_progress_line *p, size_t total, int want)
{
    memset(p, 0, sizeof *p);
    p->on = want > 0 || (want < 0 && isatty(STDERR_FILENO));
    p->total = total;
    p->t0_ms = dp_now_ms();
}

static void draw(struct dp_progress_line *p, int force)
{
    uint64_t now = dp_now_ms();
    if (!p->on || (!force && now - p->drawn_ms < 100)) return;
    p->drawn_ms = now;
    double secs = (double)(now - p->t0_ms) / 1000.0, rate = secs > 0 ? (double)p->done / secs : 0;
    char eta[32] = "--:--";
    if (rate > 0) {
        unsigned long left = (unsigned long)((double)(p->total - p->done) / rate + 0.5);
        snprintf(eta, sizeof eta, "%lu:%02lu", left / 60, left % 60);
    }
    fprintf(stderr, "\r\033[K[%zu/%zu] %.1f dumps/s, ETA %s%s%s", p->done, p->total, rate, eta, *p->plugin ? "  " : "",
            p->plugin);
    fflush(stderr);
    p->shown = 1;
}

void dp_progress_dump_done(struct dp_progress_line *p)
{
    p->done++;
    p->plugin[0] = 0;
    draw(p, p->done == p->total);
}

void dp_progress_plugin(struct dp_progress_line *p, const char *plugin, uint64_t done, uint64_t total, const char *what)
{
    if (total) snprintf(p->plugin, sizeof p->plugin, "%s: %s %llu/%llu (%llu%%)", plugin, what, (unsigned long long)done,
                        (unsigned long long)total, (unsigned long long)(done * 100 / total));
    else snprintf(p->plugin, sizeof p->plugin, "%s: %s %llu", plugin, what, (unsigned long long)done);
    for (char *c = p->plugin; *c; c++) /* a plugin's words must not move the cursor */
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    draw(p, 0);
}

void dp_progress_clear(struct dp_progress_line *p)
{
    if (!p->shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}
