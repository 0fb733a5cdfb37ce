/* Shared by the fuzz targets: how an input reaches code that wants a file, and the dump workout. */
#ifndef DP_FUZZ_COMMON_H
#define DP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

struct dp_dump;

/* libFuzzer's entry point; replay_main.c calls it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An anonymous in-memory file holding DATA, so readers that take a path (and map it) see the input
 * exactly. Returns the descriptor (close it) and writes "/proc/self/fd/N" into PATH; -1 on failure. */
int fz_memfd(const uint8_t *data, size_t size, char *path, size_t pathlen);

/* Everything a plugin could ask of an opened dump: info, registers, runs, pages, translations,
 * virtual reads at the addresses the header names, the module list and each module's PE headers. */
void fz_exercise_dump(struct dp_dump *d);
/* Opens DATA as a dump file (through a memfd) and, when it opens, exercises it. */
void fz_open_and_exercise(const uint8_t *data, size_t size);

#endif
