/* Opening a dump the test expects to open: the reader's one-line error is printed before the
 * assertion fails, so a failing test says why. Include after <cmocka.h>. */
#ifndef DP_TEST_DUMP_OPEN_H
#define DP_TEST_DUMP_OPEN_H

#include <stdio.h>

#include "dump/dump.h"

static inline struct dp_dump *tdo_open_ok(const char *path)
{
    struct dp_dump *d = NULL;
    char err[512] = "";
    int rc = dp_dump_open(path, &d, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, DP_OK);
    return d;
}

#endif
