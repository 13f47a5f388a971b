/*
 * hbnet.h - heartbeat transport: one UDP socket per LAN, bound to the node's
 * address and interface on that LAN, and one raw ICMP socket pinging the
 * peer on every LAN and the gateway. Nothing here decides anything: bytes and
 * echo replies go to the core as events. Errors: 0 / -errno.
 */
#ifndef HG_HBNET_H
#define HG_HBNET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "agent/config.h"
#include "agent/icmp.h"

/* ICMP targets: the peer on LAN i is target i, the gateway the last one. */
#define HBNET_GW_TARGET (ICMP_MAX_TARGETS - 1)
_Static_assert(HG_CFG_MAX_LANS < HBNET_GW_TARGET, "a target per LAN and the gateway");

struct hbnet {
	int n_lans;
	int udp[HG_CFG_MAX_LANS];
	struct sockaddr_in peer[HG_CFG_MAX_LANS];  /* peer's address and port per LAN */
	int icmp;
	int have_gw;
	struct in_addr gw;
	uint16_t icmp_seq;
	struct icmp_table echo;        /* outstanding requests (agent/icmp.h) */
};

int  hbnet_open(struct hbnet *h, const struct hg_config *cfg);
void hbnet_close(struct hbnet *h);
int  hbnet_send(struct hbnet *h, int lan, const uint8_t *buf, size_t len);
/* Echo request to the peer on lan, or to the gateway when lan < 0, with a
 * fresh random nonce remembered as outstanding for that target. */
int  hbnet_ping(struct hbnet *h, int lan);
/* Datagrams from udp[lan], up to max (<= HBNET_BATCH) in one system call
 * (recvmmsg). Returns how many (>= 1), -EAGAIN when none is waiting, or
 * -errno. For each: len, or -1 if it was longer than HBNET_DGRAM_MAX
 * (malformed: a heartbeat is HG_WIRE_LEN bytes); from_peer = the source is
 * the peer's address on that LAN. */
#define HBNET_BATCH     16
#define HBNET_DGRAM_MAX 128
struct hbnet_dgram {
	uint8_t buf[HBNET_DGRAM_MAX];
	int len;
	int from_peer;
};
int  hbnet_recv(struct hbnet *h, int lan, struct hbnet_dgram *out, int max);
/* One ICMP packet: 1 and *lan set (peer's LAN, or -1 for the gateway) if it
 * answers an outstanding request of ours to that very address (icmp_match:
 * identifier, sequence and nonce echoed, once); 0 if not; -EAGAIN when
 * drained. */
int  hbnet_icmp_recv(struct hbnet *h, int *lan);

#endif
