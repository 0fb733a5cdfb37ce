/* Small memory dumps (DumpType 4): the main header, a TRIAGE_DUMP32/64 right after it, then the
 * stack, driver list, string pool, KDBG copy and data blocks it points at by absolute file offset,
 * and "TRGD" at ValidOffset (reference 1.9). */
#include "dpgen.h"

#include <stdlib.h>
#include <string.h>

#define TRIAGE_CONTEXT 0x1u
#define TRIAGE_EXCEPTION 0x2u
#define TRIAGE_STACK 0x20u
#define TRIAGE_DRIVERS 0x40u
#define TRIAGE_DEBUGGER_DATA 0x400u
#define TRIAGE_DATA_BLOCKS 0x800u

struct block { uint64_t va; uint32_t size; };

struct triage {
    struct gen *g;
    struct bytes f;       /* the whole file */
    size_t th;            /* triage header offset */
    struct block *blocks;
    size_t n_blocks;
};

static void th_put(struct triage *t, unsigned off32, unsigned off64, uint64_t v, int wide)
{
    put_le(t->f.p + t->th + (is64(t->g) ? off64 : off32), v, wide && is64(t->g) ? 8 : 4);
}

static int add_stack(struct triage *t, uint64_t max)
{
    struct gen *g = t->g;
    if (!g->sp || !g->stack_hi)
        return 0;
    uint64_t size = g->stack_hi - g->sp < max ? g->stack_hi - g->sp : max;
    bytes_align(&t->f, 8);
    size_t off = t->f.n;
    bytes_zero(&t->f, size);
    if (vm_read(g, g->sp, t->f.p + off, size))
        return -1;
    /* TopOfStack is the stack pointer: the bytes cover [sp, sp + size), as in the real Windows 10 dump */
    th_put(t, 0x28, 0x28, off, 0);
    th_put(t, 0x2C, 0x2C, size, 0);
    th_put(t, 0x48, 0x48, g->sp, 1);
    return 0;
}

/* DUMP_DRIVER_ENTRY32/64: DriverNameOffset, then a copy of the module's KLDR_DATA_TABLE_ENTRY. */
static int add_drivers(struct triage *t)
{
    struct gen *g = t->g;
    unsigned esize = is64(g) ? 0x90 : 0x4C, kldr_off = is64(g) ? 8 : 4;
    bytes_align(&t->f, 8);
    size_t list = t->f.n;
    bytes_zero(&t->f, esize * g->n_mods);
    bytes_align(&t->f, 8);
    size_t pool = t->f.n;
    for (size_t i = 0; i < g->n_mods; i++) {
        struct module *m = &g->mods[i];
        uint8_t *e = t->f.p + list + esize * i;
        if (vm_read(g, m->kldr_va, e + kldr_off, esize - kldr_off))
            return -1;
        put_le(e, t->f.n, 4);
        bytes_put_le(&t->f, strlen(m->name), 4); /* DUMP_STRING length counts characters */
        for (const char *c = m->name; *c; c++)
            bytes_put_le(&t->f, (uint8_t)*c, 2);
        bytes_zero(&t->f, 2);
        bytes_align(&t->f, 8);
    }
    th_put(t, 0x30, 0x30, list, 0);
    th_put(t, 0x34, 0x34, g->n_mods, 0);
    th_put(t, 0x38, 0x38, pool, 0);
    th_put(t, 0x3C, 0x3C, t->f.n - pool, 0);
    return 0;
}

static int add_kdbg(struct triage *t)
{
    struct gen *g = t->g;
    uint8_t size[4];
    if (!g->kdbg_va || vm_read(g, g->kdbg_va + 0x14, size, 4))
        return g->kdbg_va ? -1 : 0;
    bytes_align(&t->f, 8);
    size_t off = t->f.n;
    bytes_zero(&t->f, get_le(size, 4));
    if (vm_read(g, g->kdbg_va, t->f.p + off, get_le(size, 4)))
        return -1;
    th_put(t, 0x58, 0x70, off, 0);
    th_put(t, 0x5C, 0x74, get_le(size, 4), 0);
    return 0;
}

static void want_block(struct triage *t, uint64_t va, uint64_t size)
{
    t->blocks = xrealloc(t->blocks, t->n_blocks + 1, sizeof(*t->blocks));
    t->blocks[t->n_blocks++] = (struct block){va, (uint32_t)size};
}

