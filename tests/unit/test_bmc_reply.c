/*
 * test_bmc_reply - ipmi/reply.h: the parsers of BMC replies on byte
 * buffers, including what real BMCs get wrong (docs/bmc.md): short
 * replies, stray trailing bytes, error completion codes, odd SDRs.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "ipmi/reply.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void
test_cc(void)
{
	const uint8_t ok[] = { 0x00 }, stray[] = { 0x00, 0x24, 0x04, 0x02, 0x00 };
	const uint8_t busy[] = { 0xc0 }, inval[] = { 0xc1 }, gone[] = { 0xcb };

	CHECK_EQ(bmc_parse_cc(ok, 1), 0);
	/* ipmi_sim 2.0.33 answers Set Watchdog Timer with stray bytes. */
	CHECK_EQ(bmc_parse_cc(stray, LEN(stray)), 0);
	CHECK_EQ(bmc_parse_cc(ok, 0), -EPROTO);
	CHECK_EQ(bmc_parse_cc(NULL, 1), -EPROTO);
	CHECK_EQ(bmc_parse_cc(busy, 1), -EBUSY);
	CHECK_EQ(bmc_parse_cc(inval, 1), -EOPNOTSUPP);
	CHECK_EQ(bmc_parse_cc(gone, 1), -ENOENT);
	CHECK_EQ(bmc_cc_errno(0xc5), -EAGAIN);
	CHECK_EQ(bmc_cc_errno(0xd4), -EPERM);
	CHECK_EQ(bmc_cc_errno(0xc3), -ETIMEDOUT);
	CHECK_EQ(bmc_cc_errno(0xcc), -EPROTO);
	CHECK_EQ(bmc_cc_errno(0xff), -EPROTO);
}

static void
test_watchdog(void)
{
	/* running, SMS/OS, power down, 3.0 s initial, 2.5 s left, SMS/OS expired once */
	const uint8_t full[] = { 0x00, 0x44, 0x02, 0x00, 0x10, 0x1e, 0x00, 0x19, 0x00 };
	/* ipmi_sim 2.0.33: no present countdown, running bit never set */
	const uint8_t sim[] = { 0x00, 0x04, 0x02, 0x00, 0x00, 0x1e, 0x00 };
	const uint8_t stray[] = { 0x00, 0xc4, 0x32, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xbb };
	const uint8_t err[] = { 0xc1, 0x44, 0x02, 0x00, 0x00, 0x1e, 0x00, 0x19, 0x00 };
	struct bmc_watchdog w;

	CHECK_EQ(bmc_parse_watchdog(full, LEN(full), &w), 0);
	CHECK_EQ(w.running, 1);
	CHECK_EQ(w.dont_log, 0);
	CHECK_EQ(w.use, BMC_WDT_USE_SMS_OS);
	CHECK_EQ(w.action, BMC_WDT_ACTION_POWER_DOWN);
	CHECK_EQ(w.initial_ms, 3000);
	CHECK_EQ(w.present_known, 1);
	CHECK_EQ(w.present_ms, 2500);
	CHECK_EQ(w.expired, 1u << BMC_WDT_USE_SMS_OS);

	CHECK_EQ(bmc_parse_watchdog(sim, LEN(sim), &w), 0);
	CHECK_EQ(w.present_known, 0);	/* unknown, not zero and not a crash */
	CHECK_EQ(w.present_ms, 0);
	CHECK_EQ(w.running, 0);
	CHECK_EQ(w.initial_ms, 3000);
	CHECK_EQ(bmc_parse_watchdog(full, 8, &w), 0);	/* half a present countdown */
	CHECK_EQ(w.present_known, 0);

	CHECK_EQ(bmc_parse_watchdog(stray, LEN(stray), &w), 0);
	CHECK_EQ(w.dont_log, 1);
	CHECK_EQ(w.running, 1);
	CHECK_EQ(w.pretimeout_intr, 3);
	CHECK_EQ(w.pretimeout_s, 5);
	CHECK_EQ(w.expired, 0x3e);	/* reserved bits dropped */
	CHECK_EQ(w.initial_ms, 6553500);
	CHECK_EQ(w.present_ms, 6553500);

	CHECK_EQ(bmc_parse_watchdog(full, 6, &w), -EPROTO);
	CHECK_EQ(bmc_parse_watchdog(full, 1, &w), -EPROTO);
	CHECK_EQ(bmc_parse_watchdog(full, 0, &w), -EPROTO);
	CHECK_EQ(bmc_parse_watchdog(err, LEN(err), &w), -EOPNOTSUPP);
	CHECK_EQ(bmc_parse_watchdog(full, LEN(full), NULL), -EPROTO);
}

