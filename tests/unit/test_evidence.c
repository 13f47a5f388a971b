/*
 * test_evidence.c - the BMCs in the decisions (agent/core/evidence.c, issue
 * 4, DESIGN.md rules 3-5), two nodes at a time (pair.h) with simulated BMCs
 * whose watchdog powers a node off when it is not reset.
 */
#include "check.h"
#include "pair.h"

#include <stdlib.h>

static struct pair P;

static int role(int i) { return P.n[i].core.role; }

static void up_bmc(uint32_t wdt_ms)
{
	pair_init(&P, 3, 1);
	P.verbose = getenv("VERBOSE") != NULL;
	pair_bmc(&P, wdt_ms);
	pair_boot(&P, 0);
	pair_boot(&P, 1);
	pair_run(&P, 2000);
}

/* hang A: its kernel still answers pings, so b does not presume it failed
 * (rule 4); its agent stops resetting the watchdog, its BMC powers it off,
 * and b fences (confirms) and takes over: outage bounded by the watchdog
 * timeout plus the deadtime. */
static void test_bmc_hang(void)
{
	up_bmc(3000);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	hg_ms t0 = P.now;
	P.n[0].hung = 1;
	pair_run(&P, t0 + 2500);
	CHECK_EQ(P.n[1].fences, 0);            /* pings still answered */
	CHECK_EQ(role(1), HG_ROLE_STANDBY);
	pair_run(&P, t0 + 6000);
	CHECK_EQ(P.n[0].powered, 0);           /* the watchdog fired */
	CHECK_EQ(P.n[0].wdt_expired, 1);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].fences, 1);
	CHECK(P.n[1].core.role_since - t0 <= 3000 + 300 + 400);
	CHECK_EQ(P.two_holders, 0);
}

/* Every LAN between the nodes cut, both healthy: b sees a's watchdog being
 * reset and does not fence (rule 4); a keeps serving. */
static void test_bmc_cut_off_not_dead(void)
{
	up_bmc(3000);
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_run(&P, P.now + 10000);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[0].powered, 1);
	CHECK(role(1) != HG_ROLE_ACTIVE);
	CHECK_EQ(pair_records(&P, 1, "peer_cut_off"), 1);
	CHECK_EQ(P.two_holders, 0);
	/* healed: nothing to undo */
	for (int l = 0; l < 3; l++)
		P.cut[l] = 0;
	pair_run(&P, P.now + 2000);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(role(1), HG_ROLE_STANDBY);
}

/* The same cut while a also lost its public link: a is unfit and cannot
 * tell b, so it stops resetting its watchdog (rule 5); its BMC powers it
 * off; b fences and takes over. Exactly one holder. */
static void test_bmc_cut_off_and_unfit(void)
{
	up_bmc(3000);
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_cable(&P, 0, 0, 1);
	pair_run(&P, P.now + 8000);
	CHECK_EQ(pair_records(&P, 0, "self_fence"), 1);
	/* off either way: b fenced it (no reset since the silence began) or
	 * its own watchdog fired first */
	CHECK_EQ(P.n[0].powered, 0);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].vip, 1);
	CHECK_EQ(P.two_holders, 0);
}

/* b's own BMC does not answer while a is healthy: nothing moves, b says it
 * is not eligible; if a then dies, b does not take over blind. */
/* The cut begins just as a releases (its public link blinked and came back
 * at once): the handover never reaches b, which sees a's watchdog reset
 * and waits. a, having handed over to a peer it can no longer reach, stops
 * resetting its watchdog; b proves it off and takes over. */
static void test_bmc_lost_handover(void)
{
	up_bmc(3000);
	pair_link(&P, 0, 0, 0);          /* repaired by the reset at once */
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_run(&P, P.now + 8000);
	CHECK_EQ(P.n[0].link[0], 1);
	CHECK(pair_records(&P, 0, "release") >= 1);
	CHECK_EQ(pair_records(&P, 0, "self_fence"), 1);
	CHECK_EQ(P.n[0].powered, 0);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.two_holders, 0);
}

static void test_bmc_down_standby(void)
{
	up_bmc(3000);
	P.n[1].bmc_down = 1;
	pair_run(&P, P.now + 2000);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(pair_records(&P, 1, "bmc_unreachable"), 1);
	CHECK_EQ(pair_records(&P, 0, "bmc_unreachable"), 1);   /* a: the peer's BMC */
	CHECK(!hg_core_eligible(&P.n[1].core));
	CHECK_EQ(P.two_holders, 0);
	/* the active's own BMC stops answering too: it stays active (a BMC
	 * hiccup does not move the cluster), it just says so */
	P.n[0].bmc_down = 1;
	P.n[1].bmc_down = 0;
	pair_run(&P, P.now + 3000);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(pair_records(&P, 0, "release"), 0);
	CHECK_EQ(P.two_holders, 0);
}

/* A critical sensor on the active: planned switchover, no fence. */
static void test_sensor_critical(void)
{
	up_bmc(3000);
	P.n[0].sensor = HG_SEV_CRITICAL;
	pair_run(&P, P.now + 2500);
	CHECK_EQ(pair_records(&P, 0, "sensor_critical"), 1);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK_EQ(P.two_holders, 0);
}


int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } tests[] = {
		{ "bmc_hang", test_bmc_hang },
		{ "bmc_cut_off_not_dead", test_bmc_cut_off_not_dead },
		{ "bmc_cut_off_and_unfit", test_bmc_cut_off_and_unfit },
		{ "bmc_lost_handover", test_bmc_lost_handover },
		{ "bmc_down_standby", test_bmc_down_standby },
		{ "sensor_critical", test_sensor_critical },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || !strcmp(argv[1], tests[i].name))
			tests[i].fn();
	return check_report();
}
