/* Reads that fall back to module images from the symbol path. Small dumps hold a few pages of each
 * module at most; x64/ARM64 unwinding (.pdata), `u`/`ub` and header parsing need the rest. The dump
 * stays authoritative: a page it holds is always read from it, the image only fills absent pages.
 * Plugins that judge whether memory was modified (bitflip) read with dp_read_virt, which never
 * sees image bytes; see dp_read_virt_image in the SDK header. Images are laid out on first use. */
#include "ctx_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_dump.h"
#include "dump/dump.h"
#include "pe.h"

#define IMG_PAGE 4096u

struct dp_modimage {
    const char *path; /* arena; NULL: no image */
    int state;        /* 0 not laid out yet, 1 laid out, -1 failed */
    uint8_t *image;
    size_t size;
};

int dp_ctx_set_module_image(struct dp_ctx *c, size_t index, const char *path)
{
    if (index >= c->n_modules) return DP_ERR_INVALID;
    if (!c->modimages && !(c->modimages = calloc(c->n_modules, sizeof *c->modimages))) return DP_ERR_NOMEM;
    struct dp_modimage *mi = &c->modimages[index];
    if (!(mi->path = dp_arena_strdup(c->arena, path))) return DP_ERR_NOMEM;
    return DP_OK;
}

void dp_ctx_release_images(struct dp_ctx *c)
{
    for (size_t i = 0; c->modimages && i < c->n_modules; i++) free(c->modimages[i].image);
    free(c->modimages);
    c->modimages = NULL;
}

static struct dp_modimage *slot_of(struct dp_ctx *c, const struct dp_module *m)
{
    if (!c->modimages || !m || !c->n_modules) return NULL;
    const struct dp_module *first = dp_dump_module(c->dump, 0);
    if (m < first || m >= first + c->n_modules) return NULL;
    struct dp_modimage *mi = &c->modimages[m - first];
    return mi->path ? mi : NULL;
}

static const uint8_t *image_of(struct dp_ctx *c, const struct dp_module *m, size_t *size)
{
    struct dp_modimage *mi = slot_of(c, m);
    if (!mi) return NULL;
    if (mi->state == 0) {
        char err[512];
        mi->state = dp_pe_load_file(mi->path, m->base, &mi->image, &mi->size, err, sizeof err) == DP_OK ? 1 : -1;
        if (mi->state < 0) fprintf(stderr, "dumppipe: warning: %s\n", err);
        if (mi->state > 0 && mi->size > m->size) mi->size = (size_t)m->size;
    }
    *size = mi->size;
    return mi->state > 0 ? mi->image : NULL;
}

int dp_ctx_read_virt_image(dp_ctx *c, uint64_t va, void *buf, size_t len)
{
    int rc = dp_ctx_read_virt(c, va, buf, len);
    if (rc != DP_ERR_FAULT || !c->modimages) return rc;
    uint8_t *out = buf;
    for (size_t done = 0; done < len;) {
        uint64_t at = va + done;
        size_t chunk = IMG_PAGE - (size_t)(at % IMG_PAGE);
        if (chunk > len - done) chunk = len - done;
        rc = dp_dump_read_virt(c->dump, at, out + done, chunk);
        if (rc == DP_ERR_FAULT) {
            const struct dp_module *m = dp_ctx_module_by_addr(c, at);
            size_t size = 0;
            const uint8_t *img = m ? image_of(c, m, &size) : NULL;
            uint64_t off = m ? at - m->base : 0;
            if (!img || off > size || chunk > size - off) return DP_ERR_FAULT;
            memcpy(out + done, img + off, chunk);
        } else if (rc != DP_OK) {
            return rc;
        }
        done += chunk;
    }
    return DP_OK;
}

int dp_ctx_module_image_file(dp_ctx *c, const struct dp_module *m, const char **path)
{
    if (!path) return DP_ERR_INVALID;
    struct dp_modimage *mi = slot_of(c, m);
    if (!mi) return DP_ERR_NOT_FOUND;
    *path = mi->path;
    return DP_OK;
}
