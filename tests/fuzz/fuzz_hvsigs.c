/* The hvdetect signature syntax (sigs.c): the pipeline's `signatures` option is parsed with it, so
 * it reads text from outside too. Patterns accepted are then matched against the input itself. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sigs.h"

static volatile size_t fz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    struct hv_sigtab t = {0};
    char err[256];
    hv_sigtab_parse(&t, text, "fuzz", err, sizeof err);
    for (size_t i = 0; i < t.n && i < 64; i++) {
        fz_sink += (size_t)hv_glob_match(t.v[i].pattern, text);
        fz_sink += strlen(hv_sigtab_display(&t, t.v[i].hv));
    }
    hv_sigtab_free(&t);
    free(text);
    return 0;
}
