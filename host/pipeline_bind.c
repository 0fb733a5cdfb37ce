/* Binding a pipeline to its plugins: every step's plugin is loaded and its options are checked
 * against the plugin's declared schema before anything runs. */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "pipeline.h"

static int bind_fail(char *err, size_t errlen, const struct dp_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bind_fail(char *err, size_t errlen, const struct dp_pos *pos, const char *fmt, ...)
{
    int k = snprintf(err, errlen, "%s:%u:%u: ", pos->file, pos->line, pos->col);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < errlen) vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return DP_ERR_BAD_DATA;
}

static const char *type_name(enum dp_opt_type t)
{
    switch (t) {
    case DP_OPT_STRING: return "a string";
    case DP_OPT_INT: return "an integer";
    case DP_OPT_BOOL: return "true or false";
    case DP_OPT_STRING_LIST: return "a list of strings";
    case DP_OPT_INT_LIST: return "a list of integers";
    }
    return "?";
}

static int is_int(const char *s)
{
    int64_t i;
    uint64_t u;
    return dp_parse_i64(s, &i) == 0 || dp_parse_u64(s, &u) == 0;
}

static int value_fits(enum dp_opt_type t, struct dp_opt_value *v)
{
    int b;
    switch (t) {
    case DP_OPT_STRING: return !v->is_list;
    case DP_OPT_INT: return !v->is_list && is_int(v->scalar);
    case DP_OPT_BOOL: return !v->is_list && dp_yaml_bool(v->scalar, &b) == 0;
    case DP_OPT_STRING_LIST: return 1;
    case DP_OPT_INT_LIST:
        if (!v->is_list) return is_int(v->scalar);
        for (size_t i = 0; i < v->n_items; i++)
            if (!is_int(v->items[i])) return 0;
        return 1;
    }
    return 0;
}

/* A single value where a list is declared is taken as a one-item list: `pooltag_files: my.txt`. */
static void listify(struct dp_arena *a, struct dp_opt_value *v)
{
    if (v->is_list) return;
    const char **items = dp_arena_alloc(a, sizeof *items);
    if (!items) return;
    items[0] = v->scalar;
    v->items = items;
    v->n_items = 1;
    v->is_list = 1;
    v->scalar = NULL;
}

static int check_step_options(struct dp_pipeline *p, struct dp_step_config *s, char *err, size_t errlen)
{
    const struct dp_option *schema = s->desc->options;
    for (size_t i = 0; i < s->n_opts; i++) {
        const struct dp_option *o = schema;
        while (o && o->name && strcmp(o->name, s->opts[i].name) != 0) o++;
        if (!o || !o->name) {
            char valid[400] = "";
            size_t k = 0;
            for (const struct dp_option *q = schema; q && q->name && k < sizeof valid; q++)
                k += (size_t)snprintf(valid + k, sizeof valid - k, "%s%s", k ? ", " : "", q->name);
            return bind_fail(err, errlen, &s->opt_pos[i], "plugin '%s' has no option '%s' (valid: %s)", s->plugin,
                             s->opts[i].name, *valid ? valid : "none");
        }
        if (!value_fits(o->type, &s->opts[i]))
            return bind_fail(err, errlen, &s->opt_pos[i], "option '%s' of plugin '%s' must be %s", o->name, s->plugin,
                             type_name(o->type));
        if (o->type == DP_OPT_STRING_LIST || o->type == DP_OPT_INT_LIST) listify(p->arena, &s->opts[i]);
    }
    for (const struct dp_option *o = schema; o && o->name; o++) {
        int given = 0;
        for (size_t i = 0; i < s->n_opts; i++) given |= strcmp(o->name, s->opts[i].name) == 0;
        if (o->required && !given)
            return bind_fail(err, errlen, &s->pos, "plugin '%s' needs option '%s' (%s)", s->plugin, o->name,
                             o->help ? o->help : type_name(o->type));
    }
    return DP_OK;
}

static int bind_list(struct dp_pipeline *p, struct dp_vec *list, enum dp_plugin_kind kind, struct dp_loader *l,
                     char *err, size_t errlen)
{
    for (size_t i = 0; i < list->len; i++) {
        struct dp_step_config *s = dp_vec_at(list, i);
        const struct dp_loaded_plugin *lp;
        char why[1024];
        if (dp_loader_get(l, s->plugin, &lp, why, sizeof why) != DP_OK)
            return bind_fail(err, errlen, &s->pos, "%s", why);
        if (lp->desc->kind != kind)
            return bind_fail(err, errlen, &s->pos, "plugin '%s' is %s, not %s", s->plugin,
                             lp->desc->kind == DP_KIND_SINK ? "a sink" : "an analyzer",
                             kind == DP_KIND_SINK ? "a sink (list it under 'sinks')" : "an analyzer (list it under 'steps')");
        s->desc = lp->desc;
        int rc = check_step_options(p, s, err, errlen);
        if (rc) return rc;
    }
    return DP_OK;
}

int dp_pipeline_bind(struct dp_pipeline *p, struct dp_loader *l, char *err, size_t errlen)
{
    int rc = bind_list(p, &p->steps, DP_KIND_ANALYZER, l, err, errlen);
    return rc ? rc : bind_list(p, &p->sinks, DP_KIND_SINK, l, err, errlen);
}
