/*
 * watchdog.c - Set, Reset and Get Watchdog Timer (IPMI 2.0 section 27),
 * the self-fence of DESIGN.md rule 5. Replies go through reply.h, which
 * takes a Get reply without the present countdown and a Set reply with
 * stray bytes (docs/bmc.md).
 */
#include "ipmi/bmc_int.h"

#include <errno.h>

#define CMD_RESET_WDT	0x22
#define CMD_SET_WDT	0x24
#define CMD_GET_WDT	0x25

#define CC_WDT_UNINITIALIZED	0x80	/* 27.5: reset before any set */

static int
set_wdt(struct bmc_session *s, unsigned action, unsigned timeout_ms)
{
	uint8_t req[6], rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	unsigned units;
	int rc;

	if (timeout_ms == 0 || timeout_ms > BMC_WDT_MAX_MS)
		return -EINVAL;
	units = (timeout_ms + 99) / 100;
	/* Byte 1: "don't log" 0, "don't stop" 0 (stop), use SMS/OS. */
	req[0] = BMC_WDT_USE_SMS_OS;
	req[1] = (uint8_t)action;	/* no pre-timeout interrupt */
	req[2] = 0;			/* pre-timeout interval */
	req[3] = 1u << BMC_WDT_USE_SMS_OS;	/* clear the SMS/OS expiration flag */
	req[4] = (uint8_t)(units & 0xff);
	req[5] = (uint8_t)(units >> 8);
	if ((rc = bmc_raw(s, 0, BMC_NETFN_APP, CMD_SET_WDT, req, sizeof(req), rs, &len)) < 0)
		return rc;
	return bmc_parse_cc(rs, len);
}

int
bmc_watchdog_set(struct bmc_session *s, unsigned timeout_ms)
{
	return set_wdt(s, BMC_WDT_ACTION_POWER_DOWN, timeout_ms);
}

int
bmc_watchdog_stop(struct bmc_session *s)
{
	/* Any countdown will do: the Set stops the timer and it stays stopped. */
	return set_wdt(s, BMC_WDT_ACTION_NONE, 10000);
}

int
bmc_watchdog_reset(struct bmc_session *s)
{
	uint8_t rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	int rc;

	if ((rc = bmc_raw(s, 0, BMC_NETFN_APP, CMD_RESET_WDT, NULL, 0, rs, &len)) < 0)
		return rc;
	if (len >= 1 && rs[0] == CC_WDT_UNINITIALIZED)
		return -ENXIO;
	return bmc_parse_cc(rs, len);
}

int
bmc_watchdog_get(struct bmc_session *s, struct bmc_watchdog *out)
{
	uint8_t rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	int rc;

	if (!out)
		return -EINVAL;
	if ((rc = bmc_raw(s, 0, BMC_NETFN_APP, CMD_GET_WDT, NULL, 0, rs, &len)) < 0)
		return rc;
	return bmc_parse_watchdog(rs, len, out);
}
