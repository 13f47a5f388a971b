/*
 * test_bmcw_loss - readings of a BMC over a lossy management LAN (issue 11):
 * the worker (agent/bmcw.c) opens a new session at once and asks again
 * while the reading's evidence budget lasts, so that loss costs readings
 * less often; a reading that cannot be had says unreachable (no evidence),
 * and every answer comes within a bound the core can wait for.
 *
 * The simulator behind udpdelay.h with LOSS_PM of the datagrams lost each
 * way (a round trip survives (1 - p)^2 of the time; FreeIPMI retransmits
 * every timeout/10 within a request). And the native fence's check of
 * the watchdog before its power-off (issue 11).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "agent/bmcw.h"
#include "ipmi/bmc.h"
#include "simbmc.h"
#include "udpdelay.h"

#define TIMEOUT_MS	1000	/* the default bmc timeout_ms */
#define LOSS_PM		400
#define READINGS	16

static int reading(struct bmcw *w, struct bmcw_rep *out, double *ms)
{
	double t0 = simbmc_now_ms();

	if (bmcw_send(w, BMCW_POLL, 0, 0) < 0)
		return -1;
	while (simbmc_now_ms() - t0 < 30000) {
		struct pollfd pf = { .fd = w->fd, .events = POLLIN };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		while (bmcw_recv(w, out) == 0)
			if (out->op == BMCW_POLL) {
				*ms = simbmc_now_ms() - t0;
				return 0;
			}
	}
	return -1;
}

/* The next reply to op, within 20 s: 1, or 0. */
static int wait_op(struct bmcw *w, enum bmcw_op op, struct bmcw_rep *out)
{
	double t0 = simbmc_now_ms();

	while (simbmc_now_ms() - t0 < 20000) {
		struct pollfd pf = { .fd = w->fd, .events = POLLIN };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		while (bmcw_recv(w, out) == 0)
			if (out->op == (uint32_t)op)
				return 1;
	}
	return 0;
}

