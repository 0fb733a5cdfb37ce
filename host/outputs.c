#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "triage.h"
#include "util.h"

int dp_file_id_add(struct dp_vec *ids, const char *path, const char *role)
{
    struct stat st;
    if (!path || stat(path, &st) != 0) return DP_OK;
    struct dp_file_id *id = dp_vec_push(ids);
    if (!id) return DP_ERR_NOMEM;
    *id = (struct dp_file_id){st.st_dev, st.st_ino, path, role};
    return DP_OK;
}

static const char *dest_name(const char *path, char *buf, size_t len)
{
    return path ? dp_quote_path(path, buf, len) : "standard output";
}

/* The input ST is, or NULL. */
static const struct dp_file_id *is_input(const struct stat *st, const struct dp_vec *inputs)
{
    for (size_t i = 0; inputs && i < inputs->len; i++) {
        const struct dp_file_id *id = dp_vec_at(inputs, i);
        if (id->dev == st->st_dev && id->ino == st->st_ino) return id;
    }
    return NULL;
}

static int refuse_inputs(const struct dp_outputs *o, const struct dp_vec *inputs)
{
    for (size_t i = 0; i < o->n_dest; i++) {
        struct stat st;
        const char *path = o->dest[i].path;
        if (path ? stat(path, &st) != 0 : fstat(STDOUT_FILENO, &st) != 0) continue;
        const struct dp_file_id *in = is_input(&st, inputs);
        if (!in) continue;
        char q1[1024], q2[1024];
        fprintf(stderr, "dumppipe: %s: refusing to write the output: it is the %s %s\n",
                dest_name(path, q1, sizeof q1), in->role, dp_quote_path(in->path, q2, sizeof q2));
        return DP_EXIT_USAGE;
    }
    return DP_EXIT_OK;
}

static size_t dest_for(struct dp_outputs *o, const char *path)
{
    for (size_t i = 0; i < o->n_dest; i++)
        if (path ? o->dest[i].path && strcmp(o->dest[i].path, path) == 0 : !o->dest[i].path) return i;
    if (o->n_dest == DP_MAX_OUTPUTS) return SIZE_MAX;
    o->dest[o->n_dest].path = path;
    return o->n_dest++;
}

int dp_outputs_open(struct dp_outputs *o, const struct dp_pipeline *p, const char *override, const struct dp_vec *inputs)
{
    memset(o, 0, sizeof *o);
    if (p->sinks.len > DP_MAX_OUTPUTS) return fprintf(stderr, "dumppipe: more than %d sinks\n", DP_MAX_OUTPUTS), DP_EXIT_USAGE;
    o->n_sinks = p->sinks.len;
    for (size_t i = 0; i < o->n_sinks; i++) {
        const struct dp_step_config *s = dp_vec_at(&p->sinks, i);
        o->sink_dest[i] = dest_for(o, override ? override : s->output);
    }
    int rc = refuse_inputs(o, inputs);
    for (size_t i = 0; rc == DP_EXIT_OK && i < o->n_dest; i++) {
        const char *path = o->dest[i].path;
        char q[1024];
        if (!path) {
            o->dest[i].f = stdout;
            continue;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
        o->dest[i].f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!o->dest[i].f) {
            fprintf(stderr, "dumppipe: %s: cannot write output: %s\n", dest_name(path, q, sizeof q), strerror(errno));
            if (fd >= 0) close(fd);
            rc = DP_EXIT_INTERNAL;
        }
    }
    if (rc != DP_EXIT_OK) dp_outputs_close(o);
    return rc;
}

FILE *dp_outputs_file(struct dp_outputs *o, size_t sink) { return o->dest[o->sink_dest[sink]].f; }

const char *dp_outputs_name(const struct dp_outputs *o, size_t sink, char *buf, size_t len)
{
    return dest_name(o->dest[o->sink_dest[sink]].path, buf, len);
}

static void report(struct dp_outputs *o, size_t d, int err)
{
    char q[1024];
    if (o->dest[d].failed) return;
    o->dest[d].failed = 1;
    fprintf(stderr, "dumppipe: %s: cannot write output: %s\n", dest_name(o->dest[d].path, q, sizeof q), strerror(err));
}

void dp_outputs_write(struct dp_outputs *o, size_t sink, const void *data, size_t len)
{
    size_t d = o->sink_dest[sink];
    FILE *f = o->dest[d].f;
    if (!f || o->dest[d].failed) return;
    errno = 0;
    if ((len && fwrite(data, 1, len, f) != len) || fflush(f) != 0) report(o, d, errno ? errno : EIO);
}

int dp_outputs_close(struct dp_outputs *o)
{
    int rc = DP_EXIT_OK;
    for (size_t i = 0; i < o->n_dest; i++) {
        FILE *f = o->dest[i].f;
        if (!f) continue;
        errno = 0;
        /* standard output stays open (and is checked again at exit by whoever owns it) */
        int bad = f == stdout ? fflush(f) != 0 || ferror(f) : fclose(f) != 0;
        if (bad) report(o, i, errno ? errno : EIO);
        if (o->dest[i].failed) rc = DP_EXIT_INTERNAL;
        o->dest[i].f = NULL;
    }
    return rc;
}
