/*
 * test_review.c - findings of a hostile review of agent/core (2026-12), each
 * as a schedule that broke the promise before its fix. Most drive one core
 * by hand (the test plays the shell and the peer, so the order of answers is
 * exact); the watchdog ones run two cores in pair.h.
 * Node "a" (id 1, preferred); its peer "b" (id 2).
 */
#include "check.h"
#include "pair.h"
#include "agent/core/core.h"

#include <stdlib.h>
#include <string.h>

static struct hg_core C;        /* big: keep them off the stack */
static struct hg_actions OUT;
static hg_ms T;
static uint64_t peer_seq;

static void params(struct hg_params *p, int n_svc)
{
	memset(p, 0, sizeof(*p));
	p->self_id = 1;
	p->peer_id = 2;
	p->self_prio = 200;
	p->peer_prio = 100;
	p->n_lans = 1;
	p->n_services = n_svc;
	p->have_gateway = 1;
	p->gateway_timeout = 1000;
	p->interval = 100;
	p->deadtime = 300;
	p->wait_for_peer = 1000;
	p->fence_delay = 2000;
	p->fence_retry = 1000;
	p->failback_holddown = 5000;
	p->garp_count = 1;
	p->garp_interval = 50;
	for (int s = 0; s < n_svc; s++) {
		p->svc_check_interval[s] = 100000;   /* no checks in the way */
		p->svc_restarts[s] = 2;
		p->svc_window[s] = 60000;
		p->svc_backoff[s] = 100;
	}
}

static void step_into(struct hg_event *ev, struct hg_actions *out)
{
	ev->now = T;
	hg_core_step(&C, ev, out);
}

static void (*after_step)(void);   /* looks at every step's actions, if set */

static void step(struct hg_event *ev)
{
	OUT.n = 0;
	step_into(ev, &OUT);
	if (after_step)
		after_step();
}

static void tick(void) { struct hg_event ev = { .type = HG_EV_TICK }; step(&ev); }

static void link_gw(int ok)
{
	struct hg_event ev = { .type = HG_EV_LINK, .lan = 0, .ok = ok };
	step(&ev);
	struct hg_event gw = { .type = HG_EV_GATEWAY };
	step(&gw);
}

static void svc_answer(int svc, int op, int ok, uint64_t gen)
{
	struct hg_event ev = { .type = HG_EV_SVC, .svc = svc, .op = op, .ok = ok, .gen = gen };
	step(&ev);
}

/* Index of the first action of `type` (and `op`, `svc` if >= 0), or -1. */
static int find(enum hg_act_type type, int op, int svc)
{
	for (int k = 0; k < OUT.n; k++)
		if (OUT.a[k].type == type && (op < 0 || OUT.a[k].op == op) &&
		    (svc < 0 || OUT.a[k].svc == svc))
			return k;
	return -1;
}

static int recorded(const char *event)
{
	for (int k = 0; k < OUT.n; k++)
		if (OUT.a[k].type == HG_ACT_RECORD && !strcmp(OUT.a[k].event, event))
			return 1;
	return 0;
}

/* A heartbeat from b in `role`, with `flags`, answering claim `ack_claim`. */
static void peer_hb(int role, int flags, uint64_t ack_claim)
{
	struct hg_event ev = { .type = HG_EV_HB };
	ev.hb = (struct hg_hb){ .from = 2, .to = 1, .incarnation = 77, .seq = ++peer_seq,
				.role = (uint8_t)role, .flags = (uint8_t)flags,
				.ack_incarnation = C.incarnation, .ack_claim = ack_claim,
				.health = HG_H_KNOWN & ~HG_H_ADMIN };
	step(&ev);
}

/* Finding 2: a readiness check in flight when a retried start-up clean-up
 * reaches its probes made the clean-up skip the probe of that service and
 * conclude "every service is stopped" on nothing. The clean-up must probe
 * each service itself, after its stop, and no answer to a request issued
 * before that stop may count. */
