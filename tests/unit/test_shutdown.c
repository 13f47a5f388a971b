/*
 * test_shutdown.c - the stop request (HG_CMD_SHUTDOWN, issue 10 hole 11)
 * and hg_core_quiescent, on one core driven by hand: the test plays the
 * shell, answering every VIP and service action itself, and the peer, as
 * heartbeats. Node "a" (id 1, preferred); its peer "b" (id 2).
 *
 * SIGTERM used to push HG_CMD_STANDBY, refused while the peer cannot take
 * over, and the daemon exited 10 s later whatever the release had done. A
 * stop request must release whatever the peer can do (docs/decisions.md,
 * "Stopping the agent"), and the daemon waits for hg_core_quiescent().
 */
#include "check.h"
#include "agent/core/core.h"

#include <string.h>

#define NSVC 3

static struct hg_core C;        /* big: keep them off the stack */
static struct hg_actions OUT;
static hg_ms T;
static uint64_t peer_seq;

static void params(struct hg_params *p)
{
	memset(p, 0, sizeof(*p));
	p->self_id = 1;
	p->peer_id = 2;
	p->self_prio = 200;
	p->peer_prio = 100;
	p->n_lans = 1;
	p->n_services = NSVC;
	p->interval = 100;
	p->deadtime = 300;
	p->wait_for_peer = 1000;
	p->fence_delay = 2000;
	p->fence_retry = 1000;
	p->failback_holddown = 5000;
	p->garp_count = 1;
	p->garp_interval = 50;
	for (int s = 0; s < NSVC; s++) {
		p->svc_check_interval[s] = 100000;   /* no checks in the way */
		p->svc_restarts[s] = 2;
		p->svc_window[s] = 60000;
		p->svc_backoff[s] = 100;
	}
}

static void step(struct hg_event *ev)
{
	ev->now = T;
	OUT.n = 0;
	hg_core_step(&C, ev, &OUT);
}

static void tick(void) { struct hg_event ev = { .type = HG_EV_TICK }; step(&ev); }

/* An answer to the request in flight (its generation, as a shell echoes it). */
static void answer(enum hg_ev_type type, int svc, int op, int ok)
{
	struct hg_event ev = { .type = type, .svc = svc, .op = op, .ok = ok };
	if (type == HG_EV_VIP)
		ev.gen = C.vip_gen;
	else if (type == HG_EV_SVC)
		ev.gen = op == HG_SVC_START || op == HG_SVC_STOP ? C.svc[svc].op_gen : C.svc[svc].chk_gen;
	step(&ev);
}

static void cmd(enum hg_cmd c)
{
	struct hg_event ev = { .type = HG_EV_CMD, .cmd = c };
	step(&ev);
}

