/* Module code against reference images, as !chkimg does: each executable section in the dump is
 * compared with the file laid out and relocated for the module's base. The references are the files
 * in reference_dir, else the images the symbol path found for the modules (dp_module_image_file).
 * Dump bytes are read with dp_read_virt alone: an image byte never stands in for memory here. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bf_plugin.h"

#define BF_MAX_SECTIONS 96
#define BF_MAX_MODULES 1024
#define BF_IAT_DIRECTORY 12 /* IMAGE_DIRECTORY_ENTRY_IAT: filled by the loader, differs by design */

struct iat {
    uint64_t start, end;
};

/* reference_dir/name, or its lower-case spelling (symbol stores and Linux file systems differ). */
static int reference_path(const char *dir, const char *name, char *out, size_t len)
{
    struct stat st;
    int n = snprintf(out, len, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= len) return 0;
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 1;
    for (char *p = out + strlen(dir) + 1; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

/* Replaces the IAT bytes of the dump copy by the reference's, so they never count as changes. */
static void mask_iat(uint8_t *dump, const uint8_t *ref, uint64_t va, size_t len, const struct iat *iat)
{
    uint64_t a = va > iat->start ? va : iat->start, b = va + len < iat->end ? va + len : iat->end;
    if (a < b) memcpy(dump + (a - va), ref + (a - va), (size_t)(b - a));
}

static void note_evidence(struct bf_run *r, const struct dp_module *m, struct bf_evidence *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char what[sizeof e[i].what];
        snprintf(what, sizeof what, "%.32s+0x%llx: %.72s", m->name, (unsigned long long)(e[i].addr - m->base), e[i].what);
        memcpy(e[i].what, what, sizeof what);
        bf_add_evidence(r, &e[i]);
    }
}

static void compare_section(dp_ctx *ctx, struct bf_run *r, const struct dp_module *m, const uint8_t *img,
                            size_t img_size, const struct dp_section *s, const struct iat *iat, uint64_t budget)
{
    uint8_t buf[4096];
    uint64_t end = s->va + s->size;
    if (s->va < m->base || end < s->va || end - m->base > img_size) end = m->base + img_size;
    for (uint64_t va = s->va; va >= m->base && va < end && r->code_bytes < budget;) {
        size_t len = 4096 - (size_t)(va & 4095);
        if (len > end - va) len = (size_t)(end - va);
        const uint8_t *ref = img + (va - m->base);
        if (dp_read_virt(ctx, va, buf, len) == DP_OK) { /* a page not in the dump says nothing */
            struct bf_code_stats st = {0};
            struct bf_evidence ev[8];
            mask_iat(buf, ref, va, len, iat);
            size_t n = bf_compare_code(buf, ref, len, va, &st, ev, 8);
            note_evidence(r, m, ev, n);
            r->code_bytes += st.bytes_compared;
            r->code_patches += st.patches;
            r->code_hooks += st.hooks;
        }
        va += len;
    }
}

static void compare_module(dp_ctx *ctx, struct bf_run *r, const struct dp_module *m, const char *path, uint64_t budget)
{
    struct dp_section secs[BF_MAX_SECTIONS];
    size_t n = dp_module_sections(ctx, m, secs, BF_MAX_SECTIONS);
    if (n == 0) return; /* headers not in the dump: nothing says where the code is */
    if (n > BF_MAX_SECTIONS) n = BF_MAX_SECTIONS;
    uint8_t *img = NULL;
    size_t img_size = 0;
    if (dp_load_image_file(ctx, path, m->base, &img, &img_size) != DP_OK) {
        dp_log(ctx, DP_LOG_WARN, "%s: not a usable image for %s", path, m->name);
        return;
    }
    struct iat iat = {0, 0};
    uint32_t rva, size;
    if (dp_module_data_directory(ctx, m, BF_IAT_DIRECTORY, &rva, &size) == DP_OK)
        iat = (struct iat){m->base + rva, m->base + rva + size};
    r->modules_compared++;
    for (size_t i = 0; i < n; i++)
        if (secs[i].executable) compare_section(ctx, r, m, img, img_size, &secs[i], &iat, budget);
    dp_free_buffer(ctx, img);
}

int bf_scan_code(dp_ctx *ctx, struct bf_run *r, const char *dir, uint64_t budget)
{
    struct stat st;
    if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        dp_set_error(ctx, "reference_dir %s is not a directory", dir);
        return DP_ERR_INVALID;
    }
    size_t n = dp_module_count(ctx);
    for (size_t i = 0; i < n && i < BF_MAX_MODULES && r->code_bytes < budget; i++) {
        const struct dp_module *m = dp_module_get(ctx, i);
        char path[4096];
        const char *image;
        if (!dir && m && dp_module_image_file(ctx, m, &image) == DP_OK) compare_module(ctx, r, m, image, budget);
        else if (dir && m && m->name && !strchr(m->name, '/') && reference_path(dir, m->name, path, sizeof path))
            compare_module(ctx, r, m, path, budget);
    }
    return DP_OK;
}
