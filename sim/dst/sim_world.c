/*
 * sim_world.c - see sim_world.h. The queue, power, freezing, and the shell:
 * what the daemon would do with each action of a core, done to the
 * simulated world instead (the fence device is in sim_fence.c, the queue in
 * sim_queue.c).
 */
#include "sim_world.h"
#include "sim_fence.h"
#include "sim_bmc.h"
#include "agent/core/dispatch.h"

#include <stdio.h>
#include <string.h>

static void push_event(struct sim_world *w, int to, hg_ms delay, const struct hg_event *ev)
{
	struct sim_qitem it;

	memset(&it, 0, sizeof(it));
	it.kind = SIM_I_EVENT;
	it.due = w->now + delay;
	it.to = it.from = to;
	it.boot = w->n[to].boot;
	it.ev = *ev;
	sim_push(w, &it);
}

static void push_simple(struct sim_world *w, int to, hg_ms delay, enum hg_ev_type t,
			int lan, int ok)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.lan = lan;
	ev.ok = ok;
	push_event(w, to, delay, &ev);
}

/* An answer to one of the core's requests, as the daemon's jobs and workers
 * give it: in time, or (while w->answer_fault_pm draws so) late, never, or
 * twice (a restarted worker, a lost event, a duplicated message). */
void sim_answer(struct sim_world *w, int to, hg_ms delay, const struct hg_event *ev)
{
	if (w->answer_fault_pm && sim_rng_pm(&w->rng, w->answer_fault_pm)) {
		switch (sim_rng_range(&w->rng, 0, 2)) {
		case 0:
			sim_trace(w, to, "fault: the answer (event %d) is lost", ev->type);
			return;
		case 1:
			delay += (hg_ms)sim_rng_range(&w->rng, 100, 20000);
			sim_trace(w, to, "fault: the answer (event %d) comes %lld ms late", ev->type,
				  (long long)delay);
			break;
		default:
			sim_trace(w, to, "fault: the answer (event %d) comes twice", ev->type);
			push_event(w, to, delay + (hg_ms)sim_rng_range(&w->rng, 0, 3000), ev);
			break;
		}
	}
	push_event(w, to, delay, ev);
}

void sim_flood(struct sim_world *w, int i, hg_ms until)
{
	/* what the daemon does with garbage (a bad length, a bad MAC): counts
	 * it; to the core it is HG_EV_HB_REJECT at most, which changes nothing */
	for (hg_ms t = 0; w->now + t < until && t < 10000; t += 5) {
		struct hg_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = HG_EV_HB_REJECT;
		ev.reject = HG_REJ_BAD_MAC;
		ev.lan = (int)(t / 5) % w->n_lans;
		push_event(w, i, t, &ev);
	}
}

/* ---- the network ------------------------------------------------------------ */

/* Does a packet from i to j on lan get through right now (drawn once)? */
static int wire_ok(struct sim_world *w, int i, int j, int lan)
{
	const struct sim_lan *l = &w->lan[lan];

	if (!w->n[i].powered || !w->n[j].powered || !w->n[i].link[lan] ||
	    !w->n[j].link[lan] || l->cut[i][j])
		return 0;
	return !sim_rng_pm(&w->rng, l->loss_pm);
}

static hg_ms wire_delay(struct sim_world *w, int lan)
{
	return (hg_ms)sim_rng_range(&w->rng, w->lan[lan].delay_min, w->lan[lan].delay_max);
}

