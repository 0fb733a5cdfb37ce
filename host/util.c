#include "util.h"

#include <ctype.h>
#include <dumppipe/dumppipe.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

struct dp_arena_chunk {
    struct dp_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

struct dp_arena {
    struct dp_arena_chunk *head;
};

enum { DP_ARENA_CHUNK = 64 * 1024 };

struct dp_arena *dp_arena_new(void) { return calloc(1, sizeof(struct dp_arena)); }

void dp_arena_free(struct dp_arena *a)
{
    if (!a) return;
    for (struct dp_arena_chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

void *dp_arena_alloc(struct dp_arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size) return NULL;
    struct dp_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > DP_ARENA_CHUNK ? need : DP_ARENA_CHUNK;
        if (cap > SIZE_MAX - sizeof *c) return NULL;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        /* a big one-off allocation goes behind the current chunk so its free space stays usable */
        if (a->head && need > DP_ARENA_CHUNK) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, size);
    return p;
}

void *dp_arena_memdup(struct dp_arena *a, const void *p, size_t n)
{
    void *q = dp_arena_alloc(a, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *dp_arena_strdup(struct dp_arena *a, const char *s)
{
    return s ? dp_arena_memdup(a, s, strlen(s) + 1) : NULL;
}

char *dp_arena_vprintf(struct dp_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *s = dp_arena_alloc(a, (size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *dp_arena_printf(struct dp_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = dp_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void dp_vec_init(struct dp_vec *v, size_t elem)
{
    memset(v, 0, sizeof *v);
    v->elem = elem;
}

void *dp_vec_push(struct dp_vec *v)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        if (cap > SIZE_MAX / v->elem) return NULL;
        void *d = realloc(v->data, cap * v->elem);
        if (!d) return NULL;
        v->data = d;
        v->cap = cap;
    }
    void *p = (char *)v->data + v->len++ * v->elem;
    memset(p, 0, v->elem);
    return p;
}

void *dp_vec_at(const struct dp_vec *v, size_t i) { return i < v->len ? (char *)v->data + i * v->elem : NULL; }

void dp_vec_free(struct dp_vec *v)
{
    free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

int dp_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || isspace((unsigned char)*s)) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

int dp_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s)) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int parse_scaled(const char *s, const char *const *units, const uint64_t *scale, size_t n, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s)) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(end, units[i]) == 0) {
            if (scale[i] && v > UINT64_MAX / scale[i]) return -1;
            *out = v * scale[i];
            return 0;
        }
    }
    return -1;
}

/* The unit is required: is a bare "5" five seconds or five milliseconds, five bytes or megabytes? */
int dp_parse_duration_ms(const char *s, uint64_t *out)
{
    static const char *const units[] = {"s", "ms", "m", "min", "h"};
    static const uint64_t scale[] = {1000, 1, 60000, 60000, 3600000};
    return parse_scaled(s, units, scale, 5, out);
}

int dp_parse_size(const char *s, uint64_t *out)
{
    static const char *const units[] = {"B", "k", "K", "M", "G", "KiB", "MiB", "GiB"};
    static const uint64_t scale[] = {1, 1024, 1024, 1 << 20, 1 << 30, 1024, 1 << 20, 1 << 30};
    return parse_scaled(s, units, scale, 8, out);
}

uint64_t dp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int dp_strcaseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int dp_exe_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0 || (size_t)n >= len - 1) return -1;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash) return -1;
    *slash = 0;
    return 0;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m)  ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int dp_open_regular(const char *path, const char *role, uint64_t max_bytes, uint64_t *size, char *err, size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open the %s: %s", path, role, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s, not a regular file (given as the %s)", path,
                 fstat(fd, &st) == 0 ? file_kind(st.st_mode) : "cannot stat", role);
        close(fd);
        return -1;
    }
    if (max_bytes && (uint64_t)st.st_size > max_bytes) {
        snprintf(err, errlen, "%s: the %s is %llu bytes, more than the %llu allowed", path, role,
                 (unsigned long long)st.st_size, (unsigned long long)max_bytes);
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (size) *size = (uint64_t)st.st_size;
    return fd;
}

