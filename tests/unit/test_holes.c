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

/* Hole 1: a claim counts only when the life of the peer it was made against
 * answers that very claim. b claims against a's life 10; an answer from a's
 * next life, or to another claim, does not make it active. */
static void feed(struct hg_core *c, struct hg_actions *out, hg_ms t, struct hg_hb hb)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_HB;
	ev.now = t;
	hb.from = 1;
	hb.to = 2;
	ev.hb = hb;
	out->n = 0;
	hg_core_step(c, &ev, out);
}

static int vip_added(const struct hg_actions *out)
{
	for (int k = 0; k < out->n; k++)
		if (out->a[k].type == HG_ACT_VIP && out->a[k].op == HG_VIP_ADD)
			return 1;
	return 0;
}

static void test_claim_names_life(void)
{
	static struct hg_core c;
	static struct hg_actions out;
	struct hg_params p;

	pair_init(&P, 1, 0);
	p = P.params[1];
	p.have_gateway = 0;
	hg_core_init(&c, &p, 500, 0);
	struct hg_event ev = { .type = HG_EV_LINK, .lan = 0, .ok = 1, .now = 0 };
	out.n = 0;
	hg_core_step(&c, &ev, &out);
	/* a (life 10) stands by, unfit, and grants */
	feed(&c, &out, 10, (struct hg_hb){ .incarnation = 10, .seq = 1, .role = HG_ROLE_STANDBY,
					   .flags = HG_F_GRANT, .ack_incarnation = 500 });
	CHECK_EQ(c.role, HG_ROLE_TAKING);
	uint64_t claim = c.taking_seq;
	CHECK(claim != 0);
	/* an answer to another claim of ours */
	feed(&c, &out, 20, (struct hg_hb){ .incarnation = 10, .seq = 2, .role = HG_ROLE_STANDBY,
					   .flags = HG_F_GRANT, .ack_incarnation = 500,
					   .ack_claim = claim + 7 });
	CHECK(!vip_added(&out));
	CHECK_EQ(c.role, HG_ROLE_TAKING);
	/* a's next life answers our claim: not the life we claimed against */
	feed(&c, &out, 30, (struct hg_hb){ .incarnation = 11, .seq = 1, .role = HG_ROLE_STARTING,
					   .flags = HG_F_GRANT, .ack_incarnation = 500,
					   .ack_claim = claim });
	CHECK(!vip_added(&out));
	CHECK(c.role != HG_ROLE_ACTIVE);
	/* the old life's answer, late: a replay now, changes nothing */
	feed(&c, &out, 40, (struct hg_hb){ .incarnation = 10, .seq = 3, .role = HG_ROLE_STANDBY,
					   .flags = HG_F_GRANT, .ack_incarnation = 500,
					   .ack_claim = claim });
	CHECK(!vip_added(&out));
	CHECK(c.role != HG_ROLE_ACTIVE);

	/* the same claim answered by the life it was made against: taken */
	hg_core_init(&c, &p, 501, 1000);
	ev.now = 1000;
	out.n = 0;
	hg_core_step(&c, &ev, &out);
	feed(&c, &out, 1010, (struct hg_hb){ .incarnation = 11, .seq = 5, .role = HG_ROLE_STANDBY,
					     .flags = HG_F_GRANT, .ack_incarnation = 501 });
	CHECK_EQ(c.role, HG_ROLE_TAKING);
	feed(&c, &out, 1020, (struct hg_hb){ .incarnation = 11, .seq = 6, .role = HG_ROLE_STANDBY,
					     .flags = HG_F_GRANT, .ack_incarnation = 501,
					     .ack_claim = c.taking_seq });
	CHECK(vip_added(&out));
	CHECK_EQ(c.role, HG_ROLE_ACTIVE);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } tests[] = {
		{ "cut_off_any_phase", test_cut_off_any_phase },
		{ "restart_on_active", test_restart_on_active },
		{ "restart_cannot_stop", test_restart_cannot_stop },
		{ "stop_fails_on_release", test_stop_fails_on_release },
		{ "fence_answer_lost", test_fence_answer_lost },
		{ "claim_names_life", test_claim_names_life },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || !strcmp(argv[1], tests[i].name))
			tests[i].fn();
	return check_report();
}
