/*
 * wire.c - heartbeat encode/decode. Layout in docs/protocol.md:
 *
 *   0  magic "HG"        2   from          4  to            6  version, type
 *   8  incarnation       16  seq           24 sent_ms
 *  32  ack_incarnation   40  ack_claim     48  claim
 *  56  role  57 flags  58 health  59 lan  60..63 reserved (zero)
 *  64  HMAC-SHA256(key, bytes 0..63)
 */
#include "agent/core/wire.h"

#include <string.h>
#include <sodium.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void mac(const uint8_t *buf, const uint8_t *key, size_t keylen,
		uint8_t out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, buf, HG_WIRE_MAC_OFF);
	crypto_auth_hmacsha256_final(&st, out);
}

void hg_wire_encode(const struct hg_hb *hb, const uint8_t *key, size_t keylen,
		    uint8_t *buf)
{
	memset(buf, 0, HG_WIRE_LEN);
	buf[0] = 'H';
	buf[1] = 'G';
	put16(buf + 2, hb->from);
	put16(buf + 4, hb->to);
	buf[6] = HG_WIRE_VERSION;
	buf[7] = HG_WIRE_TYPE_HB;
	put64(buf + 8, hb->incarnation);
	put64(buf + 16, hb->seq);
	put64(buf + 24, hb->sent_ms);
	put64(buf + 32, hb->ack_incarnation);
	put64(buf + 40, hb->ack_claim);
	put64(buf + 48, hb->claim);
	buf[56] = hb->role;
	buf[57] = hb->flags;
	buf[58] = hb->health;
	buf[59] = hb->lan;
	mac(buf, key, keylen, buf + HG_WIRE_MAC_OFF);
}

enum hg_wire_err hg_wire_decode(const uint8_t *buf, size_t len,
				const uint8_t *key, size_t keylen,
				struct hg_hb *hb)
{
	uint8_t want[crypto_auth_hmacsha256_BYTES];

	if (len != HG_WIRE_LEN)
		return HG_WIRE_BAD_LEN;
	mac(buf, key, keylen, want);
	if (sodium_memcmp(want, buf + HG_WIRE_MAC_OFF, sizeof(want)) != 0)
		return HG_WIRE_BAD_MAC;
	if (buf[0] != 'H' || buf[1] != 'G' || buf[7] != HG_WIRE_TYPE_HB)
		return HG_WIRE_BAD_MAGIC;
	if (buf[6] != HG_WIRE_VERSION)
		return HG_WIRE_BAD_VERSION;
	if (buf[56] >= HG_ROLE_COUNT || (buf[57] & ~HG_F_KNOWN) ||
	    (buf[58] & ~HG_H_KNOWN) || buf[60] || buf[61] || buf[62] || buf[63])
		return HG_WIRE_BAD_FIELD;

	hb->from = get16(buf + 2);
	hb->to = get16(buf + 4);
	hb->incarnation = get64(buf + 8);
	hb->seq = get64(buf + 16);
	hb->sent_ms = get64(buf + 24);
	hb->ack_incarnation = get64(buf + 32);
	hb->ack_claim = get64(buf + 40);
	hb->claim = get64(buf + 48);
	hb->role = buf[56];
	hb->flags = buf[57];
	hb->health = buf[58];
	hb->lan = buf[59];
	return HG_WIRE_OK;
}

const char *hg_wire_strerror(enum hg_wire_err e)
{
	switch (e) {
	case HG_WIRE_OK:          return "ok";
	case HG_WIRE_BAD_LEN:     return "wrong length";
	case HG_WIRE_BAD_MAC:     return "HMAC mismatch";
	case HG_WIRE_BAD_MAGIC:   return "not a headguard heartbeat";
	case HG_WIRE_BAD_VERSION: return "unsupported version";
	case HG_WIRE_BAD_FIELD:   return "field out of range";
	}
	return "unknown";
}

const char *hg_role_name(int role)
{
	static const char *const names[HG_ROLE_COUNT] = {
		"starting", "standby", "taking", "fencing", "active", "releasing",
	};
	return role >= 0 && role < HG_ROLE_COUNT ? names[role] : "unknown";
}
