/* Small memory dumps (DumpType 4): the triage header after the main header locates a context copy,
 * the kernel stack, the KDBG copy, data blocks and the driver list. Every "...Offset" is an absolute file
 * offset (reference section 1.9). Such a dump has no physical memory, only these pieces of virtual memory. */
#include "dump_internal.h"

#include <stdlib.h>

#define SIG_TRGD 0x44475254u
#define MAX_NAME_CHARS 1024u /* driver base names are short; anything longer is corrupt */

struct triage_layout {
    uint32_t size, top_of_stack, data_page_addr, data_page_off, data_page_size;
    uint32_t debugger_data_off, debugger_data_size, data_blocks_off, data_blocks_count;
    uint32_t block_size, driver_size, drv_base, drv_size, drv_checksum, drv_timestamp;
};
static const struct triage_layout triage32 = {
    .size = 0x68, .top_of_stack = 0x48, .data_page_addr = 0x4c, .data_page_off = 0x50, .data_page_size = 0x54,
    .debugger_data_off = 0x58, .debugger_data_size = 0x5c, .data_blocks_off = 0x60, .data_blocks_count = 0x64,
    .block_size = 12, .driver_size = 0x4c, .drv_base = 0x1c, .drv_size = 0x24, .drv_checksum = 0x44,
    .drv_timestamp = 0x48,
};
static const struct triage_layout triage64 = {
    .size = 0x80, .top_of_stack = 0x48, .data_page_addr = 0x60, .data_page_off = 0x68, .data_page_size = 0x6c,
    .debugger_data_off = 0x70, .debugger_data_size = 0x74, .data_blocks_off = 0x78, .data_blocks_count = 0x7c,
    .block_size = 16, .driver_size = 0x90, .drv_base = 0x38, .drv_size = 0x48, .drv_checksum = 0x80,
    .drv_timestamp = 0x88,
};
/* Fields at the same place in both. */
#define T_SIZE_OF_DUMP 0x04
#define T_VALID_OFFSET 0x08
#define T_CONTEXT_OFFSET 0x0c
#define T_CALL_STACK_OFFSET 0x28
#define T_SIZE_OF_CALL_STACK 0x2c
#define T_DRIVER_LIST_OFFSET 0x30
#define T_DRIVER_COUNT 0x34
#define T_STRING_POOL_OFFSET 0x38
#define T_STRING_POOL_SIZE 0x3c
#define T_PRCB_OFFSET 0x1c
#define KDBG_OFFSET_PRCB_CONTEXT 0x338 /* u16, Windows 7 and later */

struct triage {
    struct dp_dump *d;
    const struct triage_layout *l;
    uint64_t hdr;
    size_t cap;
    char *err;
    size_t errlen;
};

static uint32_t field32(const struct triage *t, uint32_t off) { return dp_le32(&t->d->map, t->hdr + off); }

static int out_of_file(const struct triage *t, const char *what, uint64_t off, uint64_t size)
{
    return dp_dump_fail(t->err, t->errlen, t->d->path, DP_ERR_BAD_DATA,
                        "triage %s (0x%llx bytes at file offset 0x%llx) lies outside the file (size 0x%zx)", what,
                        (unsigned long long)size, (unsigned long long)off, t->d->map.size);
}

/* Records [va, va + size) as backed by the file bytes at off, after checking both ranges. */
static int add_region(struct triage *t, const char *what, uint64_t va, uint64_t off, uint64_t size)
{
    struct dp_dump *d = t->d;
    if (!size) return DP_OK;
    if (!dp_map_has(&d->map, off, size)) return out_of_file(t, what, off, size);
    if (va + size < va)
        return dp_dump_fail(t->err, t->errlen, d->path, DP_ERR_BAD_DATA,
                            "triage %s at 0x%llx (0x%llx bytes) wraps around the address space", what,
                            (unsigned long long)va, (unsigned long long)size);
    if (d->n_vregions == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct dp_vregion *r = realloc(d->vregions, cap * sizeof *r);
        if (!r) return dp_dump_fail(t->err, t->errlen, d->path, DP_ERR_NOMEM, "out of memory");
        d->vregions = r;
        t->cap = cap;
    }
    d->vregions[d->n_vregions++] = (struct dp_vregion){va, size, off};
    return DP_OK;
}

