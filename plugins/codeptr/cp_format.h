/* Text the way WinDbg prints it (`dps`, `u` with .asm no_code_bytes), and the `ranges` option syntax.
 * Pure functions: no host needed. */
#ifndef CP_FORMAT_H
#define CP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* "b958f532" for 4-byte pointers, "fffff800`01234567" for 8-byte ones. */
void cp_format_ptr(uint64_t v, unsigned ptr_size, char *buf, size_t len);

/* Rewrites capstone's Intel operands in WinDbg's style: "0x2c" -> "2Ch", "[ebp - 0x19]" -> "[ebp-19h]",
 * "eax, ecx" -> "eax,ecx". Output is always terminated (truncated if need be). */
void cp_windbg_operands(const char *in, char *out, size_t len);

/* One `u` line: "b958f532 push    2Ch". */
void cp_format_insn(uint64_t addr, unsigned ptr_size, const char *mnemonic, const char *operands, char *buf,
                    size_t len);

/* Parses "START-END" (END exclusive) or "START+LEN", numbers in hex with or without 0x.
 * DP_OK, or DP_ERR_INVALID for bad text, an empty range or one that wraps. */
int cp_parse_range(const char *text, uint64_t *start, uint64_t *end);

#endif
