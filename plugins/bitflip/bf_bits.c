#include "bf_bits.h"

#include <stdio.h>
#include <string.h>

int bf_single_bit(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    if (x == 0 || (x & (x - 1))) return -1;
    int bit = 0;
    while (!(x & 1)) x >>= 1, bit++;
    return bit;
}

static void evidence(struct bf_evidence *e, const char *kind, uint64_t addr, uint64_t stored, uint64_t corrected,
                     int bit, unsigned conf)
{
    memset(e, 0, sizeof *e);
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    e->addr = addr;
    e->stored = stored;
    e->corrected = corrected;
    e->bit = bit;
    e->confidence = conf;
}

/* ---- pool headers ---- */

void bf_pool_layout_for(unsigned ptr_size, struct bf_pool_layout *out)
{
    /* x86: PreviousSize bits 0-8, BlockSize 16-24, PoolType 25-31; x64: bytes 0, 2 and 3 */
    if (ptr_size == 8)
        *out = (struct bf_pool_layout){.unit = 16, .prev_bit = 0, .size_bit = 16, .type_bit = 24};
    else
        *out = (struct bf_pool_layout){.unit = 8, .prev_bit = 0, .size_bit = 16, .type_bit = 25};
}

int bf_check_repair(const struct bf_pool_layout *l, uint64_t addr, int is_prev_size, uint64_t stored,
                    uint64_t expected, struct bf_evidence *out)
{
    int bit = bf_single_bit(stored, expected);
    if (bit < 0) return 0;
    evidence(out, is_prev_size ? "pool.prev_size" : "pool.block_size", addr, stored, expected, bit, 85);
    snprintf(out->what, sizeof out->what, "%s 0x%llx should be 0x%llx: bit %d of the field, bit %u of the header",
             is_prev_size ? "PreviousSize" : "BlockSize", (unsigned long long)stored, (unsigned long long)expected, bit,
             (unsigned)bit + (is_prev_size ? l->prev_bit : l->size_bit));
    return 1;
}

/* The size the block before b[i] says it has, or -1 when no adjacent block vouches for it. */
static int64_t expected_prev(const struct bf_block *b, size_t i)
{
    if (i > 0 && b[i - 1].addr + b[i - 1].size == b[i].addr) return (int64_t)b[i - 1].size;
    if ((b[i].addr & 4095) == 0) return 0; /* the first header of a page */
    return -1;
}

static int check_prev(const struct bf_pool_layout *l, const struct bf_block *b, size_t i, struct bf_evidence *out)
{
    int64_t want = expected_prev(b, i);
    if (want < 0 || (uint64_t)want == b[i].prev_size) return 0;
    if (b[i].prev_size % l->unit || (uint64_t)want % l->unit) return 0;
    uint64_t stored = b[i].prev_size / l->unit, expected = (uint64_t)want / l->unit;
    if (!bf_check_repair(l, b[i].addr, 1, stored, expected, out)) return 0;
    out->confidence = 80;
    return 1;
}

static int is_printable_tag(uint32_t tag)
{
    for (int i = 0; i < 4; i++) {
        unsigned c = (tag >> (8 * i)) & 0xff;
        if (c < 0x20 || c > 0x7e) return 0;
    }
    return 1;
}

/* Among the other blocks' values (type or tag), the unique one that is a bit away from mine. */
static int unique_neighbour_value(const struct bf_block *b, size_t n, size_t self, int want_tag, uint64_t *found)
{
    uint64_t mine = want_tag ? b[self].tag : b[self].pool_type, candidate = 0;
    unsigned matches = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == self || (!want_tag && !b[j].allocated)) continue;
        uint64_t other = want_tag ? b[j].tag : b[j].pool_type;
        if (other == mine) return 0; /* someone else has it: it is a valid value */
        if (bf_single_bit(mine, other) < 0 || (matches && other == candidate)) continue;
        candidate = other;
        matches++;
    }
    *found = candidate;
    return matches == 1;
}

static int check_type(const struct bf_pool_layout *l, const struct bf_block *b, size_t n, size_t i,
                      struct bf_evidence *out)
{
    uint64_t other;
    if (!b[i].allocated || !unique_neighbour_value(b, n, i, 0, &other)) return 0;
    int bit = bf_single_bit(b[i].pool_type, other);
    evidence(out, "pool.type", b[i].addr, b[i].pool_type, other, bit, 40);
    snprintf(out->what, sizeof out->what, "PoolType %llu is on no other block; %llu is (bit %u of the header)",
             (unsigned long long)b[i].pool_type, (unsigned long long)other, (unsigned)bit + l->type_bit);
    return 1;
}

static int check_tag(const struct bf_block *b, size_t n, size_t i, struct bf_evidence *out)
{
    uint64_t other;
    if (is_printable_tag(b[i].tag) || !unique_neighbour_value(b, n, i, 1, &other)) return 0;
    int bit = bf_single_bit(b[i].tag, other);
    evidence(out, "pool.tag", b[i].addr + 4, b[i].tag, other, bit, 55);
    char t[5] = {0};
    memcpy(t, &(uint32_t){(uint32_t)other}, 4); /* tags are stored first character lowest */
    snprintf(out->what, sizeof out->what, "unprintable tag 0x%08x is one bit from \"%s\" on the same page",
             (unsigned)b[i].tag, t);
    return 1;
}

