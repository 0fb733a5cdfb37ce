/* Signature parser, glob, and the verdict drawn from observations, against the built-in table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dumppipe/dumppipe.h>

#include "sigs.h"
#include "verdict.h"

extern const char hv_builtin_signatures[];

static struct hv_sigtab builtin(void)
{
    struct hv_sigtab t = {0};
    char err[256] = "";
    int rc = hv_sigtab_parse(&t, hv_builtin_signatures, "signatures.txt", err, sizeof err);
    if (rc != DP_OK) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, DP_OK);
    return t;
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(hv_glob_match("xen*", "XENUTIL"));
    assert_true(hv_glob_match("Xen", "xen"));
    assert_false(hv_glob_match("Xen", "Xenia"));
    assert_true(hv_glob_match("VMware*", "VMware, Inc."));
    assert_true(hv_glob_match("*amazon*", "4.2.amazon"));
    assert_true(hv_glob_match("vm?net*", "vmxnet3ndis6"));
    assert_true(hv_glob_match("*", ""));
    assert_false(hv_glob_match("a*b*c", "aXbXd"));
    assert_true(hv_glob_match("a*b*c", "aXbXbc"));
}

static void test_builtin_table_parses(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    assert_true(t.n > 100);
    assert_string_equal(hv_sigtab_display(&t, "xen"), "Xen");
    assert_string_equal(hv_sigtab_display(&t, "hyperv"), "Microsoft Hyper-V");
    assert_string_equal(hv_sigtab_display(&t, "nosuch"), "nosuch");
    hv_sigtab_free(&t);
}

static void expect_parse_error(const char *text, const char *needle)
{
    struct hv_sigtab t = {0};
    char err[256] = "";
    assert_int_equal(hv_sigtab_parse(&t, text, "test", err, sizeof err), DP_ERR_INVALID);
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
    hv_sigtab_free(&t);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("xen driver xen*\nxen smbios.colour Xen\n", "test line 2: unknown source");
    expect_parse_error("xen driver xen* 0\n", "weight");
    expect_parse_error("xen driver xen* 101\n", "weight");
    expect_parse_error("xen name \"Xen\n", "unterminated quote");
    expect_parse_error("Xen driver xen*\n", "hypervisor id");
    expect_parse_error("xen driver\n", "expected");
    expect_parse_error("xen guest driver xen*\n", "guest");
    expect_parse_error("xen driver a b c d e f g\n", "too many fields");
    expect_parse_error("xen driver \"\"\n", "pattern empty");
}

static void test_parse_syntax(void **state)
{
    (void)state;
    struct hv_sigtab t = {0};
    char err[256] = "";
    const char *text = "# comment\n\n  acme smbios.manufacturer \"ACME \\\"Hyper\\\" Inc.\" weak # trailing\r\n"
                       "acme name \"ACME HV\"\nacme guest driver acme* \"ACME guest {}\"";
    assert_int_equal(hv_sigtab_parse(&t, text, "test", err, sizeof err), DP_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.v[0].kind, HV_SIG_MATCH);
    assert_string_equal(t.v[0].pattern, "ACME \"Hyper\" Inc.");
    assert_int_equal(t.v[0].weight, HV_WEIGHT_WEAK);
    assert_int_equal(t.v[2].kind, HV_SIG_GUEST);
    assert_string_equal(t.v[2].text, "ACME guest {}");
    hv_sigtab_free(&t);
}

/* ---- verdicts ---- */

struct world {
    struct hv_smbios_info smbios;
    int has_smbios;
    struct hv_module_ref mods[16];
    size_t n_mods;
    const char *format;
};

static void smbios_set(struct world *w, enum hv_field f, const char *s)
{
    w->has_smbios = 1;
    w->smbios.has_system = 1;
    snprintf(w->smbios.str[f], sizeof w->smbios.str[f], "%s", s);
}

static void add_mod(struct world *w, const char *name, uint64_t base)
{
    w->mods[w->n_mods++] = (struct hv_module_ref){name, base, 0x1000};
}

static void decide(const struct hv_sigtab *t, const struct world *w, struct hv_verdict *v)
{
    struct hv_observations obs = {w->has_smbios ? &w->smbios : NULL, w->mods, w->n_mods,
                                  w->format ? w->format : "windows-crashdump"};
    hv_decide(t, &obs, v);
}

static void common_drivers(struct world *w)
{
    add_mod(w, "ntoskrnl.exe", 0x80800000);
    add_mod(w, "hal.dll", 0x80700000);
    add_mod(w, "Ntfs.sys", 0xf7000000);
}

