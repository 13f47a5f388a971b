/*
 * test_holes.c - the safety holes of issue 10, each as a two-node schedule
 * (pair.h) that broke the promise before its fix: never two nodes serving,
 * never a healthy node shot, no request waited on for ever.
 */
#include "check.h"
#include "pair.h"

#include <stdlib.h>

static struct pair P;

static int role(int i) { return P.n[i].core.role; }

static void up(int n_svc, uint32_t wdt_ms, uint32_t interval)
{
	pair_init(&P, 3, n_svc);
	P.verbose = getenv("VERBOSE") != NULL;
	for (int i = 0; i < 2; i++) {
		P.params[i].interval = interval;
		P.params[i].deadtime = 3 * interval;
	}
	if (wdt_ms)
		pair_bmc(&P, wdt_ms);
	pair_boot(&P, 0);
	pair_boot(&P, 1);
	pair_run(&P, 2000 + 20 * interval);
}

/* Hole 2: every node-to-node path cut, both BMCs reachable, the active
 * healthy, with the daemon's real reset cadence (a sixth of the watchdog
 * timeout): the standby must never fence, at any phase of the cut against
 * the resets. */
static void test_cut_off_any_phase(void)
{
	static const uint32_t wdts[] = { 6000, 8000, 10000 };
	static const uint32_t ivs[] = { 100, 150, 200 };
	int shot = 0, runs = 0;

	for (int w = 0; w < 3; w++)
		for (int v = 0; v < 3; v++)
			for (int phase = 0; phase < 12; phase++) {
				up(1, wdts[w], ivs[v]);
				if (role(0) != HG_ROLE_ACTIVE)
					continue;
				pair_run(&P, P.now + phase * (wdts[w] / 6) / 12);
				for (int l = 0; l < 3; l++)
					P.cut[l] = 1;
				pair_run(&P, P.now + 3 * wdts[w]);
				runs++;
				shot += P.n[1].fences > 0 || !P.n[0].powered;
			}
	CHECK(runs >= 100);
	CHECK_EQ(shot, 0);
}

/* Hole 3: the active's agent restarts (crash, OOM kill, Restart=) and finds
 * its services still running: it must stop them before it grants, so the
 * peer never starts them beside it. */
static void test_restart_on_active(void)
{
	up(2, 0, 100);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK(P.n[0].svc_running[0] && P.n[0].svc_running[1]);
	pair_agent_restart(&P, 0);
	pair_run(&P, P.now + 5000);
	CHECK_EQ(P.two_serving, 0);
	CHECK_EQ(P.two_holders, 0);
	CHECK(P.n[0].svc_running[0] == 0 || P.n[1].svc_running[0] == 0);
	/* someone serves again */
	CHECK(role(0) == HG_ROLE_ACTIVE || role(1) == HG_ROLE_ACTIVE);
}

/* Hole 3, the stop that does not work at start: the node never grants (and,
 * with a self-fence, lets its BMC power it off so that the peer takes over
 * on proof). */
static void test_restart_cannot_stop(void)
{
	up(1, 3000, 100);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	P.n[0].svc_stop_fails[0] = 1;
	pair_agent_restart(&P, 0);
	pair_run(&P, P.now + 10000);
	CHECK_EQ(P.two_serving, 0);
	CHECK_EQ(P.two_holders, 0);
	CHECK_EQ(P.n[0].powered, 0);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
}

/* Hole 4: a release whose stop fails: the node keeps the VIPs and tells the
 * peer nothing; it stops resetting its watchdog, its BMC powers it off, the
 * peer takes over on the confirmed power-off. Never two nodes serving. */
static void test_stop_fails_on_release(void)
{
	up(1, 3000, 100);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	P.n[0].svc_stop_fails[0] = 1;
	pair_cable(&P, 0, 0, 1);        /* public link lost: rule 5, release */
	pair_run(&P, P.now + 10000);
	CHECK(pair_records(&P, 0, "release") >= 1);
	CHECK_EQ(P.two_serving, 0);
	CHECK_EQ(P.two_holders, 0);
	CHECK_EQ(P.n[0].powered, 0);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK(P.n[1].svc_running[0]);
}

/* Hole 5: a fence answer that never arrives (the worker restarted, an event
 * lost): the core's own deadline passes, the outcome is unknown, the retry
 * runs, and the takeover happens on a confirmed answer. */
static void test_fence_answer_lost(void)
{
	up(1, 0, 100);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	P.n[1].fence_lost = 1;
	pair_power_off(&P, 0);
	pair_run(&P, P.now + 30000);
	CHECK(P.n[1].fences >= 2);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } tests[] = {
		{ "cut_off_any_phase", test_cut_off_any_phase },
		{ "restart_on_active", test_restart_on_active },
		{ "restart_cannot_stop", test_restart_cannot_stop },
		{ "stop_fails_on_release", test_stop_fails_on_release },
		{ "fence_answer_lost", test_fence_answer_lost },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || !strcmp(argv[1], tests[i].name))
			tests[i].fn();
	return check_report();
}
