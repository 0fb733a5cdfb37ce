#include "cp_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cp_classify.h"
#include "cp_format.h"

#define WIN_BEFORE 64 /* more than CP_MAX_BACK: room for the longest clean run */
#define WIN_AFTER 128 /* eight x64 instructions of at most 15 bytes */
#define MAX_SECTIONS 96

struct host_decoder {
    dp_ctx *ctx;
    enum dp_arch arch;
};

static int host_decode(void *ud, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    struct host_decoder *h = ud;
    return dp_disasm(h->ctx, h->arch, code, len, addr, out);
}

/* Text accumulated for a finding's details; truncates rather than fails. */
/* Code for `u`/`ub`: from the dump, or from the module's image from the symbol path where a small
 * dump lacks the page (as WinDbg shows it). Reads [va, va+want) page by page, stopping at the first
 * page neither has. */
static size_t read_forward(dp_ctx *ctx, uint64_t va, uint8_t *buf, size_t want)
{
    size_t got = 0;
    while (got < want) {
        uint64_t a = va + got;
        size_t chunk = 4096 - (size_t)(a & 4095);
        if (chunk > want - got) chunk = want - got;
        if (dp_read_virt_image(ctx, a, buf + got, chunk) != DP_OK) break;
        got += chunk;
    }
    return got;
}

/* Reads the bytes just below va into the tail of buf[0..want); returns how many. */
static size_t read_backward(dp_ctx *ctx, uint64_t va, uint8_t *buf, size_t want)
{
    if (va < want) want = (size_t)va;
    size_t got = 0;
    while (got < want) {
        uint64_t end = va - got;
        size_t chunk = (end & 4095) ? (size_t)(end & 4095) : 4096;
        if (chunk > want - got) chunk = want - got;
        if (dp_read_virt_image(ctx, end - chunk, buf + (want - got - chunk), chunk) != DP_OK) break;
        got += chunk;
    }
    if (got < want) memmove(buf, buf + (want - got), got);
    return got;
}

/* 1 executable, 0 not, -1 when the module's section table is not in the dump. */
static int section_executable(dp_ctx *ctx, const struct dp_module *m, uint64_t v)
{
    struct dp_section secs[MAX_SECTIONS];
    size_t n = dp_module_sections(ctx, m, secs, MAX_SECTIONS);
    if (n == 0) return -1;
    if (n > MAX_SECTIONS) n = MAX_SECTIONS;
    for (size_t i = 0; i < n; i++)
        if (v >= secs[i].va && v - secs[i].va < secs[i].size) return secs[i].executable != 0;
    return 0; /* headers or a gap between sections */
}

/* "driver+0x65c50 (b95bec50)" */
static void sym_and_addr(dp_ctx *ctx, uint64_t a, unsigned ps, char *out, size_t len)
{
    char sym[128], hex[32];
    dp_symbolize(ctx, a, sym, sizeof sym);
    cp_format_ptr(a, ps, hex, sizeof hex);
    snprintf(out, len, "%s (%s)", sym, hex);
}

/* Operands as WinDbg shows them: branch targets, memory operands and pushed offsets symbolized. */
static void render_operands(dp_ctx *ctx, const struct dp_insn *i, unsigned ps, char *out, size_t len)
{
    char sa[180];
    const char *bracket = strchr(i->operands, '[');
    if (i->has_target && dp_module_by_addr(ctx, i->target)) {
        sym_and_addr(ctx, i->target, ps, out, len);
    } else if (i->has_mem_disp && bracket && dp_module_by_addr(ctx, i->mem_addr)) {
        char prefix[160];
        cp_windbg_operands(i->operands, prefix, sizeof prefix);
        char *b = strchr(prefix, '[');
        if (b) *b = '\0';
        sym_and_addr(ctx, i->mem_addr, ps, sa, sizeof sa);
        snprintf(out, len, "%s[%s]", prefix, sa);
    } else if (i->has_imm && (i->flags & DP_INSN_PUSH) && dp_module_by_addr(ctx, i->imm)) {
        sym_and_addr(ctx, i->imm, ps, sa, sizeof sa);
        snprintf(out, len, "offset %s", sa);
    } else {
        cp_windbg_operands(i->operands, out, len);
    }
}

static void print_listing(dp_ctx *ctx, struct dp_text *t, const struct dp_insn *ins, size_t n, unsigned ps)
{
    if (n == 0) return;
    char sym[128];
    dp_symbolize(ctx, ins[0].address, sym, sizeof sym);
    dp_text_printf(t, "%s:\n", sym);
    for (size_t i = 0; i < n; i++) {
        char ops[400], line[512];
        render_operands(ctx, &ins[i], ps, ops, sizeof ops);
        cp_format_insn(ins[i].address, ps, ins[i].mnemonic, ops, line, sizeof line);
        dp_text_printf(t, "%s\n", line);
    }
}

