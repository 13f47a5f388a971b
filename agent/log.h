/*
 * log.h - one logging convention (OpenBSD style) for the daemon and the CLI.
 *
 * Lines go to the log file given to log_open, or stderr, as JSON objects:
 * {"ts":<unix ms>,"mono":<ms>,"node":"a","level":"info","msg":"..."}.
 * Decision records (log_record) carry "event", "rule", "why" and "role"
 * instead of "msg"; tools and tests parse them by "event".
 */
#ifndef HG_LOG_H
#define HG_LOG_H

#include <stdint.h>

/* path NULL or "" = stderr. Returns 0 / -errno. */
int  log_open(const char *path, const char *node);
void log_close(void);
void log_set_mono(int64_t mono_ms);       /* the loop turn's monotonic time */

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* appends strerror(errno) */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void log_record(const char *event, const char *rule, const char *why, const char *role);
/* The same record as one JSON line (with '\n') for `headguard events`. */
int  log_format_record(char *buf, unsigned len, const char *event, const char *rule,
		       const char *why, const char *role);

/* Rate limit for lines that input from outside can trigger (a flood must
 * not become a flood of log lines): at most burst lines per period_ms of
 * the loop's monotonic clock. log_rl_ok says whether the caller may log
 * now; *suppressed (if not NULL) gets how many calls were refused since the
 * last line allowed, for the caller to report. */
struct log_rl { int64_t since; unsigned lines; unsigned long long refused; };
int  log_rl_ok(struct log_rl *rl, int64_t now_ms, unsigned burst, unsigned period_ms,
	       unsigned long long *suppressed);

/* Writes s as a JSON string body (no quotes) into buf; returns buf. */
char *log_json_escape(const char *s, char *buf, unsigned len);

#endif
