/* The real Windows 10 x64 small memory dump in $DP_REAL_DIR (see its README): every value checked here
 * was read by an independent parser. The file stays outside the repository. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char path[512];
static struct dp_dump *d;

static int setup(void **st)
{
    (void)st;
    const char *dir = getenv("DP_REAL_DIR");
    if (!dir) {
        fprintf(stderr, "DP_REAL_DIR is not set\n");
        return -1;
    }
    snprintf(path, sizeof path, "%s/triage_x64.dmp", dir);
    char err[512] = "";
    int rc = dp_dump_open(path, &d, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    return rc ? -1 : 0;
}

static int teardown(void **st)
{
    (void)st;
    dp_dump_close(d);
    return 0;
}

/* Bytes of the file itself, to compare virtual reads with. */
static void file_bytes(uint64_t off, void *buf, size_t len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
    assert_int_equal(fread(buf, 1, len, f), len);
    fclose(f);
}

static void header_values(void **st)
{
    (void)st;
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_string_equal(i->format, "windows-crashdump");
    assert_string_equal(i->dump_type, "small");
    assert_int_equal(i->arch, DP_ARCH_X64);
    assert_int_equal(i->paging, DP_PAGING_X86_64);
    assert_int_equal(i->ptr_size, 8);
    assert_int_equal(i->os_major, 0xf);
    assert_int_equal(i->os_build, 19041);
    assert_int_equal(i->machine_type, 0x8664);
    assert_int_equal(i->nr_cpus, 0x10);
    assert_int_equal(i->directory_table_base, 0x1ad000);
    assert_int_equal(i->pfn_database, 0xfffff8047c6fc500ull);
    assert_int_equal(i->ps_loaded_module_list, 0xfffff8047c62a390ull);
    assert_int_equal(i->ps_active_process_head, 0xfffff8047c61e200ull);
    assert_int_equal(i->kd_debugger_data_block, 0xfffff8047c600b20ull);
    assert_true(i->has_bugcheck);
    assert_int_equal(i->bugcheck_code, 0x1000007e);
    assert_int_equal(i->bugcheck_params[0], 0xffffffffc0000005ull);
    assert_int_equal(i->bugcheck_params[1], 0xfffff8048b58334cull);
    assert_int_equal(i->bugcheck_params[2], 0xffff850429891ee8ull);
    assert_int_equal(i->bugcheck_params[3], 0xffff850429891720ull);
    assert_int_equal(i->phys_pages_present, 0);
}

static void registers(void **st)
{
    (void)st;
    struct dp_regs r;
    assert_int_equal(dp_dump_regs(d, &r), DP_OK);
    assert_int_equal(r.arch, DP_ARCH_X64);
    assert_int_equal(r.ip, 0xfffff8047bdf5a80ull);
    assert_int_equal(r.sp, 0xffff850429890ee8ull);
    assert_int_equal(r.fp, 0xffff850429892c10ull);
    assert_int_equal(r.gpr[0], 0xffff850429891720ull); /* rax */
    assert_int_equal(r.gpr[1], 0x7e);                  /* rcx */
    assert_int_equal(r.gpr[2], 0xffffffffc0000005ull); /* rdx */
    assert_int_equal(r.gpr[8], 0xfffff8048b58334cull); /* r8 */
    assert_int_equal(r.gpr[9], 0xffff850429891ee8ull); /* r9 */
    assert_int_equal(r.flags, 0x40286);
}

/* The code at rip: mov [rsp+8], rcx (48 89 4c 24 08) - it lives in a data block. */
static void code_at_rip(void **st)
{
    (void)st;
    uint8_t code[5];
    assert_int_equal(dp_dump_read_virt(d, 0xfffff8047bdf5a80ull, code, sizeof code), DP_OK);
    assert_memory_equal(code, "\x48\x89\x4c\x24\x08", 5);
}

/* Stack: SizeOfCallStack 0x2118 bytes at file offset 0xe390, from TopOfStack (= rsp) upwards. */
static void stack_memory(void **st)
{
    (void)st;
    const uint64_t top = 0xffff850429890ee8ull;
    uint8_t *got = malloc(0x2118), *want = malloc(0x2118);
    file_bytes(0xe390, want, 0x2118);
    assert_int_equal(dp_dump_read_virt(d, top, got, 0x2118), DP_OK);
    assert_memory_equal(got, want, 0x2118);
    uint64_t rcx_home;
    assert_int_equal(dp_dump_read_virt(d, top + 8, &rcx_home, 8), DP_OK); /* KeBugCheckEx saved rcx there */
    assert_int_equal(rcx_home, 0x7e);
    assert_int_equal(dp_dump_read_virt(d, top - 8, got, 8), DP_ERR_FAULT);
    free(got);
    free(want);
    uint64_t pa;
    assert_int_equal(dp_dump_translate(d, top, &pa), DP_ERR_NOT_APPLICABLE);
    assert_int_equal(dp_dump_run_count(d), 0);
    assert_null(dp_dump_phys_page(d, 0x1ad));
    assert_int_equal(dp_dump_read_phys(d, 0x1ad000, &pa, 8), DP_ERR_NOT_APPLICABLE);
}

/* The KDBG copy (DebuggerDataOffset 0x104a8, 0x380 bytes) sits at the header's KdDebuggerDataBlock. */
static void debugger_data(void **st)
{
    (void)st;
    uint8_t got[0x380], want[0x380];
    file_bytes(0x104a8, want, sizeof want);
    assert_int_equal(dp_dump_read_virt(d, 0xfffff8047c600b20ull, got, sizeof got), DP_OK);
    assert_memory_equal(got, want, sizeof got);
    assert_memory_equal(got + 0x10, "KDBG", 4);
}

static const struct dp_module *find(const char *name)
{
    for (size_t i = 0; i < dp_dump_module_count(d); i++)
        if (!strcasecmp(dp_dump_module(d, i)->name, name)) return dp_dump_module(d, i);
    return NULL;
}

static void driver_list(void **st)
{
    (void)st;
    assert_int_equal(dp_dump_module_count(d), 151);
    assert_string_equal(dp_dump_module(d, 0)->name, "ntoskrnl.exe");
    assert_int_equal(dp_dump_module(d, 0)->base, 0xfffff8047ba00000ull);
    assert_true(dp_dump_module(d, 0)->base <= 0xfffff8047bdf5a80ull &&
                0xfffff8047bdf5a80ull - dp_dump_module(d, 0)->base < dp_dump_module(d, 0)->size);
    assert_string_equal(dp_dump_module(d, 1)->name, "hal.dll");
    const struct dp_module *m = find("amdppm.sys");
    assert_non_null(m);
    assert_true(m->base <= 0xfffff8048b58334cull && 0xfffff8048b58334cull - m->base < m->size);
    assert_true(m->timestamp != 0);
    m = find("Wdf01000.sys");
    assert_non_null(m);
    assert_true(m->base <= 0xfffff804799cc027ull && 0xfffff804799cc027ull - m->base < m->size);
    assert_null(dp_dump_module(d, 151));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_values), cmocka_unit_test(registers),     cmocka_unit_test(code_at_rip),
        cmocka_unit_test(stack_memory),  cmocka_unit_test(debugger_data), cmocka_unit_test(driver_list),
    };
    const char *dir = getenv("DP_REAL_DIR");
    char file[512];
    snprintf(file, sizeof file, "%s/triage_x64.dmp", dir ? dir : "");
    if (!dir || access(file, R_OK) != 0) {
        fprintf(stderr, "SKIP: %s is not there (the real dumps live in ../shared)\n", file);
        return DP_TEST_SKIP;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
