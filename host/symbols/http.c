/* Symbol servers over HTTP(S), through libcurl: GET URL/FILE/KEY/FILE, then FILE_ (a CAB), then
 * file.ptr, as symsrv and its open clones do (reference §A1). Bounded: connect and whole-request
 * timeouts, a few retries with backoff on 5xx and network errors (never on 404), a size cap,
 * http/https only (also after redirects), a limited number of redirects. A server that does not
 * answer is marked down and not asked again this run, so a dead server costs one timeout, not one
 * per module. Downloads land in the cache through a temporary file and rename. */
#include "sp_internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sp_http {
    CURL *curl;
};

enum outcome { GOT, ABSENT, RETRY, FAILED, DOWN };

struct sink {
    FILE *f;
    unsigned long long got, cap;
    int capped;
};

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
    struct sink *s = user;
    size_t len = size * n;
    if (s->got + len > s->cap) return s->capped = 1, 0; /* aborts the transfer */
    s->got += len;
    return fwrite(p, 1, len, s->f);
}

void sp_http_free(struct sp_http *h)
{
    if (!h) return;
    curl_easy_cleanup(h->curl);
    free(h);
    curl_global_cleanup();
}

static struct sp_http *http_get(struct dp_sympath *sp)
{
    if (sp->http) return sp->http;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
    struct sp_http *h = calloc(1, sizeof *h);
    if (!h || !(h->curl = curl_easy_init())) {
        free(h);
        curl_global_cleanup();
        return NULL;
    }
    return sp->http = h;
}

static void setup(CURL *c, const struct dp_sympath_limits *l, const char *url, struct sink *s)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)l->max_redirects);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)l->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)l->timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->cap);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dumppipe-symsrv/" DP_VERSION);
}

static enum outcome classify(CURLcode rc, long code, const struct sink *s, char *msg, size_t len)
{
    if (rc == CURLE_OK && code == 200) return GOT;
    if (s->capped || rc == CURLE_FILESIZE_EXCEEDED)
        return sp_path(msg, len, "larger than the %llu-byte limit (DUMPPIPE_SYMBOL_MAX_SIZE)", s->cap), FAILED;
    if (rc == CURLE_HTTP_RETURNED_ERROR || rc == CURLE_OK) {
        sp_path(msg, len, "HTTP %ld", code);
        return code == 404 || code == 410 ? ABSENT : code >= 500 || code == 429 ? RETRY : FAILED;
    }
    sp_path(msg, len, "%s", curl_easy_strerror(rc));
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: case CURLE_SSL_CONNECT_ERROR:
        return DOWN; /* retried; if it persists, the server is treated as down */
    default:
        return FAILED;
    }
}

