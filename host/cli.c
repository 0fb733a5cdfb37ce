#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "queue/queue.h"
#include "symbols.h"
#include "sympath.h"
#include "sympath_setup.h"
#include "triage.h"

struct cli {
    const char *pipeline, *format;
    struct dp_run_options run;
    int list_plugins, explain;
    const char *describe;
    const char *dirs[32];
    size_t n_dirs;
    const char *symbols[32]; /* -s, in order */
    size_t n_symbols;
};

static void usage(FILE *f)
{
    fputs("usage: dumppipe [-p PIPELINE] [-o FORMAT] [-O FILE] [-L DIR]... [-s SYMBOLS]... [-v]... [--no-isolation] [--format raw] DUMP...\n"
          "       dumppipe --list-plugins | --describe PLUGIN | --explain CODE [ARG1..ARG4] | --version\n"
          "\n"
          "  -p PIPELINE      YAML pipeline (default: the shipped triage.yaml)\n"
          "  -o FORMAT        render with this sink only: text or json (one JSON object per dump)\n"
          "  -O FILE          write the output to FILE instead of standard output\n"
          "  -L DIR           look for plugins in DIR first (then $DUMPPIPE_PLUGIN_PATH, the\n"
          "                   pipeline's plugin_dirs, and the build or install directory)\n"
          "  -s SYMBOLS       symbol path entries, WinDbg syntax: FILE, DIR, srv*CACHE*URL, cache*DIR\n"
          "                   (then the pipeline's symbols, $DUMPPIPE_SYMBOL_PATH, $_NT_SYMBOL_PATH)\n"
          "  --no-isolation   run plugins in-process (debugging); by default each runs in a child\n"
          "  --format raw     the dumps are flat physical memory images (default auto: by content)\n"
          "  --explain CODE [ARGS]  explain a bug check code and parameters, like !analyze -show\n"
          "  -v               more log output (repeat for debug)\n"
          "\n"
          "exit codes: 0 success, 1 internal error, 2 usage or pipeline error,\n"
          "            3 unreadable or malformed dump, 4 a plugin failed (others still reported)\n",
          f);
}

static int parse_args(int argc, char **argv, struct cli *cl)
{
    enum { OPT_LIST = 256, OPT_DESCRIBE, OPT_VERSION, OPT_NOISO, OPT_EXPLAIN, OPT_FORMAT };
    static const struct option longopts[] = {
        {"pipeline", required_argument, 0, 'p'}, {"output-format", required_argument, 0, 'o'},
        {"output", required_argument, 0, 'O'},   {"plugin-dir", required_argument, 0, 'L'},
        {"verbose", no_argument, 0, 'v'},        {"help", no_argument, 0, 'h'},
        {"list-plugins", no_argument, 0, OPT_LIST}, {"describe", required_argument, 0, OPT_DESCRIBE},
        {"version", no_argument, 0, OPT_VERSION}, {"no-isolation", no_argument, 0, OPT_NOISO},
        {"explain", no_argument, 0, OPT_EXPLAIN}, {"symbols", required_argument, 0, 's'},
        {"format", required_argument, 0, OPT_FORMAT}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "+p:o:O:L:s:vh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': cl->pipeline = optarg; break;
        case 'o': cl->format = optarg; break;
        case 'O': cl->run.output_file = optarg; break;
        case 'L':
            if (cl->n_dirs == sizeof cl->dirs / sizeof *cl->dirs) return fprintf(stderr, "dumppipe: too many -L\n"), -1;
            cl->dirs[cl->n_dirs++] = optarg;
            break;
        case 's':
            if (cl->n_symbols == sizeof cl->symbols / sizeof *cl->symbols) return fprintf(stderr, "dumppipe: too many -s\n"), -1;
            cl->symbols[cl->n_symbols++] = optarg;
            break;
        case 'v': cl->run.verbosity++; break;
        case 'h': usage(stdout); exit(DP_EXIT_OK);
        case OPT_LIST: cl->list_plugins = 1; break;
        case OPT_DESCRIBE: cl->describe = optarg; break;
        case OPT_VERSION: printf("dumppipe %s (plugin ABI %d.%d)\n", DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR); exit(DP_EXIT_OK);
        case OPT_NOISO: cl->run.isolation = 0; break;
        case OPT_EXPLAIN: cl->explain = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "raw") && strcmp(optarg, "auto")) return fprintf(stderr, "dumppipe: --format takes raw or auto\n"), -1;
            cl->run.dump_format = optarg;
            break;
        default: return -1;
        }
    }
    if (cl->format && strchr(cl->format, '/')) return fprintf(stderr, "dumppipe: -o takes a sink name such as text or json\n"), -1;
    return 0;
}

static const char *default_pipeline(char *buf, size_t len)
{
    char exe[PATH_MAX - 128];
    if (dp_exe_dir(exe, sizeof exe) == 0) {
        snprintf(buf, len, "%s/../%s/triage.yaml", exe, DP_REL_PIPELINE_DIR);
        if (access(buf, R_OK) == 0) return buf;
    }
    snprintf(buf, len, "%s/triage.yaml", DP_SOURCE_PIPELINE_DIR);
    return buf;
}