int main(void)
{
	char pwfile[] = "/tmp/hg-bmcw-loss-pw.XXXXXX";
	int fd = mkstemp(pwfile);
	struct hg_cfg_bmc cfg;

	CHECK(fd >= 0 && write(fd, SIM_PASS "\n", strlen(SIM_PASS) + 1) > 0);
	close(fd);
	CHECK_EQ(simbmc_start(), 0);
	if (simbmc_pid() <= 0)
		return check_report();
	int port = udpdelay_start(simbmc_port(), 1);
	CHECK(port > 0);
	simbmc_cfg(&cfg, (unsigned)port, pwfile, TIMEOUT_MS);

	struct bmcw w;
	struct bmcw_rep r;
	double ms, worst = 0;
	CHECK_EQ(bmcw_start(&w, &cfg, NULL, "peer"), 0);
	CHECK_EQ(reading(&w, &r, &ms), 0);   /* warm: session and SDR */
	CHECK_EQ(r.reachable, 1);

	/* A question asked while a reading is out gets a reading of its own,
	 * measured after it (rule 4 counts only those); a third is merged. */
	CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
	usleep(2000);
	int64_t asked = (int64_t)simbmc_now_ms();
	CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
	CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
	CHECK_EQ(w.pending[BMCW_POLL], 2);
	int64_t last_lo = 0;
	for (int k = 0; k < 2; k++) {
		CHECK_EQ(wait_op(&w, BMCW_POLL, &r), 1);
		last_lo = r.wdt_lo;
	}
	CHECK(last_lo >= asked);
	CHECK_EQ(w.pending[BMCW_POLL], 0);

	udpdelay_loss(LOSS_PM);
	int got = 0, retried = 0, saved = 0;
	for (int i = 0; i < READINGS; i++) {
		memset(&r, 0, sizeof(r));
		CHECK_EQ(reading(&w, &r, &ms), 0);
		printf("reading %2d: %s, power %d, %u new sessions, %.0f ms\n", i + 1,
		       r.reachable ? "had" : "unreachable", r.power, r.retries, ms);
		got += r.reachable;
		retried += r.retries > 0;
		saved += r.reachable && r.retries > 0;
		if (ms > worst)
			worst = ms;
		/* no evidence is said as such, never as a power state */
		CHECK(r.reachable || r.power == -1);
		CHECK(!r.reachable || r.power == 1);
		/* the budget (2 x timeout) plus one last try: a session and two
		 * requests, each bounded by the timeout, and the sensors' cut */
		CHECK(ms <= 2 * TIMEOUT_MS + 3 * TIMEOUT_MS + 2000);
	}
	printf("%d%% loss each way: %d of %d readings had, %d needed new sessions (%d of those "
	       "saved by them), slowest %.0f ms\n", LOSS_PM / 10, got, READINGS, retried, saved, worst);
	/* the retries are what had some of them; with FreeIPMI's retransmission
	 * at a fifth of the timeout, 3 of 12 were had (9-10 of 12 now, 7 in a
	 * loaded run): the bound leaves room for a random LAN */
	CHECK(saved > 0);
	CHECK(got >= READINGS / 3);
	udpdelay_loss(0);
	CHECK_EQ(reading(&w, &r, &ms), 0);
	CHECK_EQ(r.reachable, 1);   /* and the LAN healed, the readings are back */

	/* The native level's check (issue 11): the host's agent arms and resets
	 * its watchdog; a fence for a silence that began before that reset
	 * powers nothing off and says why, with the reading; one for a silence
	 * after the last reset fences. */
	struct bmcw own;
	struct bmcw_rep fr;
	CHECK_EQ(bmcw_start(&own, &cfg, NULL, "own"), 0);
	CHECK_EQ(bmcw_send(&own, BMCW_ARM, 0, 60000), 0);
	CHECK_EQ(bmcw_wait(&own, BMCW_ARM, 10000), 0);
	int64_t armed = (int64_t)simbmc_now_ms();
	usleep(300 * 1000);
	CHECK_EQ(bmcw_fence(&w, 1, 5000, armed - 1000), 0);
	CHECK(wait_op(&w, BMCW_FENCE, &fr));
	printf("fence for a silence 1.3 s old, reset 0.3 s ago: refused %d, confirmed %d: %s\n",
	       fr.refused, fr.confirmed, fr.text);
	CHECK_EQ(fr.refused, 1);
	CHECK_EQ(fr.confirmed, 0);
	CHECK_EQ(fr.power, 1);
	CHECK_EQ(fr.wdt_usable, 1);
	CHECK(fr.wdt_lo > 0 && fr.wdt_hi >= fr.wdt_lo);
	CHECK_EQ(reading(&w, &r, &ms), 0);
	CHECK_EQ(r.power, 1);       /* nothing was powered off */
	/* the check lost on the LAN (every datagram, once the session is up):
	 * nothing is sent blind, the host stays on */
	/* (the session is warm from the reading just before: the check's
	 * first request is the first lost; a worker without the check would
	 * answer refused 0, its power-off lost or not) */
	udpdelay_loss(1000);
	CHECK_EQ(bmcw_fence(&w, 3, 5000, (int64_t)simbmc_now_ms() + 1000), 0);
	CHECK(wait_op(&w, BMCW_FENCE, &fr));
	udpdelay_loss(0);
	printf("fence whose check was lost: refused %d, confirmed %d: %s\n", fr.refused,
	       fr.confirmed, fr.text);
	CHECK_EQ(fr.refused, 2);
	CHECK_EQ(fr.confirmed, 0);
	CHECK_EQ(reading(&w, &r, &ms), 0);
	CHECK_EQ(r.power, 1);
	/* a silence that began after the last reset: the watchdog proves
	 * nothing, the fence goes on and reads the power back off */
	CHECK_EQ(bmcw_fence(&w, 2, 5000, (int64_t)simbmc_now_ms() + 1000), 0);
	CHECK(wait_op(&w, BMCW_FENCE, &fr));
	printf("fence for a silence after the last reset: refused %d, confirmed %d: %s\n",
	       fr.refused, fr.confirmed, fr.text);
	CHECK_EQ(fr.refused, 0);
	CHECK_EQ(fr.confirmed, 1);
	bmcw_stop(&own);
	bmcw_stop(&w);
	simbmc_stop();
	unlink(pwfile);
	return check_report();
}
