/* The PE reader (host/pe.c): the input is an image as mapped in memory at a kernel address (headers,
 * sections, exports, .pdata and unwind data read through a callback), and the same bytes as a file on
 * disk for dp_pe_load_file (section layout, base relocations). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "pe.h"

#define IMAGE_BASE 0xfffff80000000000ull

struct image {
    const uint8_t *data;
    size_t size;
};

/* Bytes past the input read as absent pages, as a module whose tail is not in the dump. */
static int read_image(void *user, uint64_t va, void *buf, size_t len)
{
    const struct image *im = user;
    if (va < IMAGE_BASE || va - IMAGE_BASE > im->size || len > im->size - (va - IMAGE_BASE)) return DP_ERR_FAULT;
    memcpy(buf, im->data + (va - IMAGE_BASE), len);
    return DP_OK;
}

static volatile uint64_t fz_sink;

static void unwind_from(const struct dp_pe *pe, uint64_t ip)
{
    struct dp_regs r = {.arch = DP_ARCH_X64, .ip = ip, .sp = IMAGE_BASE + 0x1000};
    /* a few frames: each may land anywhere, the walk must stay bounded */
    for (int frame = 0; frame < 4 && dp_pe_unwind_frame(pe, &r) == DP_OK; frame++) fz_sink += r.ip + r.sp;
}

static void exercise_mapped(const struct image *im)
{
    struct dp_pe *pe;
    if (dp_pe_open(read_image, (void *)im, IMAGE_BASE, 0, &pe) != DP_OK) return;
    fz_sink += dp_pe_machine(pe) + dp_pe_base(pe) + dp_pe_size(pe);
    struct dp_section sec[DP_PE_MAX_SECTIONS];
    size_t n = dp_pe_sections(pe, sec, DP_PE_MAX_SECTIONS);
    uint32_t rva, size, begin, end, unwind;
    for (unsigned k = 0; k < 18; k++)
        if (dp_pe_data_directory(pe, k, &rva, &size) == DP_OK) fz_sink += rva + size;
    const char *name;
    uint64_t disp;
    for (size_t i = 0; i < n && i < DP_PE_MAX_SECTIONS; i++) {
        uint64_t mid = sec[i].va + sec[i].size / 2;
        if (dp_pe_export_nearest(pe, mid, &name, &disp) == DP_OK) fz_sink += strlen(name) + disp;
        if (dp_pe_runtime_function(pe, (uint32_t)(mid - IMAGE_BASE), &begin, &end, &unwind) == DP_OK)
            fz_sink += begin + end + unwind;
        if (sec[i].executable) unwind_from(pe, mid);
    }
    if (dp_pe_export_nearest(pe, IMAGE_BASE + dp_pe_size(pe) - 1, &name, &disp) == DP_OK) fz_sink += disp;
    dp_pe_close(pe);
}

static void exercise_file(const uint8_t *data, size_t size)
{
    char path[64], err[512];
    int fd = fz_memfd(data, size, path, sizeof path);
    if (fd < 0) return;
    uint8_t *image;
    size_t image_size;
    if (dp_pe_load_file(path, IMAGE_BASE + 0x10000, &image, &image_size, err, sizeof err) == DP_OK) {
        fz_sink += image_size ? image[image_size - 1] : 0;
        free(image);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image im = {data, size};
    exercise_mapped(&im);
    exercise_file(data, size);
    return 0;
}
