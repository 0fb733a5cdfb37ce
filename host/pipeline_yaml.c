#include "pipeline_yaml.h"

#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

struct frame {
    struct dp_ynode *node;
    struct dp_vec kids; /* struct dp_ynode * */
};

struct builder {
    struct dp_arena *a;
    struct frame stack[DP_YAML_MAX_DEPTH];
    size_t depth, nodes;
    struct dp_ynode *root;
    const char *file;
    char *err;
    size_t errlen;
};

static int fail_at(struct builder *b, const yaml_mark_t *m, const char *msg)
{
    snprintf(b->err, b->errlen, "%s:%zu:%zu: %s", b->file, m->line + 1, m->column + 1, msg);
    return DP_ERR_BAD_DATA;
}

static int attach(struct builder *b, struct dp_ynode *n)
{
    if (!b->depth) {
        b->root = n;
        return DP_OK;
    }
    struct dp_ynode **slot = dp_vec_push(&b->stack[b->depth - 1].kids);
    if (!slot) return DP_ERR_NOMEM;
    *slot = n;
    return DP_OK;
}

static struct dp_ynode *new_node(struct builder *b, enum dp_ynode_type t, const yaml_mark_t *m)
{
    struct dp_ynode *n = dp_arena_alloc(b->a, sizeof *n);
    if (n) *n = (struct dp_ynode){.type = t, .line = (unsigned)m->line + 1, .col = (unsigned)m->column + 1};
    return n;
}

static int close_collection(struct builder *b)
{
    struct frame *f = &b->stack[--b->depth];
    struct dp_ynode *n = f->node;
    n->n = f->kids.len;
    n->kids = n->n ? dp_arena_memdup(b->a, f->kids.data, n->n * sizeof *n->kids) : NULL;
    dp_vec_free(&f->kids);
    if (n->n && !n->kids) return DP_ERR_NOMEM;
    return attach(b, n);
}

static int on_event(struct builder *b, const yaml_event_t *e)
{
    const yaml_mark_t *m = &e->start_mark;
    if (e->type == YAML_ALIAS_EVENT) return fail_at(b, m, "aliases (*name) are not allowed in a pipeline");
    if (e->type == YAML_DOCUMENT_START_EVENT && b->root) return fail_at(b, m, "a pipeline is one YAML document");
    if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) return close_collection(b);
    if (e->type != YAML_SCALAR_EVENT && e->type != YAML_SEQUENCE_START_EVENT && e->type != YAML_MAPPING_START_EVENT)
        return DP_OK;
    if (++b->nodes > DP_YAML_MAX_NODES) return fail_at(b, m, "more than 100000 YAML nodes");
    if (e->type == YAML_SCALAR_EVENT) {
        struct dp_ynode *n = new_node(b, DP_Y_SCALAR, m);
        if (!n || !(n->value = dp_arena_memdup(b->a, e->data.scalar.value, e->data.scalar.length + 1)))
            return DP_ERR_NOMEM;
        return attach(b, n);
    }
    if (b->depth == DP_YAML_MAX_DEPTH) return fail_at(b, m, "nested deeper than 32 levels");
    struct frame *f = &b->stack[b->depth++];
    f->node = new_node(b, e->type == YAML_SEQUENCE_START_EVENT ? DP_Y_SEQ : DP_Y_MAP, m);
    dp_vec_init(&f->kids, sizeof(struct dp_ynode *));
    return f->node ? DP_OK : DP_ERR_NOMEM;
}

int dp_yaml_tree(struct dp_arena *a, const char *data, size_t len, const char *file, struct dp_ynode **root,
                 char *err, size_t errlen)
{
    struct builder b = {.a = a, .file = file, .err = err, .errlen = errlen};
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    int rc = DP_OK, end = 0;
    while (rc == DP_OK && !end) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            snprintf(err, errlen, "%s:%zu:%zu: %s", file, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "malformed YAML");
            rc = DP_ERR_BAD_DATA;
            break;
        }
        end = e.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &e);
        yaml_event_delete(&e);
    }
    while (b.depth) dp_vec_free(&b.stack[--b.depth].kids);
    yaml_parser_delete(&parser);
    if (rc == DP_ERR_NOMEM) snprintf(err, errlen, "%s: out of memory", file);
    *root = rc == DP_OK ? b.root : NULL;
    return rc;
}
