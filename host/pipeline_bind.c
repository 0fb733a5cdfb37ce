/* Binding a pipeline to its plugins: every step's plugin is loaded and its options are checked
 * against the plugin's declared schema (type, choices, range, unit) before anything runs; relative
 * paths are resolved; a step may not consume what only a later step provides. */
#include <libgen.h>
#include <limits.h>
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

static const char *type_name(const struct dp_option *o)
{
    if (o->flags & DP_OPT_DURATION) return "a duration with its unit, such as 500ms, 30s or 2m";
    if (o->flags & DP_OPT_SIZE) return "a size with its unit, such as 512B, 64K, 16M or 2G";
    switch (o->type) {
    case DP_OPT_STRING: return "a string";
    case DP_OPT_INT: return "an integer";
    case DP_OPT_BOOL: return "true or false";
    case DP_OPT_STRING_LIST: return "a list of strings";
    case DP_OPT_INT_LIST: return "a list of integers";
    }
    return "?";
}

/* An integer item as the option wants it: plain, or a duration/size whose unit we convert. */
static int parse_int(const struct dp_option *o, const char *s, int64_t *out)
{
    uint64_t u;
    if (o->flags & (DP_OPT_DURATION | DP_OPT_SIZE)) {
        int bad = (o->flags & DP_OPT_DURATION) ? dp_parse_duration_ms(s, &u) : dp_parse_size(s, &u);
        if (bad || u > INT64_MAX) return -1;
        *out = (int64_t)u;
        return 0;
    }
    if (dp_parse_i64(s, out) == 0) return 0;
    if (dp_parse_u64(s, &u) != 0) return -1;
    *out = (int64_t)u; /* addresses above INT64_MAX keep their bits */
    return 0;
}

static int choice_ok(const struct dp_option *o, const char *s)
{
    if (!o->choices) return 1;
    for (const char *const *c = o->choices; *c; c++)
        if (strcmp(*c, s) == 0) return 1;
    return 0;
}

static void list_choices(const struct dp_option *o, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = 0;
    for (const char *const *c = o->choices; c && *c && k < len; c++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "", *c);
}

/* One scalar (or list item) against the option's type and constraints; a message when it fails. */
static int check_item(const struct dp_option *o, const char *s, char *why, size_t len)
{
    int64_t v;
    int b;
    switch (o->type) {
    case DP_OPT_BOOL:
        if (dp_yaml_bool(s, &b) == 0) return 0;
        break;
    case DP_OPT_STRING:
    case DP_OPT_STRING_LIST:
        if (choice_ok(o, s)) return 0;
        char valid[400];
        list_choices(o, valid, sizeof valid);
        return snprintf(why, len, "'%s' is not one of: %s", s, valid), -1;
    case DP_OPT_INT:
    case DP_OPT_INT_LIST:
        if (parse_int(o, s, &v) != 0) break;
        if ((o->min || o->max) && (v < o->min || v > o->max))
            return snprintf(why, len, "%s is outside %lld..%lld", s, (long long)o->min, (long long)o->max), -1;
        return 0;
    }
    return snprintf(why, len, "'%s' is not %s", s, type_name(o)), -1;
}

/* A relative path in a pipeline is relative to the directory of the file that wrote it. */
static const char *resolve_path(struct dp_arena *a, const char *path, const struct dp_pos *pos)
{
    char dir[PATH_MAX];
    if (!path || path[0] == '/' || !pos->file || !strchr(pos->file, '/')) return path;
    snprintf(dir, sizeof dir, "%s", pos->file);
    return dp_arena_printf(a, "%s/%s", dirname(dir), path);
}

/* A single value where a list is declared is taken as a one-item list: `pooltag_files: my.txt`. */
static int listify(struct dp_arena *a, struct dp_opt_value *v)
{
    if (v->is_list) return DP_OK;
    const char **items = dp_arena_alloc(a, sizeof *items);
    if (!items) return DP_ERR_NOMEM;
    items[0] = v->scalar;
    v->items = items;
    v->n_items = 1;
    v->is_list = 1;
    v->scalar = NULL;
    return DP_OK;
}

