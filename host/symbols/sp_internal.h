/* What the store side's parts share: the parsed path (sympath.c), local stores and caches (store.c),
 * servers (http.c) and CAB files (cab.c). Not for the symbol readers: they use sympath.h. */
#ifndef DP_HOST_SP_INTERNAL_H
#define DP_HOST_SP_INTERNAL_H

#include <dumppipe/dumppipe.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "sympath.h"
#include "util.h"

#define SP_MAX_NAME 255   /* a file name or key component */
#define SP_MAX_PTR 4096   /* a file.ptr is one short line */
#define SP_MAX_CACHES 8   /* srv*C1*C2*...*TARGET */

enum sp_kind { SP_FILE, SP_DIR, SP_SERVER };

struct sp_entry {
    enum sp_kind kind;
    char *target; /* file, directory, or http(s) URL */
    char *caches[SP_MAX_CACHES]; /* downstream stores, leftmost first; a server's first one takes downloads */
    size_t n_caches;
    int is_url;
    int down; /* the server failed to answer: not asked again this run */
    char down_why[256];
};

/* One asked-for FILE/KEY and its answer, so no key is looked up twice in a run. */
struct sp_result {
    char *file, *key;
    int rc;       /* DP_OK, DP_ERR_NOT_FOUND, DP_ERR_IO, DP_ERR_INVALID */
    char *path;   /* DP_OK */
    char *why;    /* otherwise: "FILE/KEY: why", the miss line (NULL only when out of memory) */
    unsigned long epoch; /* dump that last asked */
};

struct sp_http;

struct dp_sympath {
    struct dp_vec entries; /* struct sp_entry */
    struct dp_vec files;   /* char *: FILE entries */
    char *cache;           /* the last cache*DIR: applies to the entries after it */
    struct dp_sympath_limits limits;
    struct dp_vec results; /* struct sp_result */
    struct dp_vec misses;  /* size_t indices into results, asked this epoch and not found */
    unsigned long epoch;
    char *tmpdir; /* decompressed files from stores without a cache; removed with the path */
    struct sp_http *http;
};

/* A search for one FILE/KEY through the entries. */
struct sp_query {
    struct dp_sympath *sp;
    const char *file, *key;
    char *path;
    size_t pathlen;
    struct dp_text why; /* what each entry said, for the miss line */
};

/* store.c */
/* Adds one reason to the query's miss line. */
void sp_why(struct sp_query *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* snprintf for paths: -1 when OUT was too small (nothing built from a cut path is used). */
int sp_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sp_name_ok(const char *s, int is_key);
int sp_mkdirs(const char *dir, char *err, size_t errlen);
/* Looks FILE/KEY up in the local store or flat directory DIR; a compressed hit is decompressed into
 * DEST_STORE (a cache) when given, else into the path's private temporary directory. DP_OK with
 * q->path set, DP_ERR_NOT_FOUND, or another status with q->why told. */
int sp_store_lookup(struct sp_query *q, const char *dir, const char *dest_store, int flat);
/* Copies SRC into STORE as FILE/KEY/FILE, atomically. */
int sp_store_put(struct sp_query *q, const char *store, const char *src);
/* STORE/FILE/KEY (created) into OUT. */
int sp_store_key_dir(struct sp_query *q, const char *store, char *out, size_t len);
int sp_tmpdir(struct dp_sympath *sp, char *err, size_t errlen);
void sp_rm_tree(const char *dir); /* our own temporary directory, recursively */

/* http.c */
void sp_http_free(struct sp_http *h);
/* Downloads URL/FILE/KEY/{FILE,FILE_,file.ptr} into STORE (a cache). DP_OK with q->path set;
 * DP_ERR_NOT_FOUND when the server has none of them; DP_ERR_IO when the server failed (e->down set
 * when it should not be asked again). */
int sp_http_fetch(struct sp_query *q, struct sp_entry *e, const char *store);

/* cab.c */
/* Extracts the one file of the CAB at SRC (or the one named WANT) into DEST, atomically (a temporary
 * file in DEST's directory, then rename). At most MAX_BYTES are written. */
int sp_cab_extract(const char *src, const char *want, const char *dest, unsigned long long max_bytes, char *err,
                   size_t errlen);

#endif
