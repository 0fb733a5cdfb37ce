/* Writes dumppipe-pipeline(5): the hand-written template, with one section per plugin generated from
 * the plugin's own descriptor and option table (dlopened), so the page never drifts from the code.
 * usage: dp-mangen TEMPLATE OUTPUT PLUGIN.so... */
#include <dlfcn.h>
#include <dumppipe/dumppipe.h>
#include <stdio.h>
#include <string.h>

/* Text for roff: backslashes escaped, no line may start with a control character. */
static void roff(FILE *o, const char *s)
{
    if (s && (*s == '.' || *s == '\'')) fputs("\\&", o);
    for (; s && *s; s++) {
        if (*s == '\\') fputs("\\e", o);
        else if (*s == '-') fputs("\\-", o);
        else fputc(*s, o);
    }
}

static const char *type_name(enum dp_opt_type t)
{
    static const char *const names[] = {"", "string", "integer", "boolean", "list of strings", "list of integers"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

static void names(FILE *o, const char *label, const char *const *list)
{
    if (!list || !*list) return;
    fprintf(o, ".br\n%s: ", label);
    for (; *list; list++) roff(o, *list), fputs(list[1] ? ", " : "\n", o);
}

static void option(FILE *o, const struct dp_option *op)
{
    fputs(".TP\n.B ", o), roff(o, op->name), fputc('\n', o);
    fprintf(o, "%s", type_name(op->type));
    if (op->flags & DP_OPT_DURATION) fputs(", a duration with its unit (ms, s, m, min, h)", o);
    if (op->flags & DP_OPT_SIZE) fputs(", a size with its unit (B, K, M, G, KiB, MiB, GiB)", o);
    if (op->flags & DP_OPT_PATH) fputs(", a path relative to the pipeline file", o);
    if (op->required) fputs("; required", o);
    if (op->default_value) fputs("; default \\fB", o), roff(o, op->default_value), fputs("\\fR", o);
    if (op->choices) {
        fputs("; one of:", o);
        for (const char *const *c = op->choices; *c; c++) fputs(" \\fB", o), roff(o, *c), fputs(c[1] ? "\\fR," : "\\fR", o);
    }
    if (op->min || op->max) fprintf(o, "; from %lld to %lld", (long long)op->min, (long long)op->max);
    fputs(".\n", o);
    if (op->help) fputs(".br\n", o), roff(o, op->help), fputs(".\n", o);
}

static int plugin(FILE *o, const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const struct dp_plugin *d = h ? dlsym(h, DP_PLUGIN_SYMBOL) : NULL;
    if (!d || d->magic != DP_PLUGIN_MAGIC || d->abi_major != DP_ABI_MAJOR) {
        fprintf(stderr, "dp-mangen: %s: %s\n", path, h ? "not a dumppipe plugin of this ABI" : dlerror());
        return 1;
    }
    fputs(".SS ", o), roff(o, d->name), fprintf(o, " (%s, version ", d->kind == DP_KIND_SINK ? "sink" : "analyzer");
    roff(o, d->version ? d->version : "?"), fputs(")\n", o);
    roff(o, d->description), fputs(".\n", o);
    names(o, "Provides", d->provides);
    names(o, "Consumes", d->consumes);
    if (!d->options || !d->options->name) fputs(".br\nNo options.\n", o);
    for (const struct dp_option *op = d->options; op && op->name; op++) option(o, op);
    dlclose(h);
    return 0;
}

#define MARKER ".\\\" @PLUGIN_OPTIONS@"

static void generated(FILE *o, int n, char **paths, int *rc)
{
    fputs(".SH PLUGIN OPTIONS\n"
          "Generated from the shipped plugins' option tables (\\fBdumppipe \\-\\-describe\\fR \\fIPLUGIN\\fR "
          "prints the same for any plugin, third\\-party ones included).\n", o);
    for (int i = 0; i < n; i++) *rc |= plugin(o, paths[i]);
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: dp-mangen TEMPLATE OUTPUT PLUGIN.so...\n"), 2;
    FILE *t = fopen(argv[1], "r"), *o = fopen(argv[2], "w");
    if (!t || !o) return perror(t ? argv[2] : argv[1]), 1;
    char line[4096];
    int rc = 0, done = 0;
    while (fgets(line, sizeof line, t)) {
        if (!done && strncmp(line, MARKER, strlen(MARKER)) == 0) generated(o, argc - 3, argv + 3, &rc), done = 1;
        else fputs(line, o);
    }
    if (!done) rc = 1, fprintf(stderr, "dp-mangen: %s has no line %s\n", argv[1], MARKER);
    fclose(t);
    if (fclose(o) != 0) return perror(argv[2]), 1;
    return rc;
}
