/*
 * hgbmc_wdt.c - Set, Reset and Get Watchdog Timer as IPMI 2.0 section 27
 * says, replacing ipmi_sim 2.0.33's handlers, whose Get reply lacks the
 * present countdown and the running bit and whose Set reply carries stray
 * bytes (docs/bmc-simulator.md).
 *
 * The countdown is kept as a CLOCK_MONOTONIC deadline, so the present
 * countdown is exact to the 100 ms unit; one ipmi_sim timer fires at the
 * pre-timeout and at expiry. Expiry records the timer use in the expiration
 * flags, adds a Watchdog 2 event to the SEL (unless "don't log"), and takes
 * the action through the same power path as Chassis Control.
 */
#include "hgbmc.h"

#include <string.h>

#define NETFN_APP		0x06
#define CMD_RESET_WDT		0x22
#define CMD_SET_WDT		0x24
#define CMD_GET_WDT		0x25

#define CC_OK			0x00
#define CC_UNINITIALIZED	0x80	/* Reset before any Set (27.5) */
#define CC_LENGTH		0xc7
#define CC_INVALID_FIELD	0xcc

#define USE_DONT_LOG		0x80
#define USE_DONT_STOP		0x40
#define USE_RUNNING		0x40	/* same bit, in the Get reply */
#define USE_MASK		0x07
#define ACTION_MASK		0x07
#define PRE_INTR(a)		(((a) >> 4) & 0x07)

enum { ACT_NONE, ACT_RESET, ACT_POWER_DOWN, ACT_POWER_CYCLE };

#define SENSOR_TYPE_WATCHDOG2	0x23
#define WDT_SENSOR_NUM		0	/* `sensor_add 0x20 0 0 0x23 0x6f` in emu.cmds */
#define PRETIMEOUT_OFFSET	0x08	/* Watchdog 2 "timer interrupt" */

/* Remaining countdown in 100 ms units, rounded up, never negative. */
static uint16_t
present_countdown(const struct hgbmc_wdt *w)
{
	long ms;

	if (!w->running)
		return w->present;
	ms = hgbmc_ms_until(&w->deadline);
	if (ms <= 0)
		return 0;
	return (uint16_t)((ms + 99) / 100);
}

/* A Watchdog 2 event into the SEL: 42.2 table 42-3, sensor type 23h. */
static void
log_event(struct hgbmc *h, uint8_t offset)
{
	unsigned char ev[13];

	if ((h->wdt.use & USE_DONT_LOG) || !h->mc)
		return;
	memset(ev, 0, sizeof(ev));
	ev[4] = 0x20;			/* generator: the BMC's slave address */
	ev[5] = 0x00;			/* channel 0, LUN 0 */
	ev[6] = 0x04;			/* event message revision (IPMI 1.5+) */
	ev[7] = SENSOR_TYPE_WATCHDOG2;
	ev[8] = WDT_SENSOR_NUM;
	ev[9] = 0x6f;			/* assertion, sensor-specific */
	ev[10] = 0xc0 | offset;		/* data 2 holds the extension code */
	ev[11] = (uint8_t)((PRE_INTR(h->wdt.actions) << 4) | (h->wdt.use & USE_MASK));
	ev[12] = 0xff;
	mc_new_event(h->mc, 0x02, ev);
	ipmi_mc_sensor_set_bit(h->mc, 0, WDT_SENSOR_NUM, offset, 1, 0);
}

static void
arm(struct hgbmc *h)
{
	struct hgbmc_wdt *w = &h->wdt;
	struct timeval tv;
	long ms = hgbmc_ms_until(&w->deadline);

	if (PRE_INTR(w->actions) != 0 && !w->pretimeout_done)
		ms -= (long)w->pretimeout * 1000;
	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	h->sys->stop_timer(w->timer);
	h->sys->start_timer(w->timer, &tv);
}

static void
expire(struct hgbmc *h)
{
	struct hgbmc_wdt *w = &h->wdt;
	uint8_t action = w->actions & ACTION_MASK;

	w->running = 0;
	w->present = 0;
	w->expired |= (uint8_t)(1u << (w->use & USE_MASK));
	hgbmc_log("watchdog expired: use %u, action %u", w->use & USE_MASK, action);
	log_event(h, action);	/* offsets 0-3 match the actions */
	switch (action) {
	case ACT_RESET:
		hgbmc_power_off(h, 1);
		hgbmc_power_on(h, 0);
		break;
	case ACT_POWER_DOWN:
		hgbmc_power_off(h, 1);
		break;
	case ACT_POWER_CYCLE:
		hgbmc_power_off(h, 1);
		hgbmc_power_on(h, 1000);
		break;
	}
}

