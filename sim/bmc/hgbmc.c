/*
 * hgbmc.c - ipmi_sim module: chassis power that acts at once, and the entry
 * points ipmi_sim calls (docs/bmc-simulator.md, "The hgbmc module").
 *
 *   loadlib "/path/to/hgbmc.so" ""        (in lan.conf, before startlan)
 *
 * Power is still the host process ipmi_sim started (startcmd): on while it
 * exists. ipmi_sim 2.0.33 acts on a power off at its next one-second tick;
 * here Chassis Control (and the watchdog) send SIGTERM immediately, SIGKILL
 * kill_wait seconds later, both from a 100 ms tick. Power reads "off" only
 * once ipmi_sim has reaped the host: a fence must never be confirmed while
 * the host still runs.
 */
#include "hgbmc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Exported by ipmi_sim itself (not in the installed headers). */
void ipmi_do_start_cmd(startcmd_t *startcmd);
extern cmd_handler_f storage_netfn_handlers[256];

int ipmi_sim_module_init(sys_data_t *sys, const char *initstr);
void ipmi_sim_module_post_init(sys_data_t *sys);

#define TICK_MS		100
#define BMC_ADDR	0x20

static struct hgbmc hg;	/* one BMC per ipmi_sim process */

void
hgbmc_log(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "hgbmc %lld.%03ld: ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void
hgbmc_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

void
hgbmc_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

long
hgbmc_ms_until(const struct timespec *t)
{
	struct timespec now;

	hgbmc_now(&now);
	return (long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000L;
}

int
hgbmc_power_is_on(struct hgbmc *h)
{
	return h->start && h->start->vmpid != 0;
}

/*
 * escalate: SIGKILL after kill_wait if SIGTERM was not enough (power down,
 * reset, watchdog); 0 for a soft shutdown, which the host may ignore.
 */
void
hgbmc_power_off(struct hgbmc *h, int escalate)
{
	h->on_pending = 0;
	hgbmc_wdt_power_off(h);
	if (!hgbmc_power_is_on(h))
		return;
	/* Keep ipmi_sim's own one-second state machine out of it. */
	h->start->wait_poweroff = 0;
	if (h->kill_pid == h->start->vmpid) {
		h->kill_escalate |= escalate;
		return;
	}
	h->kill_pid = h->start->vmpid;
	h->kill_sent = 0;
	h->kill_escalate = escalate;
	hgbmc_now(&h->kill_at);
	hgbmc_add_ms(&h->kill_at, (long)h->start->kill_wait_time * 1000);
	hgbmc_log("power off: SIGTERM to host %d", h->kill_pid);
	if (kill(h->kill_pid, SIGTERM) < 0 && errno == ESRCH)
		hgbmc_log("host %d already gone", h->kill_pid);
}

/* Power on now, or after delay_ms, or as soon as a dying host is reaped. */
void
hgbmc_power_on(struct hgbmc *h, unsigned delay_ms)
{
	if (!h->start || !h->start->startcmd) {
		hgbmc_log("power on: no startcmd configured");
		return;
	}
	if (hgbmc_power_is_on(h) && h->kill_pid != h->start->vmpid)
		return;	/* on, and not on its way off */
	h->on_pending = 1;
	hgbmc_now(&h->on_at);
	hgbmc_add_ms(&h->on_at, delay_ms);
	if (delay_ms == 0 && !hgbmc_power_is_on(h)) {
		h->on_pending = 0;
		ipmi_do_start_cmd(h->start);
		hgbmc_log("power on: host %d", h->start->vmpid);
	}
}

static void
tick(void *cb_data)
{
	struct hgbmc *h = cb_data;
	struct timeval tv = { 0, TICK_MS * 1000 };

	if (h->kill_pid && h->start->vmpid != h->kill_pid) {
		hgbmc_log("host %d is gone: power reads off", h->kill_pid);
		h->kill_pid = 0;
	}
	if (h->kill_pid && h->kill_escalate && !h->kill_sent && hgbmc_ms_until(&h->kill_at) <= 0) {
		hgbmc_log("host %d survived SIGTERM for kill_wait: SIGKILL", h->kill_pid);
		kill(h->kill_pid, SIGKILL);
		h->kill_sent = 1;
	}
	if (h->on_pending && !hgbmc_power_is_on(h) && hgbmc_ms_until(&h->on_at) <= 0) {
		h->on_pending = 0;
		ipmi_do_start_cmd(h->start);
		hgbmc_log("power on: host %d", h->start->vmpid);
	}
	h->sys->start_timer(h->tick, &tv);
}

/*
 * Chassis Control and Get Chassis Status come here once this is installed
 * with ipmi_mc_set_chassis_control_func() (bmc_chassis.c in OpenIPMI).
 */
static int
chassis_set(lmc_data_t *mc, int op, unsigned char *val, void *cb_data)
{
	struct hgbmc *h = cb_data;

	switch (op) {
	case CHASSIS_CONTROL_POWER:
		if (*val)
			hgbmc_power_on(h, 0);
		else
			hgbmc_power_off(h, 1);
		return 0;
	case CHASSIS_CONTROL_RESET:
		hgbmc_power_off(h, 1);
		hgbmc_power_on(h, 0);
		return 0;
	case CHASSIS_CONTROL_GRACEFUL_SHUTDOWN:
		hgbmc_power_off(h, 0);
		return 0;
	case CHASSIS_CONTROL_BOOT:
	case CHASSIS_CONTROL_BOOT_INFO_ACK:
	case CHASSIS_CONTROL_IDENTIFY:
		return 0;	/* accepted, nothing to do for a process */
	default:
		return EINVAL;
	}
}

/*
 * A real BMC reads power off the instant it cuts it, and the host is dark at
 * that instant. node-host needs some 30 ms of bash to freeze, cut, kill and
 * exit; it creates the dark file (loadlib's "dark=PATH") once the node is
 * frozen, off every LAN and without its addresses, and from then on a hard
 * power-off reads off, before the host process is reaped. A soft shutdown
 * reads on until the host has gone.
 */
static int
host_dark(struct hgbmc *h)
{
	return h->dark[0] && h->kill_pid && h->kill_pid == h->start->vmpid &&
	       h->kill_escalate && access(h->dark, F_OK) == 0;
}

static int
chassis_get(lmc_data_t *mc, int op, unsigned char *val, void *cb_data)
{
	struct hgbmc *h = cb_data;

	switch (op) {
	case CHASSIS_CONTROL_POWER:
		*val = hgbmc_power_is_on(h) && !host_dark(h) ? 1 : 0;
		return 0;
	case CHASSIS_CONTROL_BOOT:
		*val = 0;
		return 0;
	default:
		return EINVAL;
	}
}

/*
 * ipmi_sim's SEL clock starts at zero ("pre-init" time stamps). A BMC's SEL
 * clock is set to real time at boot; do that through ipmi_sim's own Set SEL
 * Time handler (storage netfn, command 49h).
 */
static void
set_sel_time(struct hgbmc *h)
{
	unsigned char req[4], rs[8];
	unsigned int rs_len = sizeof(rs);
	time_t now = time(NULL);
	cmd_handler_f set = storage_netfn_handlers[0x49];
	msg_t msg;

	if (!set)
		return;
	req[0] = (unsigned char)(now & 0xff);
	req[1] = (unsigned char)((now >> 8) & 0xff);
	req[2] = (unsigned char)((now >> 16) & 0xff);
	req[3] = (unsigned char)((now >> 24) & 0xff);
	memset(&msg, 0, sizeof(msg));
	msg.netfn = 0x0a;
	msg.cmd = 0x49;
	msg.data = req;
	msg.len = sizeof(req);
	set(h->mc, &msg, rs, &rs_len, NULL);
	if (rs_len < 1 || rs[0] != 0)
		hgbmc_log("Set SEL Time refused (0x%02x): SEL time stamps stay pre-init", rs[0]);
}

int
ipmi_sim_module_init(sys_data_t *sys, const char *initstr)
{
	memset(&hg, 0, sizeof(hg));
	hg.sys = sys;
	if (initstr && !strncmp(initstr, "dark=", 5))
		snprintf(hg.dark, sizeof(hg.dark), "%s", initstr + 5);
	return hgbmc_wdt_init(&hg);
}

/* After the emulator commands: the BMC exists and its host runs. */
void
ipmi_sim_module_post_init(sys_data_t *sys)
{
	struct timeval tv = { 0, TICK_MS * 1000 };

	hg.mc = sys->ipmb_addrs[BMC_ADDR];
	if (!hg.mc) {
		hgbmc_log("no BMC at 0x%02x: module inactive", BMC_ADDR);
		return;
	}
	hg.start = sys->mc_get_startcmdinfo(hg.mc);
	set_sel_time(&hg);
	ipmi_mc_set_chassis_control_func(hg.mc, chassis_set, chassis_get, &hg);
	if (sys->alloc_timer(sys, tick, &hg, &hg.tick) != 0) {
		hgbmc_log("cannot allocate the power timer");
		exit(1);
	}
	sys->start_timer(hg.tick, &tv);
	hgbmc_log("loaded: chassis power and watchdog of BMC 0x%02x, host %s",
	    BMC_ADDR, hgbmc_power_is_on(&hg) ? "on" : "off");
}
