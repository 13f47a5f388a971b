/*
 * hgbmc.h - internals of hgbmc.so, the ipmi_sim module that makes the lab's
 * BMC tell the truth (docs/bmc-simulator.md, "The hgbmc module").
 *
 * ipmi_sim loads it with `loadlib` and calls ipmi_sim_module_init() and
 * ipmi_sim_module_post_init(). It takes over, for the BMC at 0x20:
 *   - chassis power (hgbmc.c): power off signals the host at once instead of
 *     at the simulator's next one-second tick; a 100 ms tick escalates to
 *     SIGKILL after kill_wait and runs a power on that waits for the host
 *     to be gone;
 *   - Set / Reset / Get Watchdog Timer (hgbmc_wdt.c), IPMI 2.0 section 27.
 * Everything runs on ipmi_sim's single-threaded event loop.
 */
#ifndef HGBMC_H
#define HGBMC_H

#include <stdint.h>
#include <sys/time.h>

#include <OpenIPMI/serv.h>
#include <OpenIPMI/mcserv.h>

struct hgbmc_wdt {
	int initialized;	/* a Set Watchdog Timer was accepted */
	int running;
	uint8_t use;		/* Set byte 1 minus "don't stop": don't log (7), use (2:0) */
	uint8_t actions;	/* Set byte 2: pre-timeout interrupt (6:4), action (2:0) */
	uint8_t pretimeout;	/* seconds */
	uint8_t expired;	/* timer use expiration flags, bit N = use N */
	uint16_t initial;	/* initial countdown, 100 ms units */
	uint16_t present;	/* present countdown while stopped */
	int pretimeout_done;
	struct timespec deadline;	/* CLOCK_MONOTONIC, while running */
	ipmi_timer_t *timer;
};

struct hgbmc {
	sys_data_t *sys;
	lmc_data_t *mc;
	startcmd_t *start;
	ipmi_timer_t *tick;
	int kill_pid;		/* host we sent SIGTERM to, 0 if none */
	int kill_sent;		/* SIGKILL sent too */
	int kill_escalate;	/* 0 for a graceful shutdown: SIGTERM only */
	struct timespec kill_at;
	int on_pending;		/* power on as soon as the old host is gone */
	struct timespec on_at;
	char dark[256];		/* the host says it is dark (frozen, cut): "" none */
	struct hgbmc_wdt wdt;
};

/* hgbmc.c */
void hgbmc_power_off(struct hgbmc *h, int escalate);
void hgbmc_power_on(struct hgbmc *h, unsigned delay_ms);
int hgbmc_power_is_on(struct hgbmc *h);
void hgbmc_now(struct timespec *ts);
long hgbmc_ms_until(const struct timespec *t);	/* negative if past */
void hgbmc_add_ms(struct timespec *t, long ms);
void hgbmc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* hgbmc_wdt.c */
int hgbmc_wdt_init(struct hgbmc *h);
void hgbmc_wdt_power_off(struct hgbmc *h);	/* the host lost power: stop */

#endif
