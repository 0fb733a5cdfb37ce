/* Dump readers on dumps built by the test: x86, x86-PAE and x64, run-based and bitmap, checked
 * field by field against what was written, through page-table translation and the module walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"
#include "test_dump_builder.h"

struct fixture {
    char *dir;
    char path[256];
    struct tb_image *im;
    struct dp_dump *d;
};

static struct fixture *open_built(const struct tb_spec *s)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = tb_mkdtemp();
    assert_non_null(f->dir);
    snprintf(f->path, sizeof f->path, "%s/built.dmp", f->dir);
    f->im = tb_write(f->path, s);
    char err[512] = "";
    int rc = dp_dump_open(f->path, &f->d, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, DP_OK);
    return f;
}

static void close_built(struct fixture *f)
{
    dp_dump_close(f->d);
    free(f->im);
    tb_rmdir(f->dir);
    free(f);
}

static void check_info(struct fixture *f, const struct tb_spec *s)
{
    const struct dp_dump_info *i = dp_dump_get_info(f->d);
    int x64 = s->arch == TB_X64;
    assert_string_equal(i->format, "windows-crashdump");
    assert_string_equal(i->dump_type, s->bitmap ? "bitmap-kernel" : "complete");
    assert_string_equal(i->path, f->path);
    assert_int_equal(i->arch, x64 ? DP_ARCH_X64 : DP_ARCH_X86);
    assert_int_equal(i->ptr_size, x64 ? 8 : 4);
    assert_int_equal(i->paging, x64 ? DP_PAGING_X86_64 : s->arch == TB_PAE ? DP_PAGING_X86_PAE : DP_PAGING_X86);
    assert_int_equal(i->machine_type, x64 ? 0x8664 : 0x14c);
    assert_true(i->has_bugcheck);
    assert_int_equal(i->bugcheck_code, TB_BUGCHECK);
    assert_int_equal(i->bugcheck_params[1], 0x1001);
    assert_int_equal(i->os_major, 0xf);
    assert_int_equal(i->os_build, TB_BUILD);
    assert_int_equal(i->nr_cpus, x64 ? 2 : 1);
    assert_int_equal(i->directory_table_base, f->im->dtb);
    assert_int_equal(i->ps_loaded_module_list, f->im->module_head);
    assert_int_equal(i->system_time, 0x01d9000000000000ull);
    assert_int_equal(i->phys_pages_present, 32);
}

static void check_runs_and_phys(struct fixture *f)
{
    uint64_t pfn, n;
    assert_int_equal(dp_dump_run_count(f->d), 2);
    assert_int_equal(dp_dump_run(f->d, 0, &pfn, &n), DP_OK);
    assert_int_equal(pfn, 0);
    assert_int_equal(n, 8);
    assert_int_equal(dp_dump_run(f->d, 1, &pfn, &n), DP_OK);
    assert_int_equal(pfn, 16);
    assert_int_equal(n, 24);
    assert_int_equal(dp_dump_run(f->d, 2, &pfn, &n), DP_ERR_NOT_FOUND);

    uint8_t buf[300];
    assert_int_equal(dp_dump_read_phys(f->d, (20ull << 12) + 10, buf, 100), DP_OK);
    assert_memory_equal(buf, &f->im->phys[20][10], 100);
    assert_int_equal(dp_dump_read_phys(f->d, (39ull << 12) + 4000, buf, 96), DP_OK); /* last stored page */
    assert_memory_equal(buf, &f->im->phys[39][4000], 96);
    const uint8_t *page = dp_dump_phys_page(f->d, 5);
    assert_non_null(page);
    assert_memory_equal(page, f->im->phys[5], 4096);
    /* Absent pages fail, never read as zeros, also when a read only runs into one. */
    assert_null(dp_dump_phys_page(f->d, 8));
    assert_null(dp_dump_phys_page(f->d, 40));
    assert_int_equal(dp_dump_read_phys(f->d, 8ull << 12, buf, 4), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_phys(f->d, (7ull << 12) + 4000, buf, 200), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_phys(f->d, 1ull << 40, buf, 4), DP_ERR_FAULT);
}

