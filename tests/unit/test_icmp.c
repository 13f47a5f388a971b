/*
 * test_icmp.c - echo replies against the outstanding requests (agent/icmp.c,
 * issue 10 hole 7). A reply with our identifier from the right address is
 * not enough: it must echo the sequence and nonce of a request to that very
 * target that is still outstanding, and it counts once.
 */
#include "check.h"
#include "agent/icmp.h"

#include <string.h>

#define PEER0 0x0b6433c6u   /* any distinct values: the table compares them */
#define PEER1 0x0b0200c0u
#define GW    0x010200c0u
enum { T_PEER0 = 0, T_PEER1 = 1, T_GW = 7 };

static struct icmp_table tb;

static void setup(void)
{
	icmp_init(&tb, 0x1234);
	icmp_target_set(&tb, T_PEER0, PEER0);
	icmp_target_set(&tb, T_PEER1, PEER1);
	icmp_target_set(&tb, T_GW, GW);
}

static void nonce_of(uint8_t n[ICMP_NONCE_LEN], int k)
{
	for (int i = 0; i < ICMP_NONCE_LEN; i++)
		n[i] = (uint8_t)(k * 37 + i * 11 + 1);
}

/* What the target's kernel sends back for request pkt: an IPv4 header, then
 * the request with type 0 (the payload echoed as it was). */
static size_t reply_for(const uint8_t *pkt, size_t plen, uint8_t *out)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[9] = 1;
	memcpy(out + 20, pkt, plen);
	out[20] = 0;   /* echo reply */
	return 20 + plen;
}

static size_t request(int t, uint16_t seq, int k, uint8_t *rep)
{
	uint8_t n[ICMP_NONCE_LEN], pkt[64];
	nonce_of(n, k);
	int len = icmp_request(&tb, t, seq, n, pkt, sizeof(pkt));
	CHECK_EQ(len, ICMP_PKT_LEN);
	CHECK_EQ(pkt[0], 8);
	CHECK(memcmp(pkt + ICMP_PKT_LEN - ICMP_NONCE_LEN, n, ICMP_NONCE_LEN) == 0);
	return reply_for(pkt, (size_t)len, rep);
}

static void test_genuine_counts_once(void)
{
	uint8_t rep[128];
	setup();
	size_t len = request(T_PEER0, 10, 1, rep);
	CHECK_EQ(icmp_match(&tb, PEER0, rep, len), T_PEER0);
	CHECK_EQ(icmp_match(&tb, PEER0, rep, len), -1);   /* a replayed reply */
	len = request(T_GW, 11, 2, rep);
	CHECK_EQ(icmp_match(&tb, GW, rep, len), T_GW);
}

/* The old rule (identifier and source) accepted all of these. */
static void test_forged_replies_refused(void)
{
	uint8_t rep[128], forged[128];
	setup();
	size_t len = request(T_PEER0, 20, 3, rep);

	/* right identifier and sequence, wrong nonce */
	memcpy(forged, rep, len);
	forged[len - 1] ^= 0x01;
	CHECK_EQ(icmp_match(&tb, PEER0, forged, len), -1);
	/* right identifier, no nonce at all (an ordinary 8-byte echo reply) */
	CHECK_EQ(icmp_match(&tb, PEER0, rep, 28), -1);
	/* the old payload: "hgping" and a LAN byte */
	memcpy(forged, rep, 34);
	memset(forged + 34, 0, len - 34);
	forged[34] = 1;
	CHECK_EQ(icmp_match(&tb, PEER0, forged, 36), -1);
	/* right nonce, another sequence number */
	memcpy(forged, rep, len);
	forged[27] ^= 0x40;
	CHECK_EQ(icmp_match(&tb, PEER0, forged, len), -1);
	/* right everything, from another address */
	CHECK_EQ(icmp_match(&tb, PEER1, rep, len), -1);
	CHECK_EQ(icmp_match(&tb, 0x0a000001u, rep, len), -1);
	/* another identifier */
	memcpy(forged, rep, len);
	forged[24] ^= 0xff;
	CHECK_EQ(icmp_match(&tb, PEER0, forged, len), -1);
	/* an echo request, not a reply */
	memcpy(forged, rep, len);
	forged[20] = 8;
	CHECK_EQ(icmp_match(&tb, PEER0, forged, len), -1);
	/* truncated anywhere */
	for (size_t l = 0; l < len; l++)
		CHECK_EQ(icmp_match(&tb, PEER0, rep, l), -1);
	/* and the genuine one still counts after all that */
	CHECK_EQ(icmp_match(&tb, PEER0, rep, len), T_PEER0);
}

/* The gateway's request echoed with the peer's source address: a spoofer who
 * sees our gateway pings cannot make them count for the peer (or back). */
static void test_nonce_bound_to_target(void)
{
	uint8_t rep[128];
	setup();
	size_t len = request(T_GW, 30, 4, rep);
	CHECK_EQ(icmp_match(&tb, PEER0, rep, len), -1);
	CHECK_EQ(icmp_match(&tb, PEER1, rep, len), -1);
	len = request(T_PEER1, 31, 5, rep);
	CHECK_EQ(icmp_match(&tb, GW, rep, len), -1);
	CHECK_EQ(icmp_match(&tb, PEER1, rep, len), T_PEER1);
}

/* Only the last ICMP_OUTSTANDING requests per target are remembered. */
static void test_outstanding_window(void)
{
	uint8_t rep[ICMP_OUTSTANDING + 2][128];
	size_t len[ICMP_OUTSTANDING + 2];
	setup();
	for (int k = 0; k < ICMP_OUTSTANDING + 2; k++)
		len[k] = request(T_PEER0, (uint16_t)(100 + k), 10 + k, rep[k]);
	CHECK_EQ(icmp_match(&tb, PEER0, rep[0], len[0]), -1);
	CHECK_EQ(icmp_match(&tb, PEER0, rep[1], len[1]), -1);
	for (int k = 2; k < ICMP_OUTSTANDING + 2; k++)
		CHECK_EQ(icmp_match(&tb, PEER0, rep[k], len[k]), T_PEER0);
	/* an IP header with options is parsed by its length */
	uint8_t big[160];
	size_t l = request(T_PEER0, 200, 40, rep[0]);
	memcpy(big, rep[0], 20);
	big[0] = 0x46;
	memset(big + 20, 1, 4);
	memcpy(big + 24, rep[0] + 20, l - 20);
	CHECK_EQ(icmp_match(&tb, PEER0, big, l + 4), T_PEER0);
}

static void test_contract(void)
{
	uint8_t n[ICMP_NONCE_LEN] = { 0 }, pkt[64];
	setup();
	CHECK_EQ(icmp_request(&tb, 3, 1, n, pkt, sizeof(pkt)), -22);   /* not declared */
	CHECK_EQ(icmp_request(&tb, ICMP_MAX_TARGETS, 1, n, pkt, sizeof(pkt)), -22);
	CHECK_EQ(icmp_request(&tb, T_PEER0, 1, n, pkt, ICMP_PKT_LEN - 1), -22);
	CHECK_EQ(icmp_target_set(&tb, -1, PEER0), -22);
}

int main(void)
{
	test_genuine_counts_once();
	test_forged_replies_refused();
	test_nonce_bound_to_target();
	test_outstanding_window();
	test_contract();
	return check_report();
}
