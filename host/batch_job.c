/* A dump's triage in its supervised child (or in-process), reported to the parent as frames. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "supervise.h"
#include "util.h"

/* What a triage child sends its parent, as frames: a type byte, a u32 length, the payload. */
enum { F_INPUT = 'I', F_STAGE = 'S', F_PROGRESS = 'P', F_OUTPUT = 'O', F_RESULT = 'R', F_HEAD = 5 };

/* One frame from up to three pieces, written with one write() so that a small frame from a
 * plugin's child (progress) never interleaves with another. */
static void emit(struct chan *ch, int type, const void *a, size_t na, const void *b, size_t nb, const void *c, size_t nc)
{
    struct dp_wbuf f = {0};
    uint32_t len = (uint32_t)(na + nb + nc);
    unsigned char t = (unsigned char)type;
    dp_wbuf_put(&f, &t, 1), dp_wbuf_put(&f, &len, 4), dp_wbuf_put(&f, a, na), dp_wbuf_put(&f, b, nb), dp_wbuf_put(&f, c, nc);
    if (f.oom) _exit(3); /* the parent reports an unfinished triage */
    if (ch->fd >= 0) dp_sv_write_all(ch->fd, f.data, f.len);
    else dp_wbuf_put(&ch->mem, f.data, f.len);
    dp_wbuf_free(&f);
}

static void emit_str(struct chan *ch, int type, const char *s) { emit(ch, type, s, strlen(s) + 1, NULL, 0, NULL, 0); }

static void hook_stage(void *arg, const char *what) { emit_str(arg, F_STAGE, what); }

static void hook_input(void *arg, uint64_t size, const char *sha256)
{
    struct chan *ch = arg;
    emit(ch, F_INPUT, &size, 8, sha256, 65, NULL, 0);
    /* a child mapping the dump: the address space may hold the file plus the allowed memory */
    if (ch->fd >= 0) dp_sv_limit_address_space(ch->b->as_budget, size);
}

static void hook_progress(void *arg, const char *plugin, uint64_t done, uint64_t total, const char *what)
{
    struct chan *ch = arg;
    if (ch->fd < 0) return dp_progress_plugin(&ch->b->prog, plugin ? plugin : "?", done, total, what);
    uint64_t now = dp_now_ms();
    if (now - ch->progress_ms < 100 && done != total) return;
    ch->progress_ms = now;
    char text[200];
    int n = snprintf(text, sizeof text, "%s%c%s", plugin ? plugin : "?", 0, what);
    uint64_t nums[2] = {done, total};
    emit(ch, F_PROGRESS, nums, 16, text, n < 0 ? 0 : (size_t)n >= sizeof text ? sizeof text : (size_t)n + 1, NULL, 0);
}

int dp_membufs_open(struct membufs *m, size_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    for (size_t i = 0; i < n; i++)
        if (!(m->f[i] = open_memstream(&m->data[i], &m->len[i]))) return -1;
    return 0;
}

int dp_membufs_close(struct membufs *m)
{
    int bad = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->f[i] && fclose(m->f[i]) != 0) bad = 1;
    return bad ? -1 : 0;
}

void dp_membufs_free(struct membufs *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->data[i]);
}

/* The triage of one input, reported through CH (in the child, or in-process). */
void dp_batch_job(struct batch *b, const char *path, struct chan *ch)
{
    struct dp_triage_hooks h = {hook_stage, hook_input, hook_progress, ch};
    struct dp_triage_result r;
    struct membufs m;
    if (dp_membufs_open(&m, b->p->sinks.len) != 0) {
        dp_membufs_close(&m), dp_membufs_free(&m);
        return; /* no result frame: the parent reports the unfinished triage */
    }
    dp_triage_one(b->p, b->symtab, path, b->o, m.f, &h, &r);
    if (dp_membufs_close(&m) != 0) r.exit = DP_EXIT_INTERNAL;
    for (size_t i = 0; i < m.n; i++) {
        uint32_t sink = (uint32_t)i;
        emit(ch, F_OUTPUT, &sink, 4, m.data[i], m.len[i], NULL, 0);
    }
    dp_membufs_free(&m);
    char text[2048];
    int n = snprintf(text, sizeof text, "%s%c%s%c%s%c%s", r.status, 0, r.error, 0, r.bucket, 0, r.culprit);
    int32_t exit = r.exit;
    emit(ch, F_RESULT, &exit, 4, text, n < 0 || (size_t)n >= sizeof text ? sizeof text : (size_t)n + 1, NULL, 0);
}

/* ---- the parent's side: decoding what a child sent ---- */

/* The NUL-terminated string at *P within END, advancing *P; NULL when there is none. */
static const char *take_str(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *nul = *p < end ? memchr(*p, 0, (size_t)(end - *p)) : NULL;
    if (!nul) return NULL;
    const char *s = (const char *)*p;
    *p = nul + 1;
    return s;
}

static void on_frame(struct batch *b, struct decoded *d, int type, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    if (type == F_INPUT && len == 8 + 65 && p[len - 1] == 0) {
        d->have_input = 1;
        memcpy(&d->size, p, 8);
        memcpy(d->sha256, p + 8, 65);
    } else if (type == F_STAGE && len && p[len - 1] == 0) {
        d->stage = (const char *)p;
    } else if (type == F_PROGRESS && len > 16) {
        uint64_t nums[2];
        memcpy(nums, p, 16);
        p += 16;
        const char *plugin = take_str(&p, end), *what = take_str(&p, end);
        if (b && plugin && what) dp_progress_plugin(&b->prog, plugin, nums[0], nums[1], what);
    } else if (type == F_OUTPUT && len >= 4) {
        uint32_t sink;
        memcpy(&sink, p, 4);
        if (sink < DP_MAX_OUTPUTS) d->out[sink] = p + 4, d->out_len[sink] = len - 4;
    } else if (type == F_RESULT && len > 4) {
        int32_t exit;
        memcpy(&exit, p, 4);
        p += 4;
        d->status = take_str(&p, end), d->error = take_str(&p, end);
        d->bucket = take_str(&p, end), d->culprit = take_str(&p, end);
        d->exit = exit >= DP_EXIT_OK && exit <= DP_EXIT_PLUGIN_FAILED ? exit : DP_EXIT_INTERNAL;
        d->have_result = d->culprit != NULL;
    }
}

size_t dp_batch_decode(struct batch *b, struct decoded *d, const unsigned char *buf, size_t from, size_t len)
{
    while (len - from >= F_HEAD) {
        uint32_t n;
        memcpy(&n, buf + from + 1, 4);
        if (n > len - from - F_HEAD) break;
        on_frame(b, d, buf[from], buf + from + F_HEAD, n);
        from += F_HEAD + n;
    }
    return from;
}