static void send_hb(struct sim_world *w, int i, const struct hg_hb *hb)
{
	struct sim_node *me = &w->n[i];
	int lan = hb->lan;
	int j = hb->to - 1;    /* node ids are index + 1 */

	/* every granting answer to a claim, by our life and the claimant's
	 * (it survives our own restarts: packets of a previous life are still
	 * in flight) */
	if ((hb->flags & HG_F_GRANT) && hb->ack_claim) {
		unsigned k, n = me->n_grants < SIM_GRANTS ? me->n_grants : SIM_GRANTS;
		for (k = 0; k < n; k++)
			if (me->grants[k].acker == hb->incarnation &&
			    me->grants[k].claimant == hb->ack_incarnation &&
			    me->grants[k].claim == hb->ack_claim)
				break;
		if (k == n) {
			k = me->n_grants++ % SIM_GRANTS;
			me->grants[k].acker = hb->incarnation;
			me->grants[k].claimant = hb->ack_incarnation;
			me->grants[k].claim = hb->ack_claim;
		}
	}
	if (lan >= w->n_lans || j < 0 || j >= w->n_nodes)
		return;
	for (int copy = 0; copy < 2; copy++) {
		if (copy && !sim_rng_pm(&w->rng, w->lan[lan].dup_pm))
			break;
		if (!wire_ok(w, i, j, lan))
			continue;
		struct sim_qitem it;
		memset(&it, 0, sizeof(it));
		it.kind = SIM_I_UDP;
		it.due = w->now + wire_delay(w, lan);
		it.to = j;
		it.from = i;
		it.arg = lan;
		hg_wire_encode(hb, w->key, sizeof(w->key), it.bytes);
		sim_push(w, &it);
	}
	/* The shell pings the peer on the same LAN ... */
	if (wire_ok(w, i, j, lan)) {
		struct sim_qitem it;
		memset(&it, 0, sizeof(it));
		it.kind = SIM_I_ICMP_REQ;
		it.due = w->now + wire_delay(w, lan);
		it.to = j;
		it.from = i;
		it.arg = lan;
		sim_push(w, &it);
	}
	/* ... and the gateway on the public LAN. */
	if (lan == me->params.public_lan && me->link[lan] && !w->gateway_down &&
	    !me->gw_blocked)
		push_simple(w, i, 1 + wire_delay(w, lan), HG_EV_GATEWAY, 0, 1);
}

/* ---- the shell ---------------------------------------------------------------- */

static void do_svc(struct sim_world *w, int i, const struct hg_action *a)
{
	struct sim_node *me = &w->n[i];
	struct hg_event ev;

	if (a->svc < 0 || a->svc >= w->n_services)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_SVC;
	ev.svc = a->svc;
	ev.op = a->op;
	switch (a->op) {
	case HG_SVC_START:
		me->svc_running[a->svc] = ev.ok = !me->svc_broken[a->svc];
		break;
	case HG_SVC_STOP:
		if (me->svc_stop_mode[a->svc] == SIM_STOP_HANGS) {
			/* the daemon's job kills it at its timeout: a failed stop */
			ev.ok = 0;
			ev.gen = a->gen;
			sim_answer(w, i, (hg_ms)me->params.svc_timeout[a->svc] ?
				   (hg_ms)me->params.svc_timeout[a->svc] : 10000, &ev);
			return;
		}
		if (me->svc_stop_mode[a->svc] == SIM_STOP_FAILS) {
			ev.ok = 0;      /* it runs on */
			break;
		}
		me->svc_running[a->svc] = 0;
		ev.ok = 1;
		break;
	case HG_SVC_READY:   /* standby: could it start here? */
		ev.ok = !me->svc_broken[a->svc];
		break;
	default:
		if (me->svc_running[a->svc] && sim_rng_pm(&w->rng, w->svc_fail_pm)) {
			me->svc_running[a->svc] = 0;
			sim_trace(w, i, "fault: service %d died", a->svc);
		}
		ev.ok = me->svc_running[a->svc];
		break;
	}
	ev.gen = a->gen;
	sim_answer(w, i, (hg_ms)sim_rng_range(&w->rng, 2, 60), &ev);
}

/* The shell of node i for one step's actions (agent/core/dispatch.h). */
struct shell_ctx {
	struct sim_world *w;
	int i;
	enum hg_role cur;   /* the role when each action was decided */
};

#define SHELL(name) static void name(void *ctx_, const struct hg_action *a)
#define CTX struct shell_ctx *x = ctx_; struct sim_world *w = x->w; int i = x->i; \
	struct sim_node *me = &w->n[i]; (void)me

static void sh_before(void *ctx_, const struct hg_action *a)
{
	struct shell_ctx *x = ctx_;

	if (!x->w->failed)
		sim_check_action(x->w, x->i, x->cur, a);
}

