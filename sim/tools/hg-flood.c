/*
 * hg-flood - garbage UDP at a heartbeat port, for bench/flood and
 * tests/lab/72-flood.sh (issue 10 hole 9).
 *
 *   hg-flood DST_ADDR PORT PPS SECONDS
 *
 * Sends 88-byte datagrams of pseudo-random bytes (a heartbeat's length, so
 * they reach the decoder's HMAC check when they come from the peer's
 * address) to DST_ADDR:PORT at PPS packets per second (0: as fast as the
 * machine can, in batches of sendmmsg) for SECONDS (at most 120). Prints one
 * JSON line: {"sent":N,"seconds":S,"pps":P}. Only documentation addresses
 * (192.0.2/24, 198.51.100/24, 203.0.113/24) are accepted: the lab's traffic
 * never leaves the machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define LEN   88

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static uint8_t buf[BATCH][LEN];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	uint32_t x = 2463534242u;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: hg-flood DST_ADDR PORT PPS SECONDS\n");
		return 2;
	}
	uint32_t net = ntohl(to.sin_addr.s_addr) & 0xffffff00u;
	if (net != 0xc0000200u && net != 0xc6336400u && net != 0xcb007100u) {
		fprintf(stderr, "hg-flood: %s is not a lab (documentation) address\n", argv[1]);
		return 2;
	}
	long port = atol(argv[2]), pps = atol(argv[3]);
	double secs = atof(argv[4]);
	if (port <= 0 || port > 65535 || pps < 0 || secs <= 0 || secs > 120) {
		fprintf(stderr, "hg-flood: PORT 1..65535, PPS >= 0, SECONDS in (0, 120]\n");
		return 2;
	}
	to.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("hg-flood");
		return 1;
	}
	for (int i = 0; i < BATCH; i++) {
		for (int k = 0; k < LEN; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			buf[i][k] = (uint8_t)x;
		}
		iov[i] = (struct iovec){ buf[i], LEN };
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned long long sent = 0;
	double start = now_s(), t = start, end = start + secs;
	while ((t = now_s()) < end) {
		long want = BATCH;
		if (pps > 0) {
			double due = (t - start) * (double)pps - (double)sent;
			if (due < 1) {
				struct timespec ts = { 0, 200000 };   /* 0.2 ms */
				nanosleep(&ts, NULL);
				continue;
			}
			want = due < BATCH ? (long)due : BATCH;
		}
		buf[0][0]++;   /* not all the same bytes */
		int n = sendmmsg(fd, mm, (unsigned)want, 0);
		if (n > 0)
			sent += (unsigned)n;
	}
	double el = now_s() - start;
	printf("{\"sent\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n", sent, el, el > 0 ? sent / el : 0);
	return 0;
}
