/* Pipeline YAML: parsing into step configs, and `extends:` layering. Validation against plugin
 * schemas lives in pipeline_bind.c. */
#include "pipeline.h"
#include "pipeline_find.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline_yaml.h"

#include "symbols/sympath.h"

enum { DP_MAX_EXTENDS_DEPTH = 8 };

struct parse {
    struct dp_pipeline *p;
    const char *file;
    char *err;
    size_t errlen;
};

static int fail(struct parse *ps, const struct dp_ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parse *ps, const struct dp_ynode *n, const char *fmt, ...)
{
    int k = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->file, n ? n->line : 1, n ? n->col : 1);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < ps->errlen) vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return DP_ERR_BAD_DATA;
}

static struct dp_pos pos_of(struct parse *ps, const struct dp_ynode *n)
{
    return (struct dp_pos){ps->file, n->line, n->col};
}

static const char *scalar(const struct dp_ynode *n) { return n && n->type == DP_Y_SCALAR ? n->value : NULL; }

int dp_yaml_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcmp(s, yes[i]) == 0) return *out = 1, 0;
        if (strcmp(s, no[i]) == 0) return *out = 0, 0;
    }
    return -1;
}

/* pair[0] is the key, pair[1] the value */
#define FOREACH_PAIR(map, pair) for (struct dp_ynode **pair = (map)->kids; pair && pair < (map)->kids + (map)->n; pair += 2)
#define FOREACH_ITEM(seq, item) for (struct dp_ynode **item = (seq)->kids; item && item < (seq)->kids + (seq)->n; item++)

static int parse_opt_value(struct parse *ps, const char *name, struct dp_ynode *v, struct dp_opt_value *out)
{
    out->name = dp_arena_strdup(ps->p->arena, name);
    if (v->type == DP_Y_SCALAR) {
        out->scalar = dp_arena_strdup(ps->p->arena, scalar(v));
        return DP_OK;
    }
    if (v->type != DP_Y_SEQ) return fail(ps, v, "option '%s' must be a value or a list of values", name);
    size_t n = v->n;
    out->is_list = 1;
    out->items = dp_arena_alloc(ps->p->arena, (n ? n : 1) * sizeof *out->items);
    if (!out->items) return DP_ERR_NOMEM;
    FOREACH_ITEM(v, it) {
        const char *s = scalar(*it);
        if (!s) return fail(ps, *it, "items of option '%s' must be plain values", name);
        out->items[out->n_items++] = dp_arena_strdup(ps->p->arena, s);
    }
    return DP_OK;
}

static int parse_options(struct parse *ps, struct dp_ynode *map, struct dp_step_config *s)
{
    if (map->type != DP_Y_MAP) return fail(ps, map, "'options' must be a mapping of option: value");
    /* YAML lets a key repeat; a second 'options' would reuse the first one's count */
    if (s->opts) return fail(ps, map, "'options' given twice");
    size_t n = map->n / 2;
    s->opts = dp_arena_alloc(ps->p->arena, (n ? n : 1) * sizeof *s->opts);
    s->opt_pos = dp_arena_alloc(ps->p->arena, (n ? n : 1) * sizeof *s->opt_pos);
    if (!s->opts || !s->opt_pos) return DP_ERR_NOMEM;
    FOREACH_PAIR(map, pr) {
        struct dp_ynode *k = pr[0], *v = pr[1];
        if (!scalar(k)) return fail(ps, k, "option names must be plain words");
        for (size_t i = 0; i < s->n_opts; i++)
            if (strcmp(s->opts[i].name, scalar(k)) == 0) return fail(ps, k, "option '%s' given twice", scalar(k));
        s->opt_pos[s->n_opts] = pos_of(ps, v);
        int rc = parse_opt_value(ps, scalar(k), v, &s->opts[s->n_opts]);
        if (rc) return rc;
        s->n_opts++;
    }
    return DP_OK;
}