SHELL(sh_send_hb) { CTX; send_hb(w, i, &a->hb); }
SHELL(sh_fence)
{
	CTX;
	me->fences++;
	sim_trace(w, i, "action: fence gen %llu (device %s)",
		  (unsigned long long)a->gen, sim_fence_mode_name(me->fence_mode));
	sim_fence_request(w, i, a->gen, a->since);
}
SHELL(sh_vip)
{
	CTX;
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	me->vip = a->op == HG_VIP_ADD;
	sim_trace(w, i, "action: vip %s", me->vip ? "add" : "del");
	ev.type = HG_EV_VIP;
	ev.op = a->op;
	ev.gen = a->gen;
	ev.ok = 1;
	sim_answer(w, i, 1, &ev);   /* netlink: answers in order */
}
SHELL(sh_svc) { CTX; do_svc(w, i, a); }
SHELL(sh_link_reset)
{
	CTX;
	sim_trace(w, i, "action: reset link %d%s", a->lan,
		  me->cable_cut[a->lan] ? " (cable cut: no use)" : "");
	if (a->lan >= 0 && a->lan < w->n_lans && !me->cable_cut[a->lan])
		push_simple(w, i, (hg_ms)sim_rng_range(&w->rng, 1, 50), HG_EV_LINK, a->lan, 2);
}
SHELL(sh_record)
{
	CTX;
	struct shell_ctx *y = ctx_;
	sim_trace(w, i, "record %s [%s] %s", a->event, a->rule, a->why);
	if (hg_action_moves_to(a) >= 0)
		y->cur = (enum hg_role)a->to;
}
SHELL(sh_reply) { CTX; sim_trace(w, i, "reply %s: %s", a->ok ? "ok" : "refused", a->why); }
SHELL(sh_garp) { (void)ctx_; (void)a; }
SHELL(sh_bmc_poll) { CTX; sim_bmc_poll(w, i, a->svc ? 1 : 0); }
SHELL(sh_wdt_pet) { CTX; sim_bmc_pet(w, i); }

static const struct hg_shell sim_shell = {
	.on = {
		[HG_ACT_SEND_HB] = sh_send_hb, [HG_ACT_FENCE] = sh_fence, [HG_ACT_VIP] = sh_vip,
		[HG_ACT_GARP] = sh_garp, [HG_ACT_SVC] = sh_svc, [HG_ACT_LINK_RESET] = sh_link_reset,
		[HG_ACT_RECORD] = sh_record, [HG_ACT_REPLY] = sh_reply,
		[HG_ACT_BMC_POLL] = sh_bmc_poll, [HG_ACT_WDT_PET] = sh_wdt_pet,
	},
	.before = sh_before,
};

static void execute(struct sim_world *w, int i, enum hg_role before,
		    const struct hg_actions *out)
{
	struct shell_ctx x = { .w = w, .i = i, .cur = before };

	hg_dispatch(&sim_shell, &x, out);
}

static void step(struct sim_world *w, int i, struct hg_event *ev)
{
	struct sim_node *me = &w->n[i];
	enum hg_role before = me->core.role;

	w->steps++;
	w->out.n = 0;
	ev->now = w->now;
	hg_core_step(&me->core, ev, &w->out);
	sim_check_step(w, i, before, &w->out);
	execute(w, i, before, &w->out);
	sim_check_world(w);
}

void sim_cmd(struct sim_world *w, int i, enum hg_cmd cmd)
{
	struct hg_event ev;

	if (!w->n[i].powered || sim_frozen(w, i))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_CMD;
	ev.cmd = cmd;
	step(w, i, &ev);
}

/* ---- power, agents, freezing -------------------------------------------------- */

static void start_agent(struct sim_world *w, int i)
{
	struct sim_node *me = &w->n[i];

	me->boot++;
	me->incarnation += 1 + sim_rng_range(&w->rng, 0, 3);
	me->frozen_until = -1;
	me->held_udp = 0;
	me->heard_at = w->now;
	hg_core_init(&me->core, &me->params, me->incarnation, w->now);
	for (int l = 0; l < w->n_lans; l++)
		push_simple(w, i, 0, HG_EV_LINK, l, me->link[l]);
	if (me->host_bad)
		push_simple(w, i, 0, HG_EV_HOST, 0, 0);
}