static int check_value(struct dp_pipeline *p, const struct dp_option *o, struct dp_opt_value *v, const struct dp_pos *pos,
                       const char *plugin, char *err, size_t errlen)
{
    int is_list_type = o->type == DP_OPT_STRING_LIST || o->type == DP_OPT_INT_LIST;
    char why[512];
    if (v->is_list && !is_list_type)
        return bind_fail(err, errlen, pos, "option '%s' of plugin '%s' must be %s, not a list", o->name, plugin, type_name(o));
    if (is_list_type && listify(p->arena, v) != DP_OK) return DP_ERR_NOMEM;
    size_t n = v->is_list ? v->n_items : 1;
    for (size_t i = 0; i < n; i++) {
        const char **item = v->is_list ? &v->items[i] : &v->scalar;
        if (check_item(o, *item, why, sizeof why) != 0)
            return bind_fail(err, errlen, pos, "option '%s' of plugin '%s': %s%s%s%s", o->name, plugin, why,
                             o->help ? " (" : "", o->help ? o->help : "", o->help ? ")" : "");
        if (o->flags & DP_OPT_PATH) *item = resolve_path(p->arena, *item, pos);
        if (!*item) return DP_ERR_NOMEM;
    }
    return DP_OK;
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
        int rc = check_value(p, o, &s->opts[i], &s->opt_pos[i], s->plugin, err, errlen);
        if (rc) return rc;
    }
    for (const struct dp_option *o = schema; o && o->name; o++) {
        int given = 0;
        for (size_t i = 0; i < s->n_opts; i++) given |= strcmp(o->name, s->opts[i].name) == 0;
        if (o->required && !given)
            return bind_fail(err, errlen, &s->pos, "plugin '%s' needs option '%s' (%s)", s->plugin, o->name,
                             o->help ? o->help : type_name(o));
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
            return bind_fail(err, errlen, &s->pos, "plugin '%s' is %s, not %s: list it under '%s'", s->plugin,
                             lp->desc->kind == DP_KIND_SINK ? "a sink" : "an analyzer",
                             kind == DP_KIND_SINK ? "a sink" : "an analyzer",
                             lp->desc->kind == DP_KIND_SINK ? "sinks" : "steps");
        s->desc = lp->desc;
        int rc = check_step_options(p, s, err, errlen);
        if (rc) return rc;
        if (s->output) s->output = resolve_path(p->arena, s->output, &s->pos);
    }
    return DP_OK;
}

static int lists(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0) return 1;
    return 0;
}

/* Steps run in order: reading an artifact that only a later step publishes would silently see
 * nothing, so the pipeline is refused. An artifact nobody earlier provides but nobody later either
 * is optional input (a user pipeline may leave its publisher out), and so is a consumed name marked
 * "?": evidence two plugins may give each other, whichever runs second. */
static int check_order(struct dp_pipeline *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < p->steps.len; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->steps, i);
        for (const char *const *a = s->desc->consumes; a && *a; a++) {
            int earlier = **a == '?';
            for (size_t j = 0; j < i; j++) earlier |= lists(((const struct dp_step_config *)dp_vec_at(&p->steps, j))->desc->provides, *a);
            for (size_t j = i + 1; j < p->steps.len && !earlier; j++) {
                const struct dp_step_config *later = dp_vec_at(&p->steps, j);
                if (lists(later->desc->provides, *a))
                    return bind_fail(err, errlen, &s->pos,
                                     "step '%s' consumes '%s', which only the later step '%s' provides: "
                                     "move '%s' after '%s' (order:, after:)", s->id, *a, later->id, s->id, later->id);
            }
        }
    }
    return DP_OK;
}

/* No sinks: the report goes to standard output as text, as if `sinks: [{plugin: text}]` were written. */
static int default_sink(struct dp_pipeline *p)
{
    if (p->sinks.len) return DP_OK;
    struct dp_step_config *s = dp_vec_push(&p->sinks);
    if (!s) return DP_ERR_NOMEM;
    *s = (struct dp_step_config){.id = "text", .plugin = "text", .pos = {p->path, 1, 1}};
    return DP_OK;
}

int dp_pipeline_bind(struct dp_pipeline *p, struct dp_loader *l, char *err, size_t errlen)
{
    int rc = default_sink(p);
    if (!rc) rc = bind_list(p, &p->steps, DP_KIND_ANALYZER, l, err, errlen);
    if (!rc) rc = check_order(p, err, errlen);
    return rc ? rc : bind_list(p, &p->sinks, DP_KIND_SINK, l, err, errlen);
}
