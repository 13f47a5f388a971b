/*
 * pair.c - see pair.h. Latencies are fixed and small: 1 ms per packet, 30 ms
 * per fence, 10 ms per service command, so tests can reason about bounds.
 */
#include "pair.h"
#include "agent/core/dispatch.h"

#include <stdio.h>
#include <string.h>

static void push(struct pair *pr, hg_ms due, int to, const struct hg_event *ev, int raw)
{
	if (pr->nq >= PAIR_QMAX)
		return;
	struct pair_msg *m = &pr->q[pr->nq++];
	m->due = due;
	m->to = to;
	m->ev = *ev;
	m->raw = raw;
}

static void push_ev(struct pair *pr, hg_ms due, int to, enum hg_ev_type t)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	push(pr, due, to, &ev, 0);
}

static int path_ok(const struct pair *pr, int from, int lan)
{
	return pr->n[from].powered && pr->n[!from].powered && !pr->cut[lan] &&
	       pr->n[from].link[lan] && pr->n[!from].link[lan];
}

/* What node `about`'s BMC says now to a session of `to`'s (lost: none). */
static struct hg_bmc_report reading(const struct pair *pr, int to, int about, int lost)
{
	const struct pair_node *t = &pr->n[about];
	struct hg_bmc_report r;

	memset(&r, 0, sizeof(r));
	r.who = about != to;
	r.reachable = !t->bmc_down && !lost;
	r.power = t->powered;
	r.sensor_worst = t->sensor;
	r.wdt_expired = t->wdt_expired;
	r.wdt_lo = r.wdt_hi = pr->now;
	if (r.reachable && t->powered && t->wdt_last_pet > 0) {
		hg_ms left = (hg_ms)pr->wdt_ms - (pr->now - t->wdt_last_pet);
		r.wdt_usable = 1;
		r.wdt_initial_ms = pr->wdt_ms;
		r.wdt_present_ms = left > 0 ? (uint32_t)(left / 100 * 100) : 0;
	}
	return r;
}

/* A reading of node `about`'s BMC, as seen by `to`'s agent. */
static void bmc_report(struct pair *pr, int to, int about, hg_ms due)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_BMC;
	ev.bmc = reading(pr, to, about, about != to && pr->n[to].reads_lost);
	push(pr, due, to, &ev, 0);
}

/* One handler for every action type (agent/core/dispatch.h): the switch
 * below is this harness's meaning of each. */
struct pctx { struct pair *pr; int i; };