/* Limits are range-checked here, so a deadline cannot overflow and "5" is not guessed at. */
static int parse_limit(struct parse *ps, struct dp_ynode *v, const char *what, uint64_t *out)
{
    const char *s = scalar(v);
    int is_time = strstr(what, "timeout") != NULL;
    uint64_t lo = is_time ? 1 : 1u << 20, hi = is_time ? DP_MAX_TIMEOUT_MS : DP_MAX_MEMORY_BYTES;
    if (s && is_time && *s && !s[strspn(s, "0123456789")])
        return fail(ps, v, "'%s: %s' needs a unit: %ss, %sms or %sm", what, s, s, s, s);
    if (!s || (is_time ? dp_parse_duration_ms(s, out) : dp_parse_size(s, out)) || *out < lo || *out > hi)
        return fail(ps, v, "'%s' must be %s", what,
                    is_time ? "a duration from 1ms to 24h, such as 30s, 500ms or 2m"
                            : "a size from 1M to 1T, such as 512M or 2G");
    return DP_OK;
}

enum { STEP_EDIT = 1, STEP_SINK = 2 };

/* The step keys that take a plain value, so a mapping under any other key reads "unknown key". */
static int step_key_known(const char *key, unsigned flags)
{
    return !strcmp(key, "plugin") || !strcmp(key, "id") || ((flags & STEP_SINK) && !strcmp(key, "output")) ||
           ((flags & STEP_EDIT) && (!strcmp(key, "drop") || !strcmp(key, "after") || !strcmp(key, "before")));
}

/* One entry of `steps:` or `sinks:`; in an extending pipeline also `drop: ID`, `after:`, `before:`. */
static int parse_step(struct parse *ps, struct dp_ynode *n, struct dp_step_config *s, const char **after,
                      const char **before, int *drop, unsigned flags)
{
    if (n->type != DP_Y_MAP) return fail(ps, n, "each step must be a mapping with a 'plugin' key");
    s->pos = pos_of(ps, n);
    FOREACH_PAIR(n, pr) {
        struct dp_ynode *k = pr[0], *v = pr[1];
        const char *key = scalar(k), *val = scalar(v);
        int rc = DP_OK;
        if (!key) return fail(ps, k, "step keys must be plain words");
        if (strcmp(key, "options") == 0) rc = parse_options(ps, v, s);
        else if (strcmp(key, "timeout") == 0) rc = parse_limit(ps, v, "timeout", &s->timeout_ms);
        else if (strcmp(key, "memory") == 0) rc = parse_limit(ps, v, "memory", &s->memory_bytes);
        else if (!val && step_key_known(key, flags)) return fail(ps, v, "'%s' must be a plain value", key);
        else if (strcmp(key, "plugin") == 0) s->plugin = dp_arena_strdup(ps->p->arena, val);
        else if (strcmp(key, "id") == 0) s->id = dp_arena_strdup(ps->p->arena, val);
        else if ((flags & STEP_SINK) && strcmp(key, "output") == 0) s->output = dp_arena_strdup(ps->p->arena, val);
        else if ((flags & STEP_EDIT) && strcmp(key, "drop") == 0) s->id = dp_arena_strdup(ps->p->arena, val), *drop = 1;
        else if ((flags & STEP_EDIT) && strcmp(key, "after") == 0) *after = val;
        else if ((flags & STEP_EDIT) && strcmp(key, "before") == 0) *before = val;
        else
            return fail(ps, k, "unknown step key '%s' (valid: plugin, id, options, timeout, memory%s)", key,
                        (flags & STEP_EDIT) ? ", after, before, drop" : (flags & STEP_SINK) ? ", output" : "");
        if (rc) return rc;
    }
    if (*drop && (s->plugin || s->n_opts)) return fail(ps, n, "a 'drop' entry takes nothing else");
    if (!*drop && !s->plugin) return fail(ps, n, "step has no 'plugin'");
    if (!s->id) s->id = s->plugin;
    return DP_OK;
}

static struct dp_step_config *find_step(struct dp_vec *v, const char *id, size_t *index)
{
    for (size_t i = 0; i < v->len; i++) {
        struct dp_step_config *s = dp_vec_at(v, i);
        if (strcmp(s->id, id) == 0) {
            if (index) *index = i;
            return s;
        }
    }
    return NULL;
}

