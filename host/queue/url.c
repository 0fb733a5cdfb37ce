/* Redis URLs as redis-cli and the client libraries spell them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

static int fail(char *err, size_t errlen, const char *s, const char *why)
{
    snprintf(err, errlen, "%s: %s (expected redis://[:password@]host[:port][/db] or unix:///path)", s, why);
    return -1;
}

/* Copies N bytes of S into OUT, decoding %XX (a password may hold '@' or ':'). */
static int decode(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (ch == '%') {
            if (i + 2 >= n) return -1;
            if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2])) return -1;
            char hex[3] = {s[i + 1], s[i + 2], 0};
            ch = (int)strtol(hex, NULL, 16);
            i += 2;
        }
        if (ch == 0 || o + 1 >= outlen) return -1;
        out[o++] = (char)ch;
    }
    out[o] = 0;
    return 0;
}

static int parse_int(const char *s, size_t n, int lo, int hi, int *out)
{
    if (n == 0 || n > 9) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_unix(const char *s, const char *rest, struct dpq_url *u, char *err, size_t errlen)
{
    const char *q = strchr(rest, '?');
    size_t n = q ? (size_t)(q - rest) : strlen(rest);
    if (n == 0 || rest[0] != '/') return fail(err, errlen, s, "a unix socket needs an absolute path");
    if (decode(rest, n, u->path, sizeof u->path) != 0) return fail(err, errlen, s, "bad or too long socket path");
    if (q) {
        if (strncmp(q + 1, "db=", 3) != 0 || parse_int(q + 4, strlen(q + 4), 0, 1 << 20, &u->db) != 0)
            return fail(err, errlen, s, "the only query is ?db=N");
    }
    return 0;
}

/* [[user]:password@] */
static int parse_auth(const char *a, size_t n, struct dpq_url *u)
{
    const char *colon = memchr(a, ':', n);
    if (!colon) return decode(a, n, u->password, sizeof u->password);
    if (decode(a, (size_t)(colon - a), u->user, sizeof u->user) != 0) return -1;
    return decode(colon + 1, n - (size_t)(colon - a) - 1, u->password, sizeof u->password);
}

static int parse_host(const char *h, size_t n, struct dpq_url *u)
{
    const char *port = NULL;
    if (n && h[0] == '[') { /* [ipv6]:port */
        const char *close = memchr(h, ']', n);
        if (!close) return -1;
        if (decode(h + 1, (size_t)(close - h - 1), u->host, sizeof u->host) != 0) return -1;
        if ((size_t)(close - h) + 1 < n) {
            if (close[1] != ':') return -1;
            port = close + 2;
        }
    } else {
        port = memchr(h, ':', n);
        size_t hn = port ? (size_t)(port - h) : n;
        if (decode(h, hn, u->host, sizeof u->host) != 0) return -1;
        if (port) port++;
    }
    if (!u->host[0]) return -1;
    return port ? parse_int(port, n - (size_t)(port - h), 1, 65535, &u->port) : 0;
}

int dpq_url_parse(const char *s, struct dpq_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    u->port = 6379;
    if (strncmp(s, "unix://", 7) == 0) return parse_unix(s, s + 7, u, err, errlen);
    if (strncmp(s, "redis://", 8) != 0) return fail(err, errlen, s, "unknown scheme");
    const char *rest = s + 8;
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (rest[i] == '@') at = rest + i;
    if (at && parse_auth(rest, (size_t)(at - rest), u) != 0) return fail(err, errlen, s, "bad user or password");
    const char *h = at ? at + 1 : rest;
    if (parse_host(h, n - (size_t)(h - rest), u) != 0) return fail(err, errlen, s, "bad host or port");
    if (slash && slash[1] && parse_int(slash + 1, strlen(slash + 1), 0, 1 << 20, &u->db) != 0)
        return fail(err, errlen, s, "the database must be a number");
    return 0;
}