static void test_cleanup_probe_not_skipped(void)
{
	struct hg_params p;

	params(&p, 1);
	p.svc_has_check[0] = p.svc_has_ready[0] = 1;
	p.svc_check_interval[0] = 200;
	T = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	/* the first clean-up: the stop "works", the probe says it still runs */
	CHECK(C.svc[0].busy);
	svc_answer(0, HG_SVC_STOP, 1, C.svc[0].op_gen);
	CHECK(C.svc[0].check_busy && C.svc[0].chk_op == HG_SVC_CHECK);
	T = 20;
	svc_answer(0, HG_SVC_CHECK, 1, C.svc[0].chk_gen);
	CHECK(C.svc[0].stop_failed);
	CHECK(!hg_core_cleaned(&C));
	/* meanwhile the standby's readiness check goes out, and hangs */
	uint64_t ready_gen = 0;
	for (T = 30; T < 1020 && !ready_gen; T += 10) {
		tick();
		int k = find(HG_ACT_SVC, HG_SVC_READY, 0);
		if (k >= 0)
			ready_gen = OUT.a[k].gen;
	}
	CHECK(ready_gen != 0);
	/* the retry: a stop, then a probe of its own */
	uint64_t stop_gen = 0;
	for (; T < 3000 && !stop_gen; T += 10) {
		tick();
		int k = find(HG_ACT_SVC, HG_SVC_STOP, 0);
		if (k >= 0)
			stop_gen = OUT.a[k].gen;
	}
	CHECK(stop_gen != 0);
	svc_answer(0, HG_SVC_STOP, 1, stop_gen);
	int k = find(HG_ACT_SVC, HG_SVC_CHECK, 0);
	CHECK(k >= 0);
	CHECK(!recorded("cleanup_done"));
	CHECK(!hg_core_cleaned(&C));
	uint64_t probe_gen = k >= 0 ? OUT.a[k].gen : 0;
	CHECK(probe_gen > stop_gen);
	/* the readiness answer from before the stop, and a check answer under
	 * its generation: neither is the probe */
	T += 10;
	svc_answer(0, HG_SVC_READY, 1, ready_gen);
	svc_answer(0, HG_SVC_CHECK, 0, ready_gen);
	CHECK(!hg_core_cleaned(&C));
	CHECK(!recorded("cleanup_done"));
	/* the probe's own answer: down, so clean */
	svc_answer(0, HG_SVC_CHECK, 0, probe_gen);
	CHECK(recorded("cleanup_done"));
	CHECK(hg_core_cleaned(&C));
}

/* Finding 4: a watchdog reset that could not be emitted (the step's action
 * list full) must not count as done: the core asks for it at its next step,
 * not a whole cadence later. */
static void test_pet_dropped_is_retried(void)
{
	struct hg_params p;
	static struct hg_actions full;

	params(&p, 0);
	p.have_own_bmc = 1;
	p.self_fence = 1;
	p.wdt_timeout = 6000;
	T = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	CHECK(find(HG_ACT_WDT_PET, -1, -1) >= 0 || C.pet_next > T);
	T = C.pet_next;
	/* a step whose list is already full when the reset is due */
	full.n = HG_MAX_ACTIONS;
	struct hg_event ev = { .type = HG_EV_TICK };
	step_into(&ev, &full);
	CHECK_EQ(full.n, HG_MAX_ACTIONS);
	hg_ms w = hg_core_next_wakeup(&C);
	CHECK(w <= T + 1);
	T = w > T ? w : T + 1;
	tick();
	CHECK(find(HG_ACT_WDT_PET, -1, -1) >= 0);
}

/* Finding 7: between our claim and the peer's acknowledgement the node may
 * have become ineligible (here: the gateway went silent while no step ran);
 * the acknowledgement must not make it active then. */
static void test_ack_rechecks_eligibility(void)
{
	struct hg_params p;

	params(&p, 0);
	p.interval = 400;
	p.deadtime = 3000;
	T = 0;
	peer_seq = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	peer_hb(HG_ROLE_STANDBY, HG_F_GRANT, 0);   /* b holds nothing, consents, is not eligible */
	CHECK_EQ(C.role, HG_ROLE_TAKING);
	CHECK(C.taking_seq != 0);
	/* the gateway's last answer was at 0; the ack comes as it expires */
	T = 400;
	tick();
	CHECK_EQ(C.role, HG_ROLE_TAKING);
	T = 1000;
	peer_hb(HG_ROLE_STANDBY, HG_F_GRANT, C.taking_seq);
	CHECK(find(HG_ACT_VIP, HG_VIP_ADD, -1) < 0);
	CHECK(C.role != HG_ROLE_ACTIVE);
	CHECK(!C.vip_held);
}

static const char *why_of(const char *event)
{
	for (int k = 0; k < OUT.n; k++)
		if (OUT.a[k].type == HG_ACT_RECORD && !strcmp(OUT.a[k].event, event))
			return OUT.a[k].why;
	return "";
}

/* Lesser findings: the records say why. A node whose start-up clean-up
 * could not stop a service neither accuses (not_accusing must name the
 * clean-up, which it used to leave out, with the own BMC) nor resets its
 * watchdog (self_fence must name the stop, not "unfit to serve"). */
static int accused, fenced_self;

