/*
 * fuzz_wire.c - libFuzzer harness for the heartbeat codec (agent/core/wire.c,
 * docs/protocol.md). Built and run by tests/fuzz/run.
 *
 * Two halves per input:
 *  1. the input as a datagram: hg_wire_decode with a fixed key must not
 *     crash, and may only say OK for exactly 88 bytes with the right MAC;
 *  2. the input as the fields of a heartbeat: encode it with the key (a
 *     valid MAC), decode it again (every field must come back, or the
 *     decoder must reject an out-of-range role/flag/health), then flip the
 *     bytes the input names and decode again: a changed packet must never
 *     decode as OK.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/core/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = "headguard fuzz key, 32 bytes...";

static uint64_t take(const uint8_t **p, size_t *n, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes; i++) {
		v = v << 8 | (*n ? **p : 0);
		if (*n) {
			(*p)++;
			(*n)--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_hb hb, out;
	uint8_t buf[HG_WIRE_LEN];
	const uint8_t *p = data;
	size_t n = size;

	enum hg_wire_err e = hg_wire_decode(data, size, key, sizeof(key), &out);
	if (e == HG_WIRE_OK && size != HG_WIRE_LEN)
		abort();
	(void)hg_wire_strerror(e);
	(void)hg_role_name(data && size ? data[0] : -1);

	memset(&hb, 0, sizeof(hb));
	hb.from = (uint16_t)take(&p, &n, 2);
	hb.to = (uint16_t)take(&p, &n, 2);
	hb.incarnation = take(&p, &n, 8);
	hb.seq = take(&p, &n, 8);
	hb.sent_ms = take(&p, &n, 8);
	hb.ack_incarnation = take(&p, &n, 8);
	hb.ack_claim = take(&p, &n, 8);
	hb.claim = take(&p, &n, 8);
	hb.role = (uint8_t)take(&p, &n, 1);
	hb.flags = (uint8_t)take(&p, &n, 1);
	hb.health = (uint8_t)take(&p, &n, 1);
	hb.lan = (uint8_t)take(&p, &n, 1);
	hg_wire_encode(&hb, key, sizeof(key), buf);
	e = hg_wire_decode(buf, sizeof(buf), key, sizeof(key), &out);
	int in_range = hb.role < HG_ROLE_COUNT && !(hb.flags & ~HG_F_KNOWN) &&
		       !(hb.health & ~HG_H_KNOWN);
	if (in_range != (e == HG_WIRE_OK))
		abort();
	if (e == HG_WIRE_OK &&
	    (out.from != hb.from || out.to != hb.to || out.incarnation != hb.incarnation ||
	     out.seq != hb.seq || out.sent_ms != hb.sent_ms ||
	     out.ack_incarnation != hb.ack_incarnation || out.ack_claim != hb.ack_claim ||
	     out.claim != hb.claim ||
	     out.role != hb.role || out.flags != hb.flags || out.health != hb.health ||
	     out.lan != hb.lan))
		abort();

	/* the rest of the input: (offset, xor) pairs */
	uint8_t orig[HG_WIRE_LEN];
	memcpy(orig, buf, sizeof(buf));
	while (n >= 2) {
		uint8_t off = (uint8_t)(take(&p, &n, 1) % HG_WIRE_LEN), x = (uint8_t)take(&p, &n, 1);
		buf[off] ^= x;
	}
	int changed = memcmp(orig, buf, sizeof(buf)) != 0;
	e = hg_wire_decode(buf, sizeof(buf), key, sizeof(key), &out);
	if (changed && e == HG_WIRE_OK)
		abort();
	return 0;
}