static void act(void *ctx, const struct hg_action *a)
{
	struct pair *pr = ((struct pctx *)ctx)->pr;
	int i = ((struct pctx *)ctx)->i;
	struct pair_node *me = &pr->n[i];
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	switch (a->type) {
	case HG_ACT_SEND_HB:
		if (path_ok(pr, i, a->hb.lan)) {
			ev.type = HG_EV_HB;
			ev.lan = a->hb.lan;
			ev.hb = a->hb;
			push(pr, pr->now + 1, !i, &ev, 1);
			ev.type = HG_EV_ICMP;
			push(pr, pr->now + 2, i, &ev, 0);
		}
		if (a->hb.lan == me->core.p.public_lan && me->link[a->hb.lan])
			push_ev(pr, pr->now + 1, i, HG_EV_GATEWAY);
		if (a->hb.lan == 0 && pr->wdt_ms && pr->now - me->last_poll >= pr->bmc_poll_ms) {
			me->last_poll = pr->now;      /* the shell's periodic poll */
			bmc_report(pr, i, i, pr->now + 5);
			bmc_report(pr, i, !i, pr->now + 5);
		}
		break;
	case HG_ACT_FENCE:
		me->fences++;
		ev.type = HG_EV_FENCE;
		ev.gen = a->gen;
		/* The daemon's first level is native: in its session it reads
		 * the watchdog and powers nothing off if the peer is alive
		 * (agent/bmcw.c fence_bmc); that reading comes first. */
		if (pr->wdt_ms && me->fence_fails == 0) {
			struct hg_bmc_report r = reading(pr, i, !i, 0);
			if (hg_bmc_alive_since(&r, a->since)) {
				struct hg_event rd = { .type = HG_EV_BMC, .bmc = r };
				if (me->fence_lost > 0) {   /* refused; the answer is lost */
					me->fence_lost--;
					break;
				}
				push(pr, pr->now + 20, i, &rd, 0);
				ev.outcome = HG_FENCE_REFUSED;
				push(pr, pr->now + 30, i, &ev, 0);
				break;
			}
		}
		if (me->fence_lost > 0) {
			me->fence_lost--;     /* the device acts, the answer is lost */
			pair_power_off(pr, !i);
			break;
		}
		if (me->fence_fails > 0) {
			me->fence_fails--;
			ev.outcome = HG_FENCE_FAILED;
		} else {
			pair_power_off(pr, !i);
			ev.outcome = HG_FENCE_CONFIRMED;
		}
		push(pr, pr->now + 30, i, &ev, 0);
		break;
	case HG_ACT_VIP:
		ev.type = HG_EV_VIP;
		ev.op = a->op;
		ev.gen = a->gen;
		ev.ok = 1;
		if (a->op == HG_VIP_DEL && me->vip_del_fails > 0) {
			me->vip_del_fails--;
			ev.ok = 0;     /* the address stays */
		} else {
			me->vip = a->op == HG_VIP_ADD;
		}
		push(pr, pr->now, i, &ev, 0);
		break;
	case HG_ACT_SVC:
		ev.type = HG_EV_SVC;
		ev.svc = a->svc;
		ev.op = a->op;
		ev.gen = a->gen;
		if (a->op == HG_SVC_START)
			me->svc_running[a->svc] = ev.ok = !me->svc_broken[a->svc];
		else if (a->op == HG_SVC_STOP && me->svc_stop_fails[a->svc])
			ev.ok = 0;     /* still running */
		else if (a->op == HG_SVC_STOP)
			me->svc_running[a->svc] = 0, ev.ok = 1;
		else if (a->op == HG_SVC_READY)
			ev.ok = !me->svc_broken[a->svc];
		else
			ev.ok = me->svc_running[a->svc];
		push(pr, pr->now + 10, i, &ev, 0);
		break;
	case HG_ACT_LINK_RESET:
		me->link_resets++;
		if (!me->cable_cut[a->lan])
			pair_link(pr, i, a->lan, 1);
		break;
	case HG_ACT_RECORD:
		if (me->nevents < 256)
			snprintf(me->events[me->nevents++], sizeof(me->events[0]), "%s", a->event);
		if (pr->verbose)
			printf("%6lld %c %-16s %s\n", (long long)pr->now, 'a' + i, a->event, a->why);
		if (!strcmp(a->event, "transition") && pr->nseen < 64 &&
		    !pair_seen(pr, a->why))
			snprintf(pr->seen[pr->nseen++], sizeof(pr->seen[0]), "%.47s", a->why);
		break;
	case HG_ACT_REPLY:
		pr->reply_ok = a->ok;
		snprintf(pr->reply, sizeof(pr->reply), "%s", a->why);
		break;
	case HG_ACT_GARP:
		break;
	case HG_ACT_BMC_POLL:
		if (a->svc) {
			me->peer_polls++;
			me->quick_polls += a->op == 1;
		}
		bmc_report(pr, i, a->svc ? !i : i, pr->now + 5);
		break;
	case HG_ACT_WDT_PET:
		/* the daemon resets on every action (the core keeps the cadence) */
		me->shell_last_pet = pr->now;
		if (!me->bmc_down)
			me->wdt_last_pet = pr->now;
		break;
	default:
		break;
	}
}

static const struct hg_shell pair_shell = {
	.on = {
		[HG_ACT_SEND_HB] = act, [HG_ACT_FENCE] = act, [HG_ACT_VIP] = act,
		[HG_ACT_GARP] = act, [HG_ACT_SVC] = act, [HG_ACT_LINK_RESET] = act,
		[HG_ACT_RECORD] = act, [HG_ACT_REPLY] = act,
		[HG_ACT_BMC_POLL] = act, [HG_ACT_WDT_PET] = act,
	},
};

static void execute(struct pair *pr, int i, const struct hg_actions *out)
{
	struct pctx x = { pr, i };

	hg_dispatch(&pair_shell, &x, out);
}

