/*
 * hg-probe - the lab client's view of an outage (docs/lab.md).
 *
 *   hg-probe [--interval-ms N] [--duration-ms D] [--gap-factor K] TARGET
 *
 * Sends an ICMP echo request to TARGET every N ms (default 10) on a raw
 * socket and records the replies. On SIGINT/SIGTERM, or after D ms, prints
 * one JSON object:
 *
 *   {"target":..,"interval_ms":..,"sent":..,"received":..,
 *    "first_reply_ms":..,"last_reply_ms":..,
 *    "gaps":[{"from_ms":..,"to_ms":..,"gap_ms":..}, ...]}
 *
 * A gap is a silence longer than K intervals (default 3) between two
 * replies: from_ms is the wall-clock time (unix ms) of the last reply
 * before it, to_ms of the first reply after it. A silence still running
 * when the probe stops is reported with "open":true and to_ms = stop time.
 * Wall-clock stamps are what the lab compares with the agents' JSON logs;
 * the send schedule runs on CLOCK_MONOTONIC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct gap {
	long long from_ms, to_ms;
	int open;
};

struct probe {
	struct sockaddr_in target;
	const char *target_str;
	int interval_ms;
	long long duration_ms;	/* 0: until a signal */
	int gap_factor;
	uint16_t ident;

	unsigned long sent, received;
	long long first_reply_ms, last_reply_ms;	/* unix ms, 0 = none */
	long long last_reply_mono;			/* monotonic ms */

	struct gap *gaps;
	size_t n_gaps, cap_gaps;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: hg-probe [--interval-ms N] [--duration-ms D] "
			"[--gap-factor K] TARGET\n");
	exit(2);
}

static long long clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long parse_ll(const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return v;
}

static uint16_t icmp_cksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void send_echo(struct probe *pr, int fd)
{
	uint8_t pkt[sizeof(struct icmphdr) + 8];
	struct icmphdr *h = (struct icmphdr *)pkt;
	long long now = clock_ms(CLOCK_REALTIME);

	memset(pkt, 0, sizeof(pkt));
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(pr->ident);
	h->un.echo.sequence = htons((uint16_t)pr->sent);
	memcpy(pkt + sizeof(*h), &now, sizeof(now));
	h->checksum = icmp_cksum(pkt, sizeof(pkt));
	/* ENETUNREACH etc. are the outage we measure, not an error. */
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&pr->target,
		   sizeof(pr->target)) >= 0 || errno != EINTR)
		pr->sent++;
}

static void add_gap(struct probe *pr, long long from, long long to, int open)
{
	if (pr->n_gaps == pr->cap_gaps) {
		size_t cap = pr->cap_gaps ? pr->cap_gaps * 2 : 16;
		struct gap *g = realloc(pr->gaps, cap * sizeof(*g));

		if (!g)
			return;	/* keep counting; lose the detail */
		pr->gaps = g;
		pr->cap_gaps = cap;
	}
	pr->gaps[pr->n_gaps++] = (struct gap){ from, to, open };
}

static void note_reply(struct probe *pr)
{
	long long wall = clock_ms(CLOCK_REALTIME);
	long long mono = clock_ms(CLOCK_MONOTONIC);

	if (pr->last_reply_ms &&
	    mono - pr->last_reply_mono > (long long)pr->gap_factor * pr->interval_ms)
		add_gap(pr, pr->last_reply_ms, wall, 0);
	if (!pr->first_reply_ms)
		pr->first_reply_ms = wall;
	pr->last_reply_ms = wall;
	pr->last_reply_mono = mono;
	pr->received++;
}

/* Reads every queued datagram; counts echo replies that carry our id. */
static void drain(struct probe *pr, int fd)
{
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t flen;
	ssize_t n;

	for (;;) {
		size_t ihl;
		const struct icmphdr *h;

		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		if ((size_t)n < sizeof(struct iphdr))
			continue;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < sizeof(struct iphdr) ||
		    (size_t)n < ihl + sizeof(struct icmphdr))
			continue;
		h = (const struct icmphdr *)(buf + ihl);
		if (h->type != ICMP_ECHOREPLY || ntohs(h->un.echo.id) != pr->ident ||
		    from.sin_addr.s_addr != pr->target.sin_addr.s_addr)
			continue;
		note_reply(pr);
	}
}

static void print_result(struct probe *pr)
{
	long long now_wall = clock_ms(CLOCK_REALTIME);
	long long now_mono = clock_ms(CLOCK_MONOTONIC);
	size_t i;

	if (pr->last_reply_ms &&
	    now_mono - pr->last_reply_mono > (long long)pr->gap_factor * pr->interval_ms)
		add_gap(pr, pr->last_reply_ms, now_wall, 1);

	printf("{\"target\":\"%s\",\"interval_ms\":%d,\"sent\":%lu,\"received\":%lu,"
	       "\"first_reply_ms\":%lld,\"last_reply_ms\":%lld,\"stop_ms\":%lld,\"gaps\":[",
	       pr->target_str, pr->interval_ms, pr->sent, pr->received,
	       pr->first_reply_ms, pr->last_reply_ms, now_wall);
	for (i = 0; i < pr->n_gaps; i++) {
		const struct gap *g = &pr->gaps[i];

		printf("%s{\"from_ms\":%lld,\"to_ms\":%lld,\"gap_ms\":%lld%s}",
		       i ? "," : "", g->from_ms, g->to_ms, g->to_ms - g->from_ms,
		       g->open ? ",\"open\":true" : "");
	}
	printf("]}\n");
	fflush(stdout);
}

static void parse_args(int argc, char **argv, struct probe *pr)
{
	int i;

	memset(pr, 0, sizeof(*pr));
	pr->interval_ms = 10;
	pr->gap_factor = 3;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--interval-ms") && i + 1 < argc)
			pr->interval_ms = (int)parse_ll(argv[++i], 1, 60000);
		else if (!strcmp(a, "--duration-ms") && i + 1 < argc)
			pr->duration_ms = parse_ll(argv[++i], 1, 86400000LL);
		else if (!strcmp(a, "--gap-factor") && i + 1 < argc)
			pr->gap_factor = (int)parse_ll(argv[++i], 1, 1000);
		else if (a[0] == '-' || pr->target_str)
			usage();
		else
			pr->target_str = a;
	}
	if (!pr->target_str)
		usage();
	pr->target.sin_family = AF_INET;
	if (inet_pton(AF_INET, pr->target_str, &pr->target.sin_addr) != 1) {
		fprintf(stderr, "hg-probe: bad IPv4 address %s\n", pr->target_str);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct probe pr;
	struct sigaction sa;
	long long start, next;
	int fd;

	parse_args(argc, argv, &pr);
	pr.ident = (uint16_t)getpid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		perror("hg-probe: raw socket (needs root or CAP_NET_RAW)");
		return 1;
	}

	start = clock_ms(CLOCK_MONOTONIC);
	next = start;
	while (!stop_requested) {
		long long now = clock_ms(CLOCK_MONOTONIC);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (pr.duration_ms && now - start >= pr.duration_ms)
			break;
		if (now >= next) {
			send_echo(&pr, fd);
			next += pr.interval_ms;
			if (next <= now)	/* we were stopped: do not burst */
				next = now + pr.interval_ms;
		}
		if (poll(&p, 1, (int)(next - now > 0 ? next - now : 0)) > 0)
			drain(&pr, fd);
	}
	drain(&pr, fd);
	print_result(&pr);
	close(fd);
	free(pr.gaps);
	return 0;
}
