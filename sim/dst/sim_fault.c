/*
 * sim_fault.c - see sim_fault.h: the faults one at a time, and heal.
 */
#include "sim_fault.h"
#include "sim_fence.h"

#include <string.h>

enum fault_item {        /* .arg of SIM_I_FAULT items (-1 is a thaw) */
	FI_BOOT = 1,     /* power .to back on */
	FI_LINK_UP,      /* carrier back on .to's LAN .ev.lan */
	FI_LINK_DOWN,    /* carrier lost again (a flap) */
	FI_CMD,          /* operator command .ev.cmd on .to */
	FI_HOST,         /* host watch tells .to's core its health */
};

static void later(struct sim_world *w, hg_ms delay, int to, int what, int lan, int cmd)
{
	struct sim_qitem it;

	memset(&it, 0, sizeof(it));
	it.kind = SIM_I_FAULT;
	it.due = w->now + delay;
	it.to = to;
	it.arg = what;
	it.boot = w->n[to].boot;
	it.ev.lan = lan;
	it.ev.cmd = (enum hg_cmd)cmd;
	sim_push(w, &it);
}

void sim_fault_fire(struct sim_world *w, const struct sim_qitem *it)
{
	struct sim_node *me = &w->n[it->to];

	switch (it->arg) {
	case FI_BOOT:
		if (!me->powered)
			sim_boot(w, it->to);
		break;
	case FI_LINK_UP:
		if (me->powered && !me->link[it->ev.lan]) {
			me->cable_cut[it->ev.lan] = 0;
			sim_trace(w, it->to, "fault end: carrier back on LAN %d", it->ev.lan);
			sim_set_link(w, it->to, it->ev.lan, 1);
		}
		break;
	case FI_LINK_DOWN:
		if (me->powered && me->link[it->ev.lan]) {
			me->cable_cut[it->ev.lan] = 1;
			sim_set_link(w, it->to, it->ev.lan, 0);
		}
		break;
	case FI_HOST:
		if (me->powered) {
			struct hg_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.type = HG_EV_HOST;
			ev.ok = !me->host_bad;
			struct sim_qitem q;
			memset(&q, 0, sizeof(q));
			q.kind = SIM_I_EVENT;
			q.due = w->now;
			q.to = q.from = it->to;
			q.boot = me->boot;
			q.ev = ev;
			sim_push(w, &q);
		}
		break;
	case FI_CMD:
		sim_trace(w, it->to, "operator: %s", it->ev.cmd == HG_CMD_SWITCHOVER ? "switchover" :
			  it->ev.cmd == HG_CMD_STANDBY ? "standby" : "unstandby");
		sim_cmd(w, it->to, it->ev.cmd);
		break;
	}
}

static uint32_t pick(struct sim_world *w, uint32_t n)
{
	return (uint32_t)sim_rng_range(&w->rng, 0, n - 1);
}

static void fault_lan(struct sim_world *w, int kind)
{
	int l = (int)pick(w, (uint32_t)w->n_lans);
	struct sim_lan *lan = &w->lan[l];
	uint32_t iv = w->n[0].params.interval;

	switch (kind) {
	case 0:
		lan->loss_pm = sim_rng_pm(&w->rng, 300) ? 0 : (uint32_t)sim_rng_range(&w->rng, 50, 900);
		sim_trace(w, -1, "fault: LAN %d loses %u per mille", l, lan->loss_pm);
		break;
	case 1:
		lan->delay_min = (uint32_t)sim_rng_range(&w->rng, 0, iv / 2);
		lan->delay_max = lan->delay_min + (uint32_t)sim_rng_range(&w->rng, 0, 2 * iv);
		sim_trace(w, -1, "fault: LAN %d delays %u..%u ms (reorders)", l,
			  lan->delay_min, lan->delay_max);
		break;
	case 2:
		lan->dup_pm = (uint32_t)sim_rng_range(&w->rng, 0, 500);
		sim_trace(w, -1, "fault: LAN %d duplicates %u per mille", l, lan->dup_pm);
		break;
	case 3: {
		int from = (int)pick(w, 2);
		lan->cut[from][!from] = !lan->cut[from][!from];
		sim_trace(w, -1, "fault: LAN %d %c->%c %s", l, 'a' + from, 'a' + !from,
			  lan->cut[from][!from] ? "cut" : "restored");
		break;
	}
	default: {
		int cut = !lan->cut[0][1];
		for (int k = 0; k < w->n_lans; k++)
			w->lan[k].cut[0][1] = w->lan[k].cut[1][0] = cut;
		sim_trace(w, -1, "fault: %s", cut ? "full partition" : "partition healed");
		break;
	}
	}
}