static void step(struct pair *pr, int i, struct hg_event *ev)
{
	struct hg_actions *out = &pr->last;

	out->n = 0;
	ev->now = pr->now;
	hg_core_step(&pr->n[i].core, ev, out);
	execute(pr, i, out);
	int h = pair_holders(pr);
	if (h > pr->max_holders)
		pr->max_holders = h;
	if (h > 1)
		pr->two_holders++;
	int serving = 0;
	for (int n = 0; n < 2; n++)
		for (int k = 0; k < pr->params[n].n_services; k++)
			if (pr->n[n].powered && pr->n[n].svc_running[k]) {
				serving++;
				break;
			}
	if (serving > 1)
		pr->two_serving++;
}

void pair_init(struct pair *pr, int n_lans, int n_services)
{
	memset(pr, 0, sizeof(*pr));
	memset(pr->key, 0x5a, sizeof(pr->key));
	for (int i = 0; i < 2; i++) {
		struct hg_params *p = &pr->params[i];
		p->self_id = (uint16_t)(i + 1);
		p->peer_id = (uint16_t)(2 - i);
		p->self_prio = i == 0 ? 200 : 100;
		p->peer_prio = i == 0 ? 100 : 200;
		p->n_lans = n_lans;
		p->public_lan = 0;
		p->n_services = n_services;
		p->have_gateway = 1;
		p->failback_auto = 1;
		p->interval = 100;
		p->deadtime = 300;
		p->suspect = 120;          /* the daemon's default: 1.2 x interval */
		p->wait_for_peer = 3000;
		p->fence_delay = 2000;
		p->fence_retry = 1000;
		p->failback_holddown = 5000;
		p->gateway_timeout = 1000;
		p->garp_count = 3;
		p->garp_interval = 50;
		p->garp_refresh = 5000;
		p->fence_timeout = 5000;   /* the daemon: every level's timeout, and some */
		for (int s = 0; s < n_services; s++) {
			p->svc_check_interval[s] = 1000;
			p->svc_restarts[s] = 2;
			p->svc_window[s] = 60000;
			p->svc_backoff[s] = 100;
		}
		pr->n[i].incarnation = 1000 * (uint64_t)(i + 1);
	}
	pr->bmc_poll_ms = 2000;
}

/* A new life of node i's agent: it reads the carrier of each link. */
static void start_agent(struct pair *pr, int i)
{
	struct pair_node *me = &pr->n[i];

	hg_core_init(&me->core, &pr->params[i], me->incarnation, pr->now);
	for (int l = 0; l < pr->params[i].n_lans; l++) {
		struct hg_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = HG_EV_LINK;
		ev.lan = l;
		ev.ok = me->link[l];
		push(pr, pr->now, i, &ev, 0);
	}
}

void pair_boot(struct pair *pr, int i)
{
	struct pair_node *me = &pr->n[i];

	me->powered = 1;
	me->hung = 0;
	me->wdt_last_pet = pr->wdt_ms ? pr->now : 0;   /* armed at start */
	me->wdt_expired = 0;
	me->last_poll = -100000;
	me->shell_last_pet = -100000;
	me->incarnation++;
	for (int l = 0; l < pr->params[i].n_lans; l++)
		me->link[l] = 1;
	start_agent(pr, i);
}

void pair_agent_restart(struct pair *pr, int i)
{
	struct pair_node *me = &pr->n[i];

	me->vip = 0;
	me->hung = 0;
	me->incarnation++;
	me->shell_last_pet = -100000;
	if (pr->wdt_ms && me->wdt_last_pet > 0)
		me->wdt_last_pet = pr->now;   /* the new daemon arms it again */
	/* events for the old life (job answers) are lost with it */
	for (int k = 0; k < pr->nq; k++)
		if (pr->q[k].to == i && !pr->q[k].raw)
			pr->q[k--] = pr->q[--pr->nq];
	start_agent(pr, i);
}

void pair_power_off(struct pair *pr, int i)
{
	struct pair_node *me = &pr->n[i];

	me->powered = 0;
	me->vip = 0;
	memset(me->svc_running, 0, sizeof(me->svc_running));
}

void pair_link(struct pair *pr, int i, int lan, int up)
{
	struct hg_event ev;

	pr->n[i].link[lan] = up;
	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_LINK;
	ev.lan = lan;
	ev.ok = up;
	push(pr, pr->now + 1, i, &ev, 0);
}

