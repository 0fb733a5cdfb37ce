/* The tests a value from the stack must pass before the walker follows it. */
#include "sw_walk.h"

int sw_call_ends_at(const struct sw_env *e, const uint8_t *code, size_t n, uint64_t ret)
{
    /* Try every length: the decoder sees exactly the L bytes below RET, so a hit is a call
     * instruction that starts at RET - L and ends at RET. */
    for (size_t len = 2; len <= n && len <= SW_CALL_WINDOW; len++) {
        struct dp_insn insn;
        if (e->decode(e->user, code + n - len, len, ret - len, &insn) != DP_OK) continue;
        if ((insn.flags & DP_INSN_CALL) && insn.size == len) return 1;
    }
    return 0;
}

/* The bytes just below VA: the whole window, or failing that what lies in VA's own page (the page
 * before may be absent from the dump when the one holding VA is present). Returns how many. */
static size_t code_before(const struct sw_env *e, uint64_t va, uint8_t *buf)
{
    if (va >= SW_CALL_WINDOW && e->read(e->user, va - SW_CALL_WINDOW, buf, SW_CALL_WINDOW) == DP_OK)
        return SW_CALL_WINDOW;
    uint64_t in_page = va & 0xfff;
    if (in_page < 2 || in_page >= SW_CALL_WINDOW) return 0;
    return e->read(e->user, va - in_page, buf, (size_t)in_page) == DP_OK ? (size_t)in_page : 0;
}

enum sw_ret sw_check_return(const struct sw_env *e, uint64_t value)
{
    int exec = -1;
    uint64_t base = 0;
    if (!value || !e->module_at(e->user, value, &base, &exec) || exec == 0) return SW_RET_NO;
    uint8_t code[SW_CALL_WINDOW];
    size_t n = code_before(e, value, code);
    if (n >= 2) return sw_call_ends_at(e, code, n, value) ? SW_RET_AFTER_CALL : SW_RET_NO;
    /* The module's code is not in the dump: its range is all we know. Rule out what is surely no
     * return address: the headers' page (the image base itself is a common stack value) and page
     * starts (section starts, data pointers; a return address lands there once in 4096). */
    if (value - base < 0x1000 || (value & 0xfff) == 0) return SW_RET_NO;
    return SW_RET_IN_MODULE;
}

int sw_fp_in_stack(uint64_t fp, uint64_t lo, uint64_t hi, unsigned ptr_size)
{
    return ptr_size && fp >= lo && fp < hi && fp % ptr_size == 0 && hi - fp >= 2ull * ptr_size;
}

int sw_fp_link_ok(uint64_t fp, uint64_t next, uint64_t lo, uint64_t hi, unsigned ptr_size)
{
    return next > fp && next - fp <= SW_MAX_FRAME_BYTES && sw_fp_in_stack(next, lo, hi, ptr_size);
}
