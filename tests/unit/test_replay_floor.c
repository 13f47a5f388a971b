/*
 * test_replay_floor.c - the peer's incarnation floor (issue 10 hole 8): a
 * heartbeat of the incarnation a previous life of ours last heard from the
 * peer, or older, was captured before our restart; its sequence window is
 * lost, so it must be rejected as a replay, never accepted as the peer's life.
 */
#include "check.h"
#include "agent/core/core.h"
#include "agent/core/peer.h"
#include "agent/core/internal.h"

#include <string.h>

static struct hg_core C;
static struct hg_actions out;

static void init(uint64_t floor)
{
	struct hg_params p;

	memset(&p, 0, sizeof(p));
	p.self_id = 2;
	p.peer_id = 1;
	p.self_prio = 100;
	p.peer_prio = 200;
	p.n_lans = 1;
	p.interval = 100;
	p.deadtime = 300;
	p.wait_for_peer = 3000;
	p.fence_retry = 1000;
	p.gateway_timeout = 1000;
	hg_core_init(&C, &p, 50, 1000);
	hg_core_set_peer_floor(&C, floor);
}

static void hb_ack(uint64_t inc, uint64_t seq, uint64_t ack, hg_ms now);
static void hb(uint64_t inc, uint64_t seq, hg_ms now) { hb_ack(inc, seq, 0, now); }

static void hb_ack(uint64_t inc, uint64_t seq, uint64_t ack, hg_ms now)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_HB;
	ev.now = now;
	ev.lan = 0;
	ev.hb.from = 1;
	ev.hb.to = 2;
	ev.hb.incarnation = inc;
	ev.hb.seq = seq;
	ev.hb.ack_incarnation = ack;
	ev.hb.role = HG_ROLE_ACTIVE;
	out.n = 0;
	hg_core_step(&C, &ev, &out);
}

static void test_window(void)
{
	init(7);
	CHECK_EQ(hg_replay_check(&C.peer, 7, 1000), HG_REPLAY_REJECT);  /* the floor itself */
	CHECK_EQ(hg_replay_check(&C.peer, 6, 1), HG_REPLAY_REJECT);
	CHECK_EQ(hg_replay_check(&C.peer, 8, 1), HG_REPLAY_NEW);
	CHECK_EQ(hg_replay_check(&C.peer, 7, 2000), HG_REPLAY_REJECT);
	init(0);   /* no floor: any first incarnation is news */
	CHECK_EQ(hg_replay_check(&C.peer, 1, 1), HG_REPLAY_NEW);
}

/* Through the core: the captured packet changes nothing and is counted. */
static void test_core(void)
{
	init(7);
	hb(7, 500, 1010);
	CHECK_EQ(C.peer.incarnation, 0);
	CHECK_EQ(C.cnt.rx_replay, 1);
	CHECK_EQ(C.cnt.rx_ok, 0);
	CHECK(C.peer.last_hb == HG_NEVER);
	CHECK(C.peer.path_last[0] == 1000);   /* no life on the path */
	hb(8, 1, 1020);
	CHECK_EQ(C.peer.incarnation, 8);
	CHECK_EQ(C.cnt.rx_ok, 1);
	CHECK(C.peer.path_last[0] == 1020);
}

/* A peer that kept running while we restarted: its packets of the floor's
 * incarnation count from the first that acknowledges our current life (50);
 * captured ones (acknowledging our previous life, 49) never do. */
static void test_peer_kept_running(void)
{
	init(7);
	hb_ack(7, 900, 49, 1010);
	CHECK_EQ(C.cnt.rx_replay, 1);
	CHECK_EQ(C.peer.incarnation, 0);
	hb_ack(7, 1000, 50, 1020);
	CHECK_EQ(C.cnt.rx_ok, 1);
	CHECK_EQ(C.peer.incarnation, 7);
	hb_ack(7, 1001, 50, 1030);
	CHECK_EQ(C.cnt.rx_ok, 2);
	hb_ack(7, 800, 49, 1040);      /* captured earlier: below the window */
	CHECK_EQ(C.cnt.rx_replay, 2);
	CHECK_EQ(C.cnt.rx_ok, 2);
	hb_ack(6, 5000, 50, 1050);     /* an older life stays a replay */
	CHECK_EQ(C.cnt.rx_replay, 3);
}

int main(void)
{
	test_window();
	test_core();
	test_peer_kept_running();
	return check_report();
}
