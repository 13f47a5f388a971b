/*
 * icmp.h - echo requests that carry a nonce, and the matching of echo
 * replies against the requests still outstanding (docs/protocol.md, "ICMP").
 *
 * Pure: no sockets, no randomness, no clock. The caller (agent/hbnet.c)
 * draws the nonces and moves the bytes. A reply counts for a target only if
 * it comes from that target's address, carries our identifier, and echoes
 * the sequence number and nonce of a request to that target still
 * outstanding; each request counts once. Replies are untrusted network
 * input: every length is checked, nothing is cast to a struct.
 */
#ifndef HG_ICMP_H
#define HG_ICMP_H

#include <stddef.h>
#include <stdint.h>

#define ICMP_NONCE_LEN   16
#define ICMP_PKT_LEN     (8 + 6 + ICMP_NONCE_LEN)   /* header, "hgping", nonce */
#define ICMP_OUTSTANDING 4      /* requests remembered per target: older replies are late */
#define ICMP_MAX_TARGETS 8

struct icmp_req {
	int used;
	uint16_t seq;
	uint8_t nonce[ICMP_NONCE_LEN];
};

struct icmp_target {
	int active;
	uint32_t addr;          /* IPv4, network byte order */
	unsigned next;          /* slot the next request takes (oldest) */
	struct icmp_req req[ICMP_OUTSTANDING];
};

struct icmp_table {
	uint16_t id;            /* echo identifier of this agent */
	struct icmp_target t[ICMP_MAX_TARGETS];
};

/* Empties the table; id is the echo identifier every request carries. */
void icmp_init(struct icmp_table *tb, uint16_t id);

/* Declares target t (0..ICMP_MAX_TARGETS-1) at addr (network order).
 * Returns 0, or -EINVAL for a bad index. */
int icmp_target_set(struct icmp_table *tb, int t, uint32_t addr);

/* Writes an echo request to target t with seq and nonce into pkt (cap >=
 * ICMP_PKT_LEN, checksum filled) and records it as outstanding, forgetting
 * the oldest of t's if ICMP_OUTSTANDING are. Returns the length, or -EINVAL. */
int icmp_request(struct icmp_table *tb, int t, uint16_t seq,
		 const uint8_t nonce[ICMP_NONCE_LEN], uint8_t *pkt, size_t cap);

/* Matches what a raw IPv4 ICMP socket received (IP header included, len
 * bytes) from src (network order). Returns the target it answers, and
 * forgets that request; -1 for anything else (not an echo reply, another
 * identifier, wrong source, unknown or already answered sequence/nonce,
 * truncated). */
int icmp_match(struct icmp_table *tb, uint32_t src, const uint8_t *buf, size_t len);

#endif
