/*
 * icmp.c - see icmp.h. The nonce is what authenticates a reply: an echo
 * identifier and sequence are predictable and visible to anyone who sees one
 * of our pings, 16 random bytes chosen per request are neither.
 */
#include "agent/icmp.h"

#include <errno.h>
#include <string.h>

void icmp_init(struct icmp_table *tb, uint16_t id)
{
	memset(tb, 0, sizeof(*tb));
	tb->id = id;
}

int icmp_target_set(struct icmp_table *tb, int t, uint32_t addr)
{
	if (t < 0 || t >= ICMP_MAX_TARGETS)
		return -EINVAL;
	memset(&tb->t[t], 0, sizeof(tb->t[t]));
	tb->t[t].active = 1;
	tb->t[t].addr = addr;
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

int icmp_request(struct icmp_table *tb, int t, uint16_t seq,
		 const uint8_t nonce[ICMP_NONCE_LEN], uint8_t *pkt, size_t cap)
{
	if (t < 0 || t >= ICMP_MAX_TARGETS || !tb->t[t].active || cap < ICMP_PKT_LEN)
		return -EINVAL;
	struct icmp_target *tg = &tb->t[t];
	struct icmp_req *r = &tg->req[tg->next];
	tg->next = (tg->next + 1) % ICMP_OUTSTANDING;
	r->used = 1;
	r->seq = seq;
	memcpy(r->nonce, nonce, ICMP_NONCE_LEN);
	memset(pkt, 0, ICMP_PKT_LEN);
	pkt[0] = 8;
	pkt[4] = (uint8_t)(tb->id >> 8);
	pkt[5] = (uint8_t)tb->id;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	memcpy(pkt + 8, "hgping", 6);
	memcpy(pkt + 14, nonce, ICMP_NONCE_LEN);
	uint16_t c = csum(pkt, ICMP_PKT_LEN);
	pkt[2] = (uint8_t)(c >> 8);
	pkt[3] = (uint8_t)c;
	return ICMP_PKT_LEN;
}

/* Constant time over the nonce: no early exit telling how much matched. */
static int same_nonce(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < ICMP_NONCE_LEN; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

int icmp_match(struct icmp_table *tb, uint32_t src, const uint8_t *buf, size_t len)
{
	if (len < 20 || (buf[0] >> 4) != 4)
		return -1;
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + ICMP_PKT_LEN)
		return -1;
	const uint8_t *ic = buf + ihl;
	if (ic[0] != 0 || ic[1] != 0 || (uint16_t)(ic[4] << 8 | ic[5]) != tb->id ||
	    memcmp(ic + 8, "hgping", 6) != 0)
		return -1;
	uint16_t seq = (uint16_t)(ic[6] << 8 | ic[7]);
	const uint8_t *nonce = ic + 14;
	for (int t = 0; t < ICMP_MAX_TARGETS; t++) {
		struct icmp_target *tg = &tb->t[t];
		if (!tg->active || tg->addr != src)
			continue;
		for (int k = 0; k < ICMP_OUTSTANDING; k++) {
			struct icmp_req *r = &tg->req[k];
			if (r->used && r->seq == seq && same_nonce(r->nonce, nonce)) {
				r->used = 0;   /* each request counts once */
				return t;
			}
		}
	}
	return -1;
}
