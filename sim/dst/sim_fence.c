/*
 * sim_fence.c - see sim_fence.h.
 */
#include "sim_fence.h"
#include "sim_bmc.h"

#include <string.h>

#define READBACK 1   /* .ev.ok of an answer: CONFIRMED only if read back off */

static void answer(struct sim_world *w, int i, hg_ms delay, uint64_t gen,
		   enum hg_fence_outcome o, int readback)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_FENCE;
	ev.gen = gen;
	ev.outcome = o;
	ev.ok = readback;
	sim_answer(w, i, delay, &ev);
}

static void power_off(struct sim_world *w, int target, hg_ms delay)
{
	struct sim_qitem it;

	memset(&it, 0, sizeof(it));
	it.kind = SIM_I_POWER_OFF;
	it.due = w->now + delay;
	it.to = target;
	sim_push(w, &it);
}

void sim_fence_request(struct sim_world *w, int i, uint64_t gen, hg_ms since)
{
	int peer = w->n[i].params.peer_id - 1;
	hg_ms ok = (hg_ms)sim_rng_range(&w->rng, w->fence_ok_ms / 2 + 1, w->fence_ok_ms);
	hg_ms slow = (hg_ms)sim_rng_range(&w->rng, w->fence_ok_ms, w->fence_slow_ms);
	hg_ms to = w->fence_timeout_ms;

	/* Every level goes through our management port (a PDU too, on the
	 * same LAN): lost there, no device hears it. */
	if (sim_mgmt_lost(w, i, 0)) {
		sim_trace(w, i, "fence request lost on the management port");
		answer(w, i, to, gen, HG_FENCE_FAILED, 0);
		return;
	}
	/* The daemon's first level is native IPMI (agent/bmcw.c fence_bmc): on
	 * a BMC it reaches, it reads the watchdog in its session before the
	 * power-off and powers nothing off if the peer is alive; that reading
	 * reaches the core first (issue 11). Its answer may still be lost. */
	if (w->n[i].params.have_peer_bmc && !w->n[peer].bmc_down &&
	    w->n[i].fence_mode != SIM_FD_FAIL) {
		/* the check's own round trips may be lost on the port: then
		 * nothing is powered off and no later level tries (FAILED) */
		if (sim_mgmt_lost(w, i, 0)) {
			sim_trace(w, i, "native fence: the watchdog check was lost on the management port: nothing powered off");
			answer(w, i, to / 2, gen, HG_FENCE_FAILED, 0);
			return;
		}
		struct hg_bmc_report r = sim_bmc_report(w, peer);
		r.who = 1;
		r.wdt_lo = r.wdt_hi = w->now;   /* measured now, in the fence's session */
		if (hg_bmc_alive_since(&r, since)) {
			struct hg_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.type = HG_EV_BMC;
			ev.bmc = r;
			sim_trace(w, i, "native fence: the peer's watchdog was reset since the silence began: refused");
			if (w->n[i].fence_mode == SIM_FD_LOST)
				return;
			sim_answer(w, i, ok / 2, &ev);
			answer(w, i, ok, gen, HG_FENCE_REFUSED, 0);
			return;
		}
	}
	/* From here the device powers the peer off (or may): never a healthy
	 * one (the invariant judges the shot, not the attempt: an attempt on
	 * no evidence is refused above when the peer is alive). */
	if (w->n[i].fence_mode != SIM_FD_FAIL && sim_healthy_cut_off(w, i))
		sim_fail(w, "4", "node %c's fence powers off a healthy peer: its watchdog has been reset at the daemon's cadence since %lld, before the silence began (%lld), and its BMC answers",
			 'a' + i, (long long)w->n[peer].pet_streak_since, (long long)w->n[i].heard_at);
	switch (w->n[i].fence_mode) {
	case SIM_FD_OK:
		power_off(w, peer, ok / 2);
		answer(w, i, ok, gen, HG_FENCE_CONFIRMED, READBACK);
		break;
	case SIM_FD_SLOW:
		power_off(w, peer, slow / 2);
		answer(w, i, slow, gen, HG_FENCE_CONFIRMED, READBACK);
		break;
	case SIM_FD_FAIL:
		answer(w, i, sim_rng_range(&w->rng, 1, (uint64_t)to), gen, HG_FENCE_FAILED, 0);
		break;
	case SIM_FD_UNKNOWN:
		if (sim_rng_pm(&w->rng, 500))
			power_off(w, peer, ok / 2);
		answer(w, i, ok, gen, HG_FENCE_UNKNOWN, 0);
		break;
	case SIM_FD_LOST:
		if (sim_rng_pm(&w->rng, 500))
			power_off(w, peer, ok / 2);
		sim_trace(w, i, "fault: the fence answer will never arrive");
		break;
	case SIM_FD_LATE:
		/* the shell gives up at its timeout; the device acts later and
		 * its answer still arrives, with the old generation */
		answer(w, i, to, gen, HG_FENCE_UNKNOWN, 0);
		power_off(w, peer, to + slow / 2);
		answer(w, i, to + slow, gen, HG_FENCE_CONFIRMED, READBACK);
		break;
	default:
		break;
	}
}

int sim_fence_answer(struct sim_world *w, int i, struct hg_event *ev)
{
	struct sim_node *me = &w->n[i];
	const struct sim_node *peer = &w->n[me->params.peer_id - 1];

	/* power read back: only "off" confirms */
	if (ev->outcome == HG_FENCE_CONFIRMED && ev->ok == READBACK && peer->powered)
		ev->outcome = HG_FENCE_FAILED;
	/* Evidence for rule 2: this very step is a confirmation of the fence
	 * the core is waiting for, and of the peer's current power-off. */
	me->confirm_step = 0;
	if (ev->outcome == HG_FENCE_CONFIRMED && me->core.fence_busy &&
	    ev->gen == me->core.fence_gen) {
		me->confirm_step = w->steps + 1;
		me->confirmed_epoch = peer->power_epoch;
	}
	ev->ok = 0;
	sim_trace(w, i, "fence answer gen %llu: %s", (unsigned long long)ev->gen,
		  ev->outcome == HG_FENCE_CONFIRMED ? "CONFIRMED" :
		  ev->outcome == HG_FENCE_FAILED ? "FAILED" :
		  ev->outcome == HG_FENCE_REFUSED ? "REFUSED" : "UNKNOWN");
	return 0;
}

const char *const sim_fence_mode_names[SIM_FD_COUNT + 1] = {
	"ok", "slow", "fail", "unknown", "late", "lost",
};

const char *sim_fence_mode_name(enum sim_fence_mode m)
{
	return m < SIM_FD_COUNT ? sim_fence_mode_names[m] : "?";
}