/* Later option values override earlier ones key by key. */
static int merge_options(struct dp_arena *a, struct dp_step_config *base, const struct dp_step_config *over)
{
    size_t cap = base->n_opts + over->n_opts;
    struct dp_opt_value *o = dp_arena_alloc(a, (cap ? cap : 1) * sizeof *o);
    struct dp_pos *p = dp_arena_alloc(a, (cap ? cap : 1) * sizeof *p);
    if (!o || !p) return DP_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < base->n_opts; i++) {
        int overridden = 0;
        for (size_t j = 0; j < over->n_opts; j++) overridden |= strcmp(base->opts[i].name, over->opts[j].name) == 0;
        if (!overridden) o[n] = base->opts[i], p[n++] = base->opt_pos[i];
    }
    for (size_t j = 0; j < over->n_opts; j++) o[n] = over->opts[j], p[n++] = over->opt_pos[j];
    base->opts = o;
    base->opt_pos = p;
    base->n_opts = n;
    return DP_OK;
}

static int vec_move(struct dp_vec *v, size_t from, size_t to)
{
    if (from == to) return DP_OK;
    unsigned char tmp[sizeof(struct dp_step_config)];
    memcpy(tmp, dp_vec_at(v, from), v->elem);
    if (from < to) memmove(dp_vec_at(v, from), dp_vec_at(v, from + 1), (to - from) * v->elem);
    else memmove(dp_vec_at(v, to + 1), dp_vec_at(v, to), (from - to) * v->elem);
    memcpy(dp_vec_at(v, to), tmp, v->elem);
    return DP_OK;
}

static int place_step(struct parse *ps, struct dp_ynode *n, struct dp_vec *steps, size_t idx, const char *after,
                      const char *before)
{
    const char *anchor = after ? after : before;
    if (!anchor) return DP_OK;
    size_t at;
    if (!find_step(steps, anchor, &at)) return fail(ps, n, "no step '%s' to place this step %s", anchor, after ? "after" : "before");
    if (at == idx) return fail(ps, n, "a step cannot be placed relative to itself");
    size_t to = after ? (idx < at ? at : at + 1) : (idx < at ? at - 1 : at);
    return vec_move(steps, idx, to);
}

/* Applies one `steps:` entry of an extending pipeline to the inherited list. */
static int apply_step_edit(struct parse *ps, struct dp_ynode *n, struct dp_vec *steps, unsigned flags)
{
    struct dp_step_config s = {0};
    const char *after = NULL, *before = NULL;
    int drop = 0;
    int rc = parse_step(ps, n, &s, &after, &before, &drop, flags);
    int extending = flags & STEP_EDIT;
    if (rc) return rc;
    size_t idx;
    struct dp_step_config *have = find_step(steps, s.id, &idx);
    if (drop) {
        if (!have) return fail(ps, n, "cannot drop '%s': the pipeline has no such step", s.id);
        if (idx + 1 < steps->len) /* dp_vec_at past the end is NULL, even for a zero-length move */
            memmove(dp_vec_at(steps, idx), dp_vec_at(steps, idx + 1), (steps->len - idx - 1) * steps->elem);
        steps->len--;
        return DP_OK;
    }
    if (have) {
        if (!extending) return fail(ps, n, "step '%s' appears twice (give one of them an 'id')", s.id);
        if (strcmp(have->plugin, s.plugin) != 0) return fail(ps, n, "step '%s' runs plugin '%s', not '%s'", s.id, have->plugin, s.plugin);
        if ((rc = merge_options(ps->p->arena, have, &s))) return rc;
        if (s.timeout_ms) have->timeout_ms = s.timeout_ms;
        if (s.memory_bytes) have->memory_bytes = s.memory_bytes;
    } else {
        struct dp_step_config *slot = dp_vec_push(steps);
        if (!slot) return DP_ERR_NOMEM;
        *slot = s;
        idx = steps->len - 1;
    }
    return place_step(ps, n, steps, idx, after, before);
}

static int parse_step_list(struct parse *ps, struct dp_ynode *seq, struct dp_vec *steps, unsigned flags)
{
    if (seq->type != DP_Y_SEQ) return fail(ps, seq, "expected a list of steps");
    FOREACH_ITEM(seq, it) {
        int rc = apply_step_edit(ps, *it, steps, flags);
        if (rc) return rc;
    }
    return DP_OK;
}