static void test_seed_xen(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    smbios_set(&w, HV_F_BIOS_VENDOR, "Xen");
    smbios_set(&w, HV_F_BIOS_VERSION, "3.1.0");
    smbios_set(&w, HV_F_MANUFACTURER, "Xen");
    smbios_set(&w, HV_F_PRODUCT, "HVM domU");
    common_drivers(&w);
    add_mod(&w, "dump_xenvbd.sys", 0xf6012000);
    add_mod(&w, "xennet.sys", 0xf794b000);
    add_mod(&w, "xenvbd.sys", 0xf82c0000);
    add_mod(&w, "XENUTIL.sys", 0xf845f000);
    add_mod(&w, "dump_XENUTIL.sys", 0xf84cf000);
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_VIRTUAL);
    assert_string_equal(v.hv, "xen");
    assert_string_equal(v.hv_name, "Xen");
    assert_string_equal(v.guest_type, "Xen HVM domU");
    assert_int_equal(v.confidence, 95);
    assert_null(v.rival);
    size_t drivers = 0, smbios = 0;
    for (size_t i = 0; i < v.n_ev; i++) drivers += v.ev[i].kind == HV_EV_DRIVER, smbios += v.ev[i].kind == HV_EV_SMBIOS;
    assert_int_equal(drivers, 5);
    assert_int_equal(smbios, 3); /* vendor, manufacturer, product */
    hv_sigtab_free(&t);
}

static void test_one_kind_is_medium(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    common_drivers(&w);
    add_mod(&w, "vmhgfs.sys", 1);
    add_mod(&w, "vm3dmp.sys", 2);
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_string_equal(v.hv, "vmware");
    assert_int_equal(v.confidence, 75);
    assert_string_equal(v.basis, "drivers only");

    struct world s = {0};
    smbios_set(&s, HV_F_MANUFACTURER, "QEMU");
    smbios_set(&s, HV_F_PRODUCT, "Standard PC (Q35 + ICH9, 2009)");
    decide(&t, &s, &v);
    assert_string_equal(v.hv, "kvm");
    assert_int_equal(v.confidence, 75);
    assert_string_equal(v.guest_type, "QEMU Standard PC (Q35 + ICH9, 2009)");
    hv_sigtab_free(&t);
}

static void test_weak_only_is_low(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    common_drivers(&w);
    add_mod(&w, "winhv.sys", 1);
    add_mod(&w, "hvsocket.sys", 2);
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_VIRTUAL);
    assert_string_equal(v.hv, "hyperv");
    assert_int_equal(v.confidence, 30);
    hv_sigtab_free(&t);
}

static void test_bare_metal_and_unknown(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    smbios_set(&w, HV_F_BIOS_VENDOR, "Dell Inc.");
    smbios_set(&w, HV_F_MANUFACTURER, "Dell Inc.");
    smbios_set(&w, HV_F_PRODUCT, "PowerEdge R740");
    common_drivers(&w);
    add_mod(&w, "VBoxDrv.sys", 1); /* a VirtualBox *host* driver: not a guest */
    add_mod(&w, "vmbusr.sys", 2);  /* Hyper-V root partition */
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_BARE_METAL);
    assert_int_equal(v.n_ev, 0);

    w.smbios.vm_bit = 1; /* the firmware says virtual, without naming the platform */
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_VIRTUAL);
    assert_string_equal(v.hv_name, "unknown hypervisor");

    struct world none = {0};
    common_drivers(&none);
    decide(&t, &none, &v);
    assert_int_equal(v.kind, HV_VERDICT_UNKNOWN);
    assert_int_equal(v.confidence, 0);
    hv_sigtab_free(&t);
}

/* The module list of the real triage dump in the test data (a physical AMD machine that is a Hyper-V
 * root partition and a VMware Workstation and VirtualBox host), abridged to what matters. */
static void test_hypervisor_host_is_not_a_guest(void **state)
{
    (void)state;
    static const char *const names[] = {"ntoskrnl.exe", "vsock.sys", "vmci.sys", "VmsProxy.sys", "Vid.sys",
                                        "winhvr.sys", "VBoxUSBMon.sys", "VBoxDrv.sys", "vmbusr.sys", "hvsocket.sys",
                                        "VBoxNetAdp6.sys", "vmnetadapter.sys", "VMNET.SYS", "amdppm.sys"};
    struct hv_sigtab t = builtin();
    struct world w = {0};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) add_mod(&w, names[i], 0x1000 * (i + 1));
    struct hv_verdict v;
    decide(&t, &w, &v);
    /* no SMBIOS, but the host side of hypervisors and none of a guest's: the machine runs them itself */
    assert_int_equal(v.kind, HV_VERDICT_BARE_METAL);
    assert_int_equal(v.confidence, 60);
    assert_int_equal(v.n_ev, 0);
    assert_int_equal(v.n_explained, 3);
    assert_int_equal(v.n_host, 8);

    add_mod(&w, "vmbus.sys", 0x100000); /* strong guest evidence is not explained away (nested VM) */
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_VIRTUAL);
    assert_string_equal(v.hv, "hyperv");
    hv_sigtab_free(&t);
}

