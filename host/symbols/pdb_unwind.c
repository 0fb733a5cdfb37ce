/* The FrameData program language (as MSVC writes it and Breakpad's postfix evaluator reads it):
 * tokens separated by blanks; operands are numbers, registers ($eip, $esp, $ebp, $ebx, $esi, $edi),
 * temporaries ($T0..$T9, $L, $P) and the frame constants .raSearch, .raSearchStart, .cbLocals,
 * .cbParams, .cbSavedRegs, .cbCalleeParams; operators + - * / % @ (align down) are binary, ^ reads
 * memory, = assigns the value on top to the name below it. */
#include "pdb_unwind.h"

#include <dumppipe/dumppipe.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 24
#define MAX_STACK 32
#define MAX_TOKEN 16

struct var {
    char name[MAX_TOKEN];
    uint32_t value;
    int assigned; /* by the program */
};

struct machine {
    struct var vars[MAX_VARS];
    int n_vars;
    struct {
        char name[MAX_TOKEN]; /* "" for a plain value */
        uint32_t value;
    } stack[MAX_STACK];
    int depth;
    dp_read32_fn read;
    void *user;
};

static struct var *var_get(struct machine *m, const char *name, int create)
{
    for (int i = 0; i < m->n_vars; i++)
        if (strcmp(m->vars[i].name, name) == 0) return &m->vars[i];
    if (!create || m->n_vars == MAX_VARS) return NULL;
    struct var *v = &m->vars[m->n_vars++];
    memset(v, 0, sizeof *v);
    strcpy(v->name, name);
    return v;
}

static void var_set(struct machine *m, const char *name, uint32_t value)
{
    struct var *v = var_get(m, name, 1);
    if (v) v->value = value;
}

static int push(struct machine *m, const char *name, uint32_t value)
{
    if (m->depth == MAX_STACK) return DP_ERR_BAD_DATA;
    strcpy(m->stack[m->depth].name, name);
    m->stack[m->depth++].value = value;
    return DP_OK;
}

/* The value on top: a name reads its variable. */
static int pop_value(struct machine *m, uint32_t *out)
{
    if (!m->depth) return DP_ERR_BAD_DATA;
    m->depth--;
    if (!m->stack[m->depth].name[0]) {
        *out = m->stack[m->depth].value;
        return DP_OK;
    }
    const struct var *v = var_get(m, m->stack[m->depth].name, 0);
    if (!v) return DP_ERR_BAD_DATA;
    *out = v->value;
    return DP_OK;
}

static int binary(struct machine *m, char op)
{
    uint32_t b, a;
    if (pop_value(m, &b) != DP_OK || pop_value(m, &a) != DP_OK) return DP_ERR_BAD_DATA;
    uint32_t r;
    switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/': if (!b) return DP_ERR_BAD_DATA; r = a / b; break;
    case '%': if (!b) return DP_ERR_BAD_DATA; r = a % b; break;
    default: /* '@': align down to a power of two */
        if (!b || (b & (b - 1))) return DP_ERR_BAD_DATA;
        r = a & ~(b - 1);
    }
    return push(m, "", r);
}

static int token(struct machine *m, const char *t)
{
    if (t[1] == 0 && strchr("+-*/%@", t[0])) return binary(m, t[0]);
    if (strcmp(t, "^") == 0) {
        uint32_t a, v;
        if (pop_value(m, &a) != DP_OK) return DP_ERR_BAD_DATA;
        if (m->read(m->user, a, &v) != DP_OK) return DP_ERR_FAULT;
        return push(m, "", v);
    }
    if (strcmp(t, "=") == 0) {
        uint32_t v;
        if (pop_value(m, &v) != DP_OK || !m->depth || !m->stack[m->depth - 1].name[0]) return DP_ERR_BAD_DATA;
        struct var *dst = var_get(m, m->stack[--m->depth].name, 1);
        if (!dst) return DP_ERR_BAD_DATA;
        dst->value = v, dst->assigned = 1;
        return DP_OK;
    }
    if (t[0] == '$' || t[0] == '.') return push(m, t, 0);
    char *end;
    unsigned long v = strtoul(t, &end, 10);
    if (*end || end == t || v > UINT32_MAX) return DP_ERR_BAD_DATA;
    return push(m, "", (uint32_t)v);
}

static int run_program(struct machine *m, const char *prog)
{
    char t[MAX_TOKEN];
    for (const char *p = prog; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        size_t n = strcspn(p, " \t\r\n");
        if (!n) break;
        if (n >= sizeof t) return DP_ERR_BAD_DATA;
        memcpy(t, p, n);
        t[n] = 0;
        int rc = token(m, t);
        if (rc != DP_OK) return rc;
        p += n;
    }
    return DP_OK;
}

static int assigned(struct machine *m, const char *name, uint32_t *out)
{
    const struct var *v = var_get(m, name, 0);
    if (!v || !v->assigned) return 0;
    *out = v->value;
    return 1;
}

static int unwind_program(const struct dp_pdb_frame *fr, struct dp_x86_frame *r, struct machine *m)
{
    uint32_t ra = r->esp + fr->locals_size + fr->saved_regs_size;
    var_set(m, "$eip", r->eip), var_set(m, "$esp", r->esp), var_set(m, "$ebp", r->ebp);
    var_set(m, "$ebx", r->ebx), var_set(m, "$esi", r->esi), var_set(m, "$edi", r->edi);
    var_set(m, ".raSearch", ra), var_set(m, ".raSearchStart", ra);
    var_set(m, ".cbLocals", fr->locals_size), var_set(m, ".cbParams", fr->params_size);
    var_set(m, ".cbSavedRegs", fr->saved_regs_size), var_set(m, ".cbCalleeParams", 0);
    int rc = run_program(m, fr->program);
    if (rc != DP_OK) return rc;
    struct dp_x86_frame out = *r;
    if (!assigned(m, "$eip", &out.eip) || !assigned(m, "$esp", &out.esp)) return DP_ERR_BAD_DATA;
    assigned(m, "$ebp", &out.ebp), assigned(m, "$ebx", &out.ebx);
    assigned(m, "$esi", &out.esi), assigned(m, "$edi", &out.edi);
    *r = out;
    return DP_OK;
}

/* Old FPO: with EBP as frame pointer the standard chain, else the return address above the
 * locals and saved registers. */
static int unwind_fpo(const struct dp_pdb_frame *fr, struct dp_x86_frame *r, dp_read32_fn read, void *user)
{
    uint32_t eip, ebp = r->ebp, at;
    if (fr->flags & 2) {
        if (read(user, r->ebp + 4, &eip) != DP_OK || read(user, r->ebp, &ebp) != DP_OK) return DP_ERR_FAULT;
        at = r->ebp + 4;
    } else {
        at = r->esp + fr->locals_size + fr->saved_regs_size;
        if (read(user, at, &eip) != DP_OK) return DP_ERR_FAULT;
    }
    r->eip = eip, r->esp = at + 4, r->ebp = ebp;
    return DP_OK;
}

int dp_pdb_unwind_x86(const struct dp_pdb_frame *fr, struct dp_x86_frame *regs, dp_read32_fn read, void *user)
{
    if (!fr->program) return unwind_fpo(fr, regs, read, user);
    struct machine *m = calloc(1, sizeof *m);
    if (!m) return DP_ERR_NOMEM;
    m->read = read, m->user = user;
    int rc = unwind_program(fr, regs, m);
    free(m);
    return rc;
}
