/* The loaded-module list: PsLoadedModuleList walked through virtual reads (KLDR_DATA_TABLE_ENTRY,
 * reference section 3.2), plus the module array small dumps fill from their driver list.
 *
 * A list that does not walk cleanly (a cycle, a Blink that does not point back, an entry or name whose
 * page is absent) fails the open: the module list is what every analysis attributes addresses with, and a
 * silently shortened one would blame the wrong driver. A list head that cannot be read at all means the
 * dump does not carry it: empty list. */
#include "dump_internal.h"

#include "../util.h"

#include <stdlib.h>

#define MAX_MODULES 4096u
#define MAX_NAME_BYTES 512u

struct kldr_layout {
    uint32_t entry_size, dll_base, size_of_image, base_dll_name, name_buffer, checksum, timestamp;
};
static const struct kldr_layout kldr32 = {0x48, 0x18, 0x20, 0x2c, 4, 0x40, 0x44};
static const struct kldr_layout kldr64 = {0x88, 0x30, 0x40, 0x58, 8, 0x78, 0x80};

static uint64_t get_ptr(const uint8_t *p, unsigned ptr_size)
{
    uint64_t v = 0;
    memcpy(&v, p, ptr_size); /* little-endian host */
    return v;
}

char *dp_utf16_to_utf8(const uint8_t *src, size_t n_units)
{
    char *out = malloc(n_units * 3 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n_units; i++) {
        uint32_t c = (uint32_t)src[2 * i] | (uint32_t)src[2 * i + 1] << 8;
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < n_units) {
            uint32_t lo = (uint32_t)src[2 * i + 2] | (uint32_t)src[2 * i + 3] << 8;
            if (lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd; /* unpaired surrogate */
        if (c == 0) break;
        if (c < 0x80) *o++ = (char)c;
        else if (c < 0x800) *o++ = (char)(0xc0 | c >> 6), *o++ = (char)(0x80 | (c & 0x3f));
        else if (c < 0x10000)
            *o++ = (char)(0xe0 | c >> 12), *o++ = (char)(0x80 | ((c >> 6) & 0x3f)), *o++ = (char)(0x80 | (c & 0x3f));
        else {
            /* 4 bytes from a surrogate pair, which consumed 2 units: still within 3 bytes per unit */
            *o++ = (char)(0xf0 | c >> 18), *o++ = (char)(0x80 | ((c >> 12) & 0x3f));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3f)), *o++ = (char)(0x80 | (c & 0x3f));
        }
    }
    *o = 0;
    return out;
}

int dp_modules_add(struct dp_dump *d, size_t *cap, const char *name, uint64_t base, uint64_t size,
                   uint32_t timestamp, uint32_t checksum)
{
    if (d->n_modules == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        struct dp_module *m = realloc(d->modules, n * sizeof *m);
        if (!m) return DP_ERR_NOMEM;
        d->modules = m;
        *cap = n;
    }
    /* every reader's module names enter here: whatever bytes the dump held leave as valid UTF-8 */
    char *copy = dp_utf8_sanitize(name, SIZE_MAX);
    if (!copy) return DP_ERR_NOMEM;
    d->modules[d->n_modules++] =
        (struct dp_module){.name = copy, .base = base, .size = size, .timestamp = timestamp, .checksum = checksum};
    return DP_OK;
}

void dp_modules_free(struct dp_dump *d)
{
    for (size_t i = 0; i < d->n_modules; i++) free((char *)d->modules[i].name);
    free(d->modules);
    d->modules = NULL;
    d->n_modules = 0;
}

/* BaseDllName of the entry whose bytes are e[]. */
static int read_name(struct dp_dump *d, const struct kldr_layout *l, uint64_t entry, const uint8_t *e, char **out,
                     char *err, size_t errlen)
{
    uint16_t len;
    memcpy(&len, e + l->base_dll_name, 2);
    uint64_t buffer = get_ptr(e + l->base_dll_name + l->name_buffer, d->info.ptr_size);
    uint8_t raw[MAX_NAME_BYTES];
    if (len > MAX_NAME_BYTES || len % 2)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "loaded module entry at 0x%llx has a name of %u bytes", (unsigned long long)entry, len);
    if (dp_dump_read_virt(d, buffer, raw, len))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "loaded module entry at 0x%llx: name at 0x%llx is not in the dump",
                            (unsigned long long)entry, (unsigned long long)buffer);
    *out = dp_utf16_to_utf8(raw, len / 2u);
    return *out ? DP_OK : dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
}

/* Called when an entry's Blink does not name its predecessor: a revisited entry means a cycle. */
static int broken_link(struct dp_dump *d, const uint64_t *seen, size_t n, uint64_t entry, uint64_t blink,
                       uint64_t prev, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i] == entry)
            return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "loaded module list is cyclic at 0x%llx",
                                (unsigned long long)entry);
    return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                        "loaded module entry at 0x%llx: Blink 0x%llx does not point back to 0x%llx",
                        (unsigned long long)entry, (unsigned long long)blink, (unsigned long long)prev);
}

static int add_entry(struct dp_dump *d, const struct kldr_layout *l, uint64_t entry, const uint8_t *e, size_t *cap,
                     char *err, size_t errlen)
{
    char *name;
    int rc = read_name(d, l, entry, e, &name, err, errlen);
    if (rc) return rc;
    uint32_t size, checksum, timestamp;
    memcpy(&size, e + l->size_of_image, 4);
    memcpy(&checksum, e + l->checksum, 4);
    memcpy(&timestamp, e + l->timestamp, 4);
    rc = dp_modules_add(d, cap, name, get_ptr(e + l->dll_base, d->info.ptr_size), size, timestamp, checksum);
    free(name);
    return rc ? dp_dump_fail(err, errlen, d->path, rc, "out of memory") : DP_OK;
}

static int walk(struct dp_dump *d, const struct kldr_layout *l, uint64_t head, uint64_t *seen, char *err, size_t errlen)
{
    unsigned ptr = d->info.ptr_size;
    uint8_t e[0x88];
    if (dp_dump_read_virt(d, head, e, 2 * ptr)) return DP_OK; /* head not in the dump: no list */
    uint64_t prev = head, cur = get_ptr(e, ptr);
    size_t n = 0, cap = 0;
    while (cur != head) {
        if (n == MAX_MODULES)
            return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                                "loaded module list has more than %u entries", MAX_MODULES);
        if (dp_dump_read_virt(d, cur, e, l->entry_size))
            return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                                "loaded module entry at 0x%llx (after 0x%llx) is not in the dump",
                                (unsigned long long)cur, (unsigned long long)prev);
        uint64_t blink = get_ptr(e + ptr, ptr);
        if (blink != prev) return broken_link(d, seen, n, cur, blink, prev, err, errlen);
        int rc = add_entry(d, l, cur, e, &cap, err, errlen);
        if (rc) return rc;
        seen[n++] = cur;
        prev = cur;
        cur = get_ptr(e, ptr);
    }
    return DP_OK;
}

int dp_modules_walk(struct dp_dump *d, char *err, size_t errlen)
{
    uint64_t head = d->info.ps_loaded_module_list;
    if (!head) return DP_OK;
    uint64_t *seen = malloc(MAX_MODULES * sizeof *seen);
    if (!seen) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    int rc = walk(d, d->info.ptr_size == 8 ? &kldr64 : &kldr32, head, seen, err, errlen);
    free(seen);
    return rc;
}
