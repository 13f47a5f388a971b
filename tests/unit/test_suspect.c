/*
 * test_suspect.c - positive evidence first (issue 12). Every path of the
 * peer silent a little more than one interval (suspect, 1.2 x interval by
 * default) asks the peer's BMC at once, power and watchdog only; power read
 * off since the silence began is fenced (our power-off, read back: rule 1
 * unchanged) and taken over without waiting out the deadtime. Anything else
 * is rule 4 as before: a late heartbeat costs one reading, nothing more.
 * Two cores in pair.h, 100 ms heartbeats, 300 ms deadtime.
 */
#include "check.h"
#include "pair.h"

#include <stdlib.h>

static struct pair P;

static int role(int i) { return P.n[i].core.role; }

static void up(uint32_t suspect)
{
	pair_init(&P, 3, 1);
	P.verbose = getenv("VERBOSE") != NULL;
	P.params[0].suspect = P.params[1].suspect = suspect;
	pair_bmc(&P, 6000);
	pair_boot(&P, 0);
	pair_boot(&P, 1);
	pair_run(&P, 4000);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(role(1), HG_ROLE_STANDBY);
}

/* Step until b has just heard a's heartbeat on LAN 0 (a phase to reason from). */
static hg_ms just_heard(void)
{
	hg_ms end = P.now + 1000;

	while (P.now < end && P.n[1].core.peer.path_last[0] != P.now)
		pair_run(&P, P.now + 1);
	return P.now;
}

static void cut(int on)
{
	for (int l = 0; l < 3; l++)
		P.cut[l] = on;
}

/* Power loss: b reads a off after one suspect period and takes over well
 * inside the deadtime, fenced and confirmed. */
static void test_power_loss_is_taken_over_early(void)
{
	up(120);
	hg_ms heard = just_heard();
	pair_power_off(&P, 0);
	pair_run(&P, heard + 2000);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].fences, 1);
	CHECK_EQ(pair_records(&P, 1, "fence_confirmed"), 1);
	/* silent 120 ms, a 5 ms reading, a 30 ms fence */
	CHECK(P.n[1].core.role_since - heard <= 120 + 5 + 30 + 5);
	CHECK(P.n[1].core.role_since - heard < 300);
	CHECK_EQ(pair_records(&P, 1, "peer_suspect"), 1);
	CHECK(P.n[1].quick_polls >= 1);
	CHECK_EQ(P.two_holders, 0);
}

/* The same with the suspicion off: rule 4 alone, the deadtime first. */
static void test_off_waits_for_the_deadtime(void)
{
	up(0);
	hg_ms heard = just_heard();
	pair_power_off(&P, 0);
	pair_run(&P, heard + 2000);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK(P.n[1].core.role_since - heard >= 300);
	CHECK_EQ(pair_records(&P, 1, "peer_suspect"), 0);
}

/* Late heartbeats (every path silent ~200 ms, then back): one reading,
 * power on, nothing else: no fence, no role change, a on. */
static void test_late_heartbeat_costs_one_reading(void)
{
	up(120);
	int polls = P.n[1].peer_polls;
	just_heard();
	cut(1);
	pair_run(&P, P.now + 150);
	cut(0);
	pair_run(&P, P.now + 2000);
	CHECK_EQ(P.n[1].peer_polls - polls, 1);
	CHECK_EQ(pair_records(&P, 1, "peer_suspect"), 1);
	CHECK_EQ(pair_records(&P, 1, "peer_lost"), 0);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK(P.n[0].powered);
	CHECK_EQ(role(0), HG_ROLE_ACTIVE);
	CHECK_EQ(role(1), HG_ROLE_STANDBY);
	/* a second late round is a new suspicion: one more reading */
	just_heard();
	cut(1);
	pair_run(&P, P.now + 150);
	cut(0);
	pair_run(&P, P.now + 2000);
	CHECK_EQ(P.n[1].peer_polls - polls, 2);
	CHECK_EQ(P.n[1].fences, 0);
}

/* A healthy a cut off for good: the suspicion's reading says on, and rule 4
 * decides as before (cut off, not dead): nobody fenced. */
static void test_cut_off_is_rule_4(void)
{
	up(120);
	just_heard();
	cut(1);
	pair_run(&P, P.now + 10000);
	CHECK_EQ(pair_records(&P, 1, "peer_suspect"), 1);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK(P.n[0].powered);
	CHECK_EQ(pair_records(&P, 1, "peer_cut_off"), 1);
	CHECK_EQ(P.two_holders, 0);
}

/* A reading that says off but was measured before the silence began is no
 * evidence about the silence: a healthy a is not fenced on it. The stale
 * reading is the newest b holds when the suspicion comes. */
static void test_off_from_before_the_silence_is_no_evidence(void)
{
	up(120);
	hg_ms heard = just_heard();
	struct hg_bmc_report r = { .who = 1, .reachable = 1, .power = 0,
				   .wdt_lo = heard - 10, .wdt_hi = heard - 9 };
	cut(1);
	pair_bmc_reading(&P, 1, &r, heard + 110);
	pair_run(&P, heard + 124);
	CHECK_EQ(P.n[1].fences, 0);
	cut(0);
	pair_run(&P, P.now + 2000);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK(P.n[0].powered);
	CHECK_EQ(role(1), HG_ROLE_STANDBY);
}

/* The suspicion just under the deadtime (the edge the configuration
 * allows): its reading, measured a millisecond before the deadtime passed,
 * says off. Rule 4 takes it as the evidence it is instead of asking again
 * (hg-dst seed 1003683: a second round trip broke the liveness bound). */
static void test_reading_before_the_deadtime_counts(void)
{
	up(299);
	P.bmc_poll_ms = 600000;            /* the core's own readings only */
	pair_run(&P, P.now + 2000);
	int polls = P.n[1].peer_polls;
	hg_ms heard = just_heard();
	pair_power_off(&P, 0);
	pair_run(&P, heard + 2000);
	CHECK_EQ(role(1), HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].peer_polls - polls, 1);
	CHECK(P.n[1].core.role_since - heard <= 300 + 5 + 30 + 10);
}

/* Rule 3 first: a b that fails its own check asks nothing and fences
 * nothing, however early the evidence. */
static void test_not_eligible_asks_nothing(void)
{
	up(120);
	pair_cable(&P, 1, 0, 1);           /* b's public cable */
	pair_run(&P, P.now + 1000);
	int polls = P.n[1].peer_polls;
	hg_ms heard = just_heard();
	pair_power_off(&P, 0);
	pair_run(&P, heard + 250);
	CHECK_EQ(P.n[1].peer_polls, polls);
	CHECK_EQ(P.n[1].fences, 0);
	CHECK_EQ(pair_records(&P, 1, "peer_suspect"), 0);
}

int main(void)
{
	test_power_loss_is_taken_over_early();
	test_off_waits_for_the_deadtime();
	test_late_heartbeat_costs_one_reading();
	test_cut_off_is_rule_4();
	test_off_from_before_the_silence_is_no_evidence();
	test_not_eligible_asks_nothing();
	test_reading_before_the_deadtime_counts();
	return check_report();
}
