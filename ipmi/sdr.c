/*
 * sdr.c - pure: sensor data records (IPMI 2.0 section 43), the conversion
 * of raw readings (43.1), and the severity of a reading (reply.h).
 */
#include "ipmi/reply.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Full sensor record: offsets of the fields read here (table 43-1, 0-based). */
#define FULL_UNITS1	20
#define FULL_UNIT	21
#define FULL_LINEAR	23
#define FULL_M		24
#define FULL_B		26
#define FULL_EXP	29
#define FULL_THR	36	/* UNR, UC, UNC, LNR, LC, LNC */
#define FULL_ID		47
#define COMPACT_ID	31	/* table 43-2 */
#define READABLE_MASK	18

static int
sign_extend(unsigned v, unsigned bits)
{
	unsigned m = 1u << (bits - 1);

	v &= (1u << bits) - 1;
	return (int)(v ^ m) - (int)m;
}

/* ID string (43.15): 8-bit ASCII or 6-bit packed ASCII; others unnamed. */
static void
parse_id(const uint8_t *p, size_t avail, char *name)
{
	unsigned type = p[0] >> 6, n = p[0] & 0x1f, i, j = 0;
	uint32_t acc = 0;
	unsigned nbits = 0;
	char c;

	name[0] = '\0';
	p++;
	if (n > avail - 1)
		n = (unsigned)(avail - 1);
	if (type == 3) {
		for (i = 0; i < n && j < BMC_SENSOR_NAME_MAX && p[i]; i++)
			name[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	} else if (type == 2) {
		/* stop with the name full: acc must not take more than 24 bits
		 * (a shift of 32 is undefined; found by tests/fuzz/fuzz_bmc) */
		for (i = 0; i < n && j < BMC_SENSOR_NAME_MAX; i++) {
			acc |= (uint32_t)p[i] << nbits;
			nbits += 8;
			while (nbits >= 6 && j < BMC_SENSOR_NAME_MAX) {
				c = (char)((acc & 0x3f) + 0x20);
				name[j++] = c;
				acc >>= 6;
				nbits -= 6;
			}
		}
	}
	while (j > 0 && name[j - 1] == ' ')
		j--;
	name[j] = '\0';
}

int
bmc_parse_sdr(const uint8_t *rec, size_t len, struct bmc_sdr *out)
{
	size_t total;
	int i;

	if (!rec || !out || len < 5)
		return -EPROTO;
	total = 5 + (size_t)rec[4];
	if (len < total)
		return -EPROTO;	/* truncated; extra bytes beyond `total` are ignored */
	memset(out, 0, sizeof(*out));
	out->record_id = (uint16_t)(rec[0] | (rec[1] << 8));
	out->record_type = rec[3];
	if (out->record_type != 0x01 && out->record_type != 0x02)
		return -EOPNOTSUPP;
	if (total < (out->record_type == 0x01 ? FULL_ID + 1u : COMPACT_ID + 1u))
		return -EPROTO;
	out->owner_id = rec[5];
	out->owner_lun = rec[6] & 0x03;
	out->number = rec[7];
	out->entity_id = rec[8];
	out->entity_instance = rec[9];
	out->sensor_type = rec[12];
	out->event_type = rec[13];
	out->readable = rec[READABLE_MASK] & 0x3f;
	out->data_format = rec[FULL_UNITS1] >> 6;
	out->unit = rec[FULL_UNIT];
	if (out->record_type == 0x02) {
		out->readable = 0;	/* compact records carry no thresholds */
		out->data_format = 3;
		parse_id(rec + COMPACT_ID, total - COMPACT_ID, out->name);
		return 0;
	}
	out->linearization = rec[FULL_LINEAR] & 0x7f;
	out->m = (int16_t)sign_extend(rec[FULL_M] | ((unsigned)(rec[FULL_M + 1] >> 6) << 8), 10);
	out->b = (int16_t)sign_extend(rec[FULL_B] | ((unsigned)(rec[FULL_B + 1] >> 6) << 8), 10);
	out->r_exp = (int8_t)sign_extend(rec[FULL_EXP] >> 4, 4);
	out->b_exp = (int8_t)sign_extend(rec[FULL_EXP] & 0x0f, 4);
	for (i = 0; i < 6; i++)	/* record order UNR..LNC, ours LNC..UNR */
		out->thr_raw[5 - i] = rec[FULL_THR + i];
	out->threshold = out->event_type == 0x01 && out->data_format != 3;
	parse_id(rec + FULL_ID, total - FULL_ID, out->name);
	return 0;
}

int
bmc_sdr_convert(const struct bmc_sdr *sdr, uint8_t raw, double *out)
{
	double x, y;

	if (!sdr || !out || sdr->record_type != 0x01)
		return -EINVAL;
	switch (sdr->data_format) {
	case 0: x = raw; break;
	case 1: x = (raw & 0x80) ? -(double)((uint8_t)~raw) : raw; break;
	case 2: x = (int8_t)raw; break;
	default: return -EINVAL;	/* no analog reading */
	}
	y = (sdr->m * x + sdr->b * pow(10, sdr->b_exp)) * pow(10, sdr->r_exp);
	switch (sdr->linearization) {
	case 0x00: break;
	case 0x01: y = log(y); break;
	case 0x02: y = log10(y); break;
	case 0x03: y = log2(y); break;
	case 0x04: y = exp(y); break;
	case 0x05: y = pow(10, y); break;
	case 0x06: y = exp2(y); break;
	case 0x07: y = 1 / y; break;
	case 0x08: y = y * y; break;
	case 0x09: y = y * y * y; break;
	case 0x0a: y = sqrt(y); break;
	case 0x0b: y = cbrt(y); break;
	default: return -EOPNOTSUPP;	/* non-linear: needs Get Sensor Reading Factors */
	}
	if (!isfinite(y))
		return -EDOM;
	*out = y;
	return 0;
}

/* Threshold status bits (35.14 byte 3 / our BMC_THR_* bits) to severity. */
static enum bmc_severity
threshold_severity(unsigned bits)
{
	if (bits & ((1u << BMC_THR_LNR) | (1u << BMC_THR_UNR)))
		return BMC_SEV_NON_RECOVERABLE;
	if (bits & ((1u << BMC_THR_LC) | (1u << BMC_THR_UC)))
		return BMC_SEV_CRITICAL;
	if (bits & ((1u << BMC_THR_LNC) | (1u << BMC_THR_UNC)))
		return BMC_SEV_NON_CRITICAL;
	return BMC_SEV_OK;
}

/* Discrete states that mean trouble, by sensor type or generic event type. */
static enum bmc_severity
discrete_severity(uint8_t sensor_type, uint8_t event_type, uint16_t state)
{
	enum bmc_severity s = BMC_SEV_OK;
	uint16_t cr = 0, nc = 0, nr = 0;

	if (event_type == 0x6f) {
		switch (sensor_type) {
		case 0x07:	/* processor: IERR, FRB, uncorrectable; thermal trip; config, throttled */
			cr = 0x005d; nr = 0x0002; nc = 0x0420; break;
		case 0x08:	/* power supply: failure, input lost; predictive, range, config */
			cr = 0x001a; nc = 0x0064; break;
		case 0x09:	/* power unit: AC lost, failure; soft control, predictive */
			cr = 0x0050; nc = 0x00a0; break;
		}
	} else if (event_type == 0x07) {	/* severity (table 42-2) */
		nc = 0x0012; cr = 0x0024; nr = 0x0048;
	} else if (event_type == 0x0b) {	/* redundancy: insufficient resources is critical */
		cr = 0x0020; nc = 0x00de;
	}
	if (state & nc)
		s = BMC_SEV_NON_CRITICAL;
	if (state & cr)
		s = BMC_SEV_CRITICAL;
	if (state & nr)
		s = BMC_SEV_NON_RECOVERABLE;
	return s;
}

void
bmc_sensor_make(const struct bmc_sdr *sdr, const struct bmc_reading *rd,
    struct bmc_sensor *out)
{
	unsigned bits = 0;
	double t;
	int i, upper;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, sdr->name, sizeof(out->name));
	out->name[BMC_SENSOR_NAME_MAX] = '\0';
	out->number = sdr->number;
	out->type = sdr->sensor_type;
	out->event_type = sdr->event_type;
	out->unit = sdr->unit;
	out->raw = rd->raw;
	out->state = rd->state_known ? rd->state : 0;
	out->available = rd->available;
	out->threshold = sdr->threshold && bmc_sdr_convert(sdr, rd->raw, &out->value) == 0;
	if (out->threshold) {
		for (i = 0; i < 6; i++) {
			if (!(sdr->readable & (1u << i)) ||
			    bmc_sdr_convert(sdr, sdr->thr_raw[i], &out->thresholds[i]) < 0)
				continue;
			out->thresholds_set |= 1u << i;
		}
	}
	if (!out->available)
		return;	/* severity OK: nothing is known (bmc.h) */
	if (sdr->event_type == 0x01) {
		if (rd->state_known)
			bits = rd->state & 0x3f;
		for (i = 0; out->threshold && i < 6; i++) {
			if (!(out->thresholds_set & (1u << i)))
				continue;
			t = out->thresholds[i];
			upper = i >= BMC_THR_UNC;
			if (upper ? out->value >= t : out->value <= t)
				bits |= 1u << i;
		}
		out->severity = threshold_severity(bits);
	} else if (rd->state_known) {
		out->severity = discrete_severity(sdr->sensor_type, sdr->event_type, rd->state);
	}
}