int dp_read_regular(const char *path, const char *role, uint64_t max_bytes, char **data, size_t *len, char *err,
                    size_t errlen)
{
    uint64_t size;
    int fd = dp_open_regular(path, role, max_bytes, &size, err, errlen);
    if (fd < 0) return DP_ERR_IO;
    char *buf = size < SIZE_MAX ? malloc((size_t)size + 1) : NULL;
    size_t got = 0;
    while (buf && got < size) { /* never more than fstat said: the file may grow while we read */
        ssize_t k = read(fd, buf + got, (size_t)size - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory reading the %s", path, role);
        return DP_ERR_NOMEM;
    }
    buf[got] = 0;
    *data = buf;
    *len = got;
    return DP_OK;
}

size_t dp_utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || n > avail) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

char *dp_utf8_sanitize(const char *in, size_t n)
{
    if (!in) return NULL;
    if (n == SIZE_MAX) n = strlen(in);
    const unsigned char *s = (const unsigned char *)in;
    size_t len = memchr(s, 0, n) ? strlen(in) : n;
    if (len > (SIZE_MAX - 1) / 3) return NULL;
    char *out = malloc(len * 3 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len;) {
        size_t k = dp_utf8_seq_len(s + i, len - i);
        if (k) memcpy(o, s + i, k), o += k, i += k;
        else memcpy(o, "\xef\xbf\xbd", 3), o += 3, i++;
    }
    *o = 0;
    return out;
}

static int needs_quoting(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 1;
    return 0;
}

/* Copies S into OUT[*k..] with control characters (and, inside quotes, the quote) as C escapes. */
static void escape_into(const char *s, int quoted, char *out, size_t len, size_t *k)
{
    for (const unsigned char *p = (const unsigned char *)s; *p && *k + 5 < len; p++) {
        const char *e = *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : *p == '\r' ? "\\r" : quoted && *p == '\'' ? "\\'" : NULL;
        if (e) *k += (size_t)snprintf(out + *k, len - *k, "%s", e);
        else if (*p < 0x20 || *p == 0x7f) *k += (size_t)snprintf(out + *k, len - *k, "\\x%02x", *p);
        else out[(*k)++] = (char)*p;
    }
    out[*k] = 0;
}

const char *dp_quote_path(const char *path, char *buf, size_t len)
{
    if (!needs_quoting(path) || len < 8) return path;
    size_t k = 1;
    buf[0] = '\'';
    escape_into(path, 1, buf, len - 1, &k);
    buf[k++] = '\'';
    buf[k] = 0;
    return buf;
}

void dp_one_line(const char *msg, const char *path, char *out, size_t len)
{
    size_t k = 0, plen = path ? strlen(path) : 0;
    if (!len) return;
    out[0] = 0;
    if (plen && strncmp(msg, path, plen) == 0 && needs_quoting(path)) {
        char q[1024];
        k = (size_t)snprintf(out, len, "%s", dp_quote_path(path, q, sizeof q));
        if (k >= len) k = len - 1;
        msg += plen;
    }
    escape_into(msg, 0, out, len, &k);
}

int dp_sha256_fd(int fd, char hex[65])
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK), md[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = buf && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? 0 : ENOMEM;
    while (!rc) {
        ssize_t k = read(fd, buf, CHUNK);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) rc = errno;
        if (k <= 0) break;
        if (!EVP_DigestUpdate(ctx, buf, (size_t)k)) rc = ENOMEM;
    }
    unsigned n = 0;
    if (!rc && (!EVP_DigestFinal_ex(ctx, md, &n) || n != sizeof md)) rc = ENOMEM;
    for (unsigned i = 0; !rc && i < sizeof md; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
}