void sim_boot(struct sim_world *w, int i)
{
	struct sim_node *me = &w->n[i];

	me->powered = 1;
	me->on_at = w->now;
	me->power_epoch++;
	me->wdt_armed = 0;
	me->shell_last_pet = INT64_MIN / 4;
	me->own_poll_at = w->now;
	me->vip = 0;
	memset(me->svc_running, 0, sizeof(me->svc_running));
	for (int l = 0; l < w->n_lans; l++)
		me->link[l] = !me->cable_cut[l];
	sim_trace(w, i, "power on (epoch %u)", me->power_epoch);
	start_agent(w, i);
}

void sim_power_off(struct sim_world *w, int i)
{
	struct sim_node *me = &w->n[i];

	if (!me->powered)
		return;
	sim_trace(w, i, "power off (epoch %u, role %s)", me->power_epoch,
		  hg_role_name(me->core.role));
	me->powered = 0;
	me->off_at = w->now;
	me->vip = 0;
	me->wdt_armed = 0;
	me->frozen_until = -1;
	memset(me->svc_running, 0, sizeof(me->svc_running));
	sim_release_held(w, i, 1);
}

void sim_agent_restart(struct sim_world *w, int i)
{
	struct sim_node *me = &w->n[i];

	if (!me->powered)
		return;
	sim_trace(w, i, "agent restart (was %s)", hg_role_name(me->core.role));
	sim_release_held(w, i, 1);
	/* What daemon.c's setup does and no more: it removes the VIPs and
	 * arms the watchdog again; the services a previous life started run on. */
	me->vip = 0;
	me->shell_last_pet = INT64_MIN / 4;
	if (me->wdt_armed) {
		if (w->now - me->wdt_last_pet > (hg_ms)me->wdt_ms / 6 + me->params.interval + 100)
			me->pet_streak_since = w->now;   /* the old life had stopped resetting */
		me->wdt_last_pet = w->now;
	}
	start_agent(w, i);
}

int sim_frozen(const struct sim_world *w, int i)
{
	return w->n[i].frozen_until >= 0;
}

void sim_freeze(struct sim_world *w, int i, hg_ms until)
{
	struct sim_node *me = &w->n[i];

	if (!me->powered || sim_frozen(w, i))
		return;
	me->frozen_until = until;
	me->held_udp = 0;
	if (until == INT64_MAX) {
		sim_trace(w, i, "hang (SIGSTOP)");
		return;
	}
	sim_trace(w, i, "frozen for %lld ms", (long long)(until - w->now));
	struct sim_qitem it;
	memset(&it, 0, sizeof(it));
	it.kind = SIM_I_FAULT;
	it.due = until;
	it.to = i;
	it.arg = -1;   /* thaw */
	it.boot = me->boot;
	sim_push(w, &it);
}

void sim_thaw(struct sim_world *w, int i)
{
	if (!sim_frozen(w, i))
		return;
	sim_trace(w, i, "resumed");
	w->n[i].frozen_until = -1;
	sim_release_held(w, i, 0);
}

void sim_set_link(struct sim_world *w, int i, int lan, int up)
{
	w->n[i].link[lan] = up;
	push_simple(w, i, 1, HG_EV_LINK, lan, up);
}

int sim_holders(const struct sim_world *w)
{
	int h = 0;

	for (int i = 0; i < w->n_nodes; i++)
		h += w->n[i].vip;
	return h;
}

/* ---- delivery -------------------------------------------------------------------- */

static void hold(struct sim_world *w, struct sim_qitem *it)
{
	if (it->kind == SIM_I_UDP && ++w->n[it->to].held_udp > SIM_SOCKBUF)
		return;   /* the socket buffer is full */
	it->due = SIM_HOLD;
	sim_push(w, it);
}