static void backoff(unsigned attempt)
{
    unsigned ms = 200u << (attempt < 4 ? attempt : 4);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* One GET into TMP (truncated first), with retries. */
static enum outcome get(struct sp_query *q, struct sp_http *h, const char *url, const char *tmp,
                        unsigned long long cap, char *msg, size_t len)
{
    const struct dp_sympath_limits *l = &q->sp->limits;
    enum outcome o = FAILED;
    for (unsigned attempt = 0; attempt <= l->retries; attempt++) {
        if (attempt) backoff(attempt - 1);
        struct sink s = {.f = fopen(tmp, "wb"), .cap = cap};
        if (!s.f) return sp_path(msg, len, "%s: %s", tmp, strerror(errno)), FAILED;
        setup(h->curl, l, url, &s);
        CURLcode rc = curl_easy_perform(h->curl);
        long code = 0;
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
        if (fclose(s.f) != 0 && rc == CURLE_OK) return sp_path(msg, len, "%s: write error", tmp), FAILED;
        o = classify(rc, code, &s, msg, len);
        if (o != RETRY && o != DOWN) return o;
    }
    if (l->retries) {
        size_t k = strlen(msg);
        snprintf(msg + k, len - k, " (%u tries)", l->retries + 1);
    }
    return o == RETRY ? FAILED : DOWN;
}

static int url_for(struct sp_query *q, struct sp_http *h, const char *base, const char *name, char *out, size_t len)
{
    char *f = curl_easy_escape(h->curl, q->file, 0), *k = curl_easy_escape(h->curl, q->key, 0),
         *n = curl_easy_escape(h->curl, name, 0);
    size_t bl = strlen(base);
    int w = f && k && n ? sp_path(out, len, "%.*s/%s/%s/%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base, f, k, n) : -1;
    curl_free(f), curl_free(k), curl_free(n);
    return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* A server's file.ptr names a location on the server's side: it is reported, never followed. */
static void read_ptr(struct sp_query *q, const char *server, const char *tmp)
{
    char *text = NULL, err[256];
    size_t len;
    if (dp_read_regular(tmp, "file.ptr", SP_MAX_PTR, &text, &len, err, sizeof err) != DP_OK) return;
    text[strcspn(text, "\r\n")] = 0;
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    sp_why(q, "%s: file.ptr says '%.200s' (not followed)", server, text);
    free(text);
}

static int fetch(struct sp_query *q, struct sp_entry *e, struct sp_http *h, const char *kdir)
{
    char packed[SP_MAX_NAME + 1], url[4096], tmp[PATH_MAX], dest[PATH_MAX], msg[512], err[PATH_MAX + 256];
    snprintf(packed, sizeof packed, "%s", q->file);
    packed[strlen(packed) - 1] = '_';
    const char *names[3] = {q->file, packed, "file.ptr"};
    sp_path(tmp, sizeof tmp, "%s/.dp-dl-XXXXXX", kdir);
    int fd = mkstemp(tmp);
    if (fd < 0) return sp_why(q, "cache %s: %s", kdir, strerror(errno)), DP_ERR_IO;
    close(fd);
    sp_path(dest, sizeof dest, "%s/%s", kdir, q->file);
    int rc = DP_ERR_NOT_FOUND;
    for (int i = 0; i < 3 && rc == DP_ERR_NOT_FOUND; i++) {
        if (url_for(q, h, e->target, names[i], url, sizeof url) != 0) {
            sp_why(q, "%s: URL too long", e->target), rc = DP_ERR_IO;
            break;
        }
        enum outcome o = get(q, h, url, tmp, i == 2 ? SP_MAX_PTR : q->sp->limits.max_bytes, msg, sizeof msg);
        if (o == ABSENT) continue;
        if (o != GOT) {
            sp_why(q, "%s: %s", url, msg);
            if (o == DOWN) e->down = 1, snprintf(e->down_why, sizeof e->down_why, "did not answer: %.200s", msg);
            rc = DP_ERR_IO;
        } else if (i == 0) {
            rc = rename(tmp, dest) == 0 ? DP_OK : DP_ERR_IO;
        } else if (i == 1) {
            rc = sp_cab_extract(tmp, q->file, dest, q->sp->limits.max_bytes, err, sizeof err);
            if (rc != DP_OK) sp_why(q, "%s: %s", url, err), rc = DP_ERR_IO;
        } else {
            read_ptr(q, e->target, tmp);
        }
    }
    unlink(tmp);
    if (rc == DP_OK && sp_path(q->path, q->pathlen, "%s", dest) < 0) rc = DP_ERR_IO;
    return rc;
}

/* A server that did not answer is remembered in the cache for a while, across runs and across the
 * child processes of one run: a batch of dumps behind a dead server waits for it once, not per dump. */
#define SP_DOWN_SECONDS 300

static void down_marker(const struct sp_entry *e, const char *store, char *out, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the URL */
    for (const char *p = e->target; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    sp_path(out, len, "%s/.dp-down-%016llx", store, (unsigned long long)h);
}

static int known_down(struct sp_entry *e, const char *store)
{
    char marker[PATH_MAX];
    struct stat st;
    down_marker(e, store, marker, sizeof marker);
    if (stat(marker, &st) != 0 || !S_ISREG(st.st_mode) || time(NULL) - st.st_mtime > SP_DOWN_SECONDS) return 0;
    e->down = 1;
    snprintf(e->down_why, sizeof e->down_why, "did not answer an earlier run less than %d s ago", SP_DOWN_SECONDS);
    return 1;
}

static void mark_down(const struct sp_entry *e, const char *store)
{
    char marker[PATH_MAX], tmp[PATH_MAX];
    down_marker(e, store, marker, sizeof marker);
    if (sp_path(tmp, sizeof tmp, "%s/.dp-XXXXXX", store) < 0) return;
    int fd = mkstemp(tmp);
    if (fd < 0) return;
    ssize_t n = write(fd, e->down_why, strlen(e->down_why));
    if (close(fd) != 0 || n < 0 || rename(tmp, marker) != 0) unlink(tmp);
}

int sp_http_fetch(struct sp_query *q, struct sp_entry *e, const char *store)
{
    struct sp_http *h = http_get(q->sp);
    char kdir[PATH_MAX], err[PATH_MAX + 128];
    if (!h) return sp_why(q, "%s: cannot start libcurl", e->target), DP_ERR_IO;
    if (sp_mkdirs(store, err, sizeof err) == DP_OK && known_down(e, store))
        return sp_why(q, "%s: %s", e->target, e->down_why), DP_ERR_IO;
    if (sp_store_key_dir(q, store, kdir, sizeof kdir) != DP_OK) return DP_ERR_IO;
    int rc = fetch(q, e, h, kdir);
    if (e->down) mark_down(e, store);
    if (rc != DP_OK && rmdir(kdir) == 0) { /* empty key directories would only clutter the cache */
        char *slash = strrchr(kdir, '/');
        if (slash) *slash = 0, rmdir(kdir);
    }
    return rc;
}
