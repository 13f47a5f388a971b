/*
 * hg-hbtool - heartbeats as an attacker or a broken peer would send them,
 * for the lab's tests of DESIGN.md's "a packet without a valid HMAC changes
 * nothing" and "replays are dropped and counted".
 *
 *   hg-hbtool sniff IFNAME DST_ADDR OUTFILE [TIMEOUT_MS]
 *       capture one UDP datagram to DST_ADDR port 694 seen on IFNAME
 *       (AF_PACKET), write its payload to OUTFILE
 *   hg-hbtool forge KEYFILE FROM TO INC SEQ ROLE FLAGS OUTFILE
 *       encode a heartbeat with the key in KEYFILE (any key: a wrong one too)
 *   hg-hbtool send BIND_ADDR DEST_ADDR PORT INFILE
 *       send INFILE's bytes as one datagram from BIND_ADDR (port 0)
 */
#include "agent/core/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "hg-hbtool: %s: %s\n", what, strerror(errno));
	return 1;
}

static int write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0)
		return die(path);
	return 0;
}

static int sniff(const char *ifname, const char *dst, const char *out, int timeout_ms)
{
	struct in_addr want;

	/* ETH_P_ALL, not ETH_P_IP: the kernel hands frames a port *sends*
	 * (on a bridge port: the frames going to the node behind it) only to
	 * ETH_P_ALL packet sockets. */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_ll from;
	socklen_t flen;
	uint8_t buf[2048];
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	if (inet_pton(AF_INET, dst, &want) != 1) {
		fprintf(stderr, "hg-hbtool: bad address %s\n", dst);
		return 1;
	}
	if (fd < 0)
		return die("socket");
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return die(ifname);
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0) {
			fprintf(stderr, "hg-hbtool: no heartbeat seen on %s\n", ifname);
			return 1;
		}
		flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 28 || from.sll_protocol != htons(ETH_P_IP) || (buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP ||
		    memcmp(buf + 16, &want, 4) != 0)
			continue;
		size_t ihl = (size_t)(buf[0] & 15) * 4;
		if ((size_t)n < ihl + 8 || (buf[ihl + 2] << 8 | buf[ihl + 3]) != 694)
			continue;
		return write_file(out, buf + ihl + 8, (size_t)n - ihl - 8);
	}
}

static int forge(char **a)
{
	uint8_t key[256], buf[HG_WIRE_LEN];
	FILE *f = fopen(a[0], "rb");
	size_t klen;

	if (!f)
		return die(a[0]);
	klen = fread(key, 1, sizeof(key), f);
	fclose(f);
	while (klen && (key[klen - 1] == '\n' || key[klen - 1] == ' '))
		klen--;
	struct hg_hb hb = {
		.from = (uint16_t)atoi(a[1]), .to = (uint16_t)atoi(a[2]),
		.incarnation = strtoull(a[3], NULL, 0), .seq = strtoull(a[4], NULL, 0),
		.role = (uint8_t)atoi(a[5]), .flags = (uint8_t)strtoul(a[6], NULL, 0),
	};
	hg_wire_encode(&hb, key, klen, buf);
	return write_file(a[7], buf, sizeof(buf));
}

static int send_file(char **a)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	uint8_t buf[2048];
	FILE *f = fopen(a[3], "rb");

	if (!f)
		return die(a[3]);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (inet_pton(AF_INET, a[0], &src.sin_addr) != 1 || inet_pton(AF_INET, a[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "hg-hbtool: bad address\n");
		return 1;
	}
	dst.sin_port = htons((uint16_t)atoi(a[2]));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		return die("bind");
	if (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return die("sendto");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "sniff"))
		return sniff(argv[2], argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 3000);
	if (argc == 10 && !strcmp(argv[1], "forge"))
		return forge(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "send"))
		return send_file(argv + 2);
	fprintf(stderr, "usage: hg-hbtool sniff IFNAME DST_ADDR OUT [TIMEOUT_MS]\n"
			"       hg-hbtool forge KEYFILE FROM TO INC SEQ ROLE FLAGS OUT\n"
			"       hg-hbtool send BIND_ADDR DEST_ADDR PORT IN\n");
	return 2;
}
