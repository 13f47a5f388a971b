/*
 * test_bmcw - the BMC worker (agent/bmcw.c) serves watchdog resets and
 * fences first (issue 10, hole 10), against the lab's simulator behind a
 * slow management LAN (udpdelay.h: every datagram delayed each way).
 *
 * A worker's first reading on a new session loads the SDR: dozens of round
 * trips. A reset (PET) or a fence sent while it runs must be answered
 * within a few round trips, not after the reading; and a reading is cut at
 * its budget and goes on where it stopped at the next one.
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

#define DELAY_MS	100	/* each way: a 200 ms round trip */
#define TIMEOUT_MS	2500	/* per request: FreeIPMI retransmits after 500 ms */
#define PET_BOUND_MS	1000	/* the round trip in flight, the reset, margin */

static struct hg_cfg_bmc cfg;

/* Replies until one of op comes (or limit_ms passes); its arrival time. */
static double wait_op(struct bmcw *w, enum bmcw_op op, double limit_ms, struct bmcw_rep *out,
		      double *other_at, enum bmcw_op other, struct bmcw_rep *other_rep)
{
	double t0 = simbmc_now_ms();

	while (simbmc_now_ms() - t0 < limit_ms) {
		struct pollfd pf = { .fd = w->fd, .events = POLLIN };
		struct bmcw_rep r;
		if (poll(&pf, 1, 50) <= 0)
			continue;
		while (bmcw_recv(w, &r) == 0) {
			if (r.op == (uint32_t)other && other_at) {
				*other_at = simbmc_now_ms();
				if (other_rep)
					*other_rep = r;
			}
			if (r.op == (uint32_t)op) {
				*out = r;
				return simbmc_now_ms();
			}
		}
	}
	return -1;
}

/* A PET sent 400 ms into the SDR load of a new session. */
static void test_pet_during_reading(void)
{
	struct bmcw w;
	struct bmcw_rep r, poll_rep, pet_rep;
	double poll_at = -1;

	CHECK_EQ(bmcw_start(&w, &cfg, NULL, "own"), 0);
	CHECK_EQ(bmcw_send(&w, BMCW_ARM, 0, 120000), 0);
	CHECK(wait_op(&w, BMCW_ARM, 20000, &r, NULL, 0, NULL) > 0);
	CHECK_EQ(r.rc, 0);

	double t_poll = simbmc_now_ms();
	CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
	usleep(400 * 1000);
	double t_pet = simbmc_now_ms();
	CHECK_EQ(bmcw_send(&w, BMCW_PET, 0, 0), 0);
	double pet_at = wait_op(&w, BMCW_PET, 30000, &pet_rep, &poll_at, BMCW_POLL, &poll_rep);
	CHECK(pet_at > 0);
	CHECK_EQ(pet_rep.rc, 0);
	printf("PET sent 400 ms into the first reading: answered after %.0f ms (%u ms in the "
	       "worker); the reading %s\n", pet_at - t_pet, pet_rep.elapsed_ms,
	       poll_at > 0 ? "had ended before it" : "was still running");
	CHECK(pet_at - t_pet <= PET_BOUND_MS);
	CHECK(poll_at < 0);	/* answered before the reading, not after it */
	if (poll_at < 0)
		poll_at = wait_op(&w, BMCW_POLL, 30000, &poll_rep, NULL, 0, NULL);
	CHECK(poll_at > 0);
	printf("first reading: %.0f ms end to end, %u ms in the worker, power %d\n",
	       poll_at - t_poll, poll_rep.elapsed_ms, poll_rep.power);
	CHECK_EQ(poll_rep.power, 1);
	/* bounded: budget (2 s) plus the round trip in flight plus the reset */
	CHECK(poll_rep.elapsed_ms <= 3000);

	/* the readings go on where they stopped: a critical sensor shows within
	 * a few readings, each bounded too */
	CHECK_EQ(simbmc_sensor("cpu_temp", "critical"), 0);
	int seen = 0;
	for (int i = 0; i < 6 && !seen; i++) {
		CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
		CHECK(wait_op(&w, BMCW_POLL, 30000, &r, NULL, 0, NULL) > 0);
		CHECK(r.elapsed_ms <= 3000);
		printf("reading %d: %u ms, worst sensor %s (%d)\n", i + 2, r.elapsed_ms, r.sensor,
		       r.sensor_worst);
		seen = r.sensor_worst >= BMC_SEV_CRITICAL && !strcmp(r.sensor, "CPU Temp");
	}
	CHECK(seen);
	CHECK_EQ(simbmc_sensor("cpu_temp", "ok"), 0);

	CHECK_EQ(bmcw_send(&w, BMCW_DISARM, 0, 0), 0);
	CHECK_EQ(bmcw_wait(&w, BMCW_DISARM, 10000), 0);
	bmcw_stop(&w);
}

