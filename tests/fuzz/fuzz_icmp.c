/*
 * fuzz_icmp.c - libFuzzer harness for the echo reply matcher (agent/icmp.c,
 * docs/protocol.md "ICMP"). Built and run by tests/fuzz/run.
 *
 * A table with three peers and a gateway, two requests outstanding each
 * (nonces fixed here). Two halves per input:
 *  1. byte 0 picks the source address (a target's, or a stranger's), the
 *     rest is what the raw socket read: icmp_match must not crash; if it
 *     names a target, the source must be that target's and the bytes must
 *     carry the nonce of one of its requests; the same bytes again never
 *     match (each request counts once);
 *  2. a genuine reply to a request, with the bytes the input names flipped
 *     (anywhere but the checksum, which the matcher does not trust): it
 *     never matches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t addr[4] = { 0x0b0200c0u, 0x0b6433c6u, 0x0b7100cbu, 0x010200c0u };
static const int tgt[4] = { 0, 1, 2, ICMP_MAX_TARGETS - 1 };

static void nonce_of(uint8_t n[ICMP_NONCE_LEN], int t, int k)
{
	for (int i = 0; i < ICMP_NONCE_LEN; i++)
		n[i] = (uint8_t)(0x5a ^ (t * 16 + k * 4 + i * 7));
}

static void setup(struct icmp_table *tb, uint8_t pkts[4][2][ICMP_PKT_LEN])
{
	icmp_init(tb, 0x4867);
	for (int i = 0; i < 4; i++) {
		icmp_target_set(tb, tgt[i], addr[i]);
		for (int k = 0; k < 2; k++) {
			uint8_t n[ICMP_NONCE_LEN];
			nonce_of(n, tgt[i], k);
			if (icmp_request(tb, tgt[i], (uint16_t)(1 + i * 2 + k), n, pkts[i][k],
					 ICMP_PKT_LEN) != ICMP_PKT_LEN)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct icmp_table tb;
	static uint8_t pkts[4][2][ICMP_PKT_LEN];
	uint8_t buf[600];

	if (size == 0)
		return 0;
	/* half 1 */
	setup(&tb, pkts);
	uint32_t src = data[0] < 4 * 50 ? addr[data[0] % 4] : 0x0a000001u;
	size_t len = size - 1 > sizeof(buf) ? sizeof(buf) : size - 1;
	memcpy(buf, data + 1, len);
	int t = icmp_match(&tb, src, buf, len);
	if (t >= 0) {
		int i = -1;
		for (int j = 0; j < 4; j++)
			if (tgt[j] == t)
				i = j;
		if (i < 0 || addr[i] != src)
			abort();
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (len < ihl + ICMP_PKT_LEN)
			abort();
		int found = 0;
		for (int k = 0; k < 2; k++)
			if (memcmp(buf + ihl + 14, pkts[i][k] + 14, ICMP_NONCE_LEN) == 0 &&
			    memcmp(buf + ihl + 6, pkts[i][k] + 6, 2) == 0)
				found = 1;
		if (!found)
			abort();
		/* the two requests of a target differ in sequence: once only */
		if (icmp_match(&tb, src, buf, len) >= 0)
			abort();
	}

	/* half 2 */
	setup(&tb, pkts);
	int i = data[0] % 4, k = (data[0] >> 2) & 1;
	uint8_t rep[20 + ICMP_PKT_LEN];
	memset(rep, 0, 20);
	rep[0] = 0x45;
	rep[9] = 1;
	memcpy(rep + 20, pkts[i][k], ICMP_PKT_LEN);
	rep[20] = 0;
	uint8_t orig[sizeof(rep)];
	memcpy(orig, rep, sizeof(rep));
	for (size_t j = 1; j + 1 < size; j += 2) {
		size_t off = 20 + data[j] % ICMP_PKT_LEN;
		uint8_t x = data[j + 1];
		if (off == 22 || off == 23 || x == 0)
			continue;
		rep[off] ^= x;
	}
	int flipped = memcmp(orig, rep, sizeof(rep)) != 0;   /* two flips may cancel */
	int r = icmp_match(&tb, addr[i], rep, sizeof(rep));
	if (flipped && r >= 0)
		abort();
	if (!flipped && r != tgt[i])
		abort();
	return 0;
}