static const char *relative_to(struct parse *ps, const char *path)
{
    if (path[0] == '/') return dp_arena_strdup(ps->p->arena, path);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", ps->file);
    return dp_arena_printf(ps->p->arena, "%s/%s", dirname(dir), path);
}

/* A `symbols:` entry is a symbol path (host/symbols/sympath.h): its local paths are relative to this file. */
static const char *symbol_path_relative(struct parse *ps, const char *spec)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", ps->file);
    char *s = dp_sympath_rebase(spec, dirname(dir));
    const char *out = s ? dp_arena_strdup(ps->p->arena, s) : NULL;
    free(s);
    return out;
}

static int parse_path_list(struct parse *ps, struct dp_ynode *v, struct dp_vec *out, const char *what)
{
    const char *(*resolve)(struct parse *, const char *) = strcmp(what, "symbols") == 0 ? symbol_path_relative : relative_to;
    if (scalar(v)) {
        const char **slot = dp_vec_push(out);
        if (!slot) return DP_ERR_NOMEM;
        *slot = resolve(ps, scalar(v));
        return DP_OK;
    }
    if (v->type != DP_Y_SEQ) return fail(ps, v, "'%s' must be a path or a list of paths", what);
    FOREACH_ITEM(v, it) {
        const char *s = scalar(*it);
        if (!s) return fail(ps, *it, "'%s' entries must be paths", what);
        const char **slot = dp_vec_push(out);
        if (!slot) return DP_ERR_NOMEM;
        *slot = resolve(ps, s);
    }
    return DP_OK;
}

static int parse_order(struct parse *ps, struct dp_ynode *v)
{
    struct dp_vec *steps = &ps->p->steps;
    if (v->type != DP_Y_SEQ) return fail(ps, v, "'order' must be a list of step ids");
    size_t n = v->n;
    if (n != steps->len) return fail(ps, v, "'order' must name each of the %zu steps exactly once", steps->len);
    size_t k = 0;
    FOREACH_ITEM(v, it) {
        struct dp_ynode *item = *it;
        size_t idx;
        if (!scalar(item) || !find_step(steps, scalar(item), &idx)) return fail(ps, item, "'order' names no step '%s'", scalar(item) ? scalar(item) : "?");
        if (idx < k) return fail(ps, item, "'order' names step '%s' twice", scalar(item));
        vec_move(steps, idx, k++);
    }
    return DP_OK;
}

static int load_file(struct dp_pipeline *p, const char *path, int depth, char *err, size_t errlen);

