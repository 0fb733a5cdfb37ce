/* Volatility 3 Intermediate Symbol Format: a JSON object whose "symbols" map names to
 * {"address": N} (relative to the image base for Windows), and whose "metadata" says which PDB
 * it was made from ("windows": {"pdb": {"GUID", "age", "database"}}). Plain, gzip or xz. */
#include <dumppipe/dumppipe.h>
#include <json-c/json.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "symerr.h"
#include "symfile.h"

#define ISF_MAX_JSON (256ull << 20) /* decompressed; json-c needs several times this in objects */
#define ISF_MAX_DEPTH 64

/* Grows OUT by doubling up to the cap; 0 on out of memory or past the cap. */
static int grow(uint8_t **out, size_t *cap)
{
    size_t n = *cap ? *cap * 2 : 1 << 20;
    if (n > ISF_MAX_JSON + 1) n = ISF_MAX_JSON + 1;
    if (n <= *cap) return 0;
    uint8_t *p = realloc(*out, n);
    if (!p) return 0;
    *out = p, *cap = n;
    return 1;
}

static int gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream z = {0};
    size_t cap = 0;
    *out = NULL;
    if (inflateInit2(&z, 15 + 32) != Z_OK) return DP_ERR_NOMEM;
    z.next_in = (Bytef *)in;
    int rc = Z_OK;
    while (len && rc == Z_OK) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        z.avail_in = chunk;
        len -= chunk;
        do {
            if (z.total_out == cap && !grow(out, &cap)) rc = Z_MEM_ERROR;
            else {
                z.next_out = *out + z.total_out, z.avail_out = (uInt)(cap - z.total_out);
                rc = inflate(&z, Z_NO_FLUSH);
            }
        } while (rc == Z_OK && z.avail_in);
    }
    *out_len = z.total_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END ? DP_OK : rc == Z_MEM_ERROR ? DP_ERR_NOMEM : DP_ERR_BAD_DATA;
}

static int unxz(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    lzma_stream z = LZMA_STREAM_INIT;
    size_t cap = 0;
    *out = NULL;
    if (lzma_stream_decoder(&z, 256u << 20, 0) != LZMA_OK) return DP_ERR_NOMEM;
    z.next_in = in, z.avail_in = len;
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK) {
        if (z.total_out == cap && !grow(out, &cap)) rc = LZMA_MEM_ERROR;
        else {
            z.next_out = *out + z.total_out, z.avail_out = cap - (size_t)z.total_out;
            rc = lzma_code(&z, LZMA_FINISH);
        }
    }
    *out_len = (size_t)z.total_out;
    lzma_end(&z);
    return rc == LZMA_STREAM_END ? DP_OK : rc == LZMA_MEM_ERROR ? DP_ERR_NOMEM : DP_ERR_BAD_DATA;
}

static int decompress(const struct dp_symfile *f, const uint8_t *data, size_t len, uint8_t **out, size_t *out_len,
                      char *err, size_t errlen)
{
    int rc;
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) rc = gunzip(data, len, out, out_len);
    else if (len >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) rc = unxz(data, len, out, out_len);
    else return DP_OK;
    if (rc == DP_OK && *out_len > ISF_MAX_JSON) rc = DP_ERR_NOMEM;
    if (rc != DP_OK) {
        free(*out);
        *out = NULL;
        if (rc == DP_ERR_NOMEM) return dp_symerr(err, errlen, f->path, "ISF decompresses past %llu MiB or out of memory", ISF_MAX_JSON >> 20);
        return dp_symerr(err, errlen, f->path, "corrupt gzip/xz ISF");
    }
    return DP_OK;
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* metadata.windows.pdb: the PDB's GUID (any spelling), age and file name. */
static int read_metadata(struct dp_symfile *f, json_object *root)
{
    json_object *pdb = member(member(member(root, "metadata"), "windows"), "pdb");
    json_object *guid = member(pdb, "GUID"), *age = member(pdb, "age"), *db = member(pdb, "database");
    char g[33];
    if (db && json_object_is_type(db, json_type_string) &&
        !(f->pdb_name = dp_arena_strdup(f->arena, json_object_get_string(db))))
        return DP_ERR_NOMEM;
    if (guid && json_object_is_type(guid, json_type_string) && json_object_is_type(age, json_type_int) &&
        dp_symfile_norm_guid(json_object_get_string(guid), g)) {
        uint64_t a = json_object_get_uint64(age);
        if (a <= UINT32_MAX) snprintf(f->id, sizeof f->id, "%s%X", g, (unsigned)a);
    }
    return DP_OK;
}

static int read_symbols(struct dp_symfile *f, json_object *root, char *err, size_t errlen)
{
    json_object *syms = member(root, "symbols");
    if (!syms || !json_object_is_type(syms, json_type_object))
        return dp_symerr(err, errlen, f->path, "not a Volatility ISF (no \"symbols\" object)");
    json_object_object_foreach(syms, name, val) {
        json_object *addr = member(val, "address");
        if (!addr || !json_object_is_type(addr, json_type_int)) continue;
        uint64_t a = json_object_get_uint64(addr);
        if (a > UINT32_MAX || !*name) continue; /* absolute (Linux) addresses name no image offset */
        const char *copy = dp_arena_strdup(f->arena, name);
        if (!copy || dp_symidx_add(&f->idx, (uint32_t)a, 0, 0, copy) != DP_OK) return DP_ERR_NOMEM;
    }
    dp_symidx_sort(&f->idx);
    return DP_OK;
}

static int parse_json(struct dp_symfile *f, const char *text, size_t len, char *err, size_t errlen)
{
    if (len > INT32_MAX) return dp_symerr(err, errlen, f->path, "ISF larger than 2 GiB");
    json_tokener *tok = json_tokener_new_ex(ISF_MAX_DEPTH);
    if (!tok) return DP_ERR_NOMEM;
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    int rc;
    if (!root || je != json_tokener_success)
        rc = dp_symerr(err, errlen, f->path, "not valid JSON at byte %zu: %s", json_tokener_get_parse_end(tok),
                     je == json_tokener_continue || je == json_tokener_success ? "truncated" : json_tokener_error_desc(je));
    else if ((rc = read_metadata(f, root)) == DP_OK)
        rc = read_symbols(f, root, err, errlen);
    json_object_put(root);
    json_tokener_free(tok);
    return rc;
}

int dp_isf_load(struct dp_symfile *f, const uint8_t *data, size_t len, char *err, size_t errlen)
{
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    f->kind = "isf";
    int rc = decompress(f, data, len, &plain, &plain_len, err, errlen);
    if (rc != DP_OK) return rc;
    const char *text = plain ? (const char *)plain : (const char *)data;
    size_t n = plain ? plain_len : len;
    size_t i = 0;
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
    if (i == n || text[i] != '{') rc = dp_symerr(err, errlen, f->path, "not a Volatility ISF (no JSON object)");
    else rc = parse_json(f, text, n, err, errlen);
    free(plain);
    return rc;
}
