/*
 * test_mgmt_loss.c - loss on the management LAN shoots nobody (issue 11).
 * Every heartbeat path between the nodes cut, the active a healthy and
 * resetting its watchdog (in-band), and b's readings of a's BMC lost on b's
 * lossy management link while a fence's longer session still gets
 * through. A reading that cannot be had is no evidence: b must not power a
 * healthy a off on it. Two cores in pair.h.
 */
#include "check.h"
#include "pair.h"

#include <stdlib.h>

static struct pair P;

static void pair_up(uint32_t wdt_ms)
{
	pair_init(&P, 3, 1);
	P.verbose = getenv("VERBOSE") != NULL;
	pair_bmc(&P, wdt_ms);
	pair_boot(&P, 0);
	pair_boot(&P, 1);
	pair_run(&P, 4000);
}

/* a active and healthy; every path cut and b's readings of a's BMC lost
 * for two watchdog timeouts: a is still on. */
static void cut_off_unread(uint32_t wdt)
{
	pair_up(wdt);
	P.n[1].reads_lost = 1;
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_run(&P, P.now + 2 * wdt);
	CHECK(P.n[0].powered);
}

/* The cut begins, and b's first reading after it is already lost. */
static void test_lost_reading_shoots_nobody(void)
{
	const uint32_t wdt = 6000;

	pair_up(wdt);
	CHECK_EQ(P.n[0].core.role, HG_ROLE_ACTIVE);
	P.n[1].reads_lost = 1;
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_run(&P, P.now + 4 * wdt);
	CHECK(P.n[0].powered);                    /* a healthy node is not shot */
	CHECK_EQ(P.n[0].core.role, HG_ROLE_ACTIVE);
	CHECK(P.n[1].core.role != HG_ROLE_ACTIVE);
	CHECK_EQ(P.two_holders, 0);
	/* the readings come back: still cut off, still alive, nobody shot */
	P.n[1].reads_lost = 0;
	pair_run(&P, P.now + 2 * wdt);
	CHECK(P.n[0].powered);
	CHECK(pair_records(&P, 1, "peer_cut_off") >= 1);
}

/* Then a really dies (its agent hangs, its watchdog powers it off): once a
 * reading can be had again, b fences (idempotent, read back) and takes over. */
static void test_dead_after_lost_readings(void)
{
	const uint32_t wdt = 6000;

	cut_off_unread(wdt);
	P.n[0].hung = 1;
	pair_run(&P, P.now + wdt + 500);
	CHECK(!P.n[0].powered);                   /* its own watchdog */
	P.n[1].reads_lost = 0;
	pair_run(&P, P.now + 6000);
	CHECK_EQ(P.n[1].core.role, HG_ROLE_ACTIVE);
	CHECK_EQ(P.two_holders, 0);
}

/* The active's management cable is pulled (carrier lost on a LAN that is
 * not the public one): it still serves its users, so it keeps the VIP
 * (rule 5 names the public link and the gateway), and it says the link is
 * down. The standby, whose links are all up, does not get the services
 * (a failover would cost the users an outage for a LAN they do not use). */
static void test_active_keeps_on_mgmt_carrier_loss(void)
{
	pair_up(6000);
	CHECK_EQ(P.n[0].core.role, HG_ROLE_ACTIVE);
	pair_cable(&P, 0, 2, 1);                   /* LAN 2: management */
	pair_run(&P, P.now + 10000);
	CHECK_EQ(P.n[0].core.role, HG_ROLE_ACTIVE);
	CHECK_EQ(P.n[1].core.role, HG_ROLE_STANDBY);
	CHECK_EQ(pair_records(&P, 0, "release"), 0);
	CHECK(pair_records(&P, 0, "link_down") >= 1);
	/* but it is not eligible to take over (rule 3): b stays preferred
	 * for an accusation only while all its own links have carrier */
	CHECK(!hg_core_eligible(&P.n[0].core));
	CHECK(hg_core_eligible(&P.n[1].core));
	pair_cable(&P, 0, 2, 0);
	pair_run(&P, P.now + 3000);
	CHECK(hg_core_eligible(&P.n[0].core));
	CHECK(P.n[0].powered && P.n[1].powered);
	CHECK_EQ(P.two_holders, 0);
}

/* Review finding 5: the readings stay lost, a fence's session gets
 * through. a, cut off, alive (a refused fence said so), then hangs and its
 * watchdog powers it off: the "alive" of that reading must expire (a dead
 * a would be off by its last reset + its timeout + the margin), and b's
 * next fence, checking again, finds it off and takes over. */
static void test_alive_expires_when_readings_stay_lost(void)
{
	const uint32_t wdt = 6000;

	cut_off_unread(wdt);
	CHECK(pair_records(&P, 1, "fence_refused") >= 1);
	P.n[0].hung = 1;
	pair_run(&P, P.now + 3 * wdt);
	CHECK(!P.n[0].powered);
	CHECK_EQ(P.n[1].core.role, HG_ROLE_ACTIVE);
	CHECK_EQ(P.two_holders, 0);
}

int main(void)
{
	test_alive_expires_when_readings_stay_lost();
	test_active_keeps_on_mgmt_carrier_loss();
	test_lost_reading_shoots_nobody();
	test_dead_after_lost_readings();
	return check_report();
}
