/* Publishing one judged page: pool.* artifacts and the page's finding. */
#ifndef POOLWALK_POOL_REPORT_H
#define POOLWALK_POOL_REPORT_H

#include <dumppipe/dumppipe.h>

#include "pool_page.h"

struct pool_report_page {
    const struct pool_fmt *fmt;
    const struct pool_page *page;
    uint64_t base;           /* virtual address, or physical when `physical` */
    int physical;
    const uint64_t *interest; /* addresses of interest on this page */
    unsigned n_interest;
};

/* Publishes the page's rows and adds its finding; TEXT is scratch space for the details. */
int pool_report_page(dp_ctx *c, const struct pool_report_page *r, struct dp_text *text);

const char *pool_layout_name(const struct pool_fmt *f, const struct pool_page *p);

#endif