static void look_at_records(void)
{
	if (recorded("not_accusing")) {
		accused++;
		CHECK(strstr(why_of("not_accusing"), "clean-up A SERVICE MAY RUN") != NULL);
		CHECK(strstr(why_of("not_accusing"), "own BMC ok") != NULL);
	}
	if (recorded("self_fence")) {
		fenced_self++;
		CHECK(strstr(why_of("self_fence"), "could not be stopped") != NULL);
	}
}

static void test_records_name_the_cause(void)
{
	struct hg_params p;

	params(&p, 1);
	p.have_own_bmc = 1;
	p.self_fence = 1;
	p.wdt_timeout = 6000;
	T = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	after_step = look_at_records;
	svc_answer(0, HG_SVC_STOP, 0, C.svc[0].op_gen);
	for (T = 10; T < 3000; T += 10) {
		link_gw(1);
		if (C.svc[0].busy)
			svc_answer(0, HG_SVC_STOP, 0, C.svc[0].op_gen);
	}
	CHECK_EQ(accused, 1);
	CHECK_EQ(fenced_self, 1);
	CHECK(C.fence_gen == 0);
	after_step = NULL;
}

/* Lesser finding: a readiness check past its deadline is asked again; the
 * old one's answer, if it still comes, is stale (its own generation: the
 * daemon's callbacks are per job, test_daemon_svc), and only the new one's
 * counts. */
static void test_ready_reask_stale_answer(void)
{
	struct hg_params p;

	params(&p, 1);
	p.svc_has_ready[0] = 1;
	p.svc_check_interval[0] = 200;
	p.svc_check_timeout[0] = 500;
	T = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	svc_answer(0, HG_SVC_STOP, 1, C.svc[0].op_gen);
	CHECK(hg_core_cleaned(&C));
	uint64_t old_gen = 0, new_gen = 0;
	for (T = 10; T < 5000 && !new_gen; T += 10) {
		tick();
		int k = find(HG_ACT_SVC, HG_SVC_READY, 0);
		if (k >= 0 && !old_gen)
			old_gen = OUT.a[k].gen;
		else if (k >= 0)
			new_gen = OUT.a[k].gen;
	}
	CHECK(old_gen != 0 && new_gen > old_gen);
	svc_answer(0, HG_SVC_READY, 0, old_gen);   /* the old one says "cannot start" */
	CHECK(!C.svc[0].unready);
	CHECK(C.svc[0].check_busy && C.svc[0].chk_gen == new_gen);
	svc_answer(0, HG_SVC_READY, 0, new_gen);
	CHECK(C.svc[0].unready);
}

/* Found by hg-dst with rare shell readings (tests/sim 200000243,
 * 200019719): our own BMC unreachable, or a sensor critical, makes the node
 * ineligible until a reading says otherwise; the core must ask for that
 * reading itself (once a second, one at a time), not wait for the shell's
 * periodic one (bmc_poll_ms, up to 600 s). */
static int own_polls;

static void count_own_polls(void)
{
	own_polls += find(HG_ACT_BMC_POLL, -1, 0) >= 0;
}

static void test_own_bmc_asked_again(void)
{
	struct hg_params p;

	params(&p, 0);
	p.have_own_bmc = 1;
	p.bmc_timeout = 1000;
	T = 0;
	hg_core_init(&C, &p, 5, T);
	link_gw(1);
	after_step = count_own_polls;
	own_polls = 0;
	struct hg_event ev = { .type = HG_EV_BMC };
	ev.bmc.who = 0;
	ev.bmc.reachable = 0;
	ev.bmc.wdt_lo = ev.bmc.wdt_hi = T;
	step(&ev);
	CHECK(!hg_core_eligible(&C));
	for (T = 10; T <= 4000; T += 10)
		link_gw(1);
	/* asked at once, never answered: asked again past its deadline */
	CHECK_EQ(own_polls, 2);
	/* it answers, reachable, with a critical sensor: asked again too */
	ev.bmc.reachable = 1;
	ev.bmc.sensor_worst = HG_SEV_CRITICAL;
	ev.bmc.wdt_lo = ev.bmc.wdt_hi = T;
	own_polls = 0;
	step(&ev);
	CHECK(!hg_core_eligible(&C));
	int was = own_polls;
	for (T += 10; T <= 8000 && own_polls == was; T += 10)
		link_gw(1);
	CHECK(own_polls > was);
	ev.bmc.sensor_worst = HG_SEV_OK;   /* healed: the answer says so */
	ev.bmc.wdt_lo = ev.bmc.wdt_hi = T;
	step(&ev);
	CHECK(hg_core_eligible(&C));
	was = own_polls;
	for (T += 10; T <= 12000; T += 10)
		link_gw(1);
	CHECK_EQ(own_polls, was);   /* all is well: the shell's readings suffice */
	after_step = NULL;
}

