/* The symbol path: WinDbg's _NT_SYMBOL_PATH syntax parsed into entries, and the search through them
 * with every answer remembered for the run. Syntax facts: MicrosoftDocs windows-driver-docs
 * (symbol-path.md, microsoft-public-symbols.md) and the .symfix page. */
#include "sp_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SP_MAX_URL 2048

struct dp_sympath *dp_sympath_new(void)
{
    struct dp_sympath *sp = calloc(1, sizeof *sp);
    if (!sp) return NULL;
    dp_vec_init(&sp->entries, sizeof(struct sp_entry));
    dp_vec_init(&sp->files, sizeof(char *));
    dp_vec_init(&sp->results, sizeof(struct sp_result));
    dp_vec_init(&sp->misses, sizeof(size_t));
    sp->limits = (struct dp_sympath_limits){.connect_timeout_ms = 10000, .timeout_ms = 60000, .retries = 2,
                                            .max_bytes = 512ull << 20, .max_redirects = 5};
    return sp;
}

void dp_sympath_free(struct dp_sympath *sp)
{
    if (!sp) return;
    for (size_t i = 0; i < sp->entries.len; i++) {
        struct sp_entry *e = dp_vec_at(&sp->entries, i);
        free(e->target);
        for (size_t k = 0; k < e->n_caches; k++) free(e->caches[k]);
    }
    for (size_t i = 0; i < sp->files.len; i++) free(*(char **)dp_vec_at(&sp->files, i));
    for (size_t i = 0; i < sp->results.len; i++) {
        struct sp_result *r = dp_vec_at(&sp->results, i);
        free(r->file), free(r->key), free(r->path), free(r->why);
    }
    dp_vec_free(&sp->entries);
    dp_vec_free(&sp->files);
    dp_vec_free(&sp->results);
    dp_vec_free(&sp->misses);
    sp_http_free(sp->http);
    if (sp->tmpdir) sp_rm_tree(sp->tmpdir);
    free(sp->tmpdir);
    free(sp->cache);
    free(sp);
}

/* ---- parsing ---- */

struct parse {
    struct dp_sympath *sp;
    const char *origin, *base_dir;
    char *err;
    size_t errlen;
    int failed;
};

static int fail(struct parse *ps, const char *elem, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parse *ps, const char *elem, const char *fmt, ...)
{
    if (ps->failed++) return DP_ERR_INVALID; /* the first error is the one reported */
    int k = snprintf(ps->err, ps->errlen, "%s: symbol path entry '%.200s': ", ps->origin, elem);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < ps->errlen) vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return DP_ERR_INVALID;
}

static int is_url(const char *s) { return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0; }

static int has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

/* A local path as given, made absolute against the base directory; NULL when it cannot be used. */
static char *local_path(struct parse *ps, const char *elem, const char *p)
{
    if (!*p) return fail(ps, elem, "empty path"), NULL;
    if (has_ctl(p)) return fail(ps, elem, "control characters in the path"), NULL;
    if (strstr(p, "://")) return fail(ps, elem, "only http:// and https:// servers are supported"), NULL;
    if ((isalpha((unsigned char)p[0]) && p[1] == ':') || (p[0] == '\\' && p[1] == '\\'))
        return fail(ps, elem, "a Windows path; give a local directory"), NULL;
    char *out = p[0] == '/' || !ps->base_dir ? strdup(p) : NULL;
    if (!out && ps->base_dir && asprintf(&out, "%s/%s", ps->base_dir, p) < 0) out = NULL;
    if (!out) fail(ps, elem, "out of memory");
    else if (strlen(out) >= PATH_MAX - 2 * SP_MAX_NAME - 64) fail(ps, elem, "path too long"), free(out), out = NULL;
    return out;
}

static char *default_cache(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *out = NULL;
    if (xdg && xdg[0] == '/') {
        if (asprintf(&out, "%s/dumppipe/symbols", xdg) < 0) out = NULL;
    } else if (home && home[0] == '/') {
        if (asprintf(&out, "%s/.cache/dumppipe/symbols", home) < 0) out = NULL;
    }
    return out;
}

static struct sp_entry *push_entry(struct parse *ps, const char *elem, enum sp_kind kind)
{
    struct sp_entry *e = dp_vec_push(&ps->sp->entries);
    if (!e) fail(ps, elem, "out of memory");
    else e->kind = kind;
    return e;
}