static int add_data_blocks(struct triage *t)
{
    const struct triage_layout *l = t->l;
    uint32_t off = field32(t, l->data_blocks_off), count = field32(t, l->data_blocks_count);
    if (!off || !count) return DP_OK;
    if (!dp_map_has(&t->d->map, off, (uint64_t)count * l->block_size))
        return out_of_file(t, "data block table", off, (uint64_t)count * l->block_size);
    unsigned ptr = t->d->info.ptr_size;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t e = off + (uint64_t)i * l->block_size;
        int rc = add_region(t, "data block", dp_leptr(&t->d->map, e, ptr), dp_le32(&t->d->map, e + ptr),
                            dp_le32(&t->d->map, e + ptr + 4));
        if (rc) return rc;
    }
    return DP_OK;
}

static int add_memory(struct triage *t)
{
    const struct triage_layout *l = t->l;
    struct dp_dump *d = t->d;
    unsigned ptr = d->info.ptr_size;
    /* The stack copy starts at TopOfStack, the stack pointer at the crash, and runs towards older frames
     * (checked on a real dump: its first bytes are KeBugCheckEx's return address and home slots). */
    int rc = add_region(t, "call stack", dp_leptr(&d->map, t->hdr + l->top_of_stack, ptr),
                        field32(t, T_CALL_STACK_OFFSET), field32(t, T_SIZE_OF_CALL_STACK));
    if (!rc && dp_leptr(&d->map, t->hdr + l->data_page_addr, ptr))
        rc = add_region(t, "data page", dp_leptr(&d->map, t->hdr + l->data_page_addr, ptr),
                        field32(t, l->data_page_off), field32(t, l->data_page_size));
    if (!rc && d->info.kd_debugger_data_block && field32(t, l->debugger_data_off))
        rc = add_region(t, "debugger data", d->info.kd_debugger_data_block, field32(t, l->debugger_data_off),
                        field32(t, l->debugger_data_size));
    return rc ? rc : add_data_blocks(t);
}

/* DUMP_STRING: u32 length in UTF-16 characters, then the characters; must lie inside the pool. */
static int driver_name(struct triage *t, uint32_t i, uint64_t name_off, char **out)
{
    uint64_t pool = field32(t, T_STRING_POOL_OFFSET), pool_end = pool + field32(t, T_STRING_POOL_SIZE);
    uint64_t chars = name_off >= pool && name_off + 4 <= pool_end ? dp_le32(&t->d->map, name_off) : 0;
    if (name_off < pool || name_off + 4 > pool_end || chars > MAX_NAME_CHARS || name_off + 4 + chars * 2 > pool_end)
        return dp_dump_fail(t->err, t->errlen, t->d->path, DP_ERR_BAD_DATA,
                            "triage driver %u: name at 0x%llx lies outside the string pool [0x%llx, 0x%llx)", i,
                            (unsigned long long)name_off, (unsigned long long)pool, (unsigned long long)pool_end);
    char *full = dp_utf16_to_utf8(t->d->map.base + name_off + 4, chars);
    if (!full) return dp_dump_fail(t->err, t->errlen, t->d->path, DP_ERR_NOMEM, "out of memory");
    /* The pool holds full paths ("\\SystemRoot\\system32\\ntoskrnl.exe"); modules are known by base name. */
    const char *base = strrchr(full, '\\');
    *out = strdup(base ? base + 1 : full);
    free(full);
    return *out ? DP_OK : dp_dump_fail(t->err, t->errlen, t->d->path, DP_ERR_NOMEM, "out of memory");
}

static int add_drivers(struct triage *t)
{
    const struct triage_layout *l = t->l;
    struct dp_dump *d = t->d;
    uint32_t off = field32(t, T_DRIVER_LIST_OFFSET), count = field32(t, T_DRIVER_COUNT);
    uint32_t pool = field32(t, T_STRING_POOL_OFFSET), pool_size = field32(t, T_STRING_POOL_SIZE);
    if (!off || !count) return DP_OK;
    if (!dp_map_has(&d->map, off, (uint64_t)count * l->driver_size))
        return out_of_file(t, "driver list", off, (uint64_t)count * l->driver_size);
    if (!dp_map_has(&d->map, pool, pool_size)) return out_of_file(t, "string pool", pool, pool_size);
    size_t cap = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t e = off + (uint64_t)i * l->driver_size;
        char *name;
        int rc = driver_name(t, i, dp_le32(&d->map, e), &name);
        if (rc) return rc;
        rc = dp_modules_add(d, &cap, name, dp_leptr(&d->map, e + l->drv_base, d->info.ptr_size),
                            dp_le32(&d->map, e + l->drv_size), dp_le32(&d->map, e + l->drv_timestamp),
                            dp_le32(&d->map, e + l->drv_checksum));
        free(name);
        if (rc) return dp_dump_fail(t->err, t->errlen, d->path, rc, "out of memory");
    }
    return DP_OK;
}

