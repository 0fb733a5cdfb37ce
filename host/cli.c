#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "batch.h"
#include "inputs.h"
#include "loader.h"
#include "outputs.h"
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
    fputs("usage: dumppipe [-p PIPELINE] [-o FORMAT] [-O FILE] [-L DIR]... [-s SYMBOLS]... [-j N] [--summary] [-v]...\n"
          "                [--format raw] DUMP|DIR|-...\n"
          "       dumppipe --list-plugins | --describe PLUGIN | --explain CODE [ARG1..ARG4] | --version\n"
          "\n"
          "  -p PIPELINE      YAML pipeline (default: the shipped triage.yaml)\n"
          "  -o FORMAT        render with this sink only: text or json (one JSON object per dump)\n"
          "  -O FILE          write the output to FILE instead of standard output\n"
          "  -L DIR           look for plugins in DIR first (then $DUMPPIPE_PLUGIN_PATH, the\n"
          "                   pipeline's plugin_dirs, and the build or install directory)\n"
          "  -s SYMBOLS       symbol path entries, WinDbg syntax: FILE, DIR, srv*CACHE*URL, cache*DIR\n"
          "                   (then the pipeline's symbols, $DUMPPIPE_SYMBOL_PATH, $_NT_SYMBOL_PATH)\n"
          "  -j N             triage N dumps at a time (default: one per CPU)\n"
          "  --summary        end with a table of failure buckets (count, culprit, first and last dump)\n"
          "  --dump-timeout DURATION, --dump-memory SIZE\n"
          "                   limits of each dump's supervised child (pipeline keys dump_timeout, dump_memory)\n"
          "  --no-progress    no progress line (it is shown only when standard error is a terminal)\n"
          "  --no-isolation   everything in this one process (debugging); by default each dump is\n"
          "                   triaged in a supervised child and each plugin in a child of that\n"
          "  --format raw     the dumps are flat physical memory images (default auto: by content)\n"
          "  --explain CODE [ARGS]  explain a bug check code and parameters, like !analyze -show\n"
          "  -v               more log output (repeat for debug)\n"
          "  DIR              every regular file below it, recursively, in name order (not dot files)\n"
          "  -                read the paths of dumps from standard input, one per line\n"
          "\n"
          "exit codes: 0 success, 1 internal error, 2 usage or pipeline error,\n"
          "            3 a dump unreadable, malformed, or its triage crashed or hit a limit,\n"
          "            4 a plugin failed (others still reported)\n",
          f);
}

static int parse_jobs(const char *s, int *out)
{
    uint64_t v;
    if (dp_parse_u64(s, &v) != 0 || v < 1 || v > 128) return -1;
    *out = (int)v;
    return 0;
}

