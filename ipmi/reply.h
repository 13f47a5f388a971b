/*
 * reply.h - pure parsers of BMC replies (STYLE.md habit 5): bytes in,
 * structs out; no I/O, no FreeIPMI, no allocation. Every buffer is
 * untrusted: real BMCs answer short, with stray trailing bytes, or with
 * nonsense (docs/bmc.md, "What BMCs get wrong"). Fuzzed by
 * tests/fuzz/fuzz_bmc_reply.c; unit-tested by tests/unit/test_bmc_reply.c.
 *
 * `rs` is a response as it came back without the command byte: rs[0] is
 * the completion code, the command's data follows. Each parser returns 0 or
 * a negative errno (bmc.h): a non-zero completion code as bmc_cc_errno()
 * maps it; a reply too short for what the caller needs is -EPROTO; bytes
 * beyond what the spec defines are ignored. On error *out is unspecified
 * but never read out of bounds.
 */
#ifndef HG_BMC_REPLY_H
#define HG_BMC_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "ipmi/bmc.h"

/* Completion code to errno: 0 for 00h, -EBUSY, -EOPNOTSUPP, -ENOENT, ... */
int bmc_cc_errno(uint8_t cc);

/* A reply that is only a completion code (Set / Reset Watchdog Timer). */
int bmc_parse_cc(const uint8_t *rs, size_t len);

/*
 * Get Watchdog Timer (27.7). Needs use, actions, pre-timeout, flags and the
 * initial countdown (7 bytes with the completion code); the present
 * countdown is optional (out->present_known).
 */
int bmc_parse_watchdog(const uint8_t *rs, size_t len, struct bmc_watchdog *out);

/* Reserve SDR Repository (33.11): the reservation ID. */
int bmc_parse_reservation(const uint8_t *rs, size_t len, uint16_t *id);

/* Get SDR (33.12): next record ID and the record bytes (pointing into rs). */
int bmc_parse_get_sdr(const uint8_t *rs, size_t len, uint16_t *next_id,
    const uint8_t **data, size_t *data_len);

/* Get Sensor Reading (35.14). The state bytes are optional. */
struct bmc_reading {
	uint8_t raw;
	int available;		/* not "reading unavailable", scanning enabled */
	int state_known;	/* byte 3 was there */
	uint16_t state;		/* threshold status, or discrete state bits 0-14 */
};
int bmc_parse_sensor_reading(const uint8_t *rs, size_t len, struct bmc_reading *out);

/* Get SEL Entry (31.5): next record ID and the 16-byte record. */
int bmc_parse_sel_entry(const uint8_t *rs, size_t len, uint16_t *next_id,
    struct bmc_sel_entry *out);

/*
 * out->text for e: sensor type, sensor_name (or "#number" if NULL), and
 * what happened. Always NUL-terminated.
 */
void bmc_sel_describe(struct bmc_sel_entry *e, const char *sensor_name);

/* A sensor data record (section 43): full (01h) or compact (02h) sensor. */
struct bmc_sdr {
	uint16_t record_id;
	uint8_t record_type;
	uint8_t owner_id, owner_lun, number;
	uint8_t entity_id, entity_instance;
	uint8_t sensor_type, event_type;
	int threshold;		/* event type 01h and an analog reading format */
	uint8_t data_format;	/* 0 unsigned, 1 one's, 2 two's complement, 3 none */
	uint8_t unit;		/* base unit code */
	uint8_t linearization;	/* 0 linear ... 0Bh cube root; 70h-7Fh non-linear */
	int16_t m, b;		/* 10-bit two's complement */
	int8_t b_exp, r_exp;	/* 4-bit two's complement */
	uint8_t readable;	/* readable threshold mask, BMC_THR_* bits */
	uint8_t thr_raw[6];	/* raw thresholds, BMC_THR_* order */
	char name[BMC_SENSOR_NAME_MAX + 1];	/* non-printable bytes become '?' */
};

/*
 * One SDR record, header included. -EOPNOTSUPP for record types other than
 * full and compact sensor records (the caller skips them), -EPROTO if the
 * record is shorter than its type needs or its length byte says.
 */
int bmc_parse_sdr(const uint8_t *rec, size_t len, struct bmc_sdr *out);

/* raw -> engineering units (43.1 formula, linearization applied). */
int bmc_sdr_convert(const struct bmc_sdr *sdr, uint8_t raw, double *out);

/* A bmc_sensor from its SDR and a reading, severity included. */
void bmc_sensor_make(const struct bmc_sdr *sdr, const struct bmc_reading *rd,
    struct bmc_sensor *out);

#endif
