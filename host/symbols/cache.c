/* The process-wide symbol file cache. Files are keyed by what they are on disk (device, inode,
 * size, mtime), so two paths to one file share one parse, and looked up by GUID+age, so a second
 * dump of the same build does not even ask the symbol path. */
#include "symfile.h"

#include <ctype.h>
#include <dumppipe/dumppipe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msf.h"
#include "pdb.h"
#include "symbols.h"
#include "sympath.h"

#define TEXT_MAX (1ull << 30) /* ISF and .sym files larger than this are refused */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dp_symfile **cache;
static size_t cache_len, cache_cap;

static void symfile_free(struct dp_symfile *f)
{
    if (!f) return;
    dp_pdb_close(f->pdb);
    dp_symidx_free(&f->idx);
    dp_arena_free(f->arena);
    free(f);
}

void dp_symcache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_len; i++) symfile_free(cache[i]);
    free(cache);
    cache = NULL, cache_len = cache_cap = 0;
    pthread_mutex_unlock(&cache_lock);
}

size_t dp_symcache_count(void) { return cache_len; }

static int load_pdb(struct dp_symfile *f, char *err, size_t errlen)
{
    int rc = dp_pdb_open(f->path, &f->pdb, err, errlen);
    if (rc != DP_OK) return rc;
    const struct dp_pdb_info *i = dp_pdb_info(f->pdb);
    f->kind = "pdb";
    memcpy(f->id, i->id, sizeof f->id);
    dp_sympath_pdb_key(i->guid, i->dbi_age, f->id2);
    const char *base = strrchr(f->path, '/');
    f->pdb_name = base ? base + 1 : f->path;
    return DP_OK;
}

static int load_text(struct dp_symfile *f, char *err, size_t errlen)
{
    char *data;
    size_t len;
    int rc = dp_read_regular(f->path, "symbol file", TEXT_MAX, &data, &len, err, errlen);
    if (rc != DP_OK) return rc;
    size_t i = strspn(data, " \t\r\n");
    int json = (i < len && data[i] == '{') || (len >= 2 && (uint8_t)data[0] == 0x1f && (uint8_t)data[1] == 0x8b) ||
               (len >= 6 && memcmp(data, "\xfd" "7zXZ", 5) == 0);
    if (json) rc = dp_isf_load(f, (const uint8_t *)data, len, err, errlen);
    else rc = dp_breakpad_load(f, data, len, err, errlen);
    free(data);
    return rc;
}

static int sniff(const char *path, uint64_t *dev, uint64_t *ino, uint64_t *size, int64_t *mtime, int *is_msf,
                 char *err, size_t errlen)
{
    int fd = dp_open_regular(path, "symbol file", 0, size, err, errlen);
    if (fd < 0) return DP_ERR_IO;
    struct stat st;
    uint8_t head[64] = {0};
    ssize_t got = fstat(fd, &st) == 0 ? pread(fd, head, sizeof head, 0) : -1;
    close(fd);
    if (got < 0) {
        snprintf(err, errlen, "%s: cannot read the file", path);
        return DP_ERR_IO;
    }
    *dev = (uint64_t)st.st_dev, *ino = (uint64_t)st.st_ino;
    /* the modification time to the nanosecond: an unlinked file's inode may come back at once */
    *mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    *is_msf = dp_msf_sniff(head, (size_t)got) != 0;
    return DP_OK;
}

static int remember(struct dp_symfile *f)
{
    if (cache_len == cache_cap) {
        size_t cap = cache_cap ? 2 * cache_cap : 16;
        struct dp_symfile **n = realloc(cache, cap * sizeof *n);
        if (!n) return DP_ERR_NOMEM;
        cache = n, cache_cap = cap;
    }
    cache[cache_len++] = f;
    return DP_OK;
}

static int load_new(const char *path, uint64_t dev, uint64_t ino, uint64_t size, int64_t mtime, int is_msf,
                    const struct dp_symfile **out, char *err, size_t errlen)
{
    struct dp_symfile *f = calloc(1, sizeof *f);
    if (!f || !(f->arena = dp_arena_new()) || !(f->path = dp_arena_strdup(f->arena, path))) {
        symfile_free(f);
        return DP_ERR_NOMEM;
    }
    dp_symidx_init(&f->idx);
    f->dev = dev, f->ino = ino, f->size = size, f->mtime = mtime;
    int rc = is_msf ? load_pdb(f, err, errlen) : load_text(f, err, errlen);
    if (rc == DP_OK) rc = remember(f);
    if (rc != DP_OK) {
        if (rc == DP_ERR_NOMEM) snprintf(err, errlen, "%s: out of memory", path);
        symfile_free(f);
        return rc;
    }
    *out = f;
    return DP_OK;
}

int dp_symcache_load(const char *path, const struct dp_symfile **out, char *err, size_t errlen)
{
    uint64_t dev, ino, size;
    int64_t mtime;
    int is_msf;
    *out = NULL;
    int rc = sniff(path, &dev, &ino, &size, &mtime, &is_msf, err, errlen);
    if (rc != DP_OK) return rc;
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_len && !*out; i++)
        if (cache[i]->dev == dev && cache[i]->ino == ino && cache[i]->size == size && cache[i]->mtime == mtime)
            *out = cache[i];
    if (!*out) rc = load_new(path, dev, ino, size, mtime, is_msf, out, err, errlen);
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

static int id_is(const struct dp_symfile *f, const char *id)
{
    return id && *id && ((f->id[0] && strcasecmp(f->id, id) == 0) || (f->id2[0] && strcasecmp(f->id2, id) == 0));
}

const struct dp_symfile *dp_symcache_by_id(const char *pdb_name, const char *id)
{
    const struct dp_symfile *hit = NULL;
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_len && !hit; i++)
        if (id_is(cache[i], id) && (!pdb_name || !cache[i]->pdb_name || strcasecmp(cache[i]->pdb_name, pdb_name) == 0))
            hit = cache[i];
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

int dp_symfile_matches(const struct dp_symfile *f, const char *module_name, const char *pdb_name, const char *pdb_id)
{
    if (pdb_id && *pdb_id && (f->id[0] || f->id2[0])) return id_is(f, pdb_id);
    char a[256], b[256];
    const char *theirs = f->pdb_name ? f->pdb_name : f->path;
    dp_module_short_name(theirs, a, sizeof a);
    if (pdb_name) {
        dp_module_short_name(pdb_name, b, sizeof b);
        if (strcasecmp(a, b) == 0) return 1;
    }
    if (!module_name) return 0;
    dp_module_short_name(module_name, b, sizeof b);
    return strcasecmp(a, b) == 0;
}

int dp_symfile_lookup(const struct dp_symfile *f, uint32_t rva, const char **name, uint32_t *disp)
{
    return dp_symidx_lookup(f->pdb ? dp_pdb_index(f->pdb) : &f->idx, rva, name, disp);
}

int dp_symfile_norm_guid(const char *in, char out[33])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == '{' || *p == '}') continue;
        if (!isxdigit((unsigned char)*p) || n == 32) return 0;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = 0;
    return n == 32;
}
