/*
 * fuzz_bmc_reply.c - libFuzzer harness: a hostile BMC's replies driven
 * through ipmi/'s real command loops (STYLE.md habit 5).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_bmc_reply.c ipmi/reply.c ipmi/sdr.c ipmi/sensors.c \
 *     ipmi/sel.c ipmi/watchdog.c -lm -o fuzz_bmc_reply
 *   ./fuzz_bmc_reply -max_total_time=60 tests/fuzz/corpus/bmc_reply
 *
 * The input is a sequence of replies, each one length byte then that many
 * bytes (completion code first), served in order by a fake bmc_raw() to
 * bmc_watchdog_get(), the SDR load and sensor reads of bmc_sensors_read()
 * and bmc_sensor_read(), and the SEL walk of bmc_sel_read_new(): next-ID
 * loops, cancelled reservations, records that lie about their length.
 * Each reply is also given to every parser of reply.h on its own.
 * Checks besides memory errors: counts within what was asked, strings
 * NUL-terminated and printable, enums and flags in range.
 * (tests/fuzz/fuzz_bmc.c fuzzes the parsers one reply at a time.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi/bmc_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t left;

/* The transport: the next reply of the input, or silence. */
int
bmc_raw(struct bmc_session *s, uint8_t lun, uint8_t netfn, uint8_t cmd,
    const uint8_t *req, size_t req_len, uint8_t *rs, size_t *rs_len)
{
	size_t n;

	if (left < 1)
		return -ETIMEDOUT;
	n = in[0];
	in++;
	left--;
	if (n > left)
		n = left;
	if (n == 0)
		return -EPROTO;	/* bmc.c: a reply without a completion code */
	if (n > *rs_len)
		n = *rs_len;
	memcpy(rs, in, n);
	*rs_len = n;
	in += n;
	left -= n;
	return 0;
}

static void
check_text(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);

	if (!end)
		abort();
	for (; s < end; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

static void
check_sensor(const struct bmc_sensor *v)
{
	check_text(v->name, sizeof(v->name));
	if (v->severity < BMC_SEV_OK || v->severity > BMC_SEV_NON_RECOVERABLE)
		abort();
	if (!v->available && v->severity != BMC_SEV_OK)
		abort();
	if (v->thresholds_set > 0x3f || (v->thresholds_set && !v->threshold))
		abort();
}

/* Every parser on one reply. */
static void
parse_alone(const uint8_t *rs, size_t len)
{
	struct bmc_watchdog w;
	struct bmc_reading rd;
	struct bmc_sel_entry e;
	struct bmc_sdr sdr;
	struct bmc_sensor v;
	const uint8_t *p;
	uint16_t id;
	size_t n;
	double d;

	bmc_parse_cc(rs, len);
	if (bmc_parse_watchdog(rs, len, &w) == 0 &&
	    (w.use > 7 || w.action > 7 || w.initial_ms > BMC_WDT_MAX_MS ||
	    w.present_ms > BMC_WDT_MAX_MS || (!w.present_known && w.present_ms)))
		abort();
	bmc_parse_reservation(rs, len, &id);
	if (bmc_parse_get_sdr(rs, len, &id, &p, &n) == 0 && (p < rs || p + n != rs + len))
		abort();
	if (bmc_parse_sel_entry(rs, len, &id, &e) == 0)
		check_text(e.text, sizeof(e.text));
	if (bmc_parse_sdr(rs, len, &sdr) == 0) {
		check_text(sdr.name, sizeof(sdr.name));
		bmc_sdr_convert(&sdr, len ? rs[len - 1] : 0, &d);
		if (bmc_parse_sensor_reading(rs, len, &rd) == 0) {
			bmc_sensor_make(&sdr, &rd, &v);
			check_sensor(&v);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bmc_sensor v[8];
	static struct bmc_sel_entry e[8];
	struct bmc_session s;
	struct bmc_sel_cursor c;
	struct bmc_watchdog w;
	size_t n, i, off, len;

	for (off = 0; off < size; off += 1 + len) {
		len = data[off];
		if (len > size - off - 1)
			len = size - off - 1;
		parse_alone(data + off + 1, len);
	}

	in = data;
	left = size;
	memset(&s, 0, sizeof(s));
	if (bmc_watchdog_get(&s, &w) == 0 && (w.initial_ms > BMC_WDT_MAX_MS || w.use > 7))
		abort();
	n = 99;
	if (bmc_sensors_read(&s, v, 8, &n) == 0) {
		if (n > 8)
			abort();
		for (i = 0; i < n; i++)
			check_sensor(&v[i]);
	}
	if (bmc_sensor_read(&s, "CPU Temp", &v[0]) == 0)
		check_sensor(&v[0]);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2; i++) {	/* twice: the second starts after the cursor */
		n = 99;
		if (bmc_sel_read_new(&s, &c, e, 8, &n) == 0 && n > 8)
			abort();
		while (n-- > 0 && n < 8)
			check_text(e[n].text, sizeof(e[n].text));
	}
	bmc_sdr_free(&s);
	return 0;
}