size_t bf_check_blocks(const struct bf_pool_layout *l, const struct bf_block *b, size_t n, struct bf_evidence *out,
                       size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        if (check_prev(l, b, i, &out[k])) k++;
        if (k < max && check_type(l, b, n, i, &out[k])) k++;
        if (k < max && check_tag(b, n, i, &out[k])) k++;
    }
    return k;
}

/* ---- pointers ---- */

unsigned bf_fix_value(uint64_t stored, unsigned width_bits, int (*ok)(void *ud, uint64_t cand), void *ud,
                      uint64_t *fixed, int *bit)
{
    unsigned found = 0;
    if (width_bits > 64) width_bits = 64;
    for (unsigned k = 0; k < width_bits; k++) {
        uint64_t cand = stored ^ ((uint64_t)1 << k);
        if (!ok(ud, cand)) continue;
        if (!found++) {
            *fixed = cand;
            *bit = (int)k;
        }
    }
    return found;
}

struct link_probe {
    const struct bf_mem *m;
    uint64_t entry;
    unsigned offset; /* 0: a Blink candidate is checked through its Flink; ptr_size: the reverse */
};

/* Does the LIST_ENTRY at cand link back to the entry? */
static int links_back(void *ud, uint64_t cand)
{
    const struct link_probe *p = ud;
    uint64_t v;
    if (cand > UINT64_MAX - p->offset) return 0;
    return p->m->read_ptr(p->m->ud, cand + p->offset, &v) == 0 && v == p->entry;
}

int bf_check_list_entry(const struct bf_mem *m, uint64_t entry, uint64_t flink, uint64_t blink,
                        struct bf_evidence *out)
{
    struct link_probe fwd = {m, entry, m->ptr_size}, back = {m, entry, 0};
    int f_ok = links_back(&fwd, flink), b_ok = links_back(&back, blink);
    if (f_ok == b_ok) return 0; /* consistent, or not a list entry at all */
    struct link_probe *p = f_ok ? &back : &fwd;
    uint64_t stored = f_ok ? blink : flink, fixed = 0;
    int bit = -1;
    if (bf_fix_value(stored, m->ptr_size * 8, links_back, p, &fixed, &bit) != 1) return 0;
    evidence(out, f_ok ? "list.blink" : "list.flink", entry + (f_ok ? m->ptr_size : 0), stored, fixed, bit, 90);
    snprintf(out->what, sizeof out->what, "%s of the list entry at 0x%llx links back only with bit %d flipped",
             f_ok ? "Blink" : "Flink", (unsigned long long)entry, bit);
    return 1;
}

/* ---- code ---- */

#define BF_CHANGE_GAP 4 /* differing bytes this close belong to one change (a patched instruction) */

/* Bytes a detour or breakpoint writes first. */
static int looks_like_hook(const uint8_t *p, size_t len)
{
    if (len >= 1 && (p[0] == 0xe9 || p[0] == 0xe8 || p[0] == 0xeb || p[0] == 0xcc)) return 1;
    if (len >= 2 && p[0] == 0xff && (p[1] == 0x25 || p[1] == 0x15)) return 1;
    if (len >= 6 && p[0] == 0x68 && p[5] == 0xc3) return 1;                              /* push imm32; ret */
    if (len >= 2 && (p[0] == 0x48 || p[0] == 0x49) && (p[1] >= 0xb8 && p[1] <= 0xbf)) return 1; /* mov r64, imm64 */
    return 0;
}

size_t bf_compare_code(const uint8_t *dump, const uint8_t *ref, size_t len, uint64_t va, struct bf_code_stats *st,
                       struct bf_evidence *out, size_t max)
{
    size_t k = 0, i = 0;
    st->bytes_compared += len;
    while (i < len) {
        if (dump[i] == ref[i]) {
            i++;
            continue;
        }
        size_t last = i, differing = 1;
        for (size_t j = i + 1; j < len && j <= last + BF_CHANGE_GAP; j++)
            if (dump[j] != ref[j]) last = j, differing++;
        int bit = differing == 1 ? bf_single_bit(dump[i], ref[i]) : -1;
        if (bit >= 0) {
            st->single_bit++;
            if (k < max) {
                evidence(&out[k], "code.byte", va + i, dump[i], ref[i], bit, 90);
                snprintf(out[k].what, sizeof out[k].what, "code byte 0x%02x should be 0x%02x (reference image)",
                         dump[i], ref[i]);
                k++;
            }
        } else {
            st->patches++;
            if (looks_like_hook(dump + i, len - i)) st->hooks++;
        }
        i = last + 1;
    }
    return k;
}

/* ---- verdict ---- */

/* Loose values that become a module address with one bit flipped are not independent of each other:
 * a few KiB of data near a module's range yield such chance candidates in clumps (the seed's block
 * holds two). Only the strongest of them counts; headers, list links, bug check parameters and code
 * each count on their own. */
unsigned bf_combine(const struct bf_evidence *e, size_t n)
{
    double none = 1.0;
    unsigned loose = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = e[i].confidence > 100 ? 100 : e[i].confidence;
        if (strcmp(e[i].kind, "pointer") == 0) loose = c > loose ? c : loose;
        else none *= 1.0 - c / 100.0;
    }
    none *= 1.0 - loose / 100.0;
    unsigned c = (unsigned)(100.0 * (1.0 - none) + 0.5);
    return c > 99 ? 99 : c;
}