static int parse_top(struct parse *ps, struct dp_ynode *root, int depth)
{
    if (!root || root->type != DP_Y_MAP) return fail(ps, root, "a pipeline is a mapping with 'steps' and 'sinks'");
    struct dp_ynode *ext = NULL, *order = NULL;
    FOREACH_PAIR(root, pr) {
        struct dp_ynode *k = pr[0];
        if (scalar(k) && strcmp(scalar(k), "extends") == 0) ext = pr[1];
    }
    if (ext) {
        if (!scalar(ext)) return fail(ps, ext, "'extends' must name a pipeline file");
        if (depth >= DP_MAX_EXTENDS_DEPTH) return fail(ps, ext, "'extends' chain deeper than %d (a cycle?)", DP_MAX_EXTENDS_DEPTH);
        int rc = load_file(ps->p, dp_pipeline_find(ps->p->arena, scalar(ext), ps->file), depth + 1, ps->err, ps->errlen);
        if (rc) return rc;
    }
    int sinks_replaced = 0;
    FOREACH_PAIR(root, pr) {
        struct dp_ynode *k = pr[0], *v = pr[1];
        const char *key = scalar(k);
        int rc = DP_OK, b;
        if (!key) return fail(ps, k, "top-level keys must be plain words");
        if (strcmp(key, "extends") == 0) continue;
        if (strcmp(key, "version") == 0) {
            if (!scalar(v) || strcmp(scalar(v), "1") != 0) return fail(ps, v, "unsupported pipeline version (this dumppipe reads version 1)");
        } else if (strcmp(key, "steps") == 0) rc = parse_step_list(ps, v, &ps->p->steps, ext ? STEP_EDIT : 0);
        else if (strcmp(key, "sinks") == 0) {
            if (!sinks_replaced) ps->p->sinks.len = 0; /* an extending pipeline's sinks replace the base's */
            sinks_replaced = 1;
            rc = parse_step_list(ps, v, &ps->p->sinks, STEP_SINK);
        } else if (strcmp(key, "order") == 0) order = v;
        else if (strcmp(key, "plugin_dirs") == 0) rc = parse_path_list(ps, v, &ps->p->plugin_dirs, key);
        else if (strcmp(key, "symbols") == 0) rc = parse_path_list(ps, v, &ps->p->symbol_files, key);
        else if (strcmp(key, "isolation") == 0) {
            if (!scalar(v) || dp_yaml_bool(scalar(v), &b)) return fail(ps, v, "'isolation' must be true or false");
            ps->p->isolation = b;
        } else if (strcmp(key, "timeout") == 0) rc = parse_limit(ps, v, "timeout", &ps->p->timeout_ms);
        else if (strcmp(key, "memory") == 0) rc = parse_limit(ps, v, "memory", &ps->p->memory_bytes);
        else if (strcmp(key, "dump_timeout") == 0) rc = parse_limit(ps, v, "dump_timeout", &ps->p->dump_timeout_ms);
        else if (strcmp(key, "dump_memory") == 0) rc = parse_limit(ps, v, "dump_memory", &ps->p->dump_memory_bytes);
        else
            return fail(ps, k, "unknown key '%s' (valid: version, extends, steps, sinks, order, plugin_dirs, symbols, "
                               "isolation, timeout, memory, dump_timeout, dump_memory)", key);
        if (rc) return rc;
    }
    return order ? parse_order(ps, order) : DP_OK;
}

static int load_file(struct dp_pipeline *p, const char *path, int depth, char *err, size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dp_read_regular(path, depth ? "pipeline named by extends" : "pipeline", DP_PIPELINE_MAX_BYTES, &data, &len,
                             err, errlen);
    if (rc) return rc;
    const char *file = dp_arena_strdup(p->arena, path);
    const char **src = file ? dp_vec_push(&p->sources) : NULL;
    struct dp_ynode *root = NULL;
    if (!src) rc = DP_ERR_NOMEM, snprintf(err, errlen, "%s: out of memory", path);
    else *src = file, rc = dp_yaml_tree(p->arena, data, len, file, &root, err, errlen);
    free(data);
    if (rc) return rc;
    struct parse ps = {p, file, err, errlen};
    return root ? parse_top(&ps, root, depth) : fail(&ps, NULL, "empty pipeline");
}

int dp_pipeline_load(const char *path, struct dp_pipeline **out, char *err, size_t errlen)
{
    struct dp_pipeline *p = calloc(1, sizeof *p);
    if (!p || !(p->arena = dp_arena_new())) {
        free(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return DP_ERR_NOMEM;
    }
    p->path = dp_pipeline_find(p->arena, path, NULL);
    p->isolation = 1;
    dp_vec_init(&p->steps, sizeof(struct dp_step_config));
    dp_vec_init(&p->sinks, sizeof(struct dp_step_config));
    dp_vec_init(&p->plugin_dirs, sizeof(const char *));
    dp_vec_init(&p->symbol_files, sizeof(const char *));
    dp_vec_init(&p->sources, sizeof(const char *));
    int rc = load_file(p, p->path, 0, err, errlen);
    if (rc == DP_OK && p->steps.len == 0 && p->sinks.len == 0) {
        snprintf(err, errlen, "%s:1:1: pipeline has no steps and no sinks", path);
        rc = DP_ERR_BAD_DATA;
    }
    if (rc) {
        dp_pipeline_free(p);
        return rc;
    }
    *out = p;
    return DP_OK;
}

void dp_pipeline_free(struct dp_pipeline *p)
{
    if (!p) return;
    dp_vec_free(&p->steps);
    dp_vec_free(&p->sinks);
    dp_vec_free(&p->plugin_dirs);
    dp_vec_free(&p->symbol_files);
    dp_vec_free(&p->sources);
    dp_arena_free(p->arena);
    free(p);
}