void pair_cable(struct pair *pr, int i, int lan, int cut)
{
	pr->n[i].cable_cut[lan] = cut;
	pair_link(pr, i, lan, !cut);
}

void pair_host(struct pair *pr, int i, int ok)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_HOST;
	ev.ok = ok;
	push(pr, pr->now + 1, i, &ev, 0);
}

int pair_records(const struct pair *pr, int i, const char *event)
{
	int n = 0;

	for (int k = 0; k < pr->n[i].nevents; k++)
		n += !strcmp(pr->n[i].events[k], event);
	return n;
}

void pair_bmc(struct pair *pr, uint32_t wdt_ms)
{
	pr->wdt_ms = wdt_ms;
	for (int i = 0; i < 2; i++) {
		pr->params[i].have_own_bmc = pr->params[i].have_peer_bmc = 1;
		pr->params[i].self_fence = 1;
		pr->params[i].wdt_timeout = wdt_ms;
	}
}

void pair_cmd(struct pair *pr, int i, enum hg_cmd cmd)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_CMD;
	ev.cmd = cmd;
	pr->reply[0] = 0;
	step(pr, i, &ev);
}

void pair_inject_raw(struct pair *pr, int i, int lan, const uint8_t *buf, size_t len)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	enum hg_wire_err e = hg_wire_decode(buf, len, pr->key, sizeof(pr->key), &ev.hb);
	if (e == HG_WIRE_OK) {
		ev.type = HG_EV_HB;
		ev.lan = lan;
	} else {
		ev.type = HG_EV_HB_REJECT;
		ev.reject = e == HG_WIRE_BAD_MAC ? HG_REJ_BAD_MAC : HG_REJ_MALFORMED;
	}
	step(pr, i, &ev);
}

int pair_holders(const struct pair *pr)
{
	return pr->n[0].vip + pr->n[1].vip;
}

int pair_seen(const struct pair *pr, const char *t)
{
	for (int i = 0; i < pr->nseen; i++)
		if (!strcmp(pr->seen[i], t))
			return 1;
	return 0;
}

void pair_run(struct pair *pr, hg_ms until)
{
	for (;;) {
		hg_ms best = INT64_MAX;
		int kind = -1, who = -1;

		for (int k = 0; k < pr->nq; k++)
			if (pr->q[k].due < best)
				best = pr->q[k].due, kind = 0, who = k;
		for (int i = 0; i < 2; i++) {
			struct pair_node *n = &pr->n[i];
			if (n->powered && pr->wdt_ms && n->wdt_last_pet > 0 &&
			    n->wdt_last_pet + (hg_ms)pr->wdt_ms < best)
				best = n->wdt_last_pet + pr->wdt_ms, kind = 2, who = i;
		}
		for (int i = 0; i < 2; i++) {
			if (!pr->n[i].powered || pr->n[i].hung)
				continue;
			hg_ms w = hg_core_next_wakeup(&pr->n[i].core);
			if (w < pr->now)
				w = pr->now;
			if (w < best)
				best = w, kind = 1, who = i;
		}
		if (kind < 0 || best > until) {
			pr->now = until;
			return;
		}
		pr->now = best;
		if (kind == 2) {              /* the BMC's watchdog fires */
			pair_power_off(pr, who);
			pr->n[who].wdt_expired = 1;
			continue;
		}
		if (kind == 1) {
			struct hg_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.type = HG_EV_TICK;
			step(pr, who, &ev);
			continue;
		}
		struct pair_msg m = pr->q[who];
		pr->q[who] = pr->q[--pr->nq];
		if (!pr->n[m.to].powered || pr->n[m.to].hung)
			continue;
		if (m.raw) {
			uint8_t buf[HG_WIRE_LEN];
			hg_wire_encode(&m.ev.hb, pr->key, sizeof(pr->key), buf);
			pair_inject_raw(pr, m.to, m.ev.lan, buf, sizeof(buf));
		} else {
			step(pr, m.to, &m.ev);
		}
	}
}

void pair_bmc_reading(struct pair *pr, int node, const struct hg_bmc_report *r, hg_ms due)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = HG_EV_BMC;
	ev.bmc = *r;
	push(pr, due, node, &ev, 0);
}