static void
test_sdr_access(void)
{
	const uint8_t res[] = { 0x00, 0x34, 0x12, 0x99 };
	const uint8_t sdr[] = { 0x00, 0x05, 0x00, 0x01, 0x00, 0x51 };
	const uint8_t *data;
	uint16_t id, next;
	size_t n;

	CHECK_EQ(bmc_parse_reservation(res, LEN(res), &id), 0);
	CHECK_EQ(id, 0x1234);
	CHECK_EQ(bmc_parse_reservation(res, 2, &id), -EPROTO);
	CHECK_EQ(bmc_parse_get_sdr(sdr, LEN(sdr), &next, &data, &n), 0);
	CHECK_EQ(next, 5);
	CHECK_EQ(n, 3);
	CHECK(data == sdr + 3);
	CHECK_EQ(bmc_parse_get_sdr(sdr, 2, &next, &data, &n), -EPROTO);
	CHECK_EQ(bmc_parse_get_sdr(sdr, 3, &next, &data, &n), 0);
	CHECK_EQ(n, 0);
}

/* The CPU Temp record sim/bmc/sensor gives the lab's BMC. */
static const uint8_t cpu_temp_sdr[] = {
	0x00, 0x00, 0x51, 0x01, 0x33, 0x20, 0x00, 0x01, 0x03, 0x01, 0x67, 0x48, 0x01, 0x01,
	0x80, 0x0a, 0x00, 0x70, 0x38, 0x38, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x64, 0x5a, 0x50, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x43, 0x50, 0x55, 0x20, 0x54, 0x65, 0x6d, 0x70,
};

static const uint8_t psu_sdr[] = {
	0x07, 0x00, 0x51, 0x02, 0x1e, 0x20, 0x00, 0x03, 0x0a, 0x01, 0x67, 0x40, 0x08, 0x6f,
	0x0f, 0x00, 0x00, 0x00, 0x0f, 0x00, 0xc0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xc3, 0x50, 0x53, 0x55,
};

