/*
 * reply.c - pure parsers of BMC replies: completion codes, the watchdog,
 * SDR access, sensor readings, SEL entries (reply.h). Section numbers are
 * those of the IPMI 2.0 specification (rev. 1.1). Nothing here trusts a
 * length it did not check against `len`.
 */
#include "ipmi/reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	    ((uint32_t)p[3] << 24);
}

/* Table 5-2. What a caller can do about each is what the errno says. */
int
bmc_cc_errno(uint8_t cc)
{
	switch (cc) {
	case 0x00:
		return 0;
	case 0xc0:		/* node busy */
	case 0xcf:		/* cannot execute duplicated request */
	case 0xd0:		/* SDR repository in update mode */
	case 0xd1:		/* device in firmware update mode */
	case 0xd2:		/* BMC initialization in progress */
		return -EBUSY;
	case 0xc1:		/* invalid command */
	case 0xc2:		/* command invalid for LUN */
		return -EOPNOTSUPP;
	case 0xc3:		/* timeout while processing */
		return -ETIMEDOUT;
	case 0xc5:		/* reservation cancelled or invalid */
		return -EAGAIN;
	case 0xcb:		/* requested sensor, data or record not present */
		return -ENOENT;
	case 0xd4:		/* insufficient privilege */
		return -EPERM;
	default:		/* invalid data, length, out of range, 0xff... */
		return -EPROTO;
	}
}

int
bmc_parse_cc(const uint8_t *rs, size_t len)
{
	if (!rs || len < 1)
		return -EPROTO;
	return bmc_cc_errno(rs[0]);	/* stray trailing bytes: ignored */
}

/*
 * 27.7: cc, use (bit 7 don't log, bit 6 running, 2:0 use), actions (6:4
 * pre-timeout interrupt, 2:0 action), pre-timeout interval, expiration
 * flags, initial countdown (2, LSB first), present countdown (2).
 */
int
bmc_parse_watchdog(const uint8_t *rs, size_t len, struct bmc_watchdog *out)
{
	int rc;

	if ((rc = bmc_parse_cc(rs, len)) < 0)
		return rc;
	if (!out || len < 7)
		return -EPROTO;
	memset(out, 0, sizeof(*out));
	out->dont_log = (rs[1] >> 7) & 1;
	out->running = (rs[1] >> 6) & 1;
	out->use = rs[1] & 0x07;
	out->pretimeout_intr = (rs[2] >> 4) & 0x07;
	out->action = rs[2] & 0x07;
	out->pretimeout_s = rs[3];
	out->expired = rs[4] & 0x3e;	/* bits 1-5; 0, 6, 7 reserved */
	out->initial_ms = (uint32_t)le16(rs + 5) * 100;
	if (len >= 9) {
		out->present_ms = (uint32_t)le16(rs + 7) * 100;
		out->present_known = 1;
	}
	return 0;
}

int
bmc_parse_reservation(const uint8_t *rs, size_t len, uint16_t *id)
{
	int rc;

	if ((rc = bmc_parse_cc(rs, len)) < 0)
		return rc;
	if (!id || len < 3)
		return -EPROTO;
	*id = le16(rs + 1);
	return 0;
}

int
bmc_parse_get_sdr(const uint8_t *rs, size_t len, uint16_t *next_id,
    const uint8_t **data, size_t *data_len)
{
	int rc;

	if ((rc = bmc_parse_cc(rs, len)) < 0)
		return rc;
	if (!next_id || !data || !data_len || len < 3)
		return -EPROTO;
	*next_id = le16(rs + 1);
	*data = rs + 3;
	*data_len = len - 3;
	return 0;
}

/* 35.14: cc, reading, flags (bit 5 unavailable, bit 6 scanning enabled), state. */
int
bmc_parse_sensor_reading(const uint8_t *rs, size_t len, struct bmc_reading *out)
{
	int rc;

	if ((rc = bmc_parse_cc(rs, len)) < 0)
		return rc;
	if (!out || len < 3)
		return -EPROTO;
	memset(out, 0, sizeof(*out));
	out->raw = rs[1];
	out->available = !(rs[2] & 0x20) && (rs[2] & 0x40);
	if (len >= 4) {
		out->state_known = 1;
		out->state = rs[3];
		if (len >= 5)
			out->state |= (uint16_t)((rs[4] & 0x7f) << 8);
	}
	return 0;
}

/* 31.5 and 32.1: cc, next record ID, then the 16-byte record. */
int
bmc_parse_sel_entry(const uint8_t *rs, size_t len, uint16_t *next_id,
    struct bmc_sel_entry *out)
{
	const uint8_t *r;
	int rc;

	if ((rc = bmc_parse_cc(rs, len)) < 0)
		return rc;
	if (!next_id || !out || len < 3 + 16)
		return -EPROTO;
	*next_id = le16(rs + 1);
	r = rs + 3;
	memset(out, 0, sizeof(*out));
	out->record_id = le16(r);
	out->record_type = r[2];
	if (out->record_type < 0xe0) {
		out->timestamp = le32(r + 3);
		/* 37.1: 00000000h-20000000h count from SEL device init. */
		out->pre_init = out->timestamp <= 0x20000000u;
	}
	if (out->record_type == 0x02) {
		out->generator = r[7];
		out->sensor_type = r[10];
		out->sensor_number = r[11];
		out->deassertion = (r[12] >> 7) & 1;
		out->event_type = r[12] & 0x7f;
		memcpy(out->data, r + 13, 3);
	}
	bmc_sel_describe(out, NULL);
	return 0;
}