/* -o FORMAT replaces the pipeline's sinks with that one sink, writing to stdout or -O. */
static int override_sinks(struct dp_pipeline *p, const char *format)
{
    if (!format) return DP_OK;
    p->sinks.len = 0;
    struct dp_step_config *s = dp_vec_push(&p->sinks);
    if (!s) return DP_ERR_NOMEM;
    s->id = s->plugin = dp_arena_strdup(p->arena, format);
    s->pos = (struct dp_pos){"command line (-o)", 1, 1};
    return DP_OK;
}

static void add_search_dirs(struct dp_loader *l, const struct cli *cl, const struct dp_pipeline *p)
{
    for (size_t i = 0; i < cl->n_dirs; i++) dp_loader_add_dir(l, cl->dirs[i]);
    dp_loader_add_env(l);
    for (size_t i = 0; p && i < p->plugin_dirs.len; i++) dp_loader_add_dir(l, *(const char **)dp_vec_at(&p->plugin_dirs, i));
    dp_loader_add_defaults(l);
}

/* Output files are started afresh once per run; each dump then appends its report. */
static int truncate_outputs(const struct dp_pipeline *p, const struct dp_run_options *o)
{
    for (size_t i = 0; i <= p->sinks.len; i++) {
        const char *path = i == p->sinks.len ? o->output_file : ((struct dp_step_config *)dp_vec_at(&p->sinks, i))->output;
        FILE *f = path ? fopen(path, "w") : NULL;
        if (path && !f) return fprintf(stderr, "dumppipe: %s: cannot write output: %m\n", path), -1;
        if (f) fclose(f);
    }
    return 0;
}

int dp_cli_explain(struct dp_loader *l, const char *format, const struct dp_run_options *o, int argc, char **argv);
int dp_cli_list_plugins(struct dp_loader *l);
int dp_cli_describe(struct dp_loader *l, const char *name);

static int triage_all(struct cli *cl, struct dp_loader *l, int argc, char **argv)
{
    char buf[PATH_MAX], err[2048];
    const char *path = cl->pipeline ? cl->pipeline : default_pipeline(buf, sizeof buf);
    struct dp_pipeline *p = NULL;
    struct dp_symtab *syms = NULL;
    if (dp_pipeline_load(path, &p, err, sizeof err) != DP_OK) return fprintf(stderr, "dumppipe: %s\n", err), DP_EXIT_USAGE;
    add_search_dirs(l, cl, p);
    int rc = DP_EXIT_USAGE;
    if (override_sinks(p, cl->format) != DP_OK) rc = DP_EXIT_INTERNAL;
    else if (dp_pipeline_bind(p, l, err, sizeof err) != DP_OK) fprintf(stderr, "dumppipe: %s\n", err);
    else if (dp_sympath_setup(cl->symbols, cl->n_symbols, p, &cl->run.sympath) != DP_OK ||
             dp_sympath_load_breakpad(cl->run.sympath, &syms) != DP_OK || truncate_outputs(p, &cl->run) != 0)
        rc = DP_EXIT_USAGE;
    else {
        rc = DP_EXIT_OK;
        for (int i = 0; i < argc; i++) {
            int r = dp_triage_dump(p, syms, argv[i], &cl->run);
            /* severity order: bad dump > plugin failure > internal > ok, so the worst is reported */
            static const int rank[] = {[DP_EXIT_OK] = 0, [DP_EXIT_INTERNAL] = 1, [DP_EXIT_USAGE] = 4,
                                       [DP_EXIT_BAD_DUMP] = 3, [DP_EXIT_PLUGIN_FAILED] = 2};
            if (rank[r] > rank[rc]) rc = r;
        }
    }
    dp_symtab_free(syms);
    dp_sympath_free(cl->run.sympath);
    dp_pipeline_free(p);
    return rc;
}

int dp_cli_main(int argc, char **argv)
{
    int qrc = dpq_main(argc, argv); /* submit, worker, buckets: docs/scale-out.md */
    if (qrc >= 0) return qrc;
    struct cli cl = {.run = {.isolation = -1}};
    if (parse_args(argc, argv, &cl) != 0) {
        usage(stderr);
        return DP_EXIT_USAGE;
    }
    argc -= optind;
    argv += optind;
    struct dp_loader *l = dp_loader_new();
    if (!l) return DP_EXIT_INTERNAL;
    int rc;
    if (cl.list_plugins || cl.describe || cl.explain) {
        add_search_dirs(l, &cl, NULL);
        rc = cl.list_plugins ? dp_cli_list_plugins(l)
             : cl.describe   ? dp_cli_describe(l, cl.describe)
                             : dp_cli_explain(l, cl.format, &cl.run, argc, argv);
    } else if (argc == 0) {
        fprintf(stderr, "dumppipe: no dump given\n");
        usage(stderr);
        rc = DP_EXIT_USAGE;
    } else {
        rc = triage_all(&cl, l, argc, argv);
    }
    dp_loader_free(l);
    return rc;
}
