/* run() over a small fake host: the findings and artifacts it records, for a dump and for an
 * --explain context (format "none", every memory read refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_db.h"
#include "bc_format.h"

extern const struct dp_plugin dp_plugin_descriptor;

#define MAX_ROWS 16

struct saved_finding {
    char code[64];
    enum dp_severity severity;
    char title[256];
    char details[4096];
    char name[80];
    uint64_t subtype;
    int has_subtype;
};

struct saved_row {
    char artifact[32];
    uint64_t addr;
    char role[32], kind[16], cls[32];
    uint64_t param, subtype;
};

struct fake_ctx {
    struct dp_ctx_head head;
    struct dp_dump_info info;
    int show_all;
    int memory_reads;
    struct saved_finding findings[MAX_ROWS];
    size_t n_findings;
    struct saved_row rows[MAX_ROWS];
    size_t n_rows;
};

static struct fake_ctx *fake(dp_ctx *c) { return (struct fake_ctx *)(void *)c; }

static const struct dp_dump_info *f_dump_info(dp_ctx *c) { return &fake(c)->info; }

static int f_refuse(dp_ctx *c, uint64_t va, void *buf, size_t len)
{
    (void)va, (void)buf, (void)len;
    fake(c)->memory_reads++;
    return DP_ERR_NOT_APPLICABLE;
}

static const struct dp_field *field(const struct dp_field *f, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0) return &f[i];
    return NULL;
}

static void copy_str(char *dst, size_t cap, const struct dp_field *f)
{
    dst[0] = '\0';
    if (f && f->type == DP_T_STR) snprintf(dst, cap, "%s", f->v.str);
}

static int f_add_finding(dp_ctx *c, const struct dp_finding *f)
{
    struct fake_ctx *x = fake(c);
    assert_true(x->n_findings < MAX_ROWS);
    struct saved_finding *s = &x->findings[x->n_findings++];
    snprintf(s->code, sizeof(s->code), "%s", f->code);
    s->severity = f->severity;
    snprintf(s->title, sizeof(s->title), "%s", f->title);
    snprintf(s->details, sizeof(s->details), "%s", f->details ? f->details : "");
    copy_str(s->name, sizeof(s->name), field(f->evidence, f->n_evidence, "name"));
    const struct dp_field *sub = field(f->evidence, f->n_evidence, "subtype");
    s->has_subtype = sub != NULL;
    s->subtype = sub ? sub->v.u64 : 0;
    return DP_OK;
}

static int f_publish(dp_ctx *c, const char *artifact, const struct dp_field *f, size_t n)
{
    struct fake_ctx *x = fake(c);
    assert_true(x->n_rows < MAX_ROWS);
    struct saved_row *r = &x->rows[x->n_rows++];
    snprintf(r->artifact, sizeof(r->artifact), "%s", artifact);
    const struct dp_field *v;
    if ((v = field(f, n, "addr"))) r->addr = v->v.u64;
    if ((v = field(f, n, "param"))) r->param = v->v.u64;
    if ((v = field(f, n, "subtype"))) r->subtype = v->v.u64;
    copy_str(r->role, sizeof(r->role), field(f, n, "role"));
    copy_str(r->kind, sizeof(r->kind), field(f, n, "kind"));
    copy_str(r->cls, sizeof(r->cls), field(f, n, "class"));
    return DP_OK;
}

static int f_opt_bool(dp_ctx *c, const char *name) { return strcmp(name, "show_all_params") == 0 && fake(c)->show_all; }

static void f_set_errorv(dp_ctx *c, const char *fmt, va_list ap) { (void)c, (void)fmt, (void)ap; }

static const struct dp_host_api fake_api = {
    .size = sizeof(struct dp_host_api), .abi_major = DP_ABI_MAJOR, .abi_minor = DP_ABI_MINOR,
    .dump_info = f_dump_info, .read_virt = f_refuse, .read_phys = f_refuse, .add_finding = f_add_finding,
    .publish = f_publish, .opt_bool = f_opt_bool, .set_errorv = f_set_errorv,
};

static struct fake_ctx *new_ctx(const char *format, unsigned ptr_size, uint32_t code, uint64_t a1, uint64_t a2,
                                uint64_t a3, uint64_t a4)
{
    struct fake_ctx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->head.api = &fake_api;
    x->info.format = format;
    x->info.ptr_size = ptr_size;
    x->info.has_bugcheck = 1;
    x->info.bugcheck_code = code;
    uint64_t p[4] = {a1, a2, a3, a4};
    memcpy(x->info.bugcheck_params, p, sizeof(p));
    return x;
}

static int run(struct fake_ctx *x) { return dp_plugin_descriptor.run((dp_ctx *)(void *)x, NULL); }

static size_t rows_of(struct fake_ctx *x, const char *artifact, struct saved_row **first)
{
    size_t n = 0;
    *first = NULL;
    for (size_t i = 0; i < x->n_rows; i++)
        if (strcmp(x->rows[i].artifact, artifact) == 0 && (n++ == 0)) *first = &x->rows[i];
    return n;
}

static void test_descriptor(void **state)
{
    (void)state;
    assert_int_equal(dp_plugin_descriptor.magic, DP_PLUGIN_MAGIC);
    assert_int_equal(dp_plugin_descriptor.kind, DP_KIND_ANALYZER);
    assert_string_equal(dp_plugin_descriptor.name, "bugcheck");
    assert_string_equal(dp_plugin_descriptor.options[0].name, "show_all_params");
    assert_int_equal(dp_plugin_descriptor.options[0].type, DP_OPT_BOOL);
    assert_null(dp_plugin_descriptor.options[1].name);
}

static void test_seed_dump(void **state)
{
    (void)state;
    struct fake_ctx *x = new_ctx("windows-crashdump", 4, 0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001);
    assert_int_equal(run(x), DP_OK);
    assert_int_equal(x->n_findings, 1);
    struct saved_finding *f = &x->findings[0];
    assert_string_equal(f->code, "bugcheck.code");
    assert_int_equal(f->severity, DP_SEV_CRITICAL);
    assert_string_equal(f->name, "BAD_POOL_HEADER");
    assert_true(f->has_subtype);
    assert_int_equal(f->subtype, 0x20);
    assert_non_null(strstr(f->details, "BAD_POOL_HEADER (19)\n"));
    assert_non_null(strstr(f->details, "\nArg1: 00000020, a pool block header size is corrupt.\n"));

    struct saved_row *r;
    assert_int_equal(rows_of(x, "bugcheck.info", &r), 1);
    assert_string_equal(r->cls, "POOL_CORRUPTION");
    assert_int_equal(r->subtype, 0x20);
    assert_int_equal(rows_of(x, "bugcheck.address", &r), 2);
    assert_int_equal(r[0].addr, 0xa34583b8);
    assert_string_equal(r[0].role, "pool_entry");
    assert_string_equal(r[0].kind, "pool");
    assert_int_equal(r[0].param, 2);
    assert_int_equal(r[1].addr, 0xa34584f0);
    assert_string_equal(r[1].role, "next_pool_entry");
    assert_int_equal(r[1].param, 3);
    free(x);
}

static void test_explain_context_prints_the_same(void **state)
{
    (void)state;
    struct fake_ctx *dump = new_ctx("windows-crashdump", 4, 0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001);
    struct fake_ctx *none = new_ctx("none", 4, 0x19, 0x20, 0xa34583b8, 0xa34584f0, 0x0a270001);
    assert_int_equal(run(dump), DP_OK);
    assert_int_equal(run(none), DP_OK);
    assert_int_equal(none->memory_reads, 0);
    assert_int_equal(none->n_findings, dump->n_findings);
    assert_string_equal(none->findings[0].details, dump->findings[0].details);
    assert_int_equal(none->n_rows, dump->n_rows);
    free(dump);
    free(none);
}

static void test_no_bugcheck(void **state)
{
    (void)state;
    struct fake_ctx *x = new_ctx("elf", 8, 0, 0, 0, 0, 0);
    x->info.has_bugcheck = 0;
    assert_int_equal(run(x), DP_OK);
    assert_int_equal(x->n_findings, 1);
    assert_int_equal(x->findings[0].severity, DP_SEV_INFO);
    assert_string_equal(x->findings[0].title, "no bug check in this dump");
    assert_int_equal(x->n_rows, 0);
    free(x);
}

static void test_unknown_code(void **state)
{
    (void)state;
    struct fake_ctx *x = new_ctx("windows-crashdump", 8, 0x1F0, 1, 2, 3, 4);
    assert_int_equal(run(x), DP_OK);
    /* reported once (issue 14: --explain 0x12345 used to print it twice) */
    assert_int_equal(x->n_findings, 1);
    assert_string_equal(x->findings[0].code, "bugcheck.unknown");
    assert_int_equal(x->findings[0].severity, DP_SEV_WARNING);
    assert_non_null(strstr(x->findings[0].details, "UNKNOWN_BUGCHECK (1f0)\n"));
    struct saved_row *r;
    assert_int_equal(rows_of(x, "bugcheck.info", &r), 1);
    assert_string_equal(r->cls, "OTHER");
    assert_int_equal(rows_of(x, "bugcheck.address", &r), 0);
    free(x);
}

static void test_real_dump_parameters(void **state)
{
    (void)state;
    /* the values of shared/testdata/real/triage_x64.dmp */
    struct fake_ctx *x = new_ctx("windows-crashdump", 8, 0x1000007E, 0xffffffffc0000005, 0xfffff8048b58334c,
                                 0xffff850429891ee8, 0xffff850429891720);
    x->show_all = 1;
    assert_int_equal(run(x), DP_OK);
    assert_int_equal(x->n_findings, 1);
    assert_int_equal(x->findings[0].severity, DP_SEV_ERROR);
    assert_non_null(strstr(x->findings[0].details, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)\n"));
    assert_non_null(strstr(x->findings[0].details, bc_detail_find(0x7E)->more));
    struct saved_row *r;
    assert_int_equal(rows_of(x, "bugcheck.address", &r), 1);
    assert_int_equal(r->addr, 0xfffff8048b58334c);
    assert_string_equal(r->role, "exception_address");
    assert_string_equal(r->kind, "code");
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_seed_dump),
        cmocka_unit_test(test_explain_context_prints_the_same),
        cmocka_unit_test(test_no_bugcheck),
        cmocka_unit_test(test_unknown_code),
        cmocka_unit_test(test_real_dump_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
