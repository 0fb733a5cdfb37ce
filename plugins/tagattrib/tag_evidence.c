#include "tag_evidence.h"

#include <string.h>


#define MAX_SECTIONS 64
#define MAX_SECTION_BYTES (64u << 20) /* no real driver section is larger; bounds a hostile header */
#define PAGE 4096u
#define LEAD 16u   /* bytes read before a page, so an operand's opcode on the previous page is seen */
#define TRAIL 128u /* bytes read after it, for the instructions that follow the operand */

struct search {
    dp_ctx *c;
    enum dp_arch arch;
    uint8_t buf[LEAD + PAGE + TRAIL];
};

static int decode_cb(void *ud, const uint8_t *code, size_t len, uint64_t addr, struct dp_insn *out)
{
    struct search *s = ud;
    return dp_disasm(s->c, s->arch, code, len, addr, out);
}

/* Reads the page at VA with as much context as the dump has; *lead is how many bytes precede VA. */
static int read_window(struct search *s, uint64_t va, uint64_t sec_start, uint64_t sec_end, size_t *len,
                       size_t *lead)
{
    size_t before = va - sec_start >= LEAD ? LEAD : 0;
    size_t after = sec_end > va + PAGE && sec_end - (va + PAGE) >= TRAIL ? TRAIL : 0;
    if (dp_read_virt(s->c, va - before, s->buf, before + PAGE + after) == DP_OK) {
        *len = before + PAGE + after, *lead = before;
        return 1;
    }
    if (dp_read_virt(s->c, va, s->buf, PAGE) == DP_OK) {
        *len = PAGE, *lead = 0;
        return 1;
    }
    return 0;
}

static unsigned hit_score(const struct tag_hit *h)
{
    return h->kind == TAG_HIT_CODE ? (h->call_follows ? 3u : 2u) : 1u;
}

static void record_hit(struct tag_query *q, const struct dp_module *m, const struct tag_hit *h)
{
    struct tag_candidate *cd = NULL;
    for (unsigned i = 0; i < q->n_cand; i++)
        if (q->cand[i].module == m) cd = &q->cand[i];
    if (!cd) {
        if (q->n_cand >= TAG_MAX_CANDIDATES) return;
        cd = &q->cand[q->n_cand++];
        memset(cd, 0, sizeof *cd);
        cd->module = m;
    }
    if (h->kind == TAG_HIT_CODE) cd->n_code++;
    else cd->n_literal++;
    if (hit_score(h) > cd->score) {
        cd->score = hit_score(h);
        cd->best = *h;
    }
}

static void search_window(struct search *s, struct tag_query *q, unsigned nq, const struct dp_module *m,
                          const struct dp_section *sec, uint64_t va, size_t len, size_t lead)
{
    for (unsigned k = 0; k < nq; k++) {
        uint32_t values[2] = {q[k].tag, q[k].tag | DP_POOL_PROTECTED};
        for (unsigned v = 0; v < 2; v++) {
            /* occurrences starting on this page only, so none is counted twice */
            for (size_t at = tag_find_dword(s->buf, lead + PAGE, lead, values[v]); at < lead + PAGE;
                 at = tag_find_dword(s->buf, lead + PAGE, at + 1, values[v])) {
                struct tag_hit h;
                if (sec->executable)
                    tag_judge_occurrence(s->arch, s->buf, len, va - lead, at, values[v], decode_cb, s, &h);
                else
                    h = (struct tag_hit){.addr = va - lead + at, .value = values[v], .kind = TAG_HIT_LITERAL};
                record_hit(&q[k], m, &h);
            }
        }
    }
}

/* Returns how many pages of the section were present. */
static uint64_t search_section(struct search *s, struct tag_query *q, unsigned nq, const struct dp_module *m,
                               const struct dp_section *sec, struct tag_search_stats *st)
{
    uint64_t present = 0, size = sec->size > MAX_SECTION_BYTES ? MAX_SECTION_BYTES : sec->size;
    uint64_t start = sec->va & ~(uint64_t)(PAGE - 1), end = sec->va + size;
    if (end < sec->va) return 0;
    for (uint64_t va = start; va < end; va += PAGE) {
        size_t len, lead;
        if (!read_window(s, va, start, end, &len, &lead)) {
            st->pages_absent++;
            continue;
        }
        present++;
        search_window(s, q, nq, m, sec, va, len, lead);
    }
    return present;
}

static int cand_better(const struct tag_candidate *a, const struct tag_candidate *b)
{
    if (a->score != b->score) return a->score > b->score;
    return a->n_code + a->n_literal > b->n_code + b->n_literal;
}

static void rank(struct tag_query *q)
{
    for (unsigned i = 1; i < q->n_cand; i++)
        for (unsigned j = i; j > 0 && cand_better(&q->cand[j], &q->cand[j - 1]); j--) {
            struct tag_candidate t = q->cand[j];
            q->cand[j] = q->cand[j - 1];
            q->cand[j - 1] = t;
        }
}

void tag_search_modules(dp_ctx *c, struct tag_query *q, unsigned nq, struct tag_search_stats *st)
{
    struct search s; /* one page window, reused: nothing allocated per page */
    struct dp_section secs[MAX_SECTIONS];
    memset(st, 0, sizeof *st);
    s.c = c;
    s.arch = dp_dump_info(c)->arch;
    st->modules = (unsigned)dp_module_count(c);
    for (size_t i = 0; i < dp_module_count(c); i++) {
        const struct dp_module *m = dp_module_get(c, i);
        size_t ns = m ? dp_module_sections(c, m, secs, MAX_SECTIONS) : 0;
        uint64_t present = 0;
        if (ns == 0) {
            st->skipped_no_headers++;
            continue;
        }
        for (size_t k = 0; k < ns && k < MAX_SECTIONS; k++) present += search_section(&s, q, nq, m, &secs[k], st);
        if (present) st->searched++;
        else st->skipped_absent++;
    }
    for (unsigned k = 0; k < nq; k++) rank(&q[k]);
}
