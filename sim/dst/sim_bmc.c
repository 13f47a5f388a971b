/*
 * sim_bmc.c - see sim_bmc.h.
 */
#include "sim_bmc.h"

#include <string.h>

#define POLL_MS 2000   /* the shell reads both BMCs this often (bmc_poll_ms default) */

static hg_ms poll_ms(const struct sim_world *w)
{
	return w->bmc_poll_ms ? (hg_ms)w->bmc_poll_ms : POLL_MS;
}

struct hg_bmc_report sim_bmc_report(const struct sim_world *w, int target)
{
	const struct sim_node *t = &w->n[target];
	struct hg_bmc_report r;

	memset(&r, 0, sizeof(r));
	r.reachable = !t->bmc_down;
	if (!r.reachable) {
		r.power = -1;
		return r;
	}
	r.power = t->powered;
	r.sensor_worst = t->sensor_worst;
	r.wdt_expired = t->wdt_fired;
	if (t->powered && t->wdt_armed && !t->bmc_truncated) {
		hg_ms left = t->wdt_last_pet + t->wdt_ms - w->now;
		r.wdt_usable = 1;
		r.wdt_initial_ms = t->wdt_ms;
		r.wdt_present_ms = left > 0 ? (uint32_t)(left / 100 * 100) : 0;
	}
	return r;
}

void sim_bmc_poll(struct sim_world *w, int i, int who)
{
	int target = who ? w->n[i].params.peer_id - 1 : i;
	const struct sim_node *t = &w->n[target];
	hg_ms lat = (hg_ms)sim_rng_range(&w->rng, 2, t->bmc_slow ? 2000 : w->bmc_ms);
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_BMC;
	/* the reading is taken when the BMC answers; simpler and stricter:
	 * read it now, deliver it later (it ages on the way) */
	ev.bmc = sim_bmc_report(w, target);
	if (ev.bmc.reachable && sim_mgmt_lost(w, i, !who)) {
		/* the worker's tries all lost: unreachable, after its budget */
		memset(&ev.bmc, 0, sizeof(ev.bmc));
		ev.bmc.power = -1;
		lat = 2 * (hg_ms)w->n[i].params.bmc_timeout;
	}
	ev.bmc.who = who;
	ev.bmc.wdt_lo = ev.bmc.wdt_hi = w->now;   /* measured now, delivered later */
	sim_answer(w, i, lat, &ev);
}

void sim_bmc_pet(struct sim_world *w, int i)
{
	struct sim_node *me = &w->n[i];

	if (!me->params.self_fence)
		return;
	/* the daemon resets on every action: the core keeps the cadence */
	me->shell_last_pet = w->now;
	/* in-band (own_bmc = hostif or inband), or over the management port
	 * with own_bmc = lan: an unreachable BMC takes no reset (its
	 * countdown goes on) */
	if (me->bmc_down || sim_mgmt_lost(w, i, 1)) {
		me->pet_lost_bmc |= me->bmc_down;
		return;
	}
	me->pet_lost_bmc = 0;
	if (!me->wdt_armed)
		sim_trace(w, i, "watchdog armed (%u ms)", me->wdt_ms);
	else if (w->now - me->wdt_last_pet > (hg_ms)me->wdt_ms / 6 + me->params.interval + 100)
		me->pet_streak_since = w->now;   /* a gap: the streak starts again */
	if (!me->wdt_armed)
		me->pet_streak_since = w->now;
	me->wdt_armed = 1;
	me->wdt_fired = 0;
	me->wdt_last_pet = w->now;
}

hg_ms sim_bmc_next(const struct sim_world *w)
{
	hg_ms t = INT64_MAX;

	for (int i = 0; i < w->n_nodes; i++) {
		const struct sim_node *me = &w->n[i];
		if (!me->powered)
			continue;
		if (me->wdt_armed && me->wdt_last_pet + me->wdt_ms < t)
			t = me->wdt_last_pet + me->wdt_ms;
		if (me->params.have_own_bmc && me->own_poll_at < t)
			t = me->own_poll_at;
	}
	return t;
}

void sim_bmc_tick(struct sim_world *w)
{
	for (int i = 0; i < w->n_nodes; i++) {
		struct sim_node *me = &w->n[i];
		if (!me->powered)
			continue;
		if (me->wdt_armed && w->now >= me->wdt_last_pet + me->wdt_ms) {
			sim_trace(w, i, "watchdog expired: the BMC powers the node off");
			/* the core still asked for resets at its cadence: only its
			 * path lost them; in-band that is a healthy node shot
			 * (issue 11), over the LAN the documented risk */
			hg_ms every = (hg_ms)me->wdt_ms / 6 > (hg_ms)me->params.interval ?
				      (hg_ms)me->wdt_ms / 6 : (hg_ms)me->params.interval;
			if (!me->pet_lost_bmc && !sim_frozen(w, i) && me->params.self_fence &&
			    !me->core.pet_stopped &&
			    w->now - me->shell_last_pet <= every + (hg_ms)me->params.interval + 100) {
				if (me->own_lan)
					me->lan_self_fences++;
				else
					sim_fail(w, "5", "node %c powered off by its own watchdog while its agent resets it in-band (last asked %lld ms ago)",
						 'a' + i, (long long)(w->now - me->shell_last_pet));
			}
			me->wdt_armed = 0;
			sim_power_off(w, i);
			me->wdt_fired = 1;
			continue;
		}
		if (me->params.have_own_bmc && w->now >= me->own_poll_at) {
			me->own_poll_at = w->now + poll_ms(w);
			if (!sim_frozen(w, i)) {
				sim_bmc_poll(w, i, 0);
				if (me->params.have_peer_bmc)
					sim_bmc_poll(w, i, 1);
			}
		}
	}
}

int sim_mgmt_lost(struct sim_world *w, int i, int own)
{
	const struct sim_node *me = &w->n[i];

	if (own && !me->own_lan)
		return 0;
	if (me->mgmt_loss_pm >= 1000)
		return 1;
	return me->mgmt_loss_pm && sim_rng_pm(&w->rng, me->mgmt_loss_pm);
}