static void check_virt(struct fixture *f)
{
    uint64_t b = f->im->va_base, pa = 0;
    assert_int_equal(dp_dump_translate(f->d, b + 0x123, &pa), DP_OK);
    assert_int_equal(pa, (31ull << 12) + 0x123);
    assert_int_equal(dp_dump_translate(f->d, b + 0x5abc, &pa), DP_OK);
    assert_int_equal(pa, (26ull << 12) + 0xabc);
    /* Window pages map to descending PFNs: a read across a page boundary must be split. */
    uint8_t buf[0x40], want[0x40];
    for (unsigned i = 0; i < sizeof want; i++) want[i] = *tb_vptr(f->im, b + 0xff0 + i);
    assert_int_equal(dp_dump_read_virt(f->d, b + 0xff0, buf, sizeof buf), DP_OK);
    assert_memory_equal(buf, want, sizeof buf);
    /* Mapped to a page the dump lacks, and not mapped at all. */
    assert_int_equal(dp_dump_translate(f->d, b + 16 * 4096, &pa), DP_OK);
    assert_int_equal(pa, (uint64_t)TB_ABSENT_PFN << 12);
    assert_int_equal(dp_dump_read_virt(f->d, b + 16 * 4096, buf, 4), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_virt(f->d, b + 15 * 4096 + 4090, buf, 8), DP_ERR_FAULT);
    assert_int_equal(dp_dump_read_virt(f->d, b + 0x400000, buf, 4), DP_ERR_FAULT);
    assert_int_equal(dp_dump_translate(f->d, b + 17 * 4096, &pa), DP_ERR_FAULT);
}

static void check_modules_and_regs(struct fixture *f, const struct tb_spec *s)
{
    int x64 = s->arch == TB_X64;
    assert_int_equal(dp_dump_module_count(f->d), 2);
    const struct dp_module *m = dp_dump_module(f->d, 0);
    assert_string_equal(m->name, "ntoskrnl.exe");
    assert_int_equal(m->base, x64 ? 0xfffff80001000000ull : 0x80400000);
    assert_int_equal(m->size, 0x800000);
    assert_int_equal(m->checksum, 0x1234);
    assert_int_equal(m->timestamp, 0x5f000000u + 12);
    m = dp_dump_module(f->d, 1);
    assert_string_equal(m->name, "amdppm.sys");
    assert_int_equal(m->size, 0x20000);
    assert_null(dp_dump_module(f->d, 2));

    struct dp_regs r;
    assert_int_equal(dp_dump_regs(f->d, &r), DP_OK);
    assert_int_equal(r.ip, x64 ? TB_RIP_X64 : TB_RIP_X86);
    assert_int_equal(r.sp, f->im->va_base + 0x800);
    assert_int_equal(r.gpr[4], r.sp);
    assert_int_equal(r.flags, 0x246);
}

static void run_case(enum tb_arch arch, int bitmap)
{
    struct tb_spec s = {.arch = arch, .bitmap = bitmap};
    struct fixture *f = open_built(&s);
    check_info(f, &s);
    check_runs_and_phys(f);
    check_virt(f);
    check_modules_and_regs(f, &s);
    close_built(f);
}

static void x86_runs(void **st) { (void)st; run_case(TB_X86, 0); }
static void x86_bitmap(void **st) { (void)st; run_case(TB_X86, 1); }
static void pae_runs(void **st) { (void)st; run_case(TB_PAE, 0); }
static void pae_bitmap(void **st) { (void)st; run_case(TB_PAE, 1); }
static void x64_runs(void **st) { (void)st; run_case(TB_X64, 0); }
static void x64_bitmap(void **st) { (void)st; run_case(TB_X64, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(x86_runs), cmocka_unit_test(x86_bitmap), cmocka_unit_test(pae_runs),
        cmocka_unit_test(pae_bitmap), cmocka_unit_test(x64_runs), cmocka_unit_test(x64_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