/* A fence sent 400 ms into the SDR load of a new session: answered, with
 * the power read back off, before the reading. */
static void test_fence_during_reading(void)
{
	struct bmcw w;
	struct bmcw_rep r, fence_rep;
	double poll_at = -1;

	CHECK_EQ(bmcw_start(&w, &cfg, NULL, "peer"), 0);
	/* a session first (the watchdog is stopped already: nothing changes),
	 * so that the reading starts with its SDR load; a fence sent during a
	 * session's opening waits for it, as it needs the session */
	CHECK_EQ(bmcw_send(&w, BMCW_DISARM, 0, 0), 0);
	CHECK_EQ(bmcw_wait(&w, BMCW_DISARM, 20000), 0);
	CHECK_EQ(bmcw_send(&w, BMCW_POLL, 0, 0), 0);
	usleep(400 * 1000);
	double t_fence = simbmc_now_ms();
	CHECK_EQ(bmcw_send(&w, BMCW_FENCE, 1, 8000), 0);
	double fence_at = wait_op(&w, BMCW_FENCE, 30000, &fence_rep, &poll_at, BMCW_POLL, &r);
	CHECK(fence_at > 0);
	CHECK_EQ(fence_rep.confirmed, 1);
	printf("fence sent 400 ms into a first reading: answered after %.0f ms (%u ms in the "
	       "worker: %s)\n", fence_at - t_fence, fence_rep.elapsed_ms, fence_rep.text);
	CHECK(poll_at < 0);
	CHECK(fence_at - t_fence <= fence_rep.elapsed_ms + PET_BOUND_MS);
	if (poll_at < 0)
		CHECK(wait_op(&w, BMCW_POLL, 30000, &r, NULL, 0, NULL) > 0);
	bmcw_stop(&w);
}

/* What the worker must not wait behind: the same first reading done in
 * one go on a new session through the same slow LAN. */
static double full_reading_ms(void)
{
	struct bmc_target t = simbmc_target(SIM_USER, SIM_PASS, 3, BMC_PRIV_ADMIN);
	struct bmc_session *s;
	struct bmc_sensor sn[32];
	size_t n = 0;
	int on;

	t.port = cfg.port;
	t.timeout_ms = TIMEOUT_MS;
	if (bmc_open(&t, &s) < 0)
		return -1;
	double t0 = simbmc_now_ms();
	int rc = bmc_power_get(s, &on);
	rc = rc ? rc : bmc_sensors_read(s, sn, 32, &n);
	double ms = simbmc_now_ms() - t0;
	bmc_close(s);
	printf("a first reading in one go through the slow LAN: %.0f ms, %zu sensors (rc %d)\n",
	       ms, n, rc);
	return rc ? -1 : ms;
}

int main(void)
{
	char pwfile[] = "/tmp/hg-bmcw-pw.XXXXXX";
	int fd = mkstemp(pwfile);

	CHECK(fd >= 0 && write(fd, SIM_PASS "\n", strlen(SIM_PASS) + 1) > 0);
	close(fd);
	CHECK_EQ(simbmc_start(), 0);
	if (simbmc_pid() <= 0)
		return check_report();
	struct bmc_session *s;
	CHECK_EQ(simbmc_open(&s), 0);	/* the simulator answers */
	bmc_close(s);
	int port = udpdelay_start(simbmc_port(), DELAY_MS);
	CHECK(port > 0);

	simbmc_cfg(&cfg, (unsigned)port, pwfile, TIMEOUT_MS);

	/* the test means something only if the reading is much slower than
	 * the bound a reset must meet */
	double full = full_reading_ms();
	CHECK(full > 3 * PET_BOUND_MS);
	test_pet_during_reading();
	test_fence_during_reading();
	simbmc_stop();
	unlink(pwfile);
	return check_report();
}