/* `u` and `ub` of v into t; classifies v. */
static struct cp_verdict disassemble(dp_ctx *ctx, const struct cp_scan *s, uint64_t v, int exec, struct dp_text *t)
{
    uint8_t buf[WIN_BEFORE + WIN_AFTER];
    size_t before = read_backward(ctx, v, buf, WIN_BEFORE);
    size_t after = read_forward(ctx, v, buf + before, WIN_AFTER);
    struct host_decoder hd = {ctx, s->info->arch != DP_ARCH_UNKNOWN ? s->info->arch
                                                                   : (s->info->ptr_size == 8 ? DP_ARCH_X64 : DP_ARCH_X86)};
    struct cp_decoder dec = {host_decode, &hd};
    struct cp_window w = {buf, before + after, v - before};
    struct cp_verdict verdict = cp_classify(&dec, &w, v, exec != 0);
    if (!exec || after == 0) return verdict;
    struct dp_insn ins[CP_MAX_LISTING];
    char hex[32];
    cp_format_ptr(v, s->info->ptr_size, hex, sizeof hex);
    dp_text_printf(t, "\nu %s\n", hex);
    print_listing(ctx, t, ins, cp_decode_forward(&dec, &w, v, ins, CP_MAX_LISTING), s->info->ptr_size);
    struct cp_backward b;
    cp_search_backward(&dec, &w, v, &b);
    size_t n = cp_listing_backward(&dec, &w, v, &b, ins, CP_MAX_LISTING);
    if (n) {
        dp_text_printf(t, "\nub %s\n", hex);
        print_listing(ctx, t, ins, n, s->info->ptr_size);
    }
    return verdict;
}

static void dps_line(const struct cp_scan *s, const struct cp_hit *h, char *out, size_t len)
{
    char at[32], val[32];
    cp_format_ptr(h->at, s->info->ptr_size, at, sizeof at);
    cp_format_ptr(h->value, s->info->ptr_size, val, sizeof val);
    snprintf(out, len, "%s  %s %s", at, val, h->symbol);
}

static const char *finding_code(enum cp_class c)
{
    switch (c) {
    case CP_FUNCTION_ENTRY: return "codeptr.function_pointer";
    case CP_RETURN_ADDRESS: return "codeptr.return_address";
    default: return "codeptr.code_pointer";
    }
}

static const char *finding_phrase(enum cp_class c)
{
    switch (c) {
    case CP_FUNCTION_ENTRY: return "a function pointer into";
    case CP_RETURN_ADDRESS: return "a return address into";
    default: return "a pointer into the code of";
    }
}

static void add_hit_finding(dp_ctx *ctx, const struct cp_scan *s, const struct cp_hit *h,
                            const struct cp_verdict *v, struct dp_text *t)
{
    char title[256], line[256];
    snprintf(title, sizeof title, "%s holds %s %s", s->ranges[h->range].noun, finding_phrase(v->cls), h->module);
    dps_line(s, h, line, sizeof line);
    struct dp_text d;
    dp_text_init(&d);
    dp_text_printf(&d, "%s\n%s (%u%%): %s\n%s", line, cp_class_name(v->cls), v->confidence, v->reason, dp_text_str(t));
    const struct dp_field ev[] = {
        DP_ADDR("at", h->at),        DP_ADDR("value", h->value),  DP_STR("module", h->module),
        DP_STR("symbol", h->symbol), DP_STR("class", cp_class_name(v->cls)), DP_STR("reason", v->reason),
    };
    struct dp_finding f = {.code = finding_code(v->cls), .severity = DP_SEV_WARNING, .confidence = v->confidence,
                           .title = title, .details = dp_text_str(&d), .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &f);
    dp_text_free(&d);
}

