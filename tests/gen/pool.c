/* Small-pool pages: blocks laid end to end from the page start, each with a POOL_HEADER in the
 * era's layout (x86: 8-byte header, 8-byte units; x64: 16 and 16), reference 4.1-4.3. */
#include "dpgen.h"

#include <string.h>

#define PROTECTED_POOL 0x80000000u

struct pool_page {
    uint64_t va;
    unsigned gran;     /* block granularity = header size */
    uint64_t off;      /* next block's offset in the page */
    uint64_t prev;     /* previous block's size in bytes */
};

static int tag_value(struct gen *g, node_t *b, uint32_t *out)
{
    const char *tag;
    int prot;
    char t[4] = {' ', ' ', ' ', ' '};
    if (ex_str(g, b, "tag", NULL, &tag) || ex_opt_bool(g, b, "protected", 0, &prot))
        return -1;
    if (!tag || !*tag || strlen(tag) > 4)
        return fail(g, b, "a pool block needs a tag of 1-4 characters");
    memcpy(t, tag, strlen(tag)); /* short tags are space padded */
    *out = (uint32_t)get_le((const uint8_t *)t, 4) | (prot ? PROTECTED_POOL : 0);
    return 0;
}

static void encode_header(const struct pool_page *pp, uint8_t *h, uint64_t prev, uint64_t idx, uint64_t size,
                          uint64_t type, uint32_t tag)
{
    if (pp->gran == 8) {
        put_le(h, (prev / 8) | idx << 9, 2);
        put_le(h + 2, (size / 8) | type << 9, 2);
        put_le(h + 4, tag, 4);
    } else {
        h[0] = (uint8_t)(prev / 16), h[1] = (uint8_t)idx, h[2] = (uint8_t)(size / 16), h[3] = (uint8_t)type;
        put_le(h + 4, tag, 4);
        put_le(h + 8, 0, 8);
    }
}

static int block_contents(struct gen *g, struct pool_page *pp, node_t *list, uint64_t size)
{
    uint64_t block = pp->va + pp->off;
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *item = sc_at(g->sc, list, i);
        struct bytes b = {0};
        uint64_t off;
        int rc = ex_opt_u64(g, item, "offset", pp->gran, &off);
        if (rc == 0)
            rc = ex_data(g, item, block + off, &b, NULL);
        if (rc == 0 && off + b.n > size)
            rc = fail(g, item, "contents run past the block (0x%llx bytes)", (unsigned long long)size);
        if (rc == 0)
            rc = vm_write(g, block + off, b.p, b.n);
        bytes_free(&b);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int add_block(struct gen *g, struct pool_page *pp, node_t *b)
{
    static const char *const keys[] = {"tag", "protected", "size", "free", "paged", "type", "prev_size",
                                       "header_size", "pool_index", "contents", NULL};
    uint64_t size, prev, hsize, type, idx;
    uint32_t tag = 0;
    int is_free, paged;
    unsigned max_units = pp->gran == 8 ? 0x1FF : 0xFF;
    if (ex_check_keys(g, b, keys) || tag_value(g, b, &tag) || ex_opt_u64(g, b, "size", 0, &size) ||
        ex_opt_bool(g, b, "free", 0, &is_free) || ex_opt_bool(g, b, "paged", 0, &paged))
        return -1;
    if (size == 0 || size % pp->gran || size / pp->gran > max_units || pp->off + size > PAGE_SIZE)
        return fail(g, b, "block size 0x%llx: a non-zero multiple of %u that fits the page", (unsigned long long)size,
                    pp->gran);
    /* XP/2003 allocated = (base type + 1) | 4 (nonpaged 5, paged 6); Vista+ nonpaged 2, paged 3; free 0 */
    uint64_t dflt_type = is_free ? 0 : g->build < 6000 ? 5u + (unsigned)paged : 2u + (unsigned)paged;
    if (ex_opt_u64(g, b, "type", dflt_type, &type) || ex_opt_u64(g, b, "prev_size", pp->prev, &prev) ||
        ex_opt_u64(g, b, "header_size", size, &hsize) || ex_opt_u64(g, b, "pool_index", 0, &idx))
        return -1;
    if (prev % pp->gran || prev / pp->gran > max_units || hsize % pp->gran || hsize / pp->gran > max_units ||
        type > (pp->gran == 8 ? 0x7Fu : 0xFFu) || idx > (pp->gran == 8 ? 0x7Fu : 0xFFu))
        return fail(g, b, "prev_size/header_size/type/pool_index do not fit the header fields");
    uint8_t h[16];
    encode_header(pp, h, prev, idx, hsize, type, tag);
    if (vm_write(g, pp->va + pp->off, h, pp->gran) || block_contents(g, pp, sc_get(g->sc, b, "contents"), size))
        return -1;
    pp->off += size;
    pp->prev = size;
    return 0;
}

static int add_page(struct gen *g, node_t *p)
{
    static const char *const keys[] = {"page", "header", "blocks", "partial", NULL};
    const char *layout;
    int partial;
    struct pool_page pp = {0};
    if (ex_check_keys(g, p, keys) || ex_opt_u64(g, p, "page", 0, &pp.va) ||
        ex_str(g, p, "header", is64(g) ? "x64" : "x86", &layout) || ex_opt_bool(g, p, "partial", 0, &partial))
        return -1;
    if (!pp.va || pp.va & PAGE_MASK)
        return fail(g, p, "pool page: a page-aligned VA is needed");
    if (strcmp(layout, "x86") && strcmp(layout, "x64"))
        return fail(g, p, "pool header: x86 or x64");
    pp.gran = !strcmp(layout, "x86") ? 8 : 16;
    node_t *blocks = sc_get(g->sc, p, "blocks");
    if (!sc_len(blocks))
        return fail(g, p, "pool page without blocks");
    if (vm_ensure(g, pp.va, PAGE_SIZE))
        return -1;
    for (size_t i = 0; i < sc_len(blocks); i++)
        if (add_block(g, &pp, sc_at(g->sc, blocks, i)) != 0)
            return -1;
    if (pp.off != PAGE_SIZE && !partial)
        return fail(g, p, "blocks cover 0x%llx bytes, not the whole page (set partial: true to allow)",
                    (unsigned long long)pp.off);
    return 0;
}

int pool_build(struct gen *g, node_t *list)
{
    if (list && !sc_is_seq(list))
        return fail(g, list, "pools: expected a list");
    for (size_t i = 0; i < sc_len(list); i++)
        if (add_page(g, sc_at(g->sc, list, i)) != 0)
            return -1;
    return 0;
}
