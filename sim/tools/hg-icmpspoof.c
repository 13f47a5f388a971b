/*
 * hg-icmpspoof - forges ICMP echo replies as an attacker on a LAN would, for
 * tests/lab/71-icmp-spoof.sh (issue 10 hole 7).
 *
 *   hg-icmpspoof WATCH_ADDR SPOOF_ADDR SECONDS
 *
 * For every echo request WATCH_ADDR sends that this namespace sees (e.g. its
 * pings of the gateway), sends WATCH_ADDR an echo reply claiming to come
 * from SPOOF_ADDR, with the request's identifier, sequence number and
 * payload copied: the best a spoofer who can observe some of the agent's
 * pings can do. Stops after SECONDS; prints how many replies it forged.
 * Only documentation addresses (192.0.2/24, 198.51.100/24, 203.0.113/24)
 * are accepted: the lab's traffic never leaves the machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int lab_addr(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		return 0;
	uint32_t h = ntohl(a->s_addr) & 0xffffff00u;
	return h == 0xc0000200u || h == 0xc6336400u || h == 0xcb007100u;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct in_addr watch, spoof;
	uint8_t in[1500], out[1500];
	unsigned long forged = 0;

	if (argc != 4 || !lab_addr(argv[1], &watch) || !lab_addr(argv[2], &spoof) || atoi(argv[3]) <= 0) {
		fprintf(stderr, "usage: hg-icmpspoof WATCH_ADDR SPOOF_ADDR SECONDS (lab addresses)\n");
		return 2;
	}
	int rx = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	int tx = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);   /* IP_HDRINCL implied */
	if (rx < 0 || tx < 0) {
		perror("hg-icmpspoof: socket");
		return 1;
	}
	double end = now_s() + atoi(argv[3]);
	while (now_s() < end) {
		struct pollfd pf = { .fd = rx, .events = POLLIN };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		ssize_t n = recv(rx, in, sizeof(in), 0);
		if (n < 28)
			continue;
		size_t ihl = (size_t)(in[0] & 0x0f) * 4;
		if (ihl < 20 || (size_t)n < ihl + 8 || memcmp(in + 12, &watch, 4) != 0 ||
		    in[ihl] != 8)
			continue;
		size_t icl = (size_t)n - ihl;
		memset(out, 0, 20);
		out[0] = 0x45;
		out[2] = (uint8_t)((20 + icl) >> 8);
		out[3] = (uint8_t)(20 + icl);
		out[8] = 64;
		out[9] = IPPROTO_ICMP;
		memcpy(out + 12, &spoof, 4);
		memcpy(out + 16, &watch, 4);
		memcpy(out + 20, in + ihl, icl);
		out[20] = 0;   /* echo reply */
		out[22] = out[23] = 0;
		uint16_t c = csum(out + 20, icl);
		out[22] = (uint8_t)(c >> 8);
		out[23] = (uint8_t)c;
		c = csum(out, 20);
		out[10] = (uint8_t)(c >> 8);
		out[11] = (uint8_t)c;
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = watch };
		if (sendto(tx, out, 20 + icl, 0, (struct sockaddr *)&to, sizeof(to)) > 0)
			forged++;
	}
	printf("%lu\n", forged);
	return 0;
}