static int parse_args(int argc, char **argv, struct cli *cl)
{
    enum { OPT_LIST = 256, OPT_DESCRIBE, OPT_VERSION, OPT_NOISO, OPT_EXPLAIN, OPT_SUMMARY, OPT_DTIME, OPT_DMEM, OPT_NOPROG,
           OPT_FORMAT };
    static const struct option longopts[] = {
        {"pipeline", required_argument, 0, 'p'}, {"output-format", required_argument, 0, 'o'},
        {"output", required_argument, 0, 'O'},   {"plugin-dir", required_argument, 0, 'L'},
        {"verbose", no_argument, 0, 'v'},        {"help", no_argument, 0, 'h'},
        {"list-plugins", no_argument, 0, OPT_LIST}, {"describe", required_argument, 0, OPT_DESCRIBE},
        {"version", no_argument, 0, OPT_VERSION}, {"no-isolation", no_argument, 0, OPT_NOISO},
        {"explain", no_argument, 0, OPT_EXPLAIN}, {"jobs", required_argument, 0, 'j'},
        {"summary", no_argument, 0, OPT_SUMMARY}, {"dump-timeout", required_argument, 0, OPT_DTIME},
        {"dump-memory", required_argument, 0, OPT_DMEM}, {"no-progress", no_argument, 0, OPT_NOPROG},
        {"symbols", required_argument, 0, 's'}, {"format", required_argument, 0, OPT_FORMAT}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "+p:o:O:L:s:j:vh", longopts, NULL)) != -1) {
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
        case OPT_NOISO: cl->run.isolation = 0, cl->run.supervise = 0; break;
        case 'j':
            if (parse_jobs(optarg, &cl->run.jobs) != 0) return fprintf(stderr, "dumppipe: -j takes a number from 1 to 128\n"), -1;
            break;
        case OPT_SUMMARY: cl->run.summary = 1; break;
        case OPT_NOPROG: cl->run.progress = 0; break;
        case OPT_DTIME:
            if (dp_parse_duration_ms(optarg, &cl->run.dump_timeout_ms) || !cl->run.dump_timeout_ms || cl->run.dump_timeout_ms > DP_MAX_TIMEOUT_MS)
                return fprintf(stderr, "dumppipe: --dump-timeout takes a duration from 1ms to 24h, such as 90s or 10m\n"), -1;
            break;
        case OPT_DMEM:
            if (dp_parse_size(optarg, &cl->run.dump_memory_bytes) || cl->run.dump_memory_bytes < (1u << 20) || cl->run.dump_memory_bytes > DP_MAX_MEMORY_BYTES)
                return fprintf(stderr, "dumppipe: --dump-memory takes a size from 1M to 1T, such as 512M or 4G\n"), -1;
            break;
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

int dp_cli_explain(struct dp_loader *l, const char *format, const struct dp_run_options *o, int argc, char **argv);
int dp_cli_list_plugins(struct dp_loader *l);
int dp_cli_describe(struct dp_loader *l, const char *name);

/* Everything the run reads, by identity: no output may be one of them. */
static int input_ids(const struct dp_pipeline *p, const struct dp_inputs *in, struct dp_vec *ids)
{
    int rc = DP_OK;
    for (size_t i = 0; rc == DP_OK && i < in->paths.len; i++) rc = dp_file_id_add(ids, *(const char **)dp_vec_at(&in->paths, i), "dump");
    for (size_t i = 0; rc == DP_OK && i < p->sources.len; i++) rc = dp_file_id_add(ids, *(const char **)dp_vec_at(&p->sources, i), "pipeline");
    for (size_t i = 0; rc == DP_OK && i < p->symbol_files.len; i++)
        rc = dp_file_id_add(ids, *(const char **)dp_vec_at(&p->symbol_files, i), "symbol file");
    return rc;
}

static int run_batch(const struct cli *cl, const struct dp_pipeline *p, const struct dp_symtab *syms, int argc, char **argv)
{
    struct dp_inputs in;
    struct dp_vec ids;
    struct dp_outputs outs;
    dp_vec_init(&ids, sizeof(struct dp_file_id));
    int rc = dp_inputs_build(&in, argv, argc) != DP_OK ? DP_EXIT_USAGE : DP_EXIT_OK;
    if (rc == DP_EXIT_OK && input_ids(p, &in, &ids) != DP_OK) rc = DP_EXIT_INTERNAL;
    if (rc == DP_EXIT_OK && !in.paths.len) fprintf(stderr, "dumppipe: no dump given (the directories and the list were empty)\n"), rc = DP_EXIT_USAGE;
    if (rc == DP_EXIT_OK && (rc = dp_outputs_open(&outs, p, cl->run.output_file, &ids)) == DP_EXIT_OK) {
        rc = dp_batch_run(p, syms, (const char *const *)in.paths.data, in.paths.len, &cl->run, &outs);
        rc = dp_exit_worst(rc, dp_outputs_close(&outs));
    }
    dp_vec_free(&ids);
    dp_inputs_free(&in);
    return rc;
}

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
             dp_sympath_load_files(cl->run.sympath, &syms) != DP_OK)
        rc = DP_EXIT_USAGE;
    else
        rc = run_batch(cl, p, syms, argc, argv);
    dp_symtab_free(syms);
    dp_sympath_free(cl->run.sympath);
    dp_pipeline_free(p);
    return rc;
}

/* A closed standard output must fail its writes (EBADF), not receive the first file we open. */
static void hold_standard_streams(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1) continue;
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (nul >= 0 && nul != fd) dup2(nul, fd), close(nul);
    }
}

int dp_cli_main(int argc, char **argv)
{
    hold_standard_streams();
    int qrc = dpq_main(argc, argv); /* submit, worker, buckets: docs/scale-out.md */
    if (qrc >= 0) return qrc;
    struct cli cl = {.run = {.isolation = -1, .supervise = 1, .progress = -1}};
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