/* srv*[CACHE*...]TARGET: the parts after "srv*". */
static int parse_server(struct parse *ps, const char *elem, char *rest)
{
    char *parts[SP_MAX_CACHES + 1];
    size_t n = 0;
    for (char *p = rest, *star;; p = star + 1) {
        if (n == SP_MAX_CACHES + 1) return fail(ps, elem, "more than %d caches", SP_MAX_CACHES);
        parts[n++] = p;
        if (!(star = strchr(p, '*'))) break;
        *star = 0;
    }
    const char *target = parts[n - 1];
    if (!*target) return fail(ps, elem, "no server or store after the last '*'");
    struct sp_entry e = {.kind = SP_SERVER, .is_url = is_url(target)};
    if (e.is_url) {
        if (strlen(target) > SP_MAX_URL || has_ctl(target) || strchr(target, ' '))
            return fail(ps, elem, "malformed URL");
        e.target = strdup(target);
    } else {
        e.target = local_path(ps, elem, target);
    }
    for (size_t i = 0; e.target && i + 1 < n; i++) /* "srv**URL": the default downstream store */
        e.caches[e.n_caches++] = !*parts[i] ? (ps->sp->cache ? strdup(ps->sp->cache) : default_cache())
                                            : local_path(ps, elem, parts[i]);
    if (e.target && !e.n_caches && e.is_url)
        e.caches[e.n_caches++] = ps->sp->cache ? strdup(ps->sp->cache) : default_cache();
    int ok = e.target != NULL;
    for (size_t i = 0; i < e.n_caches; i++) ok &= e.caches[i] != NULL;
    struct sp_entry *slot = ok ? push_entry(ps, elem, SP_SERVER) : NULL;
    if (!slot) {
        if (ok) fail(ps, elem, "out of memory");
        else if (!ps->failed) fail(ps, elem, "no cache directory: give srv*CACHE*URL or set HOME");
        free(e.target);
        for (size_t i = 0; i < e.n_caches; i++) free(e.caches[i]);
        return DP_ERR_INVALID;
    }
    *slot = e;
    return DP_OK;
}

static int parse_local(struct parse *ps, const char *elem)
{
    char *path = local_path(ps, elem, elem);
    struct stat st;
    if (!path) return DP_ERR_INVALID;
    if (stat(path, &st) != 0) {
        int e = errno;
        free(path);
        return fail(ps, elem, "%s", strerror(e));
    }
    if (S_ISREG(st.st_mode)) {
        char **slot = dp_vec_push(&ps->sp->files);
        if (slot) return *slot = path, DP_OK;
    } else if (S_ISDIR(st.st_mode)) {
        struct sp_entry *e = push_entry(ps, elem, SP_DIR);
        if (e) return e->target = path, DP_OK;
    } else {
        free(path);
        return fail(ps, elem, "neither a file nor a directory");
    }
    free(path);
    return fail(ps, elem, "out of memory");
}

static int parse_element(struct parse *ps, char *elem)
{
    char copy[SP_MAX_URL + PATH_MAX];
    if (strlen(elem) >= sizeof copy) return fail(ps, "...", "entry too long");
    snprintf(copy, sizeof copy, "%s", elem); /* elem is cut up below; messages quote the original */
    if (strncasecmp(elem, "srv*", 4) == 0) return parse_server(ps, copy, elem + 4);
    if (strncasecmp(elem, "symsrv*", 7) == 0) {
        char *dll = elem + 7, *star = strchr(dll, '*');
        if (!star) return fail(ps, copy, "symsrv* needs a DLL and a target");
        *star = 0;
        if (strcasecmp(dll, "symsrv.dll") != 0) return fail(ps, copy, "unsupported symbol server DLL '%s'", dll);
        return parse_server(ps, copy, star + 1);
    }
    if (strncasecmp(elem, "cache*", 6) == 0) {
        char *dir = elem[6] ? local_path(ps, copy, elem + 6) : default_cache();
        if (!dir) return ps->failed ? DP_ERR_INVALID : fail(ps, copy, "no cache directory: set HOME");
        free(ps->sp->cache);
        ps->sp->cache = dir;
        return DP_OK;
    }
    if (strchr(elem, '*')) return fail(ps, copy, "unknown form (expected srv*, symsrv*, cache* or a path)");
    if (is_url(elem)) return fail(ps, copy, "a URL needs srv* in front (srv*CACHE*URL)");
    return parse_local(ps, copy);
}

static void trim(char **s)
{
    while (**s == ' ' || **s == '\t') ++*s;
    size_t n = strlen(*s);
    while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t' || (*s)[n - 1] == '\r' || (*s)[n - 1] == '\n')) (*s)[--n] = 0;
}

int dp_sympath_add_relative(struct dp_sympath *sp, const char *spec, const char *origin, const char *base_dir,
                            char *err, size_t errlen)
{
    char dummy[8];
    struct parse ps = {sp, origin ? origin : "symbol path", base_dir, err ? err : dummy, err ? errlen : sizeof dummy, 0};
    if (!sp || !spec) return fail(&ps, "", "no symbol path given");
    char *copy = strdup(spec);
    if (!copy) return fail(&ps, "", "out of memory");
    /* Entries before and after a bad one are kept: an environment variable written for Windows
     * (c:\symbols;srv*...) still contributes what works here. */
    for (char *save = NULL, *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        trim(&tok);
        if (*tok) parse_element(&ps, tok);
    }
    free(copy);
    return ps.failed ? DP_ERR_INVALID : DP_OK;
}

