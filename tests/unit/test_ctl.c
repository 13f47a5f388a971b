/*
 * test_ctl.c - the control socket's server side (agent/ctl.c): clients that
 * connect and send nothing, or half a line, are closed after CTL_IDLE_MS
 * (issue 10, hole 12): eight of them used to hold every slot for ever, and
 * the operator's `headguard status` was turned away.
 */
#include "check.h"
#include "agent/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char path[64];

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return fd;
}

/* 1 if the server closed fd (EOF, or a reset), 0 if it is still open. */
static int closed(int fd)
{
	char b[256];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ssize_t n;
	while ((n = read(fd, b, sizeof(b))) > 0)
		;
	fcntl(fd, F_SETFL, fl);
	return n == 0 || (n < 0 && errno != EAGAIN);
}

static int used(const struct ctl *c)
{
	int n = 0;

	for (int i = 0; i < CTL_CLIENTS; i++)
		n += c->cl[i].fd >= 0;
	return n;
}

int main(void)
{
	static struct ctl c;
	int fd[CTL_CLIENTS + 1];
	const char *line;
	int64_t t0 = 100000;

	snprintf(path, sizeof(path), "/tmp/hg-test-ctl-%d/ctl", (int)getpid());
	CHECK_EQ(ctl_listen(&c, path), 0);

	/* every slot taken: seven say nothing, one sends half a line */
	for (int i = 0; i < CTL_CLIENTS; i++)
		CHECK((fd[i] = dial()) >= 0);
	CHECK(write(fd[0], "stat", 4) == 4);
	ctl_accept(&c);
	ctl_expire(&c, t0);
	CHECK_EQ(used(&c), CTL_CLIENTS);
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (c.cl[i].fd >= 0)
			CHECK_EQ(ctl_read(&c, i, &line), 0);   /* no line yet */
	CHECK_EQ(ctl_next_deadline(&c), t0 + CTL_IDLE_MS);

	/* a ninth is turned away while they hold the slots */
	CHECK((fd[CTL_CLIENTS] = dial()) >= 0);
	ctl_accept(&c);
	CHECK(closed(fd[CTL_CLIENTS]));
	close(fd[CTL_CLIENTS]);

	/* not yet idle long enough: kept */
	ctl_expire(&c, t0 + CTL_IDLE_MS - 1);
	CHECK_EQ(used(&c), CTL_CLIENTS);
	CHECK(!closed(fd[1]));

	/* past it: every one closed, and told so */
	ctl_expire(&c, t0 + CTL_IDLE_MS);
	CHECK_EQ(used(&c), 0);
	for (int i = 0; i < CTL_CLIENTS; i++) {
		CHECK(closed(fd[i]));
		close(fd[i]);
	}
	CHECK_EQ(ctl_next_deadline(&c), INT64_MAX);

	/* the operator gets a slot and a line again */
	int op = dial();
	CHECK(op >= 0 && write(op, "status\n", 7) == 7);
	ctl_accept(&c);
	ctl_expire(&c, t0 + 20000);
	int got = 0;
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (c.cl[i].fd >= 0 && ctl_read(&c, i, &line) == 1) {
			CHECK_STR(line, "status");
			ctl_answer(&c, i, "ok\n");
			got++;
		}
	CHECK_EQ(got, 1);
	close(op);

	/* an `events` subscriber is a stream: never idle-closed */
	int sub = dial();
	CHECK(sub >= 0 && write(sub, "events\n", 7) == 7);
	ctl_accept(&c);
	ctl_expire(&c, t0 + 30000);
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (c.cl[i].fd >= 0 && ctl_read(&c, i, &line) == 1)
			ctl_subscribe(&c, i);
	ctl_expire(&c, t0 + 30000 + 10 * CTL_IDLE_MS);
	CHECK_EQ(used(&c), 1);
	CHECK(!closed(sub));
	close(sub);

	ctl_close(&c);
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/hg-test-ctl-%d", (int)getpid());
	rmdir(dir);
	return check_report();
}