static void
test_sdr(void)
{
	uint8_t rec[64];
	struct bmc_sdr s;
	double v;

	CHECK_EQ(bmc_parse_sdr(cpu_temp_sdr, LEN(cpu_temp_sdr), &s), 0);
	CHECK_STR(s.name, "CPU Temp");
	CHECK_EQ(s.record_type, 1);
	CHECK_EQ(s.number, 1);
	CHECK_EQ(s.sensor_type, 0x01);
	CHECK_EQ(s.threshold, 1);
	CHECK_EQ(s.unit, 1);
	CHECK_EQ(s.m, 1);
	CHECK_EQ(s.readable, (1 << BMC_THR_UNC) | (1 << BMC_THR_UC) | (1 << BMC_THR_UNR));
	CHECK_EQ(s.thr_raw[BMC_THR_UNR], 100);
	CHECK_EQ(s.thr_raw[BMC_THR_UC], 90);
	CHECK_EQ(s.thr_raw[BMC_THR_UNC], 80);
	CHECK_EQ(bmc_sdr_convert(&s, 77, &v), 0);
	CHECK(v == 77);

	/* Stray bytes after the record are not part of it. */
	memset(rec, 0xee, sizeof(rec));
	memcpy(rec, cpu_temp_sdr, LEN(cpu_temp_sdr));
	CHECK_EQ(bmc_parse_sdr(rec, sizeof(rec), &s), 0);
	CHECK_STR(s.name, "CPU Temp");
	/* Truncated, or a length byte that lies. */
	CHECK_EQ(bmc_parse_sdr(cpu_temp_sdr, LEN(cpu_temp_sdr) - 1, &s), -EPROTO);
	CHECK_EQ(bmc_parse_sdr(cpu_temp_sdr, 4, &s), -EPROTO);
	memcpy(rec, cpu_temp_sdr, LEN(cpu_temp_sdr));
	rec[4] = 10;	/* says 15 bytes: too short for a full record */
	CHECK_EQ(bmc_parse_sdr(rec, sizeof(rec), &s), -EPROTO);
	/* An ID length longer than the record: cut at the record's end. */
	memcpy(rec, cpu_temp_sdr, LEN(cpu_temp_sdr));
	rec[47] = 0xdf;
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_STR(s.name, "CPU Temp");
	/* Non-printable name bytes. */
	rec[47] = 0xc3;
	rec[48] = 0x01;
	rec[49] = 'a';
	rec[50] = 0x7f;
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_STR(s.name, "?a?");
	/* 6-bit packed ASCII "ABCD" (43.15): 0x21 0x22 0x23 0x24 -> 3 bytes. */
	rec[47] = 0x83;
	rec[48] = 0xa1;
	rec[49] = 0x38;
	rec[50] = 0x92;
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_STR(s.name, "ABCD");

	/* Two's complement reading, M = -2, B = 5 * 10^1, R exp -1. */
	memcpy(rec, cpu_temp_sdr, LEN(cpu_temp_sdr));
	rec[20] = 0x80;
	rec[24] = 0xfe;
	rec[25] = 0xc0;
	rec[26] = 0x05;
	rec[29] = 0xf1;
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_EQ(s.m, -2);
	CHECK_EQ(s.b, 5);
	CHECK_EQ(s.r_exp, -1);
	CHECK_EQ(s.b_exp, 1);
	CHECK_EQ(bmc_sdr_convert(&s, 0xfb, &v), 0);	/* (-2 * -5 + 50) / 10 */
	CHECK(fabs(v - 6.0) < 1e-9);
	rec[23] = 0x0a;	/* sqrt */
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_EQ(bmc_sdr_convert(&s, 0x00, &v), 0);
	CHECK(fabs(v - sqrt(5.0)) < 1e-9);
	rec[23] = 0x70;	/* OEM non-linear */
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_EQ(bmc_sdr_convert(&s, 0x00, &v), -EOPNOTSUPP);
	rec[23] = 0x01;	/* ln of a negative number */
	CHECK_EQ(bmc_parse_sdr(rec, LEN(cpu_temp_sdr), &s), 0);
	CHECK_EQ(bmc_sdr_convert(&s, 0x7f, &v), -EDOM);

	CHECK_EQ(bmc_parse_sdr(psu_sdr, LEN(psu_sdr), &s), 0);
	CHECK_STR(s.name, "PSU");
	CHECK_EQ(s.record_type, 2);
	CHECK_EQ(s.record_id, 7);
	CHECK_EQ(s.threshold, 0);
	CHECK_EQ(s.readable, 0);
	CHECK_EQ(bmc_sdr_convert(&s, 1, &v), -EINVAL);
	CHECK_EQ(bmc_parse_sdr(psu_sdr, 31, &s), -EPROTO);

	memcpy(rec, psu_sdr, LEN(psu_sdr));
	rec[3] = 0x12;	/* MC device locator: skipped */
	CHECK_EQ(bmc_parse_sdr(rec, LEN(psu_sdr), &s), -EOPNOTSUPP);
}

static void
test_severity(void)
{
	struct bmc_sdr sdr;
	struct bmc_reading rd;
	struct bmc_sensor out;
	const uint8_t r_full[] = { 0x00, 0x5f, 0xc0, 0x18, 0x80 };
	const uint8_t r_short[] = { 0x00, 0x5f, 0xc0 };
	const uint8_t r_unavail[] = { 0x00, 0x00, 0xe0, 0x00 };
	const uint8_t r_psu_fail[] = { 0x00, 0x00, 0xc0, 0x03, 0x00 };

	CHECK_EQ(bmc_parse_sdr(cpu_temp_sdr, LEN(cpu_temp_sdr), &sdr), 0);

	CHECK_EQ(bmc_parse_sensor_reading(r_full, LEN(r_full), &rd), 0);
	CHECK(rd.available && rd.state_known && rd.raw == 0x5f && rd.state == 0x18);
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_STR(out.name, "CPU Temp");
	CHECK(out.value == 95);
	CHECK_EQ(out.severity, BMC_SEV_CRITICAL);
	CHECK(out.thresholds[BMC_THR_UC] == 90);

	/* No status byte (some BMCs): the SDR thresholds decide. */
	CHECK_EQ(bmc_parse_sensor_reading(r_short, LEN(r_short), &rd), 0);
	CHECK_EQ(rd.state_known, 0);
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_CRITICAL);
	rd.raw = 100;	/* at the non-recoverable threshold */
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_NON_RECOVERABLE);
	rd.raw = 79;
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_OK);
	/* The BMC's own status bits count even where the SDR says less. */
	rd.state_known = 1;
	rd.state = 0x08;
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_NON_CRITICAL);

	/* Reading unavailable (host off): known nothing, severity OK. */
	CHECK_EQ(bmc_parse_sensor_reading(r_unavail, LEN(r_unavail), &rd), 0);
	CHECK_EQ(rd.available, 0);
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.available, 0);
	CHECK_EQ(out.severity, BMC_SEV_OK);

	CHECK_EQ(bmc_parse_sensor_reading(r_full, 2, &rd), -EPROTO);

	CHECK_EQ(bmc_parse_sdr(psu_sdr, LEN(psu_sdr), &sdr), 0);
	CHECK_EQ(bmc_parse_sensor_reading(r_psu_fail, LEN(r_psu_fail), &rd), 0);
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_CRITICAL);
	rd.state = 0x05;	/* present, predictive failure */
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_NON_CRITICAL);
	rd.state = 0x01;
	bmc_sensor_make(&sdr, &rd, &out);
	CHECK_EQ(out.severity, BMC_SEV_OK);
}

