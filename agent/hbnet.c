/*
 * hbnet.c - see hbnet.h.
 */
#include "agent/hbnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/ip.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HB_TOS 0xc0   /* DSCP CS6, network control: heartbeats go first */

static int udp_open(const struct hg_cfg_link *l, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, tos = HB_TOS, prio = 6;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (inet_pton(AF_INET, l->addr, &sa.sin_addr) != 1) {
		close(fd);
		return -EINVAL;
	}
	/* FREEBIND: the address may be on a link that is down right now. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->ifname, (socklen_t)strlen(l->ifname)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int hbnet_open(struct hbnet *h, const struct hg_config *cfg)
{
	const struct hg_cfg_node *me = &cfg->node[cfg->self], *peer = &cfg->node[cfg->peer];
	struct icmp_filter filt = { .data = ~(1u << ICMP_ECHOREPLY) };
	int rc;

	memset(h, 0, sizeof(*h));
	h->icmp = -1;
	for (int i = 0; i < HG_CFG_MAX_LANS; i++)
		h->udp[i] = -1;
	h->n_lans = cfg->n_lans;
	for (int i = 0; i < cfg->n_lans; i++) {
		if (!cfg->lan[i].heartbeat)
			continue;
		if ((rc = udp_open(&me->link[i], cfg->port)) < 0)
			goto fail;
		h->udp[i] = rc;
		h->peer[i].sin_family = AF_INET;
		h->peer[i].sin_port = htons(cfg->port);
		inet_pton(AF_INET, peer->link[i].addr, &h->peer[i].sin_addr);
	}
	h->icmp = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (h->icmp < 0 ||
	    setsockopt(h->icmp, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)) < 0) {
		rc = -errno;
		goto fail;
	}
	h->have_gw = cfg->gateway[0] && inet_pton(AF_INET, cfg->gateway, &h->gw) == 1;
	h->icmp_id = (uint16_t)getpid();
	return 0;
fail:
	hbnet_close(h);
	return rc;
}

void hbnet_close(struct hbnet *h)
{
	for (int i = 0; i < HG_CFG_MAX_LANS; i++)
		if (h->udp[i] >= 0)
			close(h->udp[i]), h->udp[i] = -1;
	if (h->icmp >= 0)
		close(h->icmp), h->icmp = -1;
}

int hbnet_send(struct hbnet *h, int lan, const uint8_t *buf, size_t len)
{
	if (lan < 0 || lan >= h->n_lans || h->udp[lan] < 0)
		return -EINVAL;
	if (sendto(h->udp[lan], buf, len, 0, (struct sockaddr *)&h->peer[lan],
		   sizeof(h->peer[lan])) < 0)
		return -errno;
	return 0;
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

int hbnet_ping(struct hbnet *h, int lan)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[16] = { ICMP_ECHO, 0 };

	if (lan < 0) {
		if (!h->have_gw)
			return 0;
		to.sin_addr = h->gw;
	} else if (lan < h->n_lans && h->udp[lan] >= 0) {
		to.sin_addr = h->peer[lan].sin_addr;
	} else {
		return -EINVAL;
	}
	h->icmp_seq++;
	pkt[4] = (uint8_t)(h->icmp_id >> 8);
	pkt[5] = (uint8_t)h->icmp_id;
	pkt[6] = (uint8_t)(h->icmp_seq >> 8);
	pkt[7] = (uint8_t)h->icmp_seq;
	memcpy(pkt + 8, "hgping", 6);
	pkt[14] = (uint8_t)(lan + 1);
	uint16_t c = csum(pkt, sizeof(pkt));
	pkt[2] = (uint8_t)(c >> 8);
	pkt[3] = (uint8_t)c;
	if (sendto(h->icmp, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int hbnet_recv(struct hbnet *h, int lan, uint8_t *buf, size_t cap, int *from_peer)
{
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	ssize_t n = recvfrom(h->udp[lan], buf, cap, 0, (struct sockaddr *)&src, &sl);

	if (n < 0)
		return -errno;
	*from_peer = sl >= sizeof(src) && src.sin_family == AF_INET &&
		     src.sin_addr.s_addr == h->peer[lan].sin_addr.s_addr;
	return (int)n;
}

int hbnet_icmp_recv(struct hbnet *h, int *lan)
{
	uint8_t buf[256];
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	ssize_t n = recvfrom(h->icmp, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);

	if (n < 0)
		return -errno;
	if (n < 20)
		return 0;
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || (size_t)n < ihl + 8)
		return 0;
	const uint8_t *ic = buf + ihl;
	if (ic[0] != ICMP_ECHOREPLY || (uint16_t)(ic[4] << 8 | ic[5]) != h->icmp_id)
		return 0;
	if (h->have_gw && src.sin_addr.s_addr == h->gw.s_addr) {
		*lan = -1;
		return 1;
	}
	for (int i = 0; i < h->n_lans; i++) {
		if (h->udp[i] >= 0 && src.sin_addr.s_addr == h->peer[i].sin_addr.s_addr) {
			*lan = i;
			return 1;
		}
	}
	return 0;
}