static void
timer_fired(void *cb_data)
{
	struct hgbmc *h = cb_data;
	struct hgbmc_wdt *w = &h->wdt;

	if (!w->running)
		return;
	if (hgbmc_ms_until(&w->deadline) > 0) {
		if (PRE_INTR(w->actions) != 0 && !w->pretimeout_done) {
			/* No OS to interrupt: the pre-timeout only leaves a record. */
			w->pretimeout_done = 1;
			hgbmc_log("watchdog pre-timeout");
			log_event(h, PRETIMEOUT_OFFSET);
		}
		arm(h);
		return;
	}
	expire(h);
}

static void
start_countdown(struct hgbmc *h)
{
	struct hgbmc_wdt *w = &h->wdt;

	hgbmc_now(&w->deadline);
	hgbmc_add_ms(&w->deadline, (long)w->initial * 100);
	w->running = 1;
	w->pretimeout_done = 0;
	arm(h);
}

void
hgbmc_wdt_power_off(struct hgbmc *h)
{
	struct hgbmc_wdt *w = &h->wdt;

	/* A system without power has no watchdog running (its OS re-arms it). */
	if (w->running) {
		w->present = present_countdown(w);
		w->running = 0;
		h->sys->stop_timer(w->timer);
	}
}

static void
reply_cc(unsigned char *rdata, unsigned int *rdata_len, uint8_t cc)
{
	rdata[0] = cc;
	*rdata_len = 1;
}

/* 27.6 Set Watchdog Timer: 6 request bytes, reply is the completion code. */
static void
set_wdt(lmc_data_t *mc, msg_t *msg, unsigned char *rdata, unsigned int *rdata_len,
    void *cb_data)
{
	struct hgbmc *h = cb_data;
	struct hgbmc_wdt *w = &h->wdt;
	const unsigned char *d = msg->data;
	unsigned use, action, intr;
	int keep_running;

	if (msg->len < 6) {
		reply_cc(rdata, rdata_len, CC_LENGTH);
		return;
	}
	use = d[0] & USE_MASK;
	action = d[1] & ACTION_MASK;
	intr = PRE_INTR(d[1]);
	if (use == 0 || use > 5 || action > ACT_POWER_CYCLE || intr > 3) {
		reply_cc(rdata, rdata_len, CC_INVALID_FIELD);
		return;
	}
	keep_running = (d[0] & USE_DONT_STOP) && w->running;
	w->use = d[0] & (USE_DONT_LOG | USE_MASK);
	w->actions = d[1] & 0x77;
	w->pretimeout = d[2];
	w->expired &= (uint8_t)~d[3];
	w->initial = (uint16_t)(d[4] | (d[5] << 8));
	w->initialized = 1;
	if (keep_running) {
		/* "countdown value set to the given value and continues" */
		start_countdown(h);
	} else {
		w->running = 0;
		w->present = w->initial;
		h->sys->stop_timer(w->timer);
	}
	reply_cc(rdata, rdata_len, CC_OK);
}

/* 27.5 Reset Watchdog Timer: (re)start from the initial countdown. */
static void
reset_wdt(lmc_data_t *mc, msg_t *msg, unsigned char *rdata, unsigned int *rdata_len,
    void *cb_data)
{
	struct hgbmc *h = cb_data;

	if (!h->wdt.initialized) {
		reply_cc(rdata, rdata_len, CC_UNINITIALIZED);
		return;
	}
	start_countdown(h);
	reply_cc(rdata, rdata_len, CC_OK);
}

/* 27.7 Get Watchdog Timer: 8 data bytes after the completion code. */
static void
get_wdt(lmc_data_t *mc, msg_t *msg, unsigned char *rdata, unsigned int *rdata_len,
    void *cb_data)
{
	struct hgbmc_wdt *w = &((struct hgbmc *)cb_data)->wdt;
	uint16_t present = present_countdown(w);

	rdata[0] = CC_OK;
	rdata[1] = (uint8_t)(w->use | (w->running ? USE_RUNNING : 0));
	rdata[2] = w->actions;
	rdata[3] = w->pretimeout;
	rdata[4] = w->expired;
	rdata[5] = (uint8_t)(w->initial & 0xff);
	rdata[6] = (uint8_t)(w->initial >> 8);
	rdata[7] = (uint8_t)(present & 0xff);
	rdata[8] = (uint8_t)(present >> 8);
	*rdata_len = 9;
}

int
hgbmc_wdt_init(struct hgbmc *h)
{
	int rv;

	if ((rv = h->sys->alloc_timer(h->sys, timer_fired, h, &h->wdt.timer)) != 0)
		return rv;
	if ((rv = ipmi_emu_register_cmd_handler(NETFN_APP, CMD_SET_WDT, set_wdt, h)) != 0 ||
	    (rv = ipmi_emu_register_cmd_handler(NETFN_APP, CMD_RESET_WDT, reset_wdt, h)) != 0 ||
	    (rv = ipmi_emu_register_cmd_handler(NETFN_APP, CMD_GET_WDT, get_wdt, h)) != 0)
		return rv;
	return 0;
}