static void fault_node(struct sim_world *w, int kind, struct sim_stats *st)
{
	int i = (int)pick(w, 2);
	struct sim_node *me = &w->n[i];
	uint32_t dt = me->params.deadtime;
	int l = (int)pick(w, (uint32_t)w->n_lans);

	if (!me->powered && kind != 3)
		return;
	switch (kind) {
	case 0: {    /* carrier loss; a reset may or may not repair it */
		me->cable_cut[l] = sim_rng_pm(&w->rng, 500);
		sim_trace(w, i, "fault: carrier lost on LAN %d%s", l,
			  me->cable_cut[l] ? " (cable: resets do not help)" : "");
		sim_set_link(w, i, l, 0);
		if (me->cable_cut[l] && sim_rng_pm(&w->rng, 700))
			later(w, (hg_ms)sim_rng_range(&w->rng, 50, 4 * dt), i, FI_LINK_UP, l, 0);
		break;
	}
	case 1: {    /* flapping carrier: down and up a few times */
		hg_ms t = 0;
		me->cable_cut[l] = 1;
		sim_set_link(w, i, l, 0);
		sim_trace(w, i, "fault: carrier flaps on LAN %d", l);
		for (int k = 0; k < 5; k++) {
			t += (hg_ms)sim_rng_range(&w->rng, 10, dt);
			later(w, t, i, k % 2 ? FI_LINK_DOWN : FI_LINK_UP, l, 0);
		}
		break;
	}
	case 2:      /* crash: power off, maybe back later */
		sim_trace(w, i, "fault: crash");
		sim_power_off(w, i);
		if (sim_rng_pm(&w->rng, 700))
			later(w, (hg_ms)sim_rng_range(&w->rng, 200, 10000), i, FI_BOOT, 0, 0);
		break;
	case 3:
		if (!me->powered) {
			st->boots++;
			sim_boot(w, i);
		}
		break;
	case 4:      /* hang (SIGSTOP): open-ended or a pause */
		if (sim_rng_pm(&w->rng, 400))
			sim_freeze(w, i, INT64_MAX);
		else
			sim_freeze(w, i, w->now + (hg_ms)sim_rng_range(&w->rng, 50, 6 * dt));
		break;
	case 5:      /* event-loop stall */
		sim_freeze(w, i, w->now + (hg_ms)sim_rng_range(&w->rng, me->params.interval, 2 * dt));
		break;
	case 6:
		sim_agent_restart(w, i);
		break;
	case 7:
		me->fence_mode = (enum sim_fence_mode)pick(w, SIM_FD_COUNT);
		sim_trace(w, i, "fault: fence device now %s", sim_fence_mode_name(me->fence_mode));
		break;
	case 8:
		me->gw_blocked = !me->gw_blocked;
		sim_trace(w, i, "fault: gateway %s", me->gw_blocked ? "silent" : "answers");
		break;
	case 9:
		if (w->n_services) {
			int s = (int)pick(w, (uint32_t)w->n_services);
			me->svc_broken[s] = !me->svc_broken[s];
			sim_trace(w, i, "fault: service %d %s", s,
				  me->svc_broken[s] ? "cannot start" : "repaired");
		}
		break;
	case 11:     /* host watch: load, memory or disk */
		me->host_bad = !me->host_bad;
		sim_trace(w, i, "fault: host %s", me->host_bad ? "unhealthy" : "healthy");
		later(w, 0, i, FI_HOST, 0, 0);
		break;
	case 12: {    /* its BMC: unreachable, slow, truncated replies, a sensor */
		int what = (int)pick(w, 4);
		if (what == 0)
			me->bmc_down = !me->bmc_down;
		else if (what == 1)
			me->bmc_slow = !me->bmc_slow;
		else if (what == 2)
			me->bmc_truncated = !me->bmc_truncated;
		else
			me->sensor_worst = me->sensor_worst ? HG_SEV_OK : (int)sim_rng_range(&w->rng, 1, 3);
		sim_trace(w, i, "fault: BMC %s", what == 0 ? (me->bmc_down ? "unreachable" : "reachable") :
			  what == 1 ? (me->bmc_slow ? "slow" : "fast") :
			  what == 2 ? (me->bmc_truncated ? "truncated watchdog replies" : "full replies") :
			  (me->sensor_worst ? "sensor critical or worse" : "sensors ok"));
		break;
	}
	case 10:
		if (w->n_services) {
			int s = (int)pick(w, (uint32_t)w->n_services);
			if (me->svc_running[s])
				sim_trace(w, i, "fault: service %d killed", s);
			me->svc_running[s] = 0;
		}
		break;
	default:
		later(w, 0, i, FI_CMD, 0, (int)pick(w, 3));
		break;
	}
}

