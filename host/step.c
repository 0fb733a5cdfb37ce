#include "step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "supervise.h"
#include "wire.h"

static const char *status_text(int rc)
{
    switch (rc) {
    case DP_ERR_FAULT: return "memory it needed is not in the dump";
    case DP_ERR_BAD_DATA: return "corrupt data";
    case DP_ERR_NOT_APPLICABLE: return "not applicable to this dump";
    case DP_ERR_NOMEM: return "out of memory";
    case DP_ERR_INVALID: return "invalid argument";
    case DP_ERR_NOT_FOUND: return "not found";
    case DP_ERR_IO: return "I/O error";
    }
    return "error";
}

int dp_step_call_plugin(struct dp_ctx *c, const struct dp_step_config *s)
{
    const struct dp_plugin *d = s->desc;
    void *state = NULL;
    dp_ctx_begin_step(c, s->id ? s->id : d->name, d->options, s->opts, s->n_opts);
    c->cur_provides = d->provides;
    int rc = d->init ? d->init(c, &state) : DP_OK;
    if (rc == DP_OK) {
        rc = d->run(c, state);
        if (d->fini) d->fini(c, state);
    }
    return rc;
}

static void set_failed(struct dp_step_outcome *out, const char *plugin, int rc, const char *msg)
{
    out->status = "failed";
    snprintf(out->message, sizeof out->message, "%s failed: %s", plugin, msg && *msg ? msg : status_text(rc));
}

/* What run() returned: DP_OK, "does not apply to this dump" (skipped, not a failure), or a failure. */
static void set_result(struct dp_step_outcome *out, const char *plugin, int rc, const char *msg)
{
    if (rc == DP_OK) {
        out->status = "ok", out->message[0] = 0;
    } else if (rc == DP_ERR_NOT_APPLICABLE) {
        out->status = "skipped";
        snprintf(out->message, sizeof out->message, "%s", msg && *msg ? msg : status_text(rc));
    } else {
        set_failed(out, plugin, rc, msg);
    }
}

void dp_step_run_inprocess(struct dp_ctx *c, const struct dp_step_config *s, struct dp_step_outcome *out)
{
    c->error[0] = 0;
    int rc = dp_step_call_plugin(c, s);
    set_result(out, s->id ? s->id : s->desc->name, rc, c->error);
    dp_ctx_end_step(c);
}

/* ---- the child ---- */

struct step_job {
    struct dp_ctx *c;
    const struct dp_step_config *s;
    uint64_t memory_bytes;
};

static void child_main(int fd, void *arg)
{
    struct step_job *j = arg;
    dp_sv_limit_address_space(j->memory_bytes, 0);
    size_t f0 = j->c->findings.len, j0 = j->c->journal.len;
    int rc = dp_step_call_plugin(j->c, j->s);
    struct dp_wbuf b = {0};
    dp_wire_encode(j->c, f0, j0, rc, j->c->error, &b);
    dp_sv_write_all(fd, b.data, b.len);
    if (b.oom) _exit(3);
}

/* ---- the parent ---- */

static void judge(struct dp_ctx *c, const char *name, struct dp_sv *w, struct dp_step_outcome *out)
{
    char sig[32];
    if (w->killed_for && strcmp(w->killed_for, "timeout") == 0) {
        out->status = "timeout";
        snprintf(out->message, sizeof out->message, "%s timed out after %.3g s", name, (double)w->timeout_ms / 1000.0);
        return;
    }
    if (w->killed_for && strcmp(w->killed_for, "memory") == 0) {
        out->status = "memory";
        snprintf(out->message, sizeof out->message, "%s exceeded its memory limit of %llu MiB", name,
                 (unsigned long long)(w->memory_bytes >> 20));
        return;
    }
    if (w->killed_for) return set_failed(out, name, DP_ERR_BAD_DATA, "sent back more than 256 MiB of results");
    if (WIFSIGNALED(w->wstatus)) {
        out->status = "crashed";
        snprintf(out->message, sizeof out->message, "%s failed: %s (%s)", name,
                 dp_sv_signal_name(WTERMSIG(w->wstatus), sig, sizeof sig), strsignal(WTERMSIG(w->wstatus)));
        return;
    }
    int complete, status;
    char err[512];
    int rc = dp_wire_decode(c, name, w->reply.data, w->reply.len, &complete, &status, err, sizeof err);
    if (!complete) {
        char why[128];
        snprintf(why, sizeof why, "exited with status %d without finishing (did it call exit()?)", WEXITSTATUS(w->wstatus));
        return set_failed(out, name, DP_ERR_BAD_DATA, rc == DP_OK ? why : "sent back malformed results");
    }
    set_result(out, name, status, err);
}

void dp_step_run_isolated(struct dp_ctx *c, const struct dp_step_config *s, uint64_t timeout_ms,
                          uint64_t memory_bytes, struct dp_step_outcome *out)
{
    const char *name = s->id ? s->id : s->desc->name;
    struct step_job job = {c, s, memory_bytes};
    struct dp_sv w;
    if (dp_sv_start(&w, timeout_ms, memory_bytes, child_main, &job) != 0)
        return set_failed(out, name, DP_ERR_IO, "cannot start a child process");
    dp_sv_wait(&w);
    judge(c, name, &w, out);
    dp_sv_free(&w);
}