void cp_report_hit(dp_ctx *ctx, struct cp_scan *s, size_t range, uint64_t at, uint64_t v, const struct dp_module *m)
{
    if (s->n_hits == s->max_hits) {
        s->hits_dropped++;
        return;
    }
    struct cp_hit *h = &s->hits[s->n_hits++];
    *h = (struct cp_hit){.at = at, .value = v, .range = range};
    snprintf(h->module, sizeof h->module, "%s", m->name ? m->name : "?");
    dp_symbolize(ctx, v, h->symbol, sizeof h->symbol);
    int exec = section_executable(ctx, m, v);
    struct dp_text t;
    dp_text_init(&t);
    struct cp_verdict verdict = disassemble(ctx, s, v, exec != 0, &t);
    if (exec < 0 && verdict.confidence > 20) verdict.confidence -= 20; /* section unknown: code assumed */
    h->cls = (int)verdict.cls;
    h->confidence = verdict.confidence;
    const struct dp_field row[] = {
        DP_ADDR("at", at), DP_ADDR("value", v), DP_STR("module", h->module), DP_STR("symbol", h->symbol),
        DP_STR("class", cp_class_name(verdict.cls)), DP_U64("confidence", verdict.confidence),
        DP_STR("reason", verdict.reason), DP_STR("region", s->ranges[range].region),
    };
    dp_publish(ctx, "codeptr.hit", row, sizeof row / sizeof row[0]);
    if (verdict.cls <= CP_INSIDE_FUNCTION) add_hit_finding(ctx, s, h, &verdict, &t);
    dp_text_free(&t);
}

static unsigned vote_weight(const struct cp_scan *s, const struct cp_hit *h)
{
    static const unsigned by_class[] = {[CP_FUNCTION_ENTRY] = 30, [CP_RETURN_ADDRESS] = 25, [CP_INSIDE_FUNCTION] = 20};
    const char *region = s->ranges[h->range].region;
    /* ranges the user named are for reading, not evidence about who corrupted the pool */
    if (h->cls > CP_INSIDE_FUNCTION || !strcmp(region, "range")) return 0;
    unsigned w = by_class[h->cls];
    /* a pointer in the block that was found corrupt says more than one next to it */
    return strcmp(region, "corrupt-block") ? w / 2 : w;
}

/* One vote per module: its strongest hit. */
static void cast_votes(dp_ctx *ctx, const struct cp_scan *s)
{
    for (size_t i = 0; i < s->n_hits; i++) {
        const struct cp_hit *h = &s->hits[i];
        unsigned w = vote_weight(s, h);
        int best = w > 0;
        for (size_t j = 0; j < s->n_hits && best; j++) {
            unsigned wj = vote_weight(s, &s->hits[j]);
            if (j != i && !strcmp(s->hits[j].module, h->module) && (wj > w || (wj == w && j < i))) best = 0;
        }
        if (!best) continue;
        char reason[256];
        snprintf(reason, sizeof reason, "%s holds %s %s", s->ranges[h->range].noun,
                 h->cls == CP_RETURN_ADDRESS ? "a return address to" : "a code pointer to", h->symbol);
        const struct dp_field row[] = {DP_STR("module", h->module), DP_U64("weight", w), DP_STR("reason", reason),
                                       DP_STR("function", h->symbol)};
        dp_publish(ctx, "culprit.vote", row, sizeof row / sizeof row[0]);
    }
}

void cp_report_summary(dp_ctx *ctx, struct cp_scan *s)
{
    struct dp_text t;
    dp_text_init(&t);
    char title[200];
    if (s->n_ranges == 0) {
        snprintf(title, sizeof title, "nothing to scan: no corrupt pool block reported and no ranges given");
    } else {
        snprintf(title, sizeof title, "%zu pointer%s into loaded modules in %llu bytes scanned", s->n_hits + s->hits_dropped,
                 s->n_hits + s->hits_dropped == 1 ? "" : "s", (unsigned long long)s->bytes_scanned);
        for (size_t i = 0; i < s->n_hits; i++) {
            char line[256];
            dps_line(s, &s->hits[i], line, sizeof line);
            dp_text_printf(&t, "%s\n", line);
        }
        for (size_t i = 0; i < s->n_hits; i++)
            dp_text_printf(&t, "%s%s: %s (%u%%) in %s\n", i ? "" : "\n", s->hits[i].symbol, cp_class_name(s->hits[i].cls),
                    s->hits[i].confidence, s->ranges[s->hits[i].range].noun);
        if (s->bytes_unreadable) dp_text_printf(&t, "%llu bytes not in the dump\n", (unsigned long long)s->bytes_unreadable);
        if (s->hits_dropped) dp_text_printf(&t, "%zu more not examined (max_hits)\n", s->hits_dropped);
    }
    const struct dp_field ev[] = {DP_U64("bytes_scanned", s->bytes_scanned), DP_U64("bytes_unreadable", s->bytes_unreadable),
                                  DP_U64("ranges", s->n_ranges), DP_U64("hits", s->n_hits + s->hits_dropped)};
    struct dp_finding f = {.code = "codeptr.scan", .severity = DP_SEV_INFO, .confidence = 100, .title = title,
                           .details = dp_text_str(&t), .evidence = ev, .n_evidence = sizeof ev / sizeof ev[0]};
    dp_add_finding(ctx, &f);
    dp_text_free(&t);
    cast_votes(ctx, s);
}