static const char *
sensor_type_name(uint8_t t)
{
	switch (t) {
	case 0x01: return "Temperature";
	case 0x02: return "Voltage";
	case 0x03: return "Current";
	case 0x04: return "Fan";
	case 0x05: return "Physical Security";
	case 0x07: return "Processor";
	case 0x08: return "Power Supply";
	case 0x09: return "Power Unit";
	case 0x0c: return "Memory";
	case 0x0f: return "System Firmware";
	case 0x10: return "Event Logging";
	case 0x12: return "System Event";
	case 0x13: return "Critical Interrupt";
	case 0x1d: return "System Boot";
	case 0x20: return "OS Stop/Shutdown";
	case 0x23: return "Watchdog 2";
	default: return NULL;
	}
}

static const char *const threshold_events[12] = {
	"lower non-critical going low", "lower non-critical going high",
	"lower critical going low", "lower critical going high",
	"lower non-recoverable going low", "lower non-recoverable going high",
	"upper non-critical going low", "upper non-critical going high",
	"upper critical going low", "upper critical going high",
	"upper non-recoverable going low", "upper non-recoverable going high",
};

static const char *
specific_event(uint8_t type, unsigned off)
{
	static const char *const wdt[9] = { "timer expired", "hard reset", "power down",
	    "power cycle", NULL, NULL, NULL, NULL, "timer interrupt" };
	static const char *const psu[7] = { "presence detected", "failure detected",
	    "predictive failure", "input lost", "input lost or out of range",
	    "input out of range", "configuration error" };
	static const char *const cpu[11] = { "IERR", "thermal trip", "FRB1/BIST failure",
	    "FRB2 hang", "FRB3 failure", "configuration error", "uncorrectable error",
	    "presence detected", "disabled", "terminator presence", "throttled" };
	static const char *const pwr[8] = { "power off", "power cycle", "240VA power down",
	    "interlock power down", "AC lost", "soft power control failure",
	    "power unit failure", "predictive failure" };

	switch (type) {
	case 0x23: return off < 9 ? wdt[off] : NULL;
	case 0x08: return off < 7 ? psu[off] : NULL;
	case 0x07: return off < 11 ? cpu[off] : NULL;
	case 0x09: return off < 8 ? pwr[off] : NULL;
	default: return NULL;
	}
}

static const char *
timer_use_name(unsigned use)
{
	static const char *const names[8] = { "reserved", "BIOS FRB2", "BIOS/POST",
	    "OS load", "SMS/OS", "OEM", "reserved", "reserved" };
	return names[use & 7];
}

void
bmc_sel_describe(struct bmc_sel_entry *e, const char *sensor_name)
{
	char who[48], what[48];
	const char *tn, *ev = NULL;
	unsigned off;
	size_t n;

	if (!e)
		return;
	if (e->record_type != 0x02) {
		snprintf(e->text, sizeof(e->text), "OEM record type 0x%02x", e->record_type);
		return;
	}
	tn = sensor_type_name(e->sensor_type);
	if (sensor_name && sensor_name[0])
		snprintf(who, sizeof(who), "%s", sensor_name);
	else
		snprintf(who, sizeof(who), "#%u", e->sensor_number);
	off = e->data[0] & 0x0f;
	if (e->event_type == 0x01 && off < 12)
		ev = threshold_events[off];
	else if (e->event_type == 0x6f)
		ev = specific_event(e->sensor_type, off);
	if (ev)
		snprintf(what, sizeof(what), "%s", ev);
	else
		snprintf(what, sizeof(what), "event type 0x%02x offset %u", e->event_type, off);
	if (tn)
		n = (size_t)snprintf(e->text, sizeof(e->text), "%s %s: %s", tn, who, what);
	else
		n = (size_t)snprintf(e->text, sizeof(e->text), "sensor type 0x%02x %s: %s",
		    e->sensor_type, who, what);
	if (n >= sizeof(e->text))
		return;
	/* Watchdog 2 data 2 (table 42-3): the timer use that expired. */
	if (e->sensor_type == 0x23 && e->event_type == 0x6f && (e->data[0] & 0xc0) == 0xc0)
		snprintf(e->text + n, sizeof(e->text) - n, " (use %s)",
		    timer_use_name(e->data[1] & 0x0f));
	else if (e->event_type == 0x01 && (e->data[0] & 0xf0) == 0x50)
		snprintf(e->text + n, sizeof(e->text) - n, " (raw reading 0x%02x, threshold 0x%02x)",
		    e->data[1], e->data[2]);
	n = strlen(e->text);
	if (e->deassertion && n < sizeof(e->text))
		snprintf(e->text + n, sizeof(e->text) - n, ", deasserted");
}
