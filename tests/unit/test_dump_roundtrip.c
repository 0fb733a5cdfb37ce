/* Round trip through the scenario generator ($DPGEN): every scenario, written as each dump type, must
 * read back with the facts dpgen --info reports (header, registers, runs, page-table translation,
 * module list). Checks the readers against an independent writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dump/dump.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ITEMS 64

struct facts {
    uint64_t cr3, module_list, kdbg, bugcheck, ip, sp;
    size_t n_runs, n_mods;
    uint64_t run_base[MAX_ITEMS], run_count[MAX_ITEMS];
    char mod_name[MAX_ITEMS][64];
    uint64_t mod_base[MAX_ITEMS];
    unsigned mod_size[MAX_ITEMS], mod_checksum[MAX_ITEMS];
};

static void parse_line(struct facts *f, const char *l)
{
    unsigned long long a, b;
    unsigned s, c;
    char name[64];
    if (sscanf(l, "cr3 %llx", &a) == 1) f->cr3 = a;
    else if (sscanf(l, "module_list %llx", &a) == 1) f->module_list = a;
    else if (sscanf(l, "kdbg %llx", &a) == 1) f->kdbg = a;
    else if (sscanf(l, "bugcheck %llx", &a) == 1) f->bugcheck = a;
    else if (sscanf(l, "ip %llx", &a) == 1) f->ip = a;
    else if (sscanf(l, "sp %llx", &a) == 1) f->sp = a;
    else if (sscanf(l, "run %llx %llx", &a, &b) == 2 && f->n_runs < MAX_ITEMS)
        f->run_base[f->n_runs] = a, f->run_count[f->n_runs++] = b;
    else if (sscanf(l, "module %63s %llx %x %x", name, &a, &s, &c) == 4 && f->n_mods < MAX_ITEMS) {
        snprintf(f->mod_name[f->n_mods], sizeof f->mod_name[0], "%s", name);
        f->mod_base[f->n_mods] = a, f->mod_size[f->n_mods] = s, f->mod_checksum[f->n_mods++] = c;
    }
}

/* Runs dpgen; returns 0 with the facts filled in. */
static int generate(const char *scenario, const char *type, const char *out, struct facts *f)
{
    char cmd[4096], line[256];
    snprintf(cmd, sizeof cmd, "'%s' --info --type %s -o '%s' '%s'", getenv("DPGEN"), type, out, scenario);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    memset(f, 0, sizeof *f);
    while (fgets(line, sizeof line, p)) parse_line(f, line);
    return pclose(p);
}

static void check_windows(struct dp_dump *d, const struct facts *f, const char *type)
{
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_string_equal(i->format, "windows-crashdump");
    assert_int_equal(i->directory_table_base, f->cr3);
    assert_int_equal(i->ps_loaded_module_list, f->module_list);
    assert_int_equal(i->kd_debugger_data_block, f->kdbg);
    assert_int_equal(i->bugcheck_code, f->bugcheck);
    struct dp_regs r;
    assert_int_equal(dp_dump_regs(d, &r), DP_OK);
    assert_int_equal(r.ip, f->ip);
    assert_int_equal(r.sp, f->sp);
    assert_int_equal(dp_dump_module_count(d), f->n_mods);
    for (size_t k = 0; k < f->n_mods; k++) {
        const struct dp_module *m = dp_dump_module(d, k);
        assert_string_equal(m->name, f->mod_name[k]);
        assert_int_equal(m->base, f->mod_base[k]);
        assert_int_equal(m->size, f->mod_size[k]);
        assert_int_equal(m->checksum, f->mod_checksum[k]);
    }
    if (!strcmp(type, "small")) return;
    uint64_t pages = 0;
    for (size_t k = 0; k < f->n_runs; k++) {
        pages += f->run_count[k];
        assert_non_null(dp_dump_phys_page(d, f->run_base[k]));
        assert_non_null(dp_dump_phys_page(d, f->run_base[k] + f->run_count[k] - 1));
    }
    assert_int_equal(i->phys_pages_present, pages);
    /* The module list head, read through the page tables, equals the physical bytes it translates to. */
    uint64_t pa, viaphys = 0, viavirt = 0;
    if (!f->module_list) return;
    assert_int_equal(dp_dump_translate(d, f->module_list, &pa), DP_OK);
    assert_int_equal(dp_dump_read_phys(d, pa, &viaphys, i->ptr_size), DP_OK);
    assert_int_equal(dp_dump_read_virt(d, f->module_list, &viavirt, i->ptr_size), DP_OK);
    assert_int_equal(viaphys, viavirt);
}

static void check_elf(struct dp_dump *d, const struct facts *f)
{
    const struct dp_dump_info *i = dp_dump_get_info(d);
    assert_string_equal(i->format, "elf");
    assert_true(dp_dump_run_count(d) > 0);
    for (size_t k = 0; k < f->n_runs; k++) assert_non_null(dp_dump_phys_page(d, f->run_base[k]));
}

static void roundtrip(void **st)
{
    (void)st;
    const char *src = getenv("DP_SOURCE_DIR");
    assert_non_null(src);
    assert_non_null(getenv("DPGEN"));
    char scen_dir[512], tmp[] = "/tmp/dp-roundtrip.XXXXXX", out[600], scen[1024];
    snprintf(scen_dir, sizeof scen_dir, "%s/tests/scenarios", src);
    assert_non_null(mkdtemp(tmp));
    snprintf(out, sizeof out, "%s/gen.dmp", tmp);
    DIR *dir = opendir(scen_dir);
    assert_non_null(dir);
    static const char *const types[] = {"complete", "bitmap", "small", "elf"};
    unsigned checked = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
        snprintf(scen, sizeof scen, "%s/%s", scen_dir, e->d_name);
        for (size_t t = 0; t < 4; t++) {
            struct facts f;
            if (generate(scen, types[t], out, &f) != 0) {
                fprintf(stderr, "dpgen cannot write %s as %s: skipped\n", e->d_name, types[t]);
                continue;
            }
            struct dp_dump *d = NULL;
            char err[512] = "";
            int rc = dp_dump_open(out, &d, err, sizeof err);
            if (rc) fprintf(stderr, "%s as %s: %s\n", e->d_name, types[t], err);
            assert_int_equal(rc, DP_OK);
            if (t == 3) check_elf(d, &f);
            else check_windows(d, &f, types[t]);
            dp_dump_close(d);
            checked++;
        }
    }
    closedir(dir);
    remove(out);
    rmdir(tmp);
    fprintf(stderr, "%u generated dumps read back\n", checked);
    assert_true(checked >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(roundtrip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