void sim_fault_random(struct sim_world *w, struct sim_stats *st)
{
	uint32_t k = pick(w, 23);

	st->faults++;
	if (k < 7)
		fault_lan(w, (int)(k % 5));
	else if (k == 22)
		w->svc_fail_pm = sim_rng_pm(&w->rng, 500) ? 0 : (uint32_t)sim_rng_range(&w->rng, 1, 300);
	else if (k == 21) {
		w->gateway_down = !w->gateway_down;
		sim_trace(w, -1, "fault: gateway %s", w->gateway_down ? "down" : "up");
	} else
		fault_node(w, (int)(k - 7), st);
}

void sim_fault_heal(struct sim_world *w)
{
	sim_trace(w, -1, "heal");
	/* pending fault steps and late fence-device power-offs are cancelled */
	sim_purge(w, SIM_I_FAULT);
	sim_purge(w, SIM_I_POWER_OFF);
	w->gateway_down = 0;
	w->svc_fail_pm = 0;
	for (int l = 0; l < w->n_lans; l++) {
		memset(&w->lan[l], 0, sizeof(w->lan[l]));
		w->lan[l].delay_max = 1;
	}
	for (int i = 0; i < w->n_nodes; i++) {
		struct sim_node *me = &w->n[i];
		me->gw_blocked = 0;
		me->bmc_down = me->bmc_slow = me->bmc_truncated = me->sensor_worst = 0;
		if (me->host_bad) {
			me->host_bad = 0;
			later(w, 0, i, FI_HOST, 0, 0);
		}
		me->fence_mode = SIM_FD_OK;
		memset(me->svc_broken, 0, sizeof(me->svc_broken));
		for (int l = 0; l < w->n_lans; l++) {
			me->cable_cut[l] = 0;
			if (me->powered && !me->link[l])
				sim_set_link(w, i, l, 1);
		}
		if (!me->powered)
			sim_boot(w, i);
		else
			sim_thaw(w, i);
		later(w, 0, i, FI_CMD, 0, HG_CMD_UNSTANDBY);
	}
}

hg_ms sim_liveness_bound(const struct sim_world *w, int survivor)
{
	const struct sim_node *s = &w->n[survivor];
	const struct hg_params *p = &s->params;
	hg_ms lan_delay = 0, b;

	for (int l = 0; l < w->n_lans; l++)
		if (w->lan[l].delay_max > lan_delay)
			lan_delay = w->lan[l].delay_max;
	/* the last packet of the dead node still arrives (ICMP: a round trip),
	 * then every path must stay silent for the deadtime */
	b = 2 * lan_delay + p->deadtime;
	/* rule 6's fence delay: only if the survivor did not see the peer serve */
	int was_active = s->core.peer.incarnation &&
		(s->core.peer.view.role == HG_ROLE_ACTIVE ||
		 s->core.peer.view.role == HG_ROLE_RELEASING ||
		 s->core.peer.view.role == HG_ROLE_TAKING ||
		 (s->core.peer.view.flags & HG_F_HOLDS_VIP));
	int preferred = p->peer_prio != p->self_prio ? p->peer_prio > p->self_prio
						     : p->peer_id < p->self_id;
	if (!was_active && preferred)
		b += p->fence_delay;
	/* a stall guard still holding */
	if (s->core.stall_hold_until > w->now)
		b += s->core.stall_hold_until - w->now;
	/* rule 4's question to the peer's BMC (power off: no watchdog wait) */
	if (p->have_peer_bmc)
		b += w->bmc_ms + 100;
	/* the fence device (working: power off, read back) and the VIP */
	b += w->fence_ok_ms + 5;
	/* margin: one heartbeat interval */
	return b + p->interval;
}
