/* Local symbol stores and caches: FILE/KEY/FILE, the compressed FILE_ (CAB), file.ptr redirections,
 * two-tier stores (index2.txt: the first two characters of the file name as an extra level) and flat
 * directories (DIR/FILE, DIR/EXT/FILE, DIR/symbols/EXT/FILE). Facts: learn.microsoft.com "Symbol
 * Storage Format" and "symbol-store-folder-tree"; the reference notes §A1.
 *
 * Every path is built from a configured directory and sanitised components (sp_name_ok), so nothing
 * is read or written outside the stores named on the symbol path. Writes into a cache are atomic: a
 * temporary file in the destination directory, then rename. */
#include "sp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sp_path(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, len, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

int sp_name_ok(const char *s, int is_key)
{
    size_t n = strlen(s);
    if (!n || n > SP_MAX_NAME || strstr(s, "..") || strcmp(s, ".") == 0) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\') return 0;
        if (is_key && !((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                        *p == '-' || *p == '_' || *p == '.'))
            return 0;
    }
    return 1;
}

int sp_mkdirs(const char *dir, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    if (sp_path(buf, sizeof buf, "%s", dir) < 0) return snprintf(err, errlen, "%s: path too long", dir), DP_ERR_IO;
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/') continue;
        char c = *p;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return snprintf(err, errlen, "%s: %s", buf, strerror(errno)), DP_ERR_IO;
        *p = c;
        if (!c) break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return snprintf(err, errlen, "%s: not a directory", dir), DP_ERR_IO;
    return DP_OK;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void sp_rm_tree(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

int sp_tmpdir(struct dp_sympath *sp, char *err, size_t errlen)
{
    if (sp->tmpdir) return DP_OK;
    const char *base = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    sp_path(tmpl, sizeof tmpl, "%s/dumppipe-sym-XXXXXX", base && base[0] == '/' ? base : "/tmp");
    if (!mkdtemp(tmpl)) return snprintf(err, errlen, "%s: %s", tmpl, strerror(errno)), DP_ERR_IO;
    if (!(sp->tmpdir = strdup(tmpl))) return rmdir(tmpl), snprintf(err, errlen, "out of memory"), DP_ERR_NOMEM;
    return DP_OK;
}

static int is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void sp_why(struct sp_query *q, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    dp_text_printf(&q->why, "%s%s", q->why.len ? "; " : "", buf);
}

static int found(struct sp_query *q, const char *path)
{
    if (sp_path(q->path, q->pathlen, "%s", path) < 0) return sp_why(q, "%s: path too long", path), DP_ERR_IO;
    return DP_OK;
}

int sp_store_key_dir(struct sp_query *q, const char *store, char *out, size_t len)
{
    char err[PATH_MAX + 128];
    if (sp_path(out, len, "%s/%s/%s", store, q->file, q->key) < 0) return sp_why(q, "%s: path too long", store), DP_ERR_IO;
    int rc = sp_mkdirs(out, err, sizeof err);
    if (rc) sp_why(q, "cache %s", err);
    return rc;
}

/* FILE with its last character replaced by '_': ntkrnlmp.pd_ */
static void compressed_name(const char *file, char *out, size_t len)
{
    snprintf(out, len, "%s", file);
    size_t n = strlen(out);
    if (n) out[n - 1] = '_';
}

/* Decompresses the CAB at SRC into DEST_STORE (or the private temporary store) as FILE/KEY/FILE. */
static int expand(struct sp_query *q, const char *src, const char *dest_store)
{
    char err[PATH_MAX + 256], kdir[PATH_MAX], dest[PATH_MAX];
    if (!dest_store) {
        if (sp_tmpdir(q->sp, err, sizeof err) != DP_OK) return sp_why(q, "%s", err), DP_ERR_IO;
        dest_store = q->sp->tmpdir;
    }
    if (sp_store_key_dir(q, dest_store, kdir, sizeof kdir) != DP_OK) return DP_ERR_IO;
    if (sp_path(dest, sizeof dest, "%s/%s", kdir, q->file) >= (int)sizeof dest) return sp_why(q, "path too long"), DP_ERR_IO;
    int rc = sp_cab_extract(src, q->file, dest, q->sp->limits.max_bytes, err, sizeof err);
    if (rc != DP_OK) return sp_why(q, "%s", err), DP_ERR_IO;
    return found(q, dest);
}

/* A file.ptr target must be a plain absolute local path to a regular file. */
static int ptr_target_ok(const char *p)
{
    size_t n = strlen(p);
    if (p[0] != '/' || n >= PATH_MAX || strstr(p, "/../") || (n >= 3 && strcmp(p + n - 3, "/..") == 0)) return 0;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return 0;
    return is_regular(p);
}

static int follow_ptr(struct sp_query *q, const char *ptr_path, const char *dest_store)
{
    char *text = NULL, err[PATH_MAX + 128];
    size_t len;
    if (dp_read_regular(ptr_path, "file.ptr", SP_MAX_PTR, &text, &len, err, sizeof err) != DP_OK)
        return sp_why(q, "%s", err), DP_ERR_IO;
    char *line = text;
    line[strcspn(line, "\r\n")] = 0;
    int rc = DP_ERR_NOT_FOUND;
    if (strncmp(line, "MSG:", 4) == 0) {
        sp_why(q, "%s says: %.200s", ptr_path, line + 4);
    } else {
        const char *target = strncmp(line, "PATH:", 5) == 0 ? line + 5 : line;
        size_t n = strlen(target);
        if (!ptr_target_ok(target)) sp_why(q, "%s: points to '%.200s', not a local file (not followed)", ptr_path, target);
        else if (n && target[n - 1] == '_') rc = expand(q, target, dest_store);
        else rc = found(q, target);
    }
    free(text);
    return rc;
}

/* DIR/[XX/]NAME/KEY/{NAME, NAME_, file.ptr} */
static int keyed(struct sp_query *q, const char *dir, const char *name, const char *dest_store, int two_tier)
{
    char kdir[PATH_MAX], p[PATH_MAX], packed[SP_MAX_NAME + 1];
    int n = two_tier ? sp_path(kdir, sizeof kdir, "%s/%.2s/%s/%s", dir, name, name, q->key)
                     : sp_path(kdir, sizeof kdir, "%s/%s/%s", dir, name, q->key);
    if (n < 0 || (size_t)n >= sizeof kdir - SP_MAX_NAME - 2 || !is_dir(kdir)) return DP_ERR_NOT_FOUND;
    sp_path(p, sizeof p, "%s/%s", kdir, name);
    if (is_regular(p)) return found(q, p);
    compressed_name(name, packed, sizeof packed);
    sp_path(p, sizeof p, "%s/%s", kdir, packed);
    if (is_regular(p)) return expand(q, p, dest_store);
    sp_path(p, sizeof p, "%s/file.ptr", kdir);
    if (is_regular(p)) return follow_ptr(q, p, dest_store);
    return DP_ERR_NOT_FOUND;
}

/* DIR/NAME, DIR/EXT/NAME, DIR/symbols/EXT/NAME */
static int flat(struct sp_query *q, const char *dir, const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *ext = dot && dot[1] ? dot + 1 : NULL;
    char p[PATH_MAX];
    sp_path(p, sizeof p, "%s/%s", dir, name);
    if (is_regular(p)) return found(q, p);
    if (!ext) return DP_ERR_NOT_FOUND;
    sp_path(p, sizeof p, "%s/%s/%s", dir, ext, name);
    if (is_regular(p)) return found(q, p);
    sp_path(p, sizeof p, "%s/symbols/%s/%s", dir, ext, name);
    return is_regular(p) ? found(q, p) : DP_ERR_NOT_FOUND;
}

int sp_store_lookup(struct sp_query *q, const char *dir, const char *dest_store, int flat_too)
{
    char lower[SP_MAX_NAME + 1], p[PATH_MAX];
    snprintf(lower, sizeof lower, "%s", q->file);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    sp_path(p, sizeof p, "%s/index2.txt", dir);
    int two_tier = is_regular(p);
    /* stores keep the case the file was added with; Linux file systems do not fold it */
    const char *names[2] = {q->file, strcmp(lower, q->file) ? lower : NULL};
    for (int i = 0; i < 2 && names[i]; i++) {
        int rc = keyed(q, dir, names[i], dest_store, two_tier);
        if (rc == DP_ERR_NOT_FOUND && flat_too) rc = flat(q, dir, names[i]);
        if (rc != DP_ERR_NOT_FOUND) return rc;
    }
    return DP_ERR_NOT_FOUND;
}

/* Copies SRC into STORE/FILE/KEY/FILE through a temporary file and rename. */
int sp_store_put(struct sp_query *q, const char *store, const char *src)
{
    char kdir[PATH_MAX], dest[PATH_MAX], tmp[PATH_MAX], err[PATH_MAX + 128];
    if (sp_store_key_dir(q, store, kdir, sizeof kdir) != DP_OK) return DP_ERR_IO;
    sp_path(dest, sizeof dest, "%s/%s", kdir, q->file);
    if (strcmp(dest, src) == 0 || is_regular(dest)) return DP_OK;
    uint64_t size;
    int in = dp_open_regular(src, "symbol file", q->sp->limits.max_bytes, &size, err, sizeof err);
    if (in < 0) return sp_why(q, "%s", err), DP_ERR_IO;
    sp_path(tmp, sizeof tmp, "%s/.dp-XXXXXX", kdir);
    int out = mkstemp(tmp), rc = out >= 0 ? DP_OK : DP_ERR_IO;
    char buf[65536];
    for (ssize_t k; rc == DP_OK && (k = read(in, buf, sizeof buf)) != 0;) {
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 || write(out, buf, (size_t)k) != k) rc = DP_ERR_IO;
    }
    close(in);
    if (out >= 0 && (close(out) != 0 || rc != DP_OK || rename(tmp, dest) != 0)) rc = DP_ERR_IO, unlink(tmp);
    if (rc) sp_why(q, "cannot copy into the cache %s: %s", store, strerror(errno));
    return rc;
}
