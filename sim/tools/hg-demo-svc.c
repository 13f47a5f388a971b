/*
 * hg-demo-svc - the lab's demo cluster service (docs/lab.md).
 *
 *   hg-demo-svc [--port P] [--pidfile FILE] [--daemon] NODE
 *	TCP server on 0.0.0.0:P (default 8080): every connection gets
 *	"NODE\n" and is closed. A client reaching the VIP learns which head
 *	node answered. With --daemon the parent returns only once the child
 *	listens and the pid file is written, so `sim/svc start` reports
 *	success only for a service that really answers.
 *
 *   hg-demo-svc --check [--port P] [--timeout-ms T] [HOST]
 *	Connects to HOST:P (default 127.0.0.1), prints the answer and exits
 *	0 if it was a non-empty line, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int port;
	int daemon;
	int check;
	int timeout_ms;
	const char *pidfile;
	const char *arg;	/* NODE, or HOST with --check */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: hg-demo-svc [--port P] [--pidfile FILE] [--daemon] NODE\n"
		"       hg-demo-svc --check [--port P] [--timeout-ms T] [HOST]\n");
	exit(2);
}

static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return (int)v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->port = 8080;
	o->timeout_ms = 1000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--daemon"))
			o->daemon = 1;
		else if (!strcmp(a, "--check"))
			o->check = 1;
		else if (!strcmp(a, "--port") && i + 1 < argc)
			o->port = parse_int(argv[++i], 1, 65535);
		else if (!strcmp(a, "--timeout-ms") && i + 1 < argc)
			o->timeout_ms = parse_int(argv[++i], 1, 600000);
		else if (!strcmp(a, "--pidfile") && i + 1 < argc)
			o->pidfile = argv[++i];
		else if (a[0] == '-' || o->arg)
			usage();
		else
			o->arg = a;
	}
	if (!o->check && !o->arg)
		usage();
}

static int listen_socket(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Write the pid file atomically: readers never see a half-written pid. */
static int write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void serve(int lfd, const char *node)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\n", node);

	if (n < 0 || n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("hg-demo-svc: accept");
			exit(1);
		}
		/* One short write; a client that does not read loses the answer. */
		(void)!write(c, line, (size_t)n);
		close(c);
	}
}

static int run_server(const struct opts *o)
{
	int lfd, ready[2] = { -1, -1 };
	pid_t pid;
	char ok;

	if (!o->daemon) {
		lfd = listen_socket(o->port);
		if (lfd < 0) {
			perror("hg-demo-svc: listen");
			return 1;
		}
		if (o->pidfile && write_pidfile(o->pidfile) < 0) {
			perror("hg-demo-svc: pidfile");
			return 1;
		}
		serve(lfd, o->arg);
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		perror("hg-demo-svc: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("hg-demo-svc: fork");
		return 1;
	}
	if (pid > 0) {
		close(ready[1]);
		/* The child writes one byte once it serves; EOF means it failed. */
		return read(ready[0], &ok, 1) == 1 ? 0 : 1;
	}
	close(ready[0]);
	setsid();
	lfd = listen_socket(o->port);
	if (lfd < 0) {
		perror("hg-demo-svc: listen");
		_exit(1);
	}
	if (o->pidfile && write_pidfile(o->pidfile) < 0) {
		perror("hg-demo-svc: pidfile");
		_exit(1);
	}
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	ok = 1;
	if (write(ready[1], &ok, 1) != 1)
		_exit(1);
	close(ready[1]);
	serve(lfd, o->arg);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to become ready for `events` until `deadline` (monotonic ms). */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int run_check(const struct opts *o)
{
	const char *host = o->arg ? o->arg : "127.0.0.1";
	long long deadline = now_ms() + o->timeout_ms;
	struct sockaddr_in sa;
	char buf[256];
	size_t got = 0;
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "hg-demo-svc: bad address %s\n", host);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	if (wait_fd(fd, POLLOUT, deadline) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err)
		goto fail;
	while (got < sizeof(buf) - 1) {
		ssize_t r;

		if (wait_fd(fd, POLLIN, deadline) < 0)
			goto fail;
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(buf, '\n', got))
			break;
	}
	close(fd);
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		return 1;
	printf("%s\n", buf);
	return 0;
fail:
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	struct opts o;

	parse_args(argc, argv, &o);
	return o.check ? run_check(&o) : run_server(&o);
}
