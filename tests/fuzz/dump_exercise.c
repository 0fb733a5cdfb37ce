/* The reads every analyzer makes of a dump, bounded so one input stays fast whatever it claims. */
#include <string.h>

#include "dump/dump.h"
#include "fuzz_common.h"

#include <unistd.h>
#include "pe.h"

#define MAX_RUNS_TOUCHED 64
#define MAX_MODULES_TOUCHED 64

/* Results are folded into a volatile sink so the reads cannot be optimised away. */
static volatile uint64_t fz_sink;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) acc += b[i];
    fz_sink += acc;
}

static void read_at(struct dp_dump *d, uint64_t va)
{
    uint8_t buf[256];
    uint64_t pa;
    if (dp_dump_translate(d, va, &pa) == DP_OK) {
        if (dp_dump_read_phys(d, pa, buf, sizeof buf) == DP_OK) touch(buf, sizeof buf);
    }
    if (dp_dump_read_virt(d, va, buf, sizeof buf) == DP_OK) touch(buf, sizeof buf);
    /* straddling a page boundary takes the multi-page path */
    if (dp_dump_read_virt(d, (va | 0xfff) - 7, buf, 16) == DP_OK) touch(buf, 16);
}

static void exercise_runs(struct dp_dump *d)
{
    size_t n = dp_dump_run_count(d);
    for (size_t i = 0; i < n && i < MAX_RUNS_TOUCHED; i++) {
        uint64_t pfn, pages;
        if (dp_dump_run(d, i, &pfn, &pages) != DP_OK) continue;
        const uint8_t *p = dp_dump_phys_page(d, pfn);
        if (p) touch(p, 4096);
        if (pages && (p = dp_dump_phys_page(d, pfn + pages - 1))) touch(p, 64);
        if ((p = dp_dump_phys_page(d, pfn + pages))) touch(p, 64);
    }
    dp_dump_run(d, n, NULL, NULL);
}

static int read_module(void *user, uint64_t va, void *buf, size_t len)
{
    return dp_dump_read_virt(user, va, buf, len);
}

static void exercise_module_pe(struct dp_dump *d, const struct dp_module *m)
{
    struct dp_pe *pe;
    if (dp_pe_open(read_module, d, m->base, m->size, &pe) != DP_OK) return;
    struct dp_section sec[8];
    size_t ns = dp_pe_sections(pe, sec, 8);
    const char *name;
    uint64_t disp;
    for (size_t i = 0; i < ns && i < 8; i++)
        if (dp_pe_export_nearest(pe, sec[i].va + sec[i].size / 2, &name, &disp) == DP_OK) touch(name, strlen(name));
    uint32_t rva, size;
    for (unsigned k = 0; k < 17; k++) dp_pe_data_directory(pe, k, &rva, &size);
    dp_pe_close(pe);
}

static void exercise_modules(struct dp_dump *d)
{
    size_t n = dp_dump_module_count(d);
    for (size_t i = 0; i <= n && i < MAX_MODULES_TOUCHED; i++) {
        const struct dp_module *m = dp_dump_module(d, i);
        if (!m) continue;
        if (m->name) touch(m->name, strlen(m->name));
        exercise_module_pe(d, m);
    }
}

/* Secondary dump data: every block's bytes, as hvdetect reads the SMBIOS one. */
static void exercise_tags(struct dp_dump *d)
{
    size_t n = dp_dump_n_tags(d);
    for (size_t i = 0; i <= n && i < MAX_MODULES_TOUCHED; i++) {
        struct dp_dump_tag t;
        if (dp_dump_tag_at(d, i, &t) != DP_OK) continue;
        touch(t.guid, strlen(t.guid));
        touch(t.data, t.size);
    }
}

void fz_exercise_dump(struct dp_dump *d)
{
    const struct dp_dump_info *info = dp_dump_get_info(d);
    touch(info, sizeof *info);
    if (info->format) touch(info->format, strlen(info->format));
    if (info->dump_type) touch(info->dump_type, strlen(info->dump_type));
    struct dp_regs regs;
    if (dp_dump_regs(d, &regs) == DP_OK) {
        read_at(d, regs.ip);
        read_at(d, regs.sp);
    }
    read_at(d, info->ps_loaded_module_list);
    read_at(d, info->ps_active_process_head);
    read_at(d, info->kd_debugger_data_block);
    read_at(d, info->pfn_database);
    for (int k = 0; k < 4; k++) read_at(d, info->bugcheck_params[k]);
    exercise_runs(d);
    exercise_modules(d);
    exercise_tags(d);
}

void fz_open_and_exercise(const uint8_t *data, size_t size)
{
    char path[64], err[1024];
    int fd = fz_memfd(data, size, path, sizeof path);
    if (fd < 0) return;
    struct dp_dump *d;
    if (dp_dump_open(path, &d, err, sizeof err) == DP_OK) {
        fz_exercise_dump(d);
        dp_dump_close(d);
    }
    close(fd);
}