static int by_va(const void *a, const void *b)
{
    uint64_t x = ((const struct dp_vregion *)a)->va, y = ((const struct dp_vregion *)b)->va;
    return x < y ? -1 : x > y;
}

static int index_regions(struct dp_dump *d, char *err, size_t errlen)
{
    if (!d->n_vregions) return DP_OK;
    qsort(d->vregions, d->n_vregions, sizeof *d->vregions, by_va);
    d->vreg_maxend = malloc(d->n_vregions * sizeof *d->vreg_maxend);
    if (!d->vreg_maxend) return dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    uint64_t m = 0;
    for (size_t i = 0; i < d->n_vregions; i++) {
        uint64_t end = d->vregions[i].va + d->vregions[i].size;
        d->vreg_maxend[i] = m = end > m ? end : m;
    }
    return DP_OK;
}

/* The registers the debugger shows for a bug check are the context KeBugCheckEx saved at KPRCB.Context
 * (found through the KDBG copy's OffsetPrcbContext and the PRCB copy); the ContextOffset copy holds the
 * faulting context instead. Returns DP_OK when the PRCB context was found and read. */
static int prcb_context(struct triage *t)
{
    struct dp_dump *d = t->d;
    unsigned ptr = d->info.ptr_size;
    uint64_t kdbg = field32(t, t->l->debugger_data_off), prcb = field32(t, T_PRCB_OFFSET);
    if (!kdbg || !prcb || field32(t, t->l->debugger_data_size) < KDBG_OFFSET_PRCB_CONTEXT + 2 ||
        !dp_map_has(&d->map, kdbg + KDBG_OFFSET_PRCB_CONTEXT, 2))
        return DP_ERR_NOT_FOUND;
    uint16_t off = dp_le16(&d->map, kdbg + KDBG_OFFSET_PRCB_CONTEXT);
    if (!off || !dp_map_has(&d->map, prcb + off, ptr)) return DP_ERR_NOT_FOUND;
    uint64_t va = dp_leptr(&d->map, prcb + off, ptr);
    return va ? dp_win_set_context_at(d, va) : DP_ERR_NOT_FOUND;
}

int dp_win_load_triage(struct dp_dump *d, char *err, size_t errlen)
{
    struct triage t = {.d = d, .l = d->info.ptr_size == 8 ? &triage64 : &triage32, .hdr = d->header_size,
                       .err = err, .errlen = errlen};
    if (!dp_map_has(&d->map, t.hdr, t.l->size))
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA, "truncated triage header at 0x%llx",
                            (unsigned long long)t.hdr);
    uint32_t valid = field32(&t, T_VALID_OFFSET);
    if (!dp_map_has(&d->map, valid, 4) || dp_le32(&d->map, valid) != SIG_TRGD)
        return dp_dump_fail(err, errlen, d->path, DP_ERR_BAD_DATA,
                            "triage ValidOffset 0x%x does not point at a \"TRGD\" mark inside the file", valid);
    uint32_t ctx = field32(&t, T_CONTEXT_OFFSET);
    int rc = ctx ? dp_win_set_context(d, ctx, err, errlen) : DP_OK;
    if (!rc) rc = add_memory(&t);
    if (!rc) rc = add_drivers(&t);
    if (!rc) rc = index_regions(d, err, errlen);
    if (!rc) prcb_context(&t); /* optional: the ContextOffset copy stays when it is absent */
    /* Secondary dump data follows the triage dump proper, at SizeOfDump. */
    if (!rc && dp_win_load_tags(d, field32(&t, T_SIZE_OF_DUMP)))
        rc = dp_dump_fail(err, errlen, d->path, DP_ERR_NOMEM, "out of memory");
    return rc;
}

/* Region holding va, or -1. Regions may overlap (a data block can repeat part of the stack). */
static long find_region(const struct dp_dump *d, uint64_t va)
{
    size_t lo = 0, hi = d->n_vregions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->vregions[mid].va <= va) lo = mid + 1;
        else hi = mid;
    }
    for (size_t j = lo; j-- > 0 && d->vreg_maxend[j] > va;)
        if (va - d->vregions[j].va < d->vregions[j].size) return (long)j;
    return -1;
}

int dp_vregion_read(const struct dp_dump *d, uint64_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len) {
        long i = find_region(d, va);
        if (i < 0) return DP_ERR_FAULT;
        const struct dp_vregion *r = &d->vregions[i];
        uint64_t avail = r->size - (va - r->va);
        size_t n = avail < len ? (size_t)avail : len;
        memcpy(out, d->map.base + r->file_off + (va - r->va), n);
        out += n;
        va += n;
        len -= n;
    }
    return DP_OK;
}
