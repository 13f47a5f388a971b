/*
 * icmp.c - see icmp.h. (Stub with today's rule: identifier and source only.)
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

int icmp_match(struct icmp_table *tb, uint32_t src, const uint8_t *buf, size_t len)
{
	if (len < 20)
		return -1;
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8)
		return -1;
	const uint8_t *ic = buf + ihl;
	if (ic[0] != 0 || (uint16_t)(ic[4] << 8 | ic[5]) != tb->id)
		return -1;
	for (int t = 0; t < ICMP_MAX_TARGETS; t++)
		if (tb->t[t].active && tb->t[t].addr == src)
			return t;
	return -1;
}
