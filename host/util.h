/* Small helpers shared by the host's stages. */
#ifndef DP_HOST_UTIL_H
#define DP_HOST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Everything one triage produces (findings, artifacts, option values) lives in an arena that is
 * freed at once when the dump is done: no per-object frees to forget across 1,000 dumps. */
struct dp_arena;
struct dp_arena *dp_arena_new(void);
void dp_arena_free(struct dp_arena *a);
void *dp_arena_alloc(struct dp_arena *a, size_t size); /* zeroed, 16-aligned; NULL on overflow/OOM */
char *dp_arena_strdup(struct dp_arena *a, const char *s);
void *dp_arena_memdup(struct dp_arena *a, const void *p, size_t n);
char *dp_arena_printf(struct dp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *dp_arena_vprintf(struct dp_arena *a, const char *fmt, va_list ap);

/* A growable array of fixed-size elements. */
struct dp_vec {
    void *data;
    size_t len, cap, elem;
};
void dp_vec_init(struct dp_vec *v, size_t elem);
void *dp_vec_push(struct dp_vec *v); /* zeroed new element, NULL on OOM */
void *dp_vec_at(const struct dp_vec *v, size_t i);
void dp_vec_free(struct dp_vec *v);

/* Parses decimal or 0x-hex (also a bare hex string with a-f digits when hex_default). */
int dp_parse_u64(const char *s, uint64_t *out);
int dp_parse_i64(const char *s, int64_t *out);
/* "30s", "2m", "500ms", "1h" -> milliseconds; a bare number is refused (seconds or milliseconds?) */
int dp_parse_duration_ms(const char *s, uint64_t *out);
/* "512M", "2G", "100k", bare bytes */
int dp_parse_size(const char *s, uint64_t *out);

int dp_strcaseeq(const char *a, const char *b);
/* Milliseconds of CLOCK_MONOTONIC, for deadlines and rates. */
uint64_t dp_now_ms(void);
/* Directory of the running executable, or NULL. */
int dp_exe_dir(char *buf, size_t len);

/* Every file the host reads (dump, pipeline, pooltag list, symbol file) is hostile input and may be
 * a FIFO, a device or a directory: opens PATH read-only without blocking, refuses anything but a
 * regular file, and refuses files over MAX_BYTES (0: no cap). ROLE names what the file was given as
 * ("dump", "pipeline", "symbol file"), so the one-line error says "x: a FIFO, not a regular file
 * (given as the pipeline)". Returns a blocking descriptor, or -1 with err set. */
int dp_open_regular(const char *path, const char *role, uint64_t max_bytes, uint64_t *size, char *err, size_t errlen);
/* The same, read whole into a NUL-terminated malloc'd buffer. DP_OK or a dp_status with err set. */
int dp_read_regular(const char *path, const char *role, uint64_t max_bytes, char **data, size_t *len, char *err,
                    size_t errlen);

/* Strings from a dump are bytes: copies IN (N bytes, or up to its NUL when N is SIZE_MAX) as valid
 * UTF-8, each byte of an invalid sequence replaced by U+FFFD; NULs end the string. malloc'd or NULL. */
char *dp_utf8_sanitize(const char *in, size_t n);
/* Length of the valid UTF-8 sequence at S (1-4), or 0 when the byte at S starts none. */
size_t dp_utf8_seq_len(const unsigned char *s, size_t avail);

/* SHA-256 of everything FD reads from its current offset, as 64 lower-case hex digits in HEX[65].
 * 0, or an errno value. */
int dp_sha256_fd(int fd, char hex[65]);

/* PATH as it can go into a one-line message: itself when it holds no control characters, else
 * single-quoted with C escapes ('a\nb'). BUF receives the quoted form. */
const char *dp_quote_path(const char *path, char *buf, size_t len);
/* MSG made one line: a leading PATH is quoted as above, other control characters escaped. */
void dp_one_line(const char *msg, const char *path, char *out, size_t len);

#endif
