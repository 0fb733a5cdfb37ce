/* Dump readers: one opened dump, whatever its format. Internal to the host. */
#ifndef DP_HOST_DUMP_H
#define DP_HOST_DUMP_H

#include <dumppipe/dumppipe.h>
#include <stddef.h>
#include <stdint.h>

struct dp_dump;

/* Opens PATH read-only, detecting the format by content. On failure returns a dp_status and writes
 * one line naming the file and what is wrong into err ("crash.dmp: run 3 overlaps run 2"). */
int dp_dump_open(const char *path, struct dp_dump **out, char *err, size_t errlen);
/* Likewise with the format named: NULL or "auto" detects it, "raw" takes the file as a flat physical
 * memory image (page N at file offset N * 4096), whatever it holds. */
int dp_dump_open_format(const char *path, const char *format, struct dp_dump **out, char *err, size_t errlen);
void dp_dump_close(struct dp_dump *d);

const struct dp_dump_info *dp_dump_get_info(const struct dp_dump *d);
int dp_dump_regs(struct dp_dump *d, struct dp_regs *out);

/* Reads fail with DP_ERR_FAULT when any byte lies in a page the dump does not hold: never zeros. */
int dp_dump_read_phys(struct dp_dump *d, uint64_t paddr, void *buf, size_t len);
int dp_dump_read_virt(struct dp_dump *d, uint64_t vaddr, void *buf, size_t len);
int dp_dump_translate(struct dp_dump *d, uint64_t vaddr, uint64_t *paddr);

/* Present physical memory as runs of page frames, ascending and disjoint. */
size_t dp_dump_run_count(struct dp_dump *d);
int dp_dump_run(struct dp_dump *d, size_t index, uint64_t *first_pfn, uint64_t *n_pages);
/* The page's bytes (a pointer into the read-only mapping where possible), NULL when absent. */
const uint8_t *dp_dump_phys_page(struct dp_dump *d, uint64_t pfn);

/* Loaded modules: PsLoadedModuleList, or the triage driver list of a small dump. */
size_t dp_dump_module_count(struct dp_dump *d);
const struct dp_module *dp_dump_module(struct dp_dump *d, size_t index);

/* Small dumps: the triage header's copy of the crashing processor's KPRCB, the current process
 * (EPROCESS) or thread (ETHREAD). *data points into the read-only mapping; *len is what the file holds
 * from there (capped), not the structure's size. DP_ERR_NOT_APPLICABLE for other dump types. */
enum dp_triage_block { DP_TRIAGE_PRCB, DP_TRIAGE_PROCESS, DP_TRIAGE_THREAD };
int dp_dump_triage_block(struct dp_dump *d, enum dp_triage_block which, const uint8_t **data, size_t *len);

/* Secondary dump data blocks (.enumtag), in file order. */
size_t dp_dump_n_tags(struct dp_dump *d);
int dp_dump_tag_at(struct dp_dump *d, size_t index, struct dp_dump_tag *out);

#endif
