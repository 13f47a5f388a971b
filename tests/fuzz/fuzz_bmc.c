/*
 * fuzz_bmc.c - libFuzzer harness for what headguard trusts in a BMC's
 * replies (ipmi/reply.c, ipmi/sdr.c, and the chassis status fields read by
 * ipmi/bmc.c). Replies come off the management LAN from a BMC that may be
 * broken, old, or not a BMC at all (STYLE.md habit 5).
 *
 * Byte 0 of the input picks the parser, the rest is the reply (response
 * bytes from the completion code on, as FreeIPMI hands them over):
 *   0 completion code   1 Get Watchdog Timer   2 Reserve SDR Repository
 *   3 Get SDR           4 Get Sensor Reading   5 Get SEL Entry (+ describe)
 *   6 an SDR record (+ convert every raw value, + make a sensor)
 *   7 Get Chassis Status through FreeIPMI's fiid template, then the fields
 *     bmc_power_get reads (comp_code, current_power_state.power_is_on)
 * Checks: no memory error; text outputs NUL-terminated; results in range.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <freeipmi/freeipmi.h>

#include "ipmi/bmc.h"
#include "ipmi/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void chassis_status(const uint8_t *rs, size_t len)
{
	fiid_obj_t obj = fiid_obj_create(tmpl_cmd_get_chassis_status_rs);
	uint64_t cc, on;

	if (!obj)
		return;
	if (fiid_obj_set_all(obj, rs, (unsigned)len) >= 0 &&
	    fiid_obj_get(obj, "comp_code", &cc) == 1 &&
	    fiid_obj_get(obj, "current_power_state.power_is_on", &on) == 1 && on > 1)
		abort();
	fiid_obj_destroy(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 8;
	const uint8_t *rs = data + 1;
	size_t len = size - 1;
	/* a copy of exactly len bytes: ASan sees any read past the reply */
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, rs, len);

	switch (which) {
	case 0:
		if (bmc_parse_cc(copy, len) > 0)
			abort();
		break;
	case 1: {
		struct bmc_watchdog w;
		if (bmc_parse_watchdog(copy, len, &w) == 0 && w.present_known && w.present_ms > 6553500)
			abort();
		break;
	}
	case 2: {
		uint16_t id;
		(void)bmc_parse_reservation(copy, len, &id);
		break;
	}
	case 3: {
		uint16_t next;
		const uint8_t *d = NULL;
		size_t dl = 0;
		if (bmc_parse_get_sdr(copy, len, &next, &d, &dl) == 0 &&
		    (d < copy || d + dl > copy + len))
			abort();
		break;
	}
	case 4: {
		struct bmc_reading r;
		(void)bmc_parse_sensor_reading(copy, len, &r);
		break;
	}
	case 5: {
		struct bmc_sel_entry e;
		uint16_t next;
		if (bmc_parse_sel_entry(copy, len, &next, &e) == 0) {
			bmc_sel_describe(&e, len > 3 ? "Watchdog 2" : NULL);
			if (!memchr(e.text, 0, sizeof(e.text)))
				abort();
		}
		break;
	}
	case 6: {
		struct bmc_sdr sdr;
		if (bmc_parse_sdr(copy, len, &sdr) == 0) {
			if (!memchr(sdr.name, 0, sizeof(sdr.name)))
				abort();
			for (unsigned raw = 0; raw < 256; raw++) {
				double v;
				(void)bmc_sdr_convert(&sdr, (uint8_t)raw, &v);
			}
			struct bmc_reading rd = { .raw = len ? copy[0] : 0, .available = 1,
						  .state_known = 1, .state = len > 1 ? copy[1] : 0 };
			struct bmc_sensor s;
			bmc_sensor_make(&sdr, &rd, &s);
			if (!memchr(s.name, 0, sizeof(s.name)) || s.severity > BMC_SEV_NON_RECOVERABLE)
				abort();
		}
		break;
	}
	default:
		chassis_status(copy, len);
		break;
	}
	free(copy);
	return 0;
}