/* A heartbeat from b in `role`, with `flags`. */
static void peer_hb(int role, int flags)
{
	struct hg_event ev = { .type = HG_EV_HB };
	ev.hb = (struct hg_hb){ .from = 2, .to = 1, .incarnation = 77, .seq = ++peer_seq,
				.role = (uint8_t)role, .flags = (uint8_t)flags,
				.ack_incarnation = C.incarnation };
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

static int n_of(enum hg_act_type type, int op)
{
	int n = 0;
	for (int k = 0; k < OUT.n; k++)
		n += OUT.a[k].type == type && (op < 0 || OUT.a[k].op == op);
	return n;
}

static int reply_ok(void)
{
	int k = find(HG_ACT_REPLY, -1, -1);
	return k >= 0 && OUT.a[k].ok;
}

static int last_hb_flags(void)
{
	int f = -1;
	for (int k = 0; k < OUT.n; k++)
		if (OUT.a[k].type == HG_ACT_SEND_HB)
			f = OUT.a[k].hb.flags;
	return f;
}

/* Boots alone, fences the silent peer, takes over; services start in order.
 * start_upto: how many starts are answered (NSVC: all running). */
static void become_active(int start_upto)
{
	struct hg_params p;
	uint64_t gen = 0;

	params(&p);
	T = 0;
	peer_seq = 0;
	hg_core_init(&C, &p, 5, T);
	answer(HG_EV_LINK, 0, 0, 1);
	for (int i = NSVC - 1; i >= 0; i--)   /* the start-up clean-up's stops */
		answer(HG_EV_SVC, i, HG_SVC_STOP, 1);
	for (T = 10; T < 5000 && !gen; T += 10) {
		tick();
		int k = find(HG_ACT_FENCE, -1, -1);
		if (k >= 0)
			gen = OUT.a[k].gen;
	}
	CHECK(gen != 0);
	struct hg_event ev = { .type = HG_EV_FENCE, .gen = gen, .outcome = HG_FENCE_CONFIRMED };
	step(&ev);
	CHECK_EQ(C.role, HG_ROLE_ACTIVE);
	CHECK(find(HG_ACT_VIP, HG_VIP_ADD, -1) >= 0);
	T += 5;
	answer(HG_EV_VIP, 0, HG_VIP_ADD, 1);
	for (int i = 0; i < start_upto; i++) {
		CHECK(find(HG_ACT_SVC, HG_SVC_START, i) >= 0);
		T += 5;
		answer(HG_EV_SVC, i, HG_SVC_START, 1);
	}
	T += 5;
}

/* The hole itself: the peer is back but not eligible (it cannot take over
 * now), and the operator stops the agent on the active node. */
static void test_shutdown_active_peer_cannot_take(void)
{
	become_active(NSVC);
	CHECK_EQ(C.svc[NSVC - 1].state, HG_SVC_RUNNING);
	peer_hb(HG_ROLE_STANDBY, 0);
	CHECK_EQ(C.role, HG_ROLE_ACTIVE);
	CHECK(!hg_core_quiescent(&C));

	/* what the daemon did until now: refused, nothing moves */
	cmd(HG_CMD_STANDBY);
	CHECK(!reply_ok());
	CHECK_EQ(C.role, HG_ROLE_ACTIVE);

	T += 5;
	cmd(HG_CMD_SHUTDOWN);
	CHECK(reply_ok());
	CHECK_EQ(C.role, HG_ROLE_RELEASING);
	CHECK_EQ(C.admin_standby, 1);
	CHECK(last_hb_flags() >= 0 && (last_hb_flags() & HG_F_HANDOVER));
	/* reverse order, one at a time, each after the previous answered */
	for (int i = NSVC - 1; i >= 0; i--) {
		CHECK(find(HG_ACT_SVC, HG_SVC_STOP, i) >= 0);
		CHECK_EQ(n_of(HG_ACT_SVC, HG_SVC_STOP), 1);
		CHECK(find(HG_ACT_VIP, HG_VIP_DEL, -1) < 0);
		CHECK(!hg_core_quiescent(&C));   /* a stop is running */
		T += 1000;
		tick();                          /* a slow stop: still waiting */
		CHECK_EQ(C.role, HG_ROLE_RELEASING);
		CHECK(!hg_core_quiescent(&C));
		answer(HG_EV_SVC, i, HG_SVC_STOP, 1);
		CHECK_EQ(C.svc[i].state, HG_SVC_STOPPED);
	}
	CHECK(find(HG_ACT_VIP, HG_VIP_DEL, -1) >= 0);
	CHECK(!hg_core_quiescent(&C));           /* the VIPs are still here */
	T += 5;
	answer(HG_EV_VIP, 0, HG_VIP_DEL, 1);
	CHECK_EQ(C.vip_held, 0);
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
	CHECK(!hg_core_eligible(&C));

	/* stays down: no takeover, no restart, whatever the peer says */
	for (int k = 0; k < 50; k++) {
		T += 100;
		peer_hb(HG_ROLE_STANDBY, HG_F_ELIGIBLE | HG_F_GRANT);
		CHECK(find(HG_ACT_VIP, HG_VIP_ADD, -1) < 0);
		CHECK(find(HG_ACT_SVC, HG_SVC_START, -1) < 0);
	}
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
}

/* Stopped while the start sequence is still running: the start in flight
 * is answered, then stopped; nothing is left running. */
static void test_shutdown_during_start(void)
{
	become_active(1);                 /* service 0 running, 1 starting */
	CHECK(C.svc[1].busy);
	cmd(HG_CMD_SHUTDOWN);
	CHECK(reply_ok());
	CHECK_EQ(C.role, HG_ROLE_RELEASING);
	CHECK(!hg_core_quiescent(&C));
	/* the shell's view: which operation each service runs, a VIP removal asked */
	int pending[NSVC], vip_del = 0;
	for (int i = 0; i < NSVC; i++)
		pending[i] = C.svc[i].busy ? HG_SVC_START : -1;
	for (int guard = 0; guard < 20 && C.role == HG_ROLE_RELEASING; guard++) {
		for (int k = 0; k < OUT.n; k++) {
			if (OUT.a[k].type == HG_ACT_SVC && OUT.a[k].op == HG_SVC_STOP)
				pending[OUT.a[k].svc] = HG_SVC_STOP;
			vip_del |= OUT.a[k].type == HG_ACT_VIP && OUT.a[k].op == HG_VIP_DEL;
		}
		CHECK(find(HG_ACT_SVC, HG_SVC_START, -1) < 0);
		T += 5;
		int i = NSVC - 1;
		while (i >= 0 && pending[i] < 0)
			i--;
		if (pending[1] == HG_SVC_START)
			i = 1;                              /* the late start first */
		if (i >= 0) {
			int op = pending[i];
			pending[i] = -1;
			answer(HG_EV_SVC, i, op, 1);
		} else if (vip_del) {
			vip_del = 0;
			answer(HG_EV_VIP, 0, HG_VIP_DEL, 1);
		} else {
			tick();
		}
	}
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	for (int i = 0; i < NSVC; i++)
		CHECK(C.svc[i].state != HG_SVC_RUNNING && !C.svc[i].busy);
	CHECK(hg_core_quiescent(&C));
}

/* A removal that fails keeps the node holding the VIPs: not quiescent. */
static void test_shutdown_vip_removal_fails(void)
{
	become_active(NSVC);
	cmd(HG_CMD_SHUTDOWN);
	for (int i = NSVC - 1; i >= 0; i--) {
		T += 5;
		answer(HG_EV_SVC, i, HG_SVC_STOP, 1);
	}
	answer(HG_EV_VIP, 0, HG_VIP_DEL, 0);
	CHECK_EQ(C.role, HG_ROLE_RELEASING);
	CHECK(!hg_core_quiescent(&C));
	int retried = 0;
	for (int k = 0; k < 10 && !retried; k++) {
		T += 50;
		tick();
		retried = find(HG_ACT_VIP, HG_VIP_DEL, -1) >= 0;
	}
	CHECK(retried);
	answer(HG_EV_VIP, 0, HG_VIP_DEL, 1);
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
}

/* On a standby the request only keeps the node from taking over. */
static void test_shutdown_standby(void)
{
	struct hg_params p;

	params(&p);
	T = 0;
	peer_seq = 0;
	hg_core_init(&C, &p, 5, T);
	answer(HG_EV_LINK, 0, 0, 1);
	for (int i = NSVC - 1; i >= 0; i--)   /* the start-up clean-up's stops */
		answer(HG_EV_SVC, i, HG_SVC_STOP, 1);
	for (T = 10; T < 500; T += 50)
		peer_hb(HG_ROLE_ACTIVE, HG_F_HOLDS_VIP | HG_F_ELIGIBLE);
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
	cmd(HG_CMD_SHUTDOWN);
	CHECK(reply_ok());
	CHECK_EQ(C.admin_standby, 1);
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
	/* the active peer goes silent: a stopping node does not fence it */
	int fenced = 0;
	for (; T < 8000; T += 50) {
		tick();
		fenced |= find(HG_ACT_FENCE, -1, -1) >= 0;
	}
	CHECK(!fenced);
	CHECK_EQ(C.role, HG_ROLE_STANDBY);
	CHECK(hg_core_quiescent(&C));
}

int main(void)
{
	test_shutdown_active_peer_cannot_take();
	test_shutdown_during_start();
	test_shutdown_vip_removal_fails();
	test_shutdown_standby();
	return check_report();
}
