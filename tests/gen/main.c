/* dpgen [-o OUT] [--type TYPE] [--vmcoreinfo none|windows|linux:REL] [--kdump-machine M] [--paging]
 *       [--refdir DIR] [--info] SCENARIO.yaml   (TYPE: complete bitmap small elf qemu-elf kdump raw xen)
 * Builds the machine a scenario describes, then writes it as one dump. Same scenario, same bytes. */
#include "dpgen.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {"arch", "type", "os", "memory", "mappings", "kernel", "modules", "smbios",
                                       "pools", "bugcheck", "context", "stack", "patches", "small", "comment",
                                       "description", NULL};

#define TYPE_NAMES "complete, bitmap, small, elf, qemu-elf, kdump, raw or xen"

static int parse_type(const char *t, enum dump_type *out)
{
    static const char *const names[] = {"complete", "bitmap", "small", "elf", "qemu-elf", "kdump", "raw", "xen"};
    for (int i = 0; i < 8; i++)
        if (!strcmp(t, names[i])) {
            *out = (enum dump_type)(DT_COMPLETE + i);
            return 0;
        }
    return -1;
}

static int parse_machine(struct gen *g, node_t *root, enum dump_type forced)
{
    static const char *const os_keys[] = {"build", "major", "processors", "product_type", "suite_mask",
                                          "system_time", "uptime", NULL};
    const char *arch, *type;
    node_t *os = sc_get(g->sc, root, "os");
    uint64_t v[7];
    if (ex_check_keys(g, root, top_keys) || ex_str(g, root, "arch", NULL, &arch) || ex_str(g, root, "type", NULL, &type) ||
        ex_str(g, root, "comment", NULL, &g->comment) || ex_check_keys(g, os, os_keys))
        return -1;
    if (!arch || (strcmp(arch, "x86") && strcmp(arch, "x86-pae") && strcmp(arch, "x64") && strcmp(arch, "arm64")))
        return fail(g, root, "arch: x86, x86-pae, x64 or arm64");
    g->arch = !strcmp(arch, "x64")     ? ARCH_X64
              : !strcmp(arch, "arm64") ? ARCH_ARM64
              : !strcmp(arch, "x86")   ? ARCH_X86
                                       : ARCH_PAE;
    g->type = forced ? forced : is64(g) ? DT_BITMAP : DT_COMPLETE;
    if (!forced && type && parse_type(type, &g->type))
        return fail(g, root, "type: " TYPE_NAMES);
    /* the hypervisor containers carry x86 CPU notes (QEMU's ARM64 notes are not written) */
    if (g->arch == ARCH_ARM64 && (g->type == DT_QEMU_ELF || g->type == DT_KDUMP || g->type == DT_XEN))
        return fail(g, root, "qemu-elf, kdump and xen are written for x86 and x64 guests only");
    if (ex_opt_u64(g, os, "build", is64(g) ? 7601 : 3790, &v[0]) || ex_opt_u64(g, os, "major", 0xF, &v[1]) ||
        ex_opt_u64(g, os, "processors", 1, &v[2]) || ex_opt_u64(g, os, "product_type", 1, &v[3]) ||
        ex_opt_u64(g, os, "suite_mask", 0x110, &v[4]) || ex_opt_u64(g, os, "system_time", 0, &g->system_time) ||
        ex_opt_u64(g, os, "uptime", 0, &g->uptime))
        return -1;
    g->build = (uint32_t)v[0], g->major = (uint32_t)v[1], g->processors = (uint32_t)v[2];
    g->product_type = (uint32_t)v[3], g->suite_mask = (uint32_t)v[4];
    return 0;
}

/* Order matters: physical pages the scenario pins (mappings, SMBIOS) are claimed before the
 * allocator hands out pages for page tables, images and heap. */
static int build_machine(struct gen *g, node_t *root, enum dump_type forced)
{
    struct scen *s = g->sc;
    if (parse_machine(g, root, forced) || pm_setup(g, sc_get(s, root, "memory")) ||
        vm_mappings(g, sc_get(s, root, "mappings"), 0) || smbios_build(g, sc_get(s, root, "smbios")) ||
        mods_parse(g, sc_get(s, root, "modules")) || vm_init(g) || vm_mappings(g, sc_get(s, root, "mappings"), 1) ||
        smbios_map(g) || mods_build(g, sc_get(s, root, "kernel")) || pool_build(g, sc_get(s, root, "pools")) ||
        cpu_build(g, sc_get(s, root, "bugcheck"), sc_get(s, root, "context"), sc_get(s, root, "stack")) ||
        patches_apply(g, sc_get(s, root, "patches")) || pm_finish_runs(g))
        return -1;
    return 0;
}

