/* The MSF 7.00 container of a PDB: a file of fixed-size blocks holding numbered streams. The
 * file is mapped read-only; a stream whose blocks lie in order is read in place, the others are
 * gathered once into a buffer owned by the container. See docs/symbols.md. */
#ifndef DP_HOST_SYMBOLS_MSF_H
#define DP_HOST_SYMBOLS_MSF_H

#include <stddef.h>
#include <stdint.h>

struct dp_msf;

#define DP_MSF_NIL 0xFFFFFFFFu /* stream size of a nil (deleted) stream */

/* Opens DATA (SIZE bytes, kept by the caller until dp_msf_close). NAME is for messages. Refuses
 * the MSFZ container and the old 2.00 format by name. DP_OK, or DP_ERR_BAD_DATA with err set. */
int dp_msf_open(const uint8_t *data, size_t size, const char *name, struct dp_msf **out, char *err, size_t errlen);
void dp_msf_close(struct dp_msf *m);

uint32_t dp_msf_stream_count(const struct dp_msf *m);
uint32_t dp_msf_block_size(const struct dp_msf *m);
/* The bytes of stream IDX, contiguous, valid until dp_msf_close. DP_ERR_NOT_FOUND for an absent
 * or nil stream (*size 0), DP_ERR_NOMEM. */
int dp_msf_stream(struct dp_msf *m, uint32_t idx, const uint8_t **data, uint32_t *size);

/* What the first bytes of a file say it is: 1 an MSF 7.00 PDB, 2 MSFZ, 3 an old 2.00 PDB, 0 none. */
int dp_msf_sniff(const uint8_t *data, size_t size);

#endif
