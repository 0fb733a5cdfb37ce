/* Many dumps in one process: 1,000 triages through the host's library API (in-process plugins, then
 * isolated ones) must leave the live heap, the open descriptors and the resident set where they were
 * after warm-up, and give the same result for the same dump every time. LeakSanitizer checks the rest
 * at exit under ASan. Dumps come from dpgen ($DPGEN), plugins from $DP_PLUGIN_DIR. */
#include <dirent.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader.h"
#include "pipeline.h"
#include "triage.h"

#if defined(__SANITIZE_ADDRESS__)
#define DP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_TEST_ASAN 1
#endif
#endif

#ifdef DP_TEST_ASAN
size_t __sanitizer_get_current_allocated_bytes(void);
/* A small quarantine: freed blocks otherwise pile up to 256 MiB and the resident set says nothing. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=4"; }
static size_t live_heap(void) { return __sanitizer_get_current_allocated_bytes(); }
#else
static size_t live_heap(void) { return mallinfo2().uordblks; }
#endif

#define TRIAGES 1000
#define WARM_UP 16
#define HEAP_SLACK (64u << 10) /* stdio buffers and the like may move a little; a leak per triage cannot hide */
#define RSS_SLACK (16u << 20)

static const char *const scenarios[][2] = {
    {"seed-xen-0x19", "complete"}, {"bugcheck-x64-c1-bitflip", "bitmap"}, {"small-x64", "small"},
    {"x86-basic", "elf"},          {"pool-x64-pages", "complete"},
};
#define N_DUMPS (sizeof scenarios / sizeof *scenarios)

struct world {
    char dir[64];
    char dumps[N_DUMPS][128];
    int first_rc[N_DUMPS];
    struct dp_loader *loader;
    struct dp_pipeline *pipeline;
};

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    size_t n = 0;
    if (!d) return 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static void make_dumps(struct world *w)
{
    const char *dpgen = getenv("DPGEN"), *src = getenv("DP_SOURCE_DIR");
    assert_non_null(dpgen);
    assert_non_null(src);
    for (size_t i = 0; i < N_DUMPS; i++) {
        char cmd[1024];
        snprintf(w->dumps[i], sizeof w->dumps[i], "%s/%s-%s.dmp", w->dir, scenarios[i][0], scenarios[i][1]);
        snprintf(cmd, sizeof cmd, "'%s' --type %s -o '%s' '%s/tests/scenarios/%s.yaml' >/dev/null", dpgen,
                 scenarios[i][1], w->dumps[i], src, scenarios[i][0]);
        assert_int_equal(system(cmd), 0);
    }
}

static void make_pipeline(struct world *w)
{
    char path[128], err[1024] = "";
    snprintf(path, sizeof path, "%s/all.yaml", w->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\nsteps:\n  - plugin: hvdetect\n  - plugin: bugcheck\n  - plugin: poolwalk\n"
          "  - plugin: tagattrib\n  - plugin: codeptr\n  - plugin: bitflip\n"
          "sinks:\n  - plugin: text\n  - plugin: json\n",
          f);
    assert_int_equal(fclose(f), 0);
    const char *plugins = getenv("DP_PLUGIN_DIR");
    assert_non_null(plugins);
    w->loader = dp_loader_new();
    assert_non_null(w->loader);
    assert_int_equal(dp_loader_add_dir(w->loader, plugins), DP_OK);
    int rc = dp_pipeline_load(path, &w->pipeline, err, sizeof err);
    if (rc == DP_OK) rc = dp_pipeline_bind(w->pipeline, w->loader, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, DP_OK);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (!w) return -1;
    snprintf(w->dir, sizeof w->dir, "%s/dp-many.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(w->dir)) return -1;
    make_dumps(w);
    make_pipeline(w);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    char path[128];
    if (!w) return 0; /* setup failed before it made anything to clean */
    for (size_t i = 0; i < N_DUMPS; i++) unlink(w->dumps[i]);
    snprintf(path, sizeof path, "%s/all.yaml", w->dir);
    unlink(path);
    rmdir(w->dir);
    dp_pipeline_free(w->pipeline);
    dp_loader_free(w->loader);
    free(w);
    return 0;
}

/* Triages dump after dump; every run of a dump must end as its first run did. */
static void triage_loop(struct world *w, int isolation, size_t from, size_t count)
{
    struct dp_run_options o = {.isolation = isolation, .verbosity = -1, .output_file = "/dev/null"};
    for (size_t k = from; k < from + count; k++) {
        size_t i = k % N_DUMPS;
        int rc = dp_triage_dump(w->pipeline, NULL, w->dumps[i], &o);
        if (k < N_DUMPS) w->first_rc[i] = rc;
        else if (rc != w->first_rc[i]) fail_msg("triage %zu of %s gave %d, first gave %d", k, w->dumps[i], rc, w->first_rc[i]);
    }
}

static void steady_state(void **state, int isolation)
{
    struct world *w = *state;
    triage_loop(w, isolation, 0, WARM_UP);
    for (size_t i = 0; i < N_DUMPS; i++) assert_true(w->first_rc[i] == DP_EXIT_OK || w->first_rc[i] == DP_EXIT_PLUGIN_FAILED);
    malloc_trim(0);
    size_t heap0 = live_heap(), rss0 = rss_bytes(), fds0 = open_fds();
    triage_loop(w, isolation, WARM_UP, TRIAGES);
    malloc_trim(0);
    size_t heap1 = live_heap(), rss1 = rss_bytes(), fds1 = open_fds();
    printf("%s: %d triages; live heap %zu -> %zu bytes, RSS %zu -> %zu KiB, fds %zu -> %zu\n",
           isolation ? "isolated" : "in-process", TRIAGES, heap0, heap1, rss0 >> 10, rss1 >> 10, fds0, fds1);
    assert_int_equal(fds1, fds0);
    assert_true(heap1 <= heap0 + HEAP_SLACK);
    assert_true(rss1 <= rss0 + RSS_SLACK);
}

static void many_inprocess(void **state) { steady_state(state, 0); }
static void many_isolated(void **state) { steady_state(state, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_inprocess),
        cmocka_unit_test(many_isolated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
