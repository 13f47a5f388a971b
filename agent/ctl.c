/*
 * ctl.c - see ctl.h.
 */
#include "agent/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

static int make_parent(const char *path)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ctl_listen(struct ctl *c, const char *path)
{
	struct sockaddr_un sa;
	int rc;

	c->fd = -1;
	for (int i = 0; i < CTL_CLIENTS; i++)
		c->cl[i].fd = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((rc = addr(path, &sa)) < 0 || (rc = make_parent(path)) < 0)
		return rc;

	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		int busy = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(probe);
		if (busy)
			return -EADDRINUSE;
	}
	unlink(path);   /* a stale socket of a dead agent */

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	mode_t old = umask(077);
	rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(c->fd, CTL_CLIENTS) < 0) {
		rc = -errno;
		close(c->fd);
		c->fd = -1;
		return rc;
	}
	return 0;
}

void ctl_close(struct ctl *c)
{
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (c->cl[i].fd >= 0)
			close(c->cl[i].fd), c->cl[i].fd = -1;
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		unlink(c->path);
	}
}

void ctl_accept(struct ctl *c)
{
	int fd;

	while ((fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		int i;
		for (i = 0; i < CTL_CLIENTS && c->cl[i].fd >= 0; i++)
			;
		if (i == CTL_CLIENTS) {
			close(fd);   /* busy: the operator retries */
			continue;
		}
		c->cl[i].fd = fd;
		c->cl[i].len = 0;
		c->cl[i].stream = 0;
		c->cl[i].since = 0;
	}
}

static void drop(struct ctl *c, int i)
{
	close(c->cl[i].fd);
	c->cl[i].fd = -1;
}

void ctl_expire(struct ctl *c, int64_t now)
{
	for (int i = 0; i < CTL_CLIENTS; i++) {
		struct ctl_client *cl = &c->cl[i];
		if (cl->fd < 0 || cl->stream)
			continue;
		if (!cl->since)
			cl->since = now ? now : 1;
		else if (now - cl->since >= CTL_IDLE_MS)
			ctl_answer(c, i, "{\"ok\":false,\"message\":\"timed out waiting for a "
				   "request line\"}\n");
	}
}

int64_t ctl_next_deadline(const struct ctl *c)
{
	int64_t t = INT64_MAX;

	for (int i = 0; i < CTL_CLIENTS; i++)
		if (c->cl[i].fd >= 0 && !c->cl[i].stream && c->cl[i].since &&
		    c->cl[i].since + CTL_IDLE_MS < t)
			t = c->cl[i].since + CTL_IDLE_MS;
	return t;
}

int ctl_read(struct ctl *c, int i, const char **line)
{
	struct ctl_client *cl = &c->cl[i];
	ssize_t n = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		drop(c, i);
		return -1;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = 0;
	char *nl = strchr(cl->buf, '\n');
	if (!nl) {
		if (cl->len >= sizeof(cl->buf) - 1) {
			ctl_answer(c, i, "{\"ok\":false,\"message\":\"line too long\"}\n");
			return -1;
		}
		return 0;
	}
	*nl = 0;
	if (nl > cl->buf && nl[-1] == '\r')
		nl[-1] = 0;
	*line = cl->buf;
	return 1;
}

void ctl_answer(struct ctl *c, int i, const char *text)
{
	struct ctl_client *cl = &c->cl[i];
	size_t len = strlen(text), off = 0;

	/* Answers are a few KiB and the socket buffer is empty: one write
	 * normally does it; give up rather than block on a stuck client. */
	for (int tries = 0; off < len && tries < 100; tries++) {
		ssize_t n = write(cl->fd, text + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	drop(c, i);
}

void ctl_subscribe(struct ctl *c, int i)
{
	c->cl[i].stream = 1;
	c->cl[i].len = 0;
}

void ctl_broadcast(struct ctl *c, const char *text, size_t len)
{
	for (int i = 0; i < CTL_CLIENTS; i++) {
		if (c->cl[i].fd < 0 || !c->cl[i].stream)
			continue;
		if (write(c->cl[i].fd, text, len) != (ssize_t)len)
			drop(c, i);   /* gone, or too slow: never block the loop */
	}
}

/* Client side: connect to path and send line; the socket, or -errno. */
static int dial(const char *path, const char *line, int rcv_timeout_s)
{
	struct sockaddr_un sa;
	struct timeval tv = { .tv_sec = rcv_timeout_s };
	int rc, fd;

	if ((rc = addr(path, &sa)) < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (rcv_timeout_s)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int ctl_stream(const char *path, const char *line, int out)
{
	char buf[4096];
	int fd = dial(path, line, 0);

	if (fd < 0)
		return fd;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0 || write(out, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	return 0;
}

int ctl_request(const char *path, const char *line, char *buf, size_t len)
{
	size_t off = 0;
	int rc, fd = dial(path, line, 10);

	if (fd < 0)
		return fd;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = 0;
	close(fd);
	return 0;
}

enum ctl_verb ctl_parse(const char *line)
{
	static const struct { const char *word; enum ctl_verb verb; } words[] = {
		{ "status", CTL_STATUS }, { "status json", CTL_STATUS_JSON },
		{ "events", CTL_EVENTS }, { "switchover", CTL_SWITCHOVER },
		{ "standby", CTL_STANDBY }, { "unstandby", CTL_UNSTANDBY },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(line, words[i].word))
			return words[i].verb;
	return CTL_UNKNOWN;
}
