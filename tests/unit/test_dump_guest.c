/* Windows guests found in hypervisor-side containers ($DPGEN writes them): what the dump interface then
 * reports equals what dpgen --info says it wrote (page-table root, module list and modules, bug check,
 * the bug-check CPU's registers), plus every CPU's registers, the KDBG and the PFN database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NT_BASE 0xfffff80002a0b000ull
#define KDBG (NT_BASE + 0x1a0000)
#define KDBG_COPY 0xfffffa8000111040ull /* dpgen's heap: after the KLDR entries and KPRCBs */

struct facts {
    unsigned long long cr3, module_list, bugcheck, ip, sp, nt_base;
    size_t n_mods;
};

static void generate(const char *scen, const char *args, const char *out, struct facts *f)
{
    char cmd[4096], line[256];
    snprintf(cmd, sizeof cmd, "'%s' --info %s -o '%s' '%s/tests/scenarios/%s.yaml'", getenv("DPGEN"), args, out,
             getenv("DP_SOURCE_DIR"), scen);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    memset(f, 0, sizeof *f);
    char name[64];
    unsigned long long base;
    while (fgets(line, sizeof line, p)) {
        if (sscanf(line, "cr3 %llx", &f->cr3) == 1 || sscanf(line, "module_list %llx", &f->module_list) == 1 ||
            sscanf(line, "bugcheck %llx", &f->bugcheck) == 1 || sscanf(line, "ip %llx", &f->ip) == 1 ||
            sscanf(line, "sp %llx", &f->sp) == 1)
            continue;
        if (sscanf(line, "module %63s %llx", name, &base) == 2 && !f->n_mods++) f->nt_base = base;
    }
    assert_int_equal(pclose(p), 0);
}

static struct dp_dump *open_guest(const char *scen, const char *args, struct facts *f, char *path, uint64_t kdbg)
{
    generate(scen, args, path, f);
    struct dp_dump *d = NULL;
    char err[512] = "";
    int rc = dp_dump_open(path, &d, err, sizeof err);
    if (rc) fprintf(stderr, "%s (%s): %s\n", scen, args, err);
    assert_int_equal(rc, DP_OK);
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_string_equal(i->os, "windows");
    assert_int_equal(i->arch, DP_ARCH_X64);
    assert_int_equal(i->paging, DP_PAGING_X86_64);
    assert_int_equal(i->directory_table_base, f->cr3);
    assert_int_equal(i->ps_loaded_module_list, f->module_list);
    assert_int_equal(i->kd_debugger_data_block, kdbg);
    assert_int_equal(i->pfn_database, 0);
    assert_int_equal(i->nr_cpus, 2);
    assert_int_equal(dp_dump_module_count(d), f->n_mods);
    assert_int_equal(dp_dump_module(d, 0)->base, f->nt_base);
    assert_string_equal(dp_dump_module(d, 0)->name, "ntoskrnl.exe");
    assert_non_null(dp_dump_guest(d));
    return d;
}

static const char *const containers[] = {"--type qemu-elf", "--type qemu-elf --vmcoreinfo windows", "--type kdump",
                                         "--type raw", "--type xen"};

static void tmp_path(char *path, size_t len, const char *name)
{
    snprintf(path, len, "/tmp/dp-guest-%ld-%s", (long)getpid(), name);
}

/* A bug check: code and parameters from KiBugCheckData; CPU 0 from KPRCB 0's CONTEXT in every container,
 * CPU 1 from QEMU's note where there is one. */
static void bugcheck_guest(void **st)
{
    (void)st;
    char path[256];
    tmp_path(path, sizeof path, "bc");
    for (size_t c = 0; c < sizeof containers / sizeof containers[0]; c++) {
        struct facts f;
        struct dp_dump *d = open_guest("guest-x64-bugcheck", containers[c], &f, path, KDBG);
        const struct dp_dump_info *i = dp_dump_get_info(d);
        assert_true(i->has_bugcheck);
        assert_int_equal(i->bugcheck_code, f.bugcheck);
        assert_int_equal(i->bugcheck_params[3], f.ip); /* the faulting instruction: mydrv!ReadRegister */
        struct dp_regs r;
        assert_int_equal(dp_dump_regs(d, &r), DP_OK);
        assert_int_equal(r.ip, f.ip);
        assert_int_equal(r.sp, f.sp);
        assert_int_equal(dp_dump_cpu_count(d), 2);
        assert_int_equal(dp_dump_cpu_current(d), 0);
        int notes = strstr(containers[c], "qemu-elf") || strstr(containers[c], "kdump");
        assert_int_equal(dp_dump_cpu_regs(d, 1, &r), notes ? DP_OK : DP_ERR_NOT_APPLICABLE);
        if (notes) assert_int_equal(r.ip, f.nt_base + 0x50006), assert_int_equal(r.sp, 0xfffff88002f30f00ull);
        assert_int_equal(dp_dump_cpu_regs(d, 2, &r), DP_ERR_NOT_FOUND);
        dp_dump_close(d);
    }
    unlink(path);
}

/* A hang: KiBugCheckData is zero, the KDBG is decoded; every CPU's registers are the live ones. */
static void running_guest(void **st)
{
    (void)st;
    char path[256];
    tmp_path(path, sizeof path, "run");
    for (size_t c = 0; c < 3; c++) { /* the containers with CPU notes */
        struct facts f;
        /* the fwcfg header names its plain copy in the heap; otherwise the encoded block itself */
        uint64_t kdbg = strstr(containers[c], "windows") ? KDBG_COPY : KDBG;
        struct dp_dump *d = open_guest("guest-x64-running", containers[c], &f, path, kdbg);
        assert_false(dp_dump_get_info(d)->has_bugcheck);
        struct dp_regs r;
        assert_int_equal(dp_dump_regs(d, &r), DP_OK);
        assert_int_equal(r.ip, f.ip);
        assert_int_equal(dp_dump_cpu_regs(d, 1, &r), DP_OK);
        assert_int_equal(r.ip, f.nt_base + 0x50006);
        dp_dump_close(d);
    }
    unlink(path);
}

int main(void)
{
    if (!getenv("DPGEN") || !getenv("DP_SOURCE_DIR")) {
        fprintf(stderr, "DPGEN or DP_SOURCE_DIR not set: skipped\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(bugcheck_guest), cmocka_unit_test(running_guest)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
