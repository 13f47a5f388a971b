/*
 * fence.c - see fence.h.
 */
#include "fencing/fence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void run_step(struct fence *f);

static void audit(struct fence *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void audit(struct fence *f, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (f->ops.audit)
		f->ops.audit(f->ops.ctx, line);
}

int fence_read_secret(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	return 0;
}

int fence_agent_input(const char *action, const char *args, const char *password_file,
		      char *buf, size_t len)
{
	char pw[256] = "";
	int rc;

	if (password_file && *password_file &&
	    (rc = fence_read_secret(password_file, pw, sizeof(pw))) < 0)
		return rc;
	rc = snprintf(buf, len, "action=%s\n%s\n%s%s%s", action, args ? args : "",
		      *pw ? "password=" : "", pw, *pw ? "\n" : "");
	memset(pw, 0, sizeof(pw));
	if (rc < 0 || (size_t)rc >= len) {
		memset(buf, 0, len);
		return -ENOSPC;
	}
	return rc;
}

int fence_status_off(const char *out)
{
	int off = 0;

	while (out && *out) {
		size_t len = strcspn(out, "\n");
		const char *b = out, *e = out + len;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		/* the last "Status:" line is the agent's answer */
		if ((size_t)(e - b) >= 7 && !strncasecmp(b, "Status:", 7))
			off = (size_t)(e - b) == 11 && !strncasecmp(b, "Status: OFF", 11);
		out += len + (out[len] == '\n');
	}
	return off;
}

static void finish(struct fence *f, enum fence_outcome o)
{
	f->busy = 0;
	audit(f, "fence generation %llu %s after %lld ms", (unsigned long long)f->gen,
	      o == FENCE_CONFIRMED ? "CONFIRMED" : o == FENCE_REFUSED ? "REFUSED" : "FAILED",
	      (long long)(f->ops.now(f->ops.ctx) - f->req_started));
	f->ops.result(f->ops.ctx, f->gen, o);
}

static void next_level(struct fence *f)
{
	if (++f->lvl >= f->n_levels) {
		finish(f, FENCE_FAILED);
		return;
	}
	f->step = 0;
	f->level_started = f->ops.now(f->ops.ctx);
	run_step(f);
}

static void done(void *arg, int status, const char *out)
{
	struct fence_cb *c = arg;
	struct fence *f = c->f;

	if (!f->busy || c->gen != f->gen || c->lvl != f->lvl || c->step != f->step)
		return;   /* answer of an abandoned request */
	int64_t now = f->ops.now(f->ops.ctx);
	const char *action = f->level[f->lvl].native ? "native IPMI off" : f->step ? "status" : "off";
	audit(f, "level %d %s: %s %d after %lld ms", f->lvl + 1, action,
	      f->level[f->lvl].native ? "result" : "exit", status, (long long)(now - f->level_started));
	if (f->level[f->lvl].native) {
		/* the worker already read the power back until off or timeout */
		if (status == 2) {
			finish(f, FENCE_CONFIRMED);
		} else if (status == 3) {
			audit(f, "level %d: the peer's watchdog was reset after the silence began: "
			      "alive, nothing powered off, no further level", f->lvl + 1);
			finish(f, FENCE_REFUSED);
		} else if (status == 4) {
			audit(f, "level %d: the peer's watchdog could not be read before the power-off: "
			      "nothing powered off, no further level this time", f->lvl + 1);
			finish(f, FENCE_FAILED);
		} else {
			next_level(f);
		}
		return;
	}
	if (f->step > 0 && status == 2 && fence_status_off(out)) {
		finish(f, FENCE_CONFIRMED);
		return;
	}
	if (f->step > 0 && status == 2)
		audit(f, "level %d: status exited 2 without saying \"Status: OFF\": not a proof",
		      f->lvl + 1);
	if (now - f->level_started >= (int64_t)f->level[f->lvl].timeout_ms) {
		audit(f, "level %d: power not read back as off within %u ms", f->lvl + 1,
		      f->level[f->lvl].timeout_ms);
		next_level(f);
		return;
	}
	/* A refused off goes on to status too: the node may be off already.
	 * The first status runs at once, later ones after a pause, never past
	 * the level's end (docs/fencing.md). */
	f->step++;
	if (f->step == 1) {
		run_step(f);
		return;
	}
	int64_t at = now + FENCE_STATUS_PAUSE_MS, end = f->level_started + f->level[f->lvl].timeout_ms;
	f->resume_at = at < end ? at : end;
}

void fence_tick(struct fence *f, int64_t now)
{
	if (!f->busy || !f->resume_at || now < f->resume_at)
		return;
	f->resume_at = 0;
	run_step(f);
}

int64_t fence_next_wakeup(const struct fence *f)
{
	return f->busy && f->resume_at ? f->resume_at : INT64_MAX;
}

static struct fence_cb *next_cb(struct fence *f)
{
	struct fence_cb *c = &f->cbs[f->cb_next++ % (sizeof(f->cbs) / sizeof(f->cbs[0]))];

	c->f = f;
	c->gen = f->gen;
	c->lvl = f->lvl;
	c->step = f->step;
	return c;
}

static void run_step(struct fence *f)
{
	const struct fence_level *l = &f->level[f->lvl];
	char input[2048];
	int64_t left = (int64_t)l->timeout_ms - (f->ops.now(f->ops.ctx) - f->level_started);
	int rc;

	if (l->native) {
		if (!f->ops.native ||
		    f->ops.native(f->ops.ctx, l->timeout_ms, f->since, done, next_cb(f)) < 0) {
			audit(f, "level %d: native IPMI not available", f->lvl + 1);
			next_level(f);
		}
		return;
	}
	rc = fence_agent_input(f->step ? "status" : "off", l->args, l->password_file,
			       input, sizeof(input));
	if (rc < 0 || left <= 0) {
		if (rc < 0)
			audit(f, "level %d: %s", f->lvl + 1, rc == -ENOSPC ? "agent options too long"
			      : "cannot read its password file");
		memset(input, 0, sizeof(input));
		next_level(f);
		return;
	}
	char *argv[] = { (char *)l->agent, NULL };
	rc = f->ops.spawn(f->ops.ctx, argv, input, (unsigned)left, done, next_cb(f));
	memset(input, 0, sizeof(input));
	if (rc < 0) {
		audit(f, "level %d: cannot run %s: %s", f->lvl + 1, l->agent, strerror(-rc));
		next_level(f);
	}
}

void fence_init(struct fence *f, const struct fence_ops *ops,
		const struct fence_level *levels, int n_levels)
{
	memset(f, 0, sizeof(*f));
	f->ops = *ops;
	f->n_levels = n_levels > FENCE_MAX_LEVELS ? FENCE_MAX_LEVELS : n_levels;
	memcpy(f->level, levels, (size_t)f->n_levels * sizeof(*levels));
}

int fence_start(struct fence *f, uint64_t gen, int64_t since)
{
	f->gen = gen;
	f->since = since;
	f->resume_at = 0;
	f->busy = 1;
	f->lvl = -1;
	f->req_started = f->ops.now(f->ops.ctx);
	audit(f, "fence generation %llu: %d level(s)", (unsigned long long)gen, f->n_levels);
	if (f->n_levels == 0) {
		finish(f, FENCE_FAILED);
		return -ENOENT;
	}
	next_level(f);
	return 0;
}