/* Blocks: the scenario's list, the code page at the instruction pointer, the SMBIOS table mapping. */
static int collect_blocks(struct triage *t, node_t *small)
{
    static const char *const keys[] = {"va", "size", NULL};
    struct gen *g = t->g;
    node_t *list = sc_get(g->sc, small, "data_blocks");
    uint64_t pa;
    for (size_t i = 0; i < sc_len(list); i++) {
        node_t *b = sc_at(g->sc, list, i);
        uint64_t va, size;
        if (ex_check_keys(g, b, keys) || ex_opt_u64(g, b, "va", 0, &va) || ex_opt_u64(g, b, "size", PAGE_SIZE, &size))
            return -1;
        if (!size || size > 0x100000)
            return fail(g, b, "data block size: 1 .. 1 MiB");
        want_block(t, va, size);
    }
    if (g->ip && vm_translate(g, g->ip, &pa) == 0)
        want_block(t, g->ip & ~PAGE_MASK, PAGE_SIZE);
    if (g->smbios_va)
        want_block(t, g->smbios_va, g->smbios_len);
    return 0;
}

static int add_blocks(struct triage *t, node_t *small)
{
    struct gen *g = t->g;
    unsigned esize = is64(g) ? 16 : 12;
    if (collect_blocks(t, small))
        return -1;
    if (!t->n_blocks)
        return 0;
    bytes_align(&t->f, 8);
    size_t arr = t->f.n;
    bytes_zero(&t->f, esize * t->n_blocks);
    for (size_t i = 0; i < t->n_blocks; i++) {
        bytes_align(&t->f, 8);
        size_t off = t->f.n;
        bytes_zero(&t->f, t->blocks[i].size);
        uint8_t *e = t->f.p + arr + esize * i; /* after growing: the buffer may have moved */
        if (vm_read(g, t->blocks[i].va, t->f.p + off, t->blocks[i].size))
            return -1;
        put_le(e, t->blocks[i].va, is64(g) ? 8 : 4);
        put_le(e + (is64(g) ? 8 : 4), off, 4);
        put_le(e + (is64(g) ? 12 : 8), t->blocks[i].size, 4);
    }
    th_put(t, 0x60, 0x78, arr, 0);
    th_put(t, 0x64, 0x7C, t->n_blocks, 0);
    return 0;
}

static int build(struct triage *t, node_t *small)
{
    static const char *const keys[] = {"stack_size", "data_blocks", NULL};
    struct gen *g = t->g;
    uint64_t max_stack;
    if (ex_check_keys(g, small, keys) || ex_opt_u64(g, small, "stack_size", 0x4000, &max_stack))
        return -1;
    bytes_zero(&t->f, hdr_size(g));
    hdr_fill(g, t->f.p, 4);
    t->th = t->f.n;
    bytes_zero(&t->f, is64(g) ? 0x80 : 0x68);
    th_put(t, 0x0C, 0x0C, hdr_context_offset(g), 0);
    th_put(t, 0x10, 0x10, hdr_exception_offset(g), 0);
    if (add_stack(t, max_stack) || add_drivers(t) || add_kdbg(t) || add_blocks(t, small))
        return -1;
    bytes_align(&t->f, 8);
    th_put(t, 0x08, 0x08, t->f.n, 0);
    bytes_put(&t->f, "TRGD", 4);
    th_put(t, 0x04, 0x04, t->f.n, 0);
    if (blobs_write(g, &t->f))
        return -1;
    uint32_t fields = TRIAGE_CONTEXT | TRIAGE_EXCEPTION | TRIAGE_DRIVERS | (g->sp && g->stack_hi ? TRIAGE_STACK : 0) |
                      (g->kdbg_va ? TRIAGE_DEBUGGER_DATA : 0) | (t->n_blocks ? TRIAGE_DATA_BLOCKS : 0);
    hdr_set_minidump_fields(g, t->f.p, fields);
    hdr_set_required_space(g, t->f.p, t->f.n);
    return 0;
}

int write_triage(struct gen *g, FILE *f, node_t *small)
{
    struct triage t = {.g = g};
    int rc = build(&t, small);
    if (rc == 0 && fwrite(t.f.p, t.f.n, 1, f) != 1)
        rc = fail(g, NULL, "write error");
    bytes_free(&t.f);
    free(t.blocks);
    return rc;
}
