/* A plugin that does, on request, every wrong thing a third-party plugin can do, and the right ones:
 * publish every field type, read what an earlier step published. */
#include <dumppipe/dumppipe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int publish_all_types(dp_ctx *c)
{
    static const unsigned char raw[] = {0xde, 0xad, 0x00, 0xbe, 0xef};
    struct dp_field f[] = {DP_U64("u", 18446744073709551615ull), DP_I64("i", -42), DP_ADDR("a", 0xa34583b8),
                           DP_STR("s", "tab\there \"quoted\" ünïcode"), DP_BOOL("b", 1), DP_BYTES("raw", raw, sizeof raw)};
    int rc = dp_publish(c, "test.kinds", f, 6);
    struct dp_finding fd = {.code = "test.published", .severity = DP_SEV_WARNING, .confidence = 77,
                            .title = "published every field type", .details = "line one\nline two", .evidence = f,
                            .n_evidence = 6};
    return rc ? rc : dp_add_finding(c, &fd);
}

/* Reads back what the publisher sent, across process boundaries, and says what it saw. */
static int consume(dp_ctx *c)
{
    const struct dp_record *r = dp_artifact_get(c, "test.kinds", 0);
    if (!r) return dp_set_error(c, "no test.kinds row on the blackboard"), DP_ERR_NOT_FOUND;
    const struct dp_field *raw = dp_record_field(r, "raw");
    char title[300];
    snprintf(title, sizeof title, "saw u=%llu i=%lld a=%llx s=%s b=%llu raw=%zu bytes from %s",
             (unsigned long long)dp_record_u64(r, "u", 0), (long long)dp_record_u64(r, "i", 0),
             (unsigned long long)dp_record_u64(r, "a", 0), dp_record_str(r, "s"),
             (unsigned long long)dp_record_u64(r, "b", 0), raw ? raw->v.bytes.len : 0, r->publisher);
    struct dp_finding fd = {.code = "test.consumed", .severity = DP_SEV_INFO, .confidence = 100, .title = title};
    return dp_add_finding(c, &fd);
}

/* Allocates until the memory limit stops it. The blocks are written through a volatile pointer and
 * chained, so no optimizer may drop an allocation nobody reads (clang -O2 removes malloc+memset). */
static _Noreturn void hog(size_t chunk)
{
    void *volatile head = NULL;
    for (;;) {
        volatile char *p = malloc(chunk);
        if (!p) continue;
        for (size_t i = 0; i < chunk; i += 4096) p[i] = 1; /* touch every page, so it is resident */
        *(void *volatile *)(void *)p = head;
        head = (void *)p;
    }
}

static int misbehave_run(dp_ctx *c, void *state)
{
    (void)state;
    const char *mode = dp_opt_string(c, "mode");
    if (strcmp(mode, "publish") == 0) return publish_all_types(c);
    if (strcmp(mode, "consume") == 0) return consume(c);
    if (strcmp(mode, "badutf8") == 0) { /* a flipped byte in a name, valid UTF-8, then a cut sequence */
        struct dp_finding f = {.code = "test.name", .severity = DP_SEV_INFO, .title = "E\xa4" "FreePool, \xc3\xa9t\xc3\xa9, \xe2\x82"};
        return dp_add_finding(c, &f);
    }
    if (strcmp(mode, "unlisted") == 0) return dp_publish(c, "test.unlisted", NULL, 0); /* not in provides: refused */
    if (strcmp(mode, "segv") == 0) raise(SIGSEGV);
    if (strcmp(mode, "abort") == 0) abort();
    if (strcmp(mode, "hang") == 0)
        for (;;) pause();
    if (strcmp(mode, "spin") == 0)
        for (volatile unsigned long n = 0;; n++) {
        }
    if (strcmp(mode, "hog") == 0) hog((size_t)dp_opt_int(c, "chunk"));
    if (strcmp(mode, "exit") == 0) exit(3);
    if (strcmp(mode, "error") == 0) return dp_set_error(c, "the widget is %s", "broken"), DP_ERR_BAD_DATA;
    dp_set_error(c, "unknown mode '%s'", mode);
    return DP_ERR_INVALID;
}

static const struct dp_option misbehave_options[] = {
    DP_OPTION("mode", DP_OPT_STRING, NULL, "what to do", .required = 1,
              .choices = DP_CHOICES("publish", "consume", "unlisted", "badutf8", "segv", "abort", "hang", "spin", "hog", "exit", "error")),
    DP_OPTION("chunk", DP_OPT_INT, "16M", "hog: bytes allocated at a time", .flags = DP_OPT_SIZE, .min = 4096, .max = 1 << 30),
    {0},
};

static const char *const misbehave_provides[] = {"test.kinds", NULL};

DP_PLUGIN(.kind = DP_KIND_ANALYZER, .name = "misbehave", .version = "0", .description = "test plugin",
          .options = misbehave_options, .provides = misbehave_provides, .run = misbehave_run);
