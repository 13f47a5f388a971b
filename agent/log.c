/*
 * log.c - see log.h. The log is process state by nature (one file per
 * daemon); it holds no configuration the core could depend on.
 */
#include "agent/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static char log_node[32] = "-";
static int64_t log_mono;

int log_open(const char *path, const char *node)
{
	if (node)
		snprintf(log_node, sizeof(log_node), "%s", node);
	if (!path || !*path)
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
}

void log_set_mono(int64_t mono_ms) { log_mono = mono_ms; }

char *log_json_escape(const char *s, char *buf, unsigned len)
{
	unsigned o = 0;

	for (; *s && o + 7 < len; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (unsigned)snprintf(buf + o, len - o, "\\u%04x", ch);
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o] = 0;
	return buf;
}

static int64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int format(char *line, unsigned len, const char *level, const char *fields)
{
	int n = snprintf(line, len, "{\"ts\":%lld,\"mono\":%lld,\"node\":\"%s\",\"level\":\"%s\",%s}\n",
			 (long long)unix_ms(), (long long)log_mono, log_node, level, fields);
	if (n > (int)len - 1)
		n = (int)len - 1, line[n - 1] = '\n';
	return n;
}

static void emit(const char *level, const char *fields)
{
	char line[1400];
	int n = format(line, sizeof(line), level, fields);
	/* One write per line: O_APPEND keeps lines whole between processes. */
	if (write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to complain */
	}
}

static void vlog(const char *level, const char *fmt, va_list ap, int with_errno)
{
	char msg[800], esc[1000], fields[1100];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, ": %s", strerror(saved));
	}
	snprintf(fields, sizeof(fields), "\"msg\":\"%s\"", log_json_escape(msg, esc, sizeof(esc)));
	emit(level, fields);
}

#define LOGFN(name, level, err) \
void name(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vlog(level, fmt, ap, err); va_end(ap); }
LOGFN(log_info, "info", 0)
LOGFN(log_debug, "debug", 0)
LOGFN(log_warnx, "warn", 0)
LOGFN(log_warn, "warn", 1)

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("fatal", fmt, ap, 1);
	va_end(ap);
	exit(1);
}

static void record_fields(char *fields, unsigned len, const char *event, const char *rule,
			  const char *why, const char *role)
{
	char e[64], w[600];

	snprintf(fields, len, "\"event\":\"%s\",\"rule\":\"%s\",\"role\":\"%s\",\"why\":\"%s\"",
		 log_json_escape(event, e, sizeof(e)), rule, role, log_json_escape(why, w, sizeof(w)));
}

void log_record(const char *event, const char *rule, const char *why, const char *role)
{
	char fields[900];

	record_fields(fields, sizeof(fields), event, rule, why, role);
	emit("info", fields);
}

int log_format_record(char *buf, unsigned len, const char *event, const char *rule,
		      const char *why, const char *role)
{
	char fields[900];

	record_fields(fields, sizeof(fields), event, rule, why, role);
	return format(buf, len, "info", fields);
}

int log_rl_ok(struct log_rl *rl, int64_t now_ms, unsigned burst, unsigned period_ms,
	      unsigned long long *suppressed)
{
	if (rl->lines == 0 || now_ms - rl->since >= (int64_t)period_ms) {
		rl->since = now_ms;
		rl->lines = 0;
	}
	if (rl->lines >= burst) {
		rl->refused++;
		return 0;
	}
	rl->lines++;
	if (suppressed)
		*suppressed = rl->refused;
	rl->refused = 0;
	return 1;
}
