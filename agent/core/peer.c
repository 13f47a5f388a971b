/*
 * peer.c - what we know of the peer: replay window, path liveness, freshness.
 *
 * Replay protection (DESIGN.md "Heartbeat wire format"): a packet is accepted
 * when its incarnation is newer than any seen, or equal and its sequence number
 * is newer than the highest seen, or within the 64-packet window below it and
 * not seen before (packets on different LANs overtake each other). Everything
 * else is a replay and changes nothing. A previous life of ours persisted the
 * newest incarnation it heard; that one and older are replays too.
 */
#include "agent/core/peer.h"
#include "agent/core/internal.h"

enum hg_replay hg_replay_check(struct hg_peer *pr, uint64_t inc, uint64_t seq)
{
	/* The floor (hg_core_set_peer_floor) included: that incarnation's
	 * window was lost when we restarted. */
	if (inc == 0 || seq == 0 || inc <= pr->min_incarnation)
		return HG_REPLAY_REJECT;
	if (inc < pr->incarnation)
		return HG_REPLAY_REJECT;
	if (inc > pr->incarnation) {
		pr->incarnation = inc;
		pr->max_seq = seq;
		pr->window = 1;
		return HG_REPLAY_NEW;
	}
	if (seq > pr->max_seq) {
		uint64_t shift = seq - pr->max_seq;
		pr->window = shift >= 64 ? 1 : (pr->window << shift) | 1;
		pr->max_seq = seq;
		return HG_REPLAY_NEW;
	}
	uint64_t back = pr->max_seq - seq;
	if (back >= 64 || (pr->window >> back) & 1)
		return HG_REPLAY_REJECT;
	pr->window |= (uint64_t)1 << back;
	return HG_REPLAY_OLD;
}

void hg_core_set_peer_floor(struct hg_core *c, uint64_t incarnation)
{
	c->peer.min_incarnation = incarnation;
}

int hg_path_alive(const struct hg_peer *pr, int path, hg_ms now, uint32_t deadtime)
{
	return now - pr->path_last[path] < (hg_ms)deadtime;
}

int hg_peer_any_path(const struct hg_peer *pr, int n_paths, hg_ms now,
		     uint32_t deadtime)
{
	for (int p = 0; p < n_paths; p++)
		if (hg_path_alive(pr, p, now, deadtime))
			return 1;
	return 0;
}

hg_ms hg_peer_silent_since(const struct hg_peer *pr, int n_paths)
{
	hg_ms last = pr->path_last[0];

	for (int p = 1; p < n_paths; p++)
		if (pr->path_last[p] > last)
			last = pr->path_last[p];
	return last;
}

/* Review finding 6: the peer's watchdog evidence (evidence.c) assumes that
 * the peer resets at our cadence and at most one of *our* intervals late;
 * the configuration is one cluster-wide file, but two nodes may run two.
 * The wire says nothing of the peer's interval, but its heartbeats carry its
 * clock: between two batches (one per turn, same sent_ms on every LAN) lies
 * at most its interval, and exactly that in steady state. If the shortest
 * gap of a whole window (gaps across a lost batch left out) is clearly
 * longer than our interval, the peer runs a slower one; for the rest of
 * its life its old resets prove nothing (evidence.c). An extra batch (a
 * change answered at once) only shortens a window, so a slower peer may go
 * unseen a window longer, never the reverse; a same-interval peer would
 * need a window of late turns, and then only waits longer for proof. */
#define GAP_WINDOW 8

static void peer_gap(struct hg_core *c, const struct hg_hb *hb, struct hg_actions *out)
{
	struct hg_peer *pr = &c->peer;
	uint64_t iv = c->p.interval, tol = iv / 4 + 10;

	if (hb->sent_ms <= pr->view.sent_ms)
		return;        /* the same batch on another LAN */
	/* A batch is one packet per LAN, each with the next seq: at most
	 * n_lans apart, the two packets are of consecutive batches; further,
	 * a whole batch was lost between them and the gap is no sample. */
	if (hb->seq - pr->view.seq > (uint64_t)c->p.n_lans)
		return;
	uint64_t gap = hb->sent_ms - pr->view.sent_ms;
	if (!pr->gaps || gap < pr->gap_min)
		pr->gap_min = gap;
	if (++pr->gaps < GAP_WINDOW)
		return;
	if (!pr->slower && pr->gap_min > iv + tol) {
		pr->slower = 1;
		hg_record(out, "peer_interval", "4",
			  "the peer's heartbeats come at least %llu ms apart in its own clock, our interval_ms is %u: it runs another configuration; a watchdog reset of it that looks too old is no proof of a dead agent (only power off is)",
			  (unsigned long long)pr->gap_min, c->p.interval);
	}
	pr->gaps = 0;
}

/* An authenticated heartbeat from the peer's address: replay-checked, it
 * counts as life on its path; only the newest updates the peer's state. */
void hg_on_hb(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out)
{
	const struct hg_hb *hb = &ev->hb;

	if (hb->from != c->p.peer_id || hb->to != c->p.self_id ||
	    ev->lan < 0 || ev->lan >= c->p.n_lans) {
		c->cnt.rx_reject[HG_REJ_UNKNOWN]++;
		return;
	}
	uint64_t old_inc = c->peer.incarnation;
	/* The floor's incarnation is the peer's current life only once it
	 * acknowledges ours: a packet captured before our restart cannot name
	 * an incarnation of ours that did not exist yet (docs/protocol.md). */
	if (c->peer.min_incarnation && hb->incarnation == c->peer.min_incarnation &&
	    hb->ack_incarnation == c->incarnation)
		c->peer.min_incarnation--;
	enum hg_replay r = hg_replay_check(&c->peer, hb->incarnation, hb->seq);
	if (r == HG_REPLAY_REJECT) {
		c->cnt.rx_replay++;
		return;
	}
	c->cnt.rx_ok++;
	c->peer.path_last[ev->lan * 2] = ev->now;
	if (c->peer.last_rx != HG_NEVER && ev->now - c->peer.last_rx > c->peer.max_gap)
		c->peer.max_gap = ev->now - c->peer.last_rx;
	c->peer.last_rx = ev->now;
	if (r != HG_REPLAY_NEW)
		return;
	if (old_inc && hb->incarnation != old_inc) {
		c->peer.max_gap = 0;   /* a new life of the peer: gaps start anew */
		c->peer.gaps = 0;
		c->peer.slower = 0;
	} else if (old_inc) {
		peer_gap(c, hb, out);
	}
	if (old_inc && hb->incarnation != old_inc)
		hg_record(out, "peer_restarted", "6", "peer started anew (incarnation %llu -> %llu)",
			  (unsigned long long)old_inc, (unsigned long long)hb->incarnation);
	int changed = !old_inc || hb->role != pv(c)->role ||
		      ((hb->flags ^ pv(c)->flags) & (HG_F_GRANT | HG_F_HOLDS_VIP | HG_F_WANT | HG_F_ELIGIBLE));
	c->peer.view = *hb;
	c->peer.last_hb = ev->now;
	if (changed && ev->now > c->next_hb - (hg_ms)c->p.interval + 1)
		c->next_hb = ev->now;   /* answer a change at once, once per turn */
}