static int write_dump(struct gen *g, node_t *root, const char *out)
{
    FILE *f = fopen(out, "wb");
    if (!f)
        return fail(g, NULL, "cannot create %s", out);
    int rc = g->type == DT_SMALL      ? write_triage(g, f, sc_get(g->sc, root, "small"))
             : g->type == DT_ELF      ? write_elf(g, f)
             : g->type == DT_QEMU_ELF ? write_qemu_elf(g, f)
             : g->type == DT_KDUMP    ? write_diskdump(g, f)
             : g->type == DT_RAW      ? write_raw(g, f)
             : g->type == DT_XEN      ? write_xen(g, f)
                                      : write_kdmp(g, f);
    if (fclose(f) != 0 && rc == 0)
        rc = fail(g, NULL, "cannot write %s", out);
    if (rc != 0)
        remove(out);
    return rc;
}

/* --info: facts a round-trip test compares a reader's answers with. */
static void print_info(struct gen *g)
{
    printf("cr3 0x%llx\nmodule_list 0x%llx\nkdbg 0x%llx\nbugcheck 0x%llx\nip 0x%llx\nsp 0x%llx\n",
           (unsigned long long)g->cr3, (unsigned long long)g->module_list_va, (unsigned long long)g->kdbg_va,
           (unsigned long long)g->bugcheck, (unsigned long long)g->ip, (unsigned long long)g->sp);
    for (size_t i = 0; i < g->n_runs; i++)
        printf("run 0x%llx 0x%llx\n", (unsigned long long)g->runs[i].base_pfn, (unsigned long long)g->runs[i].count);
    for (size_t i = 0; i < g->n_mods; i++)
        printf("module %s 0x%llx 0x%x 0x%x\n", g->mods[i].name, (unsigned long long)g->mods[i].base,
               g->mods[i].size, g->mods[i].checksum);
    if (g->smbios_len)
        printf("smbios 0x%llx 0x%x\n", (unsigned long long)g->smbios_pa, g->smbios_len);
}

static void usage(FILE *f)
{
    fputs("usage: dpgen [-o OUT.dmp] [--type complete|bitmap|small|elf|qemu-elf|kdump|raw|xen]\n"
          "             [--vmcoreinfo none|windows|linux:RELEASE] [--kdump-machine MACHINE] [--paging]\n"
          "             [--refdir DIR] [--info] SCENARIO.yaml\n", f);
}

static char *default_output(const char *scen)
{
    const char *base = strrchr(scen, '/') ? strrchr(scen, '/') + 1 : scen;
    char *out = xcalloc(strlen(base) + 5, 1);
    strcpy(out, base);
    char *dot = strrchr(out, '.');
    strcpy(dot ? dot : out + strlen(out), ".dmp");
    return out;
}

static int run(const char *scen_path, const char *out, const char *refdir, int info, enum dump_type forced,
               const struct container_opts *copt)
{
    struct scen s;
    struct gen *g = xcalloc(1, sizeof(*g));
    char err[512];
    if (scen_load(&s, scen_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "dpgen: %s\n", err);
        free(g);
        return 1;
    }
    g->sc = &s;
    g->copt = *copt;
    node_t *root = scen_root(&s);
    int rc = build_machine(g, root, forced) || write_dump(g, root, out);
    for (size_t i = 0; rc == 0 && refdir && i < g->n_mods; i++)
        if (g->mods[i].reference_file)
            rc = pe_write_file(g, &g->mods[i], refdir);
    if (rc)
        fprintf(stderr, "dpgen: %s\n", g->err[0] ? g->err : "failed");
    else if (info)
        print_info(g);
    for (size_t i = 0; i < g->n_pages; i++)
        free(g->pages[i].data);
    free(g->pages);
    free(g->runs);
    mods_free(g);
    scen_free(&s);
    free(g);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {"type", required_argument, NULL, 't'},
                                         {"refdir", required_argument, NULL, 'r'}, {"info", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'}, {"vmcoreinfo", required_argument, NULL, 'V'},
                                         {"kdump-machine", required_argument, NULL, 'M'}, {"paging", no_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    struct container_opts copt = {0};
    const char *out = NULL, *refdir = NULL;
    enum dump_type forced = DT_NONE;
    int info = 0, c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 't' && parse_type(optarg, &forced) != 0) {
            fprintf(stderr, "dpgen: --type: " TYPE_NAMES "\n");
            return 2;
        } else if (c == 'r')
            refdir = optarg;
        else if (c == 'i')
            info = 1;
        else if (c == 'V')
            copt.vmcoreinfo = optarg;
        else if (c == 'M')
            copt.kdump_machine = optarg;
        else if (c == 'P')
            copt.paging = 1;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else if (c != 't') {
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    char *dflt = out ? NULL : default_output(argv[optind]);
    int rc = run(argv[optind], out ? out : dflt, refdir, info, forced, &copt);
    free(dflt);
    return rc;
}