static struct pair P;

/* Two nodes with BMCs whose watchdog fires after wdt_ms; a booted and
 * settled, a active. The shell's own periodic readings (bmc_poll_ms) are
 * rare, as a configuration may make them (up to 600 s): the core must ask
 * for what it needs. */
static void pair_up(uint32_t wdt_ms, uint32_t poll_ms)
{
	pair_init(&P, 3, 1);
	P.verbose = getenv("VERBOSE") != NULL;
	pair_bmc(&P, wdt_ms);
	P.bmc_poll_ms = poll_ms;
	pair_boot(&P, 0);
	pair_boot(&P, 1);
	pair_run(&P, 4000);
}

/* Finding 5: every path cut, the active healthy and resetting its watchdog:
 * b sees it cut off, not dead, and used to stop asking its BMC. When a then
 * stops resetting (its agent hangs), b must notice within the watchdog
 * timeout and a margin (rule 4: the wait is bounded by that timeout), not at
 * the shell's next periodic reading. */
static void test_cut_off_then_stops_resetting(void)
{
	const uint32_t wdt = 6000;
	/* the peer's cadence (a sixth), one interval, a BMC request, 100 ms;
	 * and the fence's own round trip */
	const hg_ms margin = wdt / 6 + 100 + 1000 + 100 + 100;

	pair_up(wdt, 600000);
	CHECK_EQ(P.n[0].core.role, HG_ROLE_ACTIVE);
	for (int l = 0; l < 3; l++)
		P.cut[l] = 1;
	pair_run(&P, P.now + 2 * wdt);   /* a keeps resetting for a while */
	CHECK_EQ(P.n[1].fences, 0);
	CHECK(P.n[0].powered);
	CHECK(pair_records(&P, 1, "peer_cut_off") >= 1);
	hg_ms hung_at = P.now;
	P.n[0].hung = 1;                 /* and then stops */
	pair_run(&P, hung_at + wdt + margin);
	CHECK(!P.n[0].powered);
	CHECK(P.n[1].fences >= 1);
	pair_run(&P, P.now + 2000);
	CHECK_EQ(P.n[1].core.role, HG_ROLE_ACTIVE);
	CHECK_EQ(P.two_holders, 0);
}

/* Finding 6: the peer's reset cadence and lateness are computed with our
 * own interval_ms. Two nodes that run different files (a: 3000 ms, b: 100
 * ms, watchdog 6 s): a resets every 3 s, b allows 2.2 s, and a cut that
 * begins just after a reset made b fence a healthy a. b sees a's cadence in
 * the sender's clock of its heartbeats (sent_ms) and then takes no "reset
 * too long ago" as proof: only power off (a's watchdog fired) is. */
static void test_peer_interval_differs(void)
{
	const uint32_t wdt = 6000;
	int shot = 0, runs = 0, noted = 0;

	for (int phase = 0; phase < 12; phase++) {
		pair_init(&P, 3, 1);
		P.verbose = getenv("VERBOSE") != NULL;
		pair_bmc(&P, wdt);
		P.params[0].interval = 3000;
		P.params[0].deadtime = 9000;
		P.params[0].wait_for_peer = 20000;
		P.params[0].fence_retry = 3000;
		P.params[0].gateway_timeout = 10000;
		pair_boot(&P, 0);
		pair_boot(&P, 1);
		pair_run(&P, 60000);    /* b sees two windows of a's heartbeats */
		if (P.n[0].core.role != HG_ROLE_ACTIVE)
			continue;
		/* just after one of a's resets, at 12 phases of its cadence */
		while (P.now - P.n[0].wdt_last_pet > 5)
			pair_run(&P, P.now + 1);
		pair_run(&P, P.now + phase * 250);
		for (int l = 0; l < 3; l++)
			P.cut[l] = 1;
		pair_run(&P, P.now + 3 * wdt);
		runs++;
		shot += P.n[1].fences > 0 || !P.n[0].powered;
		noted += pair_records(&P, 1, "peer_interval") == 1;
	}
	CHECK(runs >= 10);
	CHECK_EQ(shot, 0);
	CHECK_EQ(noted, runs);
}

int main(void)
{
	test_cleanup_probe_not_skipped();
	test_pet_dropped_is_retried();
	test_ack_rechecks_eligibility();
	test_cut_off_then_stops_resetting();
	test_records_name_the_cause();
	test_ready_reask_stale_answer();
	test_peer_interval_differs();
	test_own_bmc_asked_again();
	return check_report();
}