static void deliver(struct sim_world *w, struct sim_qitem *it)
{
	struct sim_node *to = &w->n[it->to];
	struct hg_event ev;

	switch (it->kind) {
	case SIM_I_FAULT:
		if (it->arg == -1) {
			if (it->boot == to->boot && to->powered)
				sim_thaw(w, it->to);
			return;
		}
		sim_fault_fire(w, it);
		return;
	case SIM_I_POWER_OFF:
		sim_power_off(w, it->to);
		return;
	case SIM_I_ICMP_REQ:
		/* The kernel answers even when the agent is stopped. */
		if (to->powered && wire_ok(w, it->to, it->from, it->arg))
			push_simple(w, it->from, wire_delay(w, it->arg), HG_EV_ICMP, it->arg, 1);
		return;
	default:
		break;
	}
	if (!to->powered || (it->kind == SIM_I_EVENT && it->boot != to->boot))
		return;
	if (sim_frozen(w, it->to)) {
		hold(w, it);
		return;
	}
	if (it->kind == SIM_I_UDP) {
		memset(&ev, 0, sizeof(ev));
		enum hg_wire_err e = hg_wire_decode(it->bytes, HG_WIRE_LEN, w->key,
						    sizeof(w->key), &ev.hb);
		if (e == HG_WIRE_OK) {
			ev.type = HG_EV_HB;
			ev.lan = it->arg;
		} else {
			ev.type = HG_EV_HB_REJECT;
			ev.reject = HG_REJ_MALFORMED;
		}
		uint64_t ok_before = to->core.cnt.rx_ok;
		w->events++;
		step(w, it->to, &ev);
		/* evidence of life: a packet the replay window took (a late
		 * duplicate or a replay is not) */
		if (to->core.cnt.rx_ok > ok_before)
			to->heard_at = w->now;
		return;
	}
	ev = it->ev;
	if (ev.type == HG_EV_LINK && ev.ok == 2) {   /* a link reset finished */
		if (to->cable_cut[ev.lan])
			return;
		to->link[ev.lan] = 1;
		ev.ok = 1;
	}
	if (ev.type == HG_EV_ICMP)
		to->heard_at = w->now;
	if (ev.type == HG_EV_FENCE && sim_fence_answer(w, it->to, &ev) < 0)
		return;
	w->events++;
	step(w, it->to, &ev);
}

int sim_run(struct sim_world *w, hg_ms until)
{
	while (!w->failed) {
		hg_ms best = w->nq ? w->q[0].due : INT64_MAX;
		int tick = -1;

		for (int i = 0; i < w->n_nodes; i++) {
			if (!w->n[i].powered || sim_frozen(w, i))
				continue;
			hg_ms t = hg_core_next_wakeup(&w->n[i].core);
			if (t < w->now)
				t = w->now;
			if (t < best)
				best = t, tick = i;
		}
		hg_ms b = sim_bmc_next(w);
		if (b <= best && b <= until && b < SIM_HOLD) {
			if (b > w->now)
				w->now = b;
			sim_bmc_tick(w);
			continue;
		}
		if (best > until || best >= SIM_HOLD) {
			w->now = until;
			break;
		}
		w->now = best;
		if (tick >= 0) {
			struct hg_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.type = HG_EV_TICK;
			step(w, tick, &ev);
			continue;
		}
		struct sim_qitem it;
		sim_pop(w, &it);
		deliver(w, &it);
	}
	return w->failed ? -1 : 0;
}

void sim_world_init(struct sim_world *w, uint64_t seed, int n_lans, int n_services,
		    const struct hg_params *base)
{
	memset(w, 0, sizeof(*w));
	w->seed = seed;
	sim_rng_seed(&w->rng, seed);
	w->n_nodes = 2;
	w->n_lans = n_lans;
	w->n_services = n_services;
	memset(w->key, 0x5a, sizeof(w->key));
	w->fence_ok_ms = 30;
	w->fence_slow_ms = 2000;
	w->fence_timeout_ms = 3000;
	w->bmc_ms = 50;
	for (int l = 0; l < n_lans; l++) {
		w->lan[l].delay_min = 0;
		w->lan[l].delay_max = 1;
	}
	for (int i = 0; i < w->n_nodes; i++) {
		struct sim_node *me = &w->n[i];
		me->params = *base;
		me->params.self_id = (uint16_t)(i + 1);
		me->params.peer_id = (uint16_t)(2 - i);
		me->params.self_prio = i == 0 ? base->self_prio : base->peer_prio;
		me->params.peer_prio = i == 0 ? base->peer_prio : base->self_prio;
		me->params.n_lans = n_lans;
		me->params.n_services = n_services;
		me->incarnation = 1000 * (uint64_t)(i + 1);
		me->frozen_until = -1;
		me->wdt_ms = 5000;
	}
}
