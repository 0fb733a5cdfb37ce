/* The small dump's copies of the crashing processor's KPRCB and the current process and thread
 * (triage header PrcbOffset, ProcessOffset, ThreadOffset: absolute file offsets, reference 1.9). The
 * header gives no sizes: a block runs to the end of the file at most, capped; callers check every field
 * offset against the length they get. */
#include "dump_internal.h"

#define T_BLOCK_CAP 0x20000u /* the largest of them, a Windows 11 KPRCB, is under 0x10000 */

int dp_dump_triage_block(struct dp_dump *d, enum dp_triage_block which, const uint8_t **data, size_t *len)
{
    static const uint32_t field[] = {[DP_TRIAGE_PRCB] = 0x1c, [DP_TRIAGE_PROCESS] = 0x20, [DP_TRIAGE_THREAD] = 0x24};
    if (!d || !data || !len || (unsigned)which > DP_TRIAGE_THREAD) return DP_ERR_INVALID;
    if (!d->info.dump_type || strcmp(d->info.dump_type, "small") != 0 || !dp_map_has(&d->map, d->header_size + 0x28, 0))
        return DP_ERR_NOT_APPLICABLE;
    uint32_t off = dp_le32(&d->map, d->header_size + field[which]);
    if (!off || !dp_map_has(&d->map, off, 1)) return DP_ERR_NOT_FOUND;
    size_t n = d->map.size - off;
    *data = d->map.base + off;
    *len = n < T_BLOCK_CAP ? n : T_BLOCK_CAP;
    return DP_OK;
}