static void
test_sel(void)
{
	/* Get SEL Entry: next 0003h, record 0002h, watchdog 2 power down, SMS/OS */
	const uint8_t wdt[] = { 0x00, 0x03, 0x00, 0x02, 0x00, 0x02, 0x58, 0x6d, 0x01, 0x6b,
	    0x20, 0x00, 0x04, 0x23, 0x00, 0x6f, 0xc2, 0x04, 0xff, 0xde, 0xad };
	const uint8_t thr[] = { 0x00, 0xff, 0xff, 0x05, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00,
	    0x20, 0x00, 0x04, 0x01, 0x01, 0x81, 0x59, 0x2d, 0x5a };
	const uint8_t oem[] = { 0x00, 0xff, 0xff, 0x06, 0x00, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8,
	    9, 10, 11, 12, 13 };
	struct bmc_sel_entry e;
	uint16_t next;

	CHECK_EQ(bmc_parse_sel_entry(wdt, LEN(wdt), &next, &e), 0);
	CHECK_EQ(next, 3);
	CHECK_EQ(e.record_id, 2);
	CHECK_EQ(e.record_type, 2);
	CHECK_EQ(e.timestamp, 0x6b016d58u);
	CHECK_EQ(e.pre_init, 0);
	CHECK_EQ(e.sensor_type, 0x23);
	CHECK_EQ(e.event_type, 0x6f);
	CHECK_EQ(e.deassertion, 0);
	CHECK_EQ(e.data[0], 0xc2);
	CHECK_STR(e.text, "Watchdog 2 #0: power down (use SMS/OS)");
	bmc_sel_describe(&e, "Watchdog");
	CHECK_STR(e.text, "Watchdog 2 Watchdog: power down (use SMS/OS)");

	CHECK_EQ(bmc_parse_sel_entry(thr, LEN(thr), &next, &e), 0);
	CHECK_EQ(next, 0xffff);
	CHECK_EQ(e.pre_init, 1);	/* 00001000h: seconds since the BMC started */
	CHECK_EQ(e.deassertion, 1);
	CHECK_STR(e.text, "Temperature #1: upper critical going high"
	    " (raw reading 0x2d, threshold 0x5a), deasserted");

	CHECK_EQ(bmc_parse_sel_entry(oem, LEN(oem), &next, &e), 0);
	CHECK_STR(e.text, "OEM record type 0xe0");

	CHECK_EQ(bmc_parse_sel_entry(wdt, 18, &next, &e), -EPROTO);
	CHECK_EQ(bmc_parse_sel_entry(wdt, 0, &next, &e), -EPROTO);

	/* Unknown sensor types and offsets still read as something. */
	memset(&e, 0, sizeof(e));
	e.record_type = 2;
	e.sensor_type = 0xc0;
	e.sensor_number = 9;
	e.event_type = 0x6f;
	e.data[0] = 0x0e;
	bmc_sel_describe(&e, NULL);
	CHECK_STR(e.text, "sensor type 0xc0 #9: event type 0x6f offset 14");
}

int
main(void)
{
	test_cc();
	test_watchdog();
	test_sdr_access();
	test_sdr();
	test_severity();
	test_sel();
	return check_report();
}
