/*
 * wire.h - heartbeat wire codec (docs/protocol.md).
 *
 * A heartbeat is a fixed 96-byte UDP payload, big-endian, authenticated with
 * HMAC-SHA256 over everything before the MAC. Decoding checks the length and
 * the MAC before it reads a single field, and reads fields byte by byte: it
 * never casts the buffer to a struct and never trusts a length from the wire.
 *
 * Errors: hg_wire_decode returns one of enum hg_wire_err (0 = ok).
 */
#ifndef HG_WIRE_H
#define HG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define HG_WIRE_LEN      96
#define HG_WIRE_MAC_OFF  64
#define HG_WIRE_VERSION  2   /* 2: claims and acknowledgements name each other (issue 10) */
#define HG_WIRE_TYPE_HB  1

/* Roles as they travel; values are wire format, never renumber. */
enum hg_role {
	HG_ROLE_STARTING  = 0,
	HG_ROLE_STANDBY   = 1,
	HG_ROLE_TAKING    = 2,
	HG_ROLE_FENCING   = 3,
	HG_ROLE_ACTIVE    = 4,
	HG_ROLE_RELEASING = 5,
	HG_ROLE_COUNT
};

/* flags byte */
#define HG_F_HOLDS_VIP  0x01  /* sender may have the VIPs configured: from its add request,
				 answered or not, until a removal succeeds (vip_held; rule 1) */
#define HG_F_GRANT      0x02  /* sender holds nothing and consents that the receiver becomes active */
#define HG_F_ELIGIBLE   0x04  /* sender passes its self-check and may become active */
#define HG_F_HANDOVER   0x08  /* sender released on purpose, for the receiver to take over */
#define HG_F_WANT       0x10  /* sender (standby) asks the active to hand over (operator switchover) */
#define HG_F_KNOWN      0x1f

/* health byte: what the eligibility summary is made of */
#define HG_H_LINKS      0x01  /* every own link has carrier */
#define HG_H_GATEWAY    0x02  /* the gateway answered recently */
#define HG_H_SERVICES   0x04  /* no service given up on */
#define HG_H_ADMIN      0x08  /* put in standby by the operator */
#define HG_H_KNOWN      0x0f

struct hg_hb {
	uint16_t from;            /* sender node id */
	uint16_t to;              /* receiver node id */
	uint64_t incarnation;     /* changes on every start of the sender, grows */
	uint64_t seq;             /* per packet, grows within an incarnation */
	uint64_t sent_ms;         /* sender's monotonic clock, for diagnostics */
	uint64_t ack_incarnation; /* receiver's incarnation the sender last heard */
	uint64_t ack_claim;       /* the receiver's claim this sender grants, 0 none: only a
				     claim made against the sender's own incarnation */
	uint64_t claim;           /* while TAKING: the sender's claim (its first TAKING seq), else 0 */
	uint8_t role;             /* enum hg_role */
	uint8_t flags;            /* HG_F_* */
	uint8_t health;           /* HG_H_* */
	uint8_t lan;              /* LAN index the packet was sent on */
};

enum hg_wire_err {
	HG_WIRE_OK = 0,
	HG_WIRE_BAD_LEN,          /* not exactly HG_WIRE_LEN bytes */
	HG_WIRE_BAD_MAC,          /* HMAC mismatch: unauthenticated */
	HG_WIRE_BAD_MAGIC,        /* authenticated but not ours (wrong magic/type) */
	HG_WIRE_BAD_VERSION,
	HG_WIRE_BAD_FIELD,        /* authenticated but a field is out of range */
};

/* Writes HG_WIRE_LEN bytes into buf (which must hold that many). */
void hg_wire_encode(const struct hg_hb *hb, const uint8_t *key, size_t keylen,
		    uint8_t *buf);

/* Fills *hb only when the result is HG_WIRE_OK. */
enum hg_wire_err hg_wire_decode(const uint8_t *buf, size_t len,
				const uint8_t *key, size_t keylen,
				struct hg_hb *hb);

const char *hg_wire_strerror(enum hg_wire_err e);
const char *hg_role_name(int role);

#endif