int dp_sympath_add(struct dp_sympath *sp, const char *spec, const char *origin, char *err, size_t errlen)
{
    return dp_sympath_add_relative(sp, spec, origin, NULL, err, errlen);
}

size_t dp_sympath_file_count(const struct dp_sympath *sp) { return sp ? sp->files.len : 0; }

const char *dp_sympath_file(const struct dp_sympath *sp, size_t index)
{
    return sp && index < sp->files.len ? *(char **)dp_vec_at(&sp->files, index) : NULL;
}

size_t dp_sympath_search_count(const struct dp_sympath *sp) { return sp ? sp->entries.len : 0; }

/* ---- limits ---- */

void dp_sympath_get_limits(const struct dp_sympath *sp, struct dp_sympath_limits *out) { *out = sp->limits; }

void dp_sympath_set_limits(struct dp_sympath *sp, const struct dp_sympath_limits *l) { sp->limits = *l; }

int dp_sympath_limits_from_env(struct dp_sympath *sp, char *err, size_t errlen)
{
    static const char *const names[] = {"DUMPPIPE_SYMBOL_CONNECT_TIMEOUT", "DUMPPIPE_SYMBOL_TIMEOUT",
                                        "DUMPPIPE_SYMBOL_RETRIES", "DUMPPIPE_SYMBOL_MAX_SIZE"};
    for (int i = 0; i < 4; i++) {
        const char *v = getenv(names[i]);
        uint64_t x = 0;
        if (!v || !*v) continue;
        int bad = i < 2 ? dp_parse_duration_ms(v, &x) || x == 0 || x > 3600000
                : i == 2 ? dp_parse_u64(v, &x) || x > 10
                         : dp_parse_size(v, &x) || x == 0;
        if (bad) {
            snprintf(err, errlen, "$%s: '%.64s' is not a valid %s", names[i], v,
                     i < 2 ? "duration (1ms..1h)" : i == 2 ? "retry count (0..10)" : "size");
            return DP_ERR_INVALID;
        }
        if (i == 0) sp->limits.connect_timeout_ms = (unsigned long)x;
        else if (i == 1) sp->limits.timeout_ms = (unsigned long)x;
        else if (i == 2) sp->limits.retries = (unsigned)x;
        else sp->limits.max_bytes = x;
    }
    return DP_OK;
}

/* ---- keys ---- */

void dp_sympath_image_key(uint32_t timestamp, uint32_t size_of_image, char out[24])
{
    snprintf(out, 24, "%08X%x", timestamp, size_of_image);
}

void dp_sympath_pdb_key(const uint8_t g[16], uint32_t age, char out[48])
{
    uint32_t d1 = (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 | (uint32_t)g[3] << 24;
    snprintf(out, 48, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X", d1, g[4] | g[5] << 8, g[6] | g[7] << 8,
             g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], age);
}

/* ---- relative paths in a pipeline's entries ---- */

static void rebase_part(struct dp_text *t, const char *part, size_t n, const char *base_dir)
{
    int relative = n && part[0] != '/' && !(n >= 7 && (strncasecmp(part, "http://", 7) == 0 || strncasecmp(part, "https://", 8) == 0));
    if (relative) dp_text_printf(t, "%s/", base_dir);
    dp_text_printf(t, "%.*s", (int)n, part);
}

/* Each element: its local paths (a plain path, caches, a srv* store) made absolute against BASE_DIR. */
static void rebase_element(struct dp_text *t, const char *e, size_t n, const char *base_dir)
{
    size_t skip = 0; /* leading keywords stay as written */
    if (n >= 4 && strncasecmp(e, "srv*", 4) == 0) skip = 4;
    else if (n >= 6 && strncasecmp(e, "cache*", 6) == 0) skip = 6;
    else if (n >= 7 && strncasecmp(e, "symsrv*", 7) == 0) {
        const char *star = memchr(e + 7, '*', n - 7);
        skip = star ? (size_t)(star - e) + 1 : n;
    }
    dp_text_printf(t, "%.*s", (int)skip, e);
    for (size_t pos = skip; pos <= n;) {
        const char *star = skip ? memchr(e + pos, '*', n - pos) : NULL;
        size_t len = star ? (size_t)(star - (e + pos)) : n - pos;
        rebase_part(t, e + pos, len, base_dir);
        if (!star) break;
        dp_text_printf(t, "*");
        pos += len + 1;
    }
}

char *dp_sympath_rebase(const char *spec, const char *base_dir)
{
    struct dp_text t;
    dp_text_init(&t);
    for (const char *p = spec;;) {
        size_t n = strcspn(p, ";");
        const char *e = p;
        size_t len = n;
        while (len && (*e == ' ' || *e == '\t')) e++, len--;
        if (len) rebase_element(&t, e, len, base_dir);
        if (!p[n]) break;
        dp_text_printf(&t, ";");
        p += n + 1;
    }
    char *out = t.failed ? NULL : strdup(dp_text_str(&t));
    dp_text_free(&t);
    return out;
}