static void test_conflict_lowers_confidence(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    smbios_set(&w, HV_F_MANUFACTURER, "VMware, Inc.");
    smbios_set(&w, HV_F_PRODUCT, "VMware7,1");
    add_mod(&w, "vmmouse.sys", 1);
    add_mod(&w, "xenbus.sys", 2); /* left over from a migration */
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_string_equal(v.hv, "vmware");
    assert_string_equal(v.rival, "xen");
    assert_int_equal(v.confidence, 60);
    assert_string_equal(v.guest_type, "VMware VM (VMware7,1)");
    hv_sigtab_free(&t);
}

static void test_cloud_guest_types(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    smbios_set(&w, HV_F_BIOS_VENDOR, "Amazon EC2");
    smbios_set(&w, HV_F_MANUFACTURER, "Amazon EC2");
    smbios_set(&w, HV_F_PRODUCT, "m5.large");
    add_mod(&w, "ena.sys", 1);
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_string_equal(v.hv_name, "Amazon EC2 Nitro");
    assert_string_equal(v.guest_type, "Amazon EC2 m5.large");
    assert_int_equal(v.confidence, 75); /* ENA is weak: it loads on .metal too */

    struct world g = {0};
    smbios_set(&g, HV_F_MANUFACTURER, "Google");
    smbios_set(&g, HV_F_PRODUCT, "Google Compute Engine");
    add_mod(&g, "gvnic.sys", 1);
    add_mod(&g, "vioscsi.sys", 2);
    decide(&t, &g, &v);
    assert_string_equal(v.hv, "kvm");
    assert_string_equal(v.guest_type, "Google Compute Engine VM");
    assert_int_equal(v.confidence, 95);
    hv_sigtab_free(&t);
}

static void test_custom_signature(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    struct world w = {0};
    smbios_set(&w, HV_F_MANUFACTURER, "ACME Hypervisor Corp.");
    smbios_set(&w, HV_F_PRODUCT, "Cloud Box 9");
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_BARE_METAL);
    char err[128];
    assert_int_equal(hv_sigtab_parse(&t, "acme smbios.manufacturer \"ACME Hypervisor*\"", "opt", err, sizeof err), DP_OK);
    assert_int_equal(hv_sigtab_parse(&t, "acme name \"ACME HV\"", "opt", err, sizeof err), DP_OK);
    decide(&t, &w, &v);
    assert_int_equal(v.kind, HV_VERDICT_VIRTUAL);
    assert_string_equal(v.hv_name, "ACME HV");
    hv_sigtab_free(&t);
}

static void test_module_stem_and_format(void **state)
{
    (void)state;
    char s[64];
    hv_module_stem("dump_XENUTIL.sys", s, sizeof s);
    assert_string_equal(s, "XENUTIL");
    hv_module_stem(".sys", s, sizeof s);
    assert_string_equal(s, ".sys");
    hv_module_stem("dump_", s, sizeof s);
    assert_string_equal(s, "dump_");
    hv_module_stem("averyveryverylongname.sys", s, 8);
    assert_string_equal(s, "averyve");

    struct hv_sigtab t = builtin();
    struct world w = {.format = "xc_core"};
    struct hv_verdict v;
    decide(&t, &w, &v);
    assert_string_equal(v.hv, "xen");
    assert_string_equal(v.basis, "dump format only");
    hv_sigtab_free(&t);
}

static void test_many_matches_bounded(void **state)
{
    (void)state;
    struct hv_sigtab t = builtin();
    static struct hv_module_ref mods[200];
    for (size_t i = 0; i < 200; i++) mods[i] = (struct hv_module_ref){"xenvbd.sys", i, 1};
    struct hv_observations obs = {NULL, mods, 200, "windows-crashdump"};
    struct hv_verdict v;
    hv_decide(&t, &obs, &v);
    assert_int_equal(v.n_ev, HV_EVIDENCE_MAX);
    assert_int_equal(v.n_ev_dropped, 200 - HV_EVIDENCE_MAX);
    assert_int_equal(v.confidence, 75);
    hv_sigtab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_builtin_table_parses),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_syntax),
        cmocka_unit_test(test_seed_xen),
        cmocka_unit_test(test_one_kind_is_medium),
        cmocka_unit_test(test_weak_only_is_low),
        cmocka_unit_test(test_bare_metal_and_unknown),
        cmocka_unit_test(test_hypervisor_host_is_not_a_guest),
        cmocka_unit_test(test_conflict_lowers_confidence),
        cmocka_unit_test(test_cloud_guest_types),
        cmocka_unit_test(test_custom_signature),
        cmocka_unit_test(test_module_stem_and_format),
        cmocka_unit_test(test_many_matches_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
