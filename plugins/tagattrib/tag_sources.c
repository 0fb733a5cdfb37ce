#include "tag_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES 1024
#define POOLTAG_FILE_MAX (64 << 20) /* pooltag.txt is ~1 MiB */
#define MALFORMED_REPORTED_PER_SOURCE 20 /* the rest are counted, not listed one by one */

static void report_malformed(dp_ctx *c, const char *where, unsigned line, const char *why, const char *text)
{
    char title[LINE_MAX_BYTES + 256];
    snprintf(title, sizeof title, "%s:%u: malformed pool tag line skipped (%s): %.80s", where, line, why, text);
    dp_log(c, DP_LOG_WARN, "%s", title);
    struct dp_field ev[] = {DP_STR("file", where), DP_U64("line", line), DP_STR("reason", why)};
    struct dp_finding fd = {.code = "pool.tag.file.malformed", .severity = DP_SEV_WARNING, .confidence = 100,
                            .title = title, .evidence = ev, .n_evidence = 3};
    dp_add_finding(c, &fd);
}

/* One line of a source; returns DP_ERR_NOMEM only when the table cannot grow. */
static int take_line(dp_ctx *c, struct tag_db *db, const char *where, unsigned lineno, const char *line,
                     enum tag_source src, unsigned *n_bad)
{
    struct tag_entry e;
    const char *why = NULL;
    switch (tag_parse_line(line, src, &e, &why)) {
    case TAG_LINE_ENTRY:
        if (tag_db_add(db, &e) != 0) {
            dp_set_error(c, "%s:%u: tag table full or out of memory", where, lineno);
            return DP_ERR_NOMEM;
        }
        break;
    case TAG_LINE_MALFORMED:
        if ((*n_bad)++ < MALFORMED_REPORTED_PER_SOURCE) report_malformed(c, where, lineno, why, line);
        break;
    case TAG_LINE_SKIP: break;
    }
    return DP_OK;
}

static void strip_eol(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

/* A pool tag file is a side file: a FIFO would block, /dev/zero would never end. Regular files
 * up to POOLTAG_FILE_MAX only; NULL with WHY set otherwise. */
static FILE *open_regular(const char *path, char *why, size_t len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return snprintf(why, len, "%s", strerror(errno)), NULL;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0) snprintf(why, len, "%s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(why, len, "%s, not a regular file",
                 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" : "a device or special file");
    else if (st.st_size > POOLTAG_FILE_MAX)
        snprintf(why, len, "%lld bytes, more than the %d allowed", (long long)st.st_size, POOLTAG_FILE_MAX);
    else if (fcntl(fd, F_SETFL, 0) != 0 || !(f = fdopen(fd, "r"))) snprintf(why, len, "%s", strerror(errno));
    if (!f) close(fd);
    return f;
}

static int load_file(dp_ctx *c, struct tag_db *db, const char *path)
{
    char line[LINE_MAX_BYTES], why[128];
    unsigned lineno = 0, n_bad = 0;
    int rc = DP_OK;
    FILE *f = open_regular(path, why, sizeof why);
    if (!f) {
        char title[512];
        snprintf(title, sizeof title, "%s: cannot read pool tag file (%s)", path, why);
        struct dp_finding fd = {.code = "pool.tag.file.unreadable", .severity = DP_SEV_WARNING, .confidence = 100,
                                .title = title};
        dp_log(c, DP_LOG_WARN, "%s", title);
        dp_add_finding(c, &fd);
        return DP_OK;
    }
    while (rc == DP_OK && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        lineno++;
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n') {}
            if (n_bad++ < MALFORMED_REPORTED_PER_SOURCE) report_malformed(c, path, lineno, "line too long", line);
            continue;
        }
        strip_eol(line);
        rc = take_line(c, db, path, lineno, line, TAG_SRC_FILE, &n_bad);
    }
    fclose(f);
    if (n_bad > MALFORMED_REPORTED_PER_SOURCE)
        dp_log(c, DP_LOG_WARN, "%s: %u malformed lines in all", path, n_bad);
    dp_log(c, DP_LOG_INFO, "%s: %u lines read", path, lineno);
    return rc;
}

int tag_sources_load(dp_ctx *c, struct tag_db *db)
{
    unsigned n_bad = 0;
    int rc = DP_OK;
    for (size_t i = 0; rc == DP_OK && i < dp_opt_list_count(c, "pooltag_files"); i++) {
        const char *path = dp_opt_list_string(c, "pooltag_files", i);
        if (path) rc = load_file(c, db, path);
    }
    for (size_t i = 0; rc == DP_OK && i < dp_opt_list_count(c, "tags"); i++) {
        const char *line = dp_opt_list_string(c, "tags", i);
        if (line) rc = take_line(c, db, "option tags", (unsigned)i + 1, line, TAG_SRC_INLINE, &n_bad);
    }
    return rc;
}
