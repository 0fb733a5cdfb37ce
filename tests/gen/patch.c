/* Raw overrides applied last, after every builder: writes at a VA or PA, and single-bit flips, so
 * negative scenarios can corrupt what the builders made valid. */
#include "dpgen.h"

static int one_patch(struct gen *g, node_t *p)
{
    static const char *const keys[] = {"va", "pa", "flip_bit", "bytes", "dwords", "qwords", "words", "ptrs",
                                       "ascii", "utf16", NULL};
    node_t *va_n = sc_get(g->sc, p, "va"), *pa_n = sc_get(g->sc, p, "pa"), *flip = sc_get(g->sc, p, "flip_bit");
    uint64_t at, bit;
    if (ex_check_keys(g, p, keys))
        return -1;
    if (!va_n == !pa_n)
        return fail(g, p, "a patch needs exactly one of va or pa");
    if (ex_u64(g, va_n ? va_n : pa_n, &at))
        return -1;
    if (flip) {
        uint8_t byte;
        if (ex_u64(g, flip, &bit))
            return -1;
        if (bit > 7)
            return fail(g, flip, "flip_bit: 0..7 (bit of the byte at the address)");
        if ((va_n ? vm_read(g, at, &byte, 1) : pm_read(g, at, &byte, 1)) != 0)
            return -1;
        byte ^= (uint8_t)(1u << bit);
        return va_n ? vm_write(g, at, &byte, 1) : pm_write(g, at, &byte, 1);
    }
    struct bytes b = {0};
    int rc = ex_data(g, p, va_n ? at : 0, &b, NULL);
    if (rc == 0)
        rc = va_n ? vm_write(g, at, b.p, b.n) : pm_write(g, at, b.p, b.n);
    bytes_free(&b);
    return rc;
}

int patches_apply(struct gen *g, node_t *list)
{
    if (list && !sc_is_seq(list))
        return fail(g, list, "patches: expected a list");
    for (size_t i = 0; i < sc_len(list); i++)
        if (one_patch(g, sc_at(g->sc, list, i)) != 0)
            return -1;
    return 0;
}
