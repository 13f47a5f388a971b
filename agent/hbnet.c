/*
 * hbnet.c - see hbnet.h.
 */
#include "agent/hbnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/ip.h>
#include <sodium.h>
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
	icmp_init(&h->echo, (uint16_t)getpid());
	for (int i = 0; i < cfg->n_lans; i++)
		if (h->udp[i] >= 0)
			icmp_target_set(&h->echo, i, h->peer[i].sin_addr.s_addr);
	if (h->have_gw)
		icmp_target_set(&h->echo, HBNET_GW_TARGET, h->gw.s_addr);
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

int hbnet_ping(struct hbnet *h, int lan)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[ICMP_PKT_LEN], nonce[ICMP_NONCE_LEN];
	int t, n;

	if (lan < 0) {
		if (!h->have_gw)
			return 0;
		to.sin_addr = h->gw;
		t = HBNET_GW_TARGET;
	} else if (lan < h->n_lans && h->udp[lan] >= 0) {
		to.sin_addr = h->peer[lan].sin_addr;
		t = lan;
	} else {
		return -EINVAL;
	}
	/* Unpredictable per request: only who received this request can
	 * answer it (docs/protocol.md, "ICMP"). */
	randombytes_buf(nonce, sizeof(nonce));
	if ((n = icmp_request(&h->echo, t, ++h->icmp_seq, nonce, pkt, sizeof(pkt))) < 0)
		return n;
	if (sendto(h->icmp, pkt, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int hbnet_recv(struct hbnet *h, int lan, struct hbnet_dgram *out, int max)
{
	struct mmsghdr mm[HBNET_BATCH];
	struct iovec iov[HBNET_BATCH];
	struct sockaddr_in src[HBNET_BATCH];

	if (max > HBNET_BATCH)
		max = HBNET_BATCH;
	if (lan < 0 || lan >= h->n_lans || h->udp[lan] < 0 || max < 1)
		return -EINVAL;
	memset(mm, 0, sizeof(mm[0]) * (size_t)max);
	for (int i = 0; i < max; i++) {
		iov[i] = (struct iovec){ out[i].buf, sizeof(out[i].buf) };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &src[i];
		mm[i].msg_hdr.msg_namelen = sizeof(src[i]);
	}
	int n = recvmmsg(h->udp[lan], mm, (unsigned)max, MSG_DONTWAIT, NULL);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EAGAIN;
	for (int i = 0; i < n; i++) {
		out[i].len = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int)mm[i].msg_len;
		out[i].from_peer = mm[i].msg_hdr.msg_namelen >= sizeof(src[i]) &&
				   src[i].sin_family == AF_INET &&
				   src[i].sin_addr.s_addr == h->peer[lan].sin_addr.s_addr;
	}
	return n;
}

int hbnet_icmp_recv(struct hbnet *h, int *lan)
{
	uint8_t buf[256];
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	ssize_t n = recvfrom(h->icmp, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);

	if (n < 0)
		return -errno;
	if (sl < sizeof(src) || src.sin_family != AF_INET)
		return 0;
	int t = icmp_match(&h->echo, src.sin_addr.s_addr, buf, (size_t)n);
	if (t < 0)
		return 0;
	*lan = t == HBNET_GW_TARGET ? -1 : t;
	return 1;
}
