/*
 * sim_fault.c - see sim_fault.h: the table of fault kinds and their apply
 * functions, the draw of a random fault, and heal.
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

static const char *const cmd_names[] = { "switchover", "standby", "unstandby" };

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
		sim_trace(w, it->to, "operator: %s", cmd_names[it->ev.cmd]);
		sim_cmd(w, it->to, it->ev.cmd);
		break;
	}
}

/* ---- applying a record ---------------------------------------------------- */

static void apply_lan_loss(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->lan[f->lan].loss_pm = (uint32_t)f->arg[0];
	sim_trace(w, -1, "fault: LAN %d loses %u per mille", f->lan, w->lan[f->lan].loss_pm);
}

static void apply_lan_delay(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_lan *lan = &w->lan[f->lan];

	(void)st;
	lan->delay_min = (uint32_t)f->arg[0];
	lan->delay_max = (uint32_t)f->arg[1];
	sim_trace(w, -1, "fault: LAN %d delays %u..%u ms (reorders)", f->lan,
		  lan->delay_min, lan->delay_max);
}

static void apply_lan_dup(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->lan[f->lan].dup_pm = (uint32_t)f->arg[0];
	sim_trace(w, -1, "fault: LAN %d duplicates %u per mille", f->lan, w->lan[f->lan].dup_pm);
}

static void apply_lan_cut(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	int from = f->node, to = !from;   /* two nodes: the peer */

	(void)st;
	w->lan[f->lan].cut[from][to] = (int)f->arg[0];
	sim_trace(w, -1, "fault: LAN %d %c->%c %s", f->lan, 'a' + from, 'a' + to,
		  f->arg[0] ? "cut" : "restored");
}

static void apply_partition(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	int cut = (int)f->arg[0];

	(void)st;
	for (int k = 0; k < w->n_lans; k++)
		w->lan[k].cut[0][1] = w->lan[k].cut[1][0] = cut;
	sim_trace(w, -1, "fault: %s", cut ? "full partition" : "partition healed");
}

static void apply_gateway_down(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->gateway_down = (int)f->arg[0];
	sim_trace(w, -1, "fault: gateway %s", w->gateway_down ? "down" : "up");
}

static void apply_svc_fail(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->svc_fail_pm = (uint32_t)f->arg[0];
	sim_trace(w, -1, "fault: services die at a check %u per mille", w->svc_fail_pm);
}

static void apply_carrier_loss(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];
	int i = f->node, l = f->lan;

	(void)st;
	me->cable_cut[l] = (int)f->arg[0];
	sim_trace(w, i, "fault: carrier lost on LAN %d%s", l,
		  me->cable_cut[l] ? " (cable: resets do not help)" : "");
	sim_set_link(w, i, l, 0);
	if (f->arg[1])
		later(w, f->arg[1], i, FI_LINK_UP, l, 0);
}

static void apply_carrier_flap(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	int i = f->node, l = f->lan;
	hg_ms t = 0;

	(void)st;
	w->n[i].cable_cut[l] = 1;
	sim_set_link(w, i, l, 0);
	sim_trace(w, i, "fault: carrier flaps on LAN %d", l);
	for (int k = 0; k < 5; k++) {
		t += f->arg[k];
		later(w, t, i, k % 2 ? FI_LINK_DOWN : FI_LINK_UP, l, 0);
	}
}

static void apply_crash(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	sim_trace(w, f->node, "fault: crash");
	sim_power_off(w, f->node);
	if (f->arg[0])
		later(w, f->arg[0], f->node, FI_BOOT, 0, 0);
}

static void apply_boot(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	if (!w->n[f->node].powered) {
		st->boots++;
		sim_boot(w, f->node);
	}
}

static void apply_hang(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	sim_freeze(w, f->node, INT64_MAX);
}

static void apply_freeze(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	sim_freeze(w, f->node, w->now + f->arg[0]);
}

static void apply_agent_restart(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	sim_agent_restart(w, f->node);
}

static void apply_fence_mode(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];

	(void)st;
	me->fence_mode = (enum sim_fence_mode)f->arg[0];
	sim_trace(w, f->node, "fault: fence device now %s", sim_fence_mode_name(me->fence_mode));
}

static void apply_gw_block(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];

	(void)st;
	me->gw_blocked = (int)f->arg[0];
	sim_trace(w, f->node, "fault: gateway %s", me->gw_blocked ? "silent" : "answers");
}

static void apply_svc_broken(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];

	(void)st;
	me->svc_broken[f->svc] = (int)f->arg[0];
	sim_trace(w, f->node, "fault: service %d %s", f->svc,
		  me->svc_broken[f->svc] ? "cannot start" : "repaired");
}

static void apply_svc_kill(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];

	(void)st;
	if (me->svc_running[f->svc])
		sim_trace(w, f->node, "fault: service %d killed", f->svc);
	me->svc_running[f->svc] = 0;
}

static void apply_host(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];

	(void)st;
	me->host_bad = (int)f->arg[0];
	sim_trace(w, f->node, "fault: host %s", me->host_bad ? "unhealthy" : "healthy");
	later(w, 0, f->node, FI_HOST, 0, 0);
}

static void apply_bmc(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	struct sim_node *me = &w->n[f->node];
	int on = (int)f->arg[0];

	(void)st;
	switch (f->type) {
	case SIM_F_BMC_DOWN:
		me->bmc_down = on;
		me->bmc_good_since = w->now;
		sim_trace(w, f->node, "fault: BMC %s", on ? "unreachable" : "reachable");
		break;
	case SIM_F_BMC_SLOW:
		me->bmc_slow = on;
		sim_trace(w, f->node, "fault: BMC %s", on ? "slow" : "fast");
		break;
	case SIM_F_BMC_TRUNCATED:
		me->bmc_truncated = on;
		me->bmc_good_since = w->now;
		sim_trace(w, f->node, "fault: BMC %s", on ? "truncated watchdog replies" : "full replies");
		break;
	default:
		me->sensor_worst = on;
		sim_trace(w, f->node, "fault: BMC %s", on ? "sensor critical or worse" : "sensors ok");
		break;
	}
}

static void apply_answers(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->answer_fault_pm = (uint32_t)f->arg[0];
	sim_trace(w, -1, "fault: answers to requests lost, late or doubled, %u per mille",
		  w->answer_fault_pm);
}

static const char *const stop_mode_names[SIM_STOP_COUNT + 1] = { "ok", "fails", "hangs" };

static void apply_svc_stop(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->n[f->node].svc_stop_mode[f->svc] = (int)f->arg[0];
	sim_trace(w, f->node, "fault: service %d's stop %s", f->svc, stop_mode_names[f->arg[0]]);
}

static void apply_flood(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	sim_trace(w, f->node, "fault: garbage flood for %lld ms", (long long)f->arg[0]);
	sim_flood(w, f->node, w->now + f->arg[0]);
}

static void apply_mgmt(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	w->n[f->node].mgmt_loss_pm = (uint32_t)f->arg[0];
	sim_trace(w, f->node, "fault: management port loses %lld per mille of BMC requests",
		  (long long)f->arg[0]);
}

static void apply_cmd(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)st;
	later(w, 0, f->node, FI_CMD, 0, (int)f->arg[0]);
}

static void apply_probe(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	(void)f;
	sim_probe(w, st);
}

static const char *check_delay(const struct sim_fault *f)
{
	return f->arg[0] > f->arg[1] ? "min is above max" : NULL;
}

static const char *check_probe(const struct sim_fault *f)
{
	return f->arg[0] < f->at ? "end is before the probe's time" : NULL;
}

#define MS_MAX   86400000   /* a day: bound of every duration argument */
#define PM       { "pm", 0, 1000, NULL }
#define ON(n)    { n, 0, 1, NULL }
#define GAP(n)   { n, 1, MS_MAX, NULL }
#define NODE     (SIM_FK_NODE | SIM_FK_LIVE)

const struct sim_fault_kind sim_fault_kinds[SIM_F_COUNT] = {
	[SIM_F_LAN_LOSS]      = { "lan-loss", SIM_FK_LAN, 1, { PM }, NULL, apply_lan_loss },
	[SIM_F_LAN_DELAY]     = { "lan-delay", SIM_FK_LAN, 2,
				  { { "min", 0, 60000, NULL }, { "max", 0, 60000, NULL } },
				  check_delay, apply_lan_delay },
	[SIM_F_LAN_DUP]       = { "lan-dup", SIM_FK_LAN, 1, { PM }, NULL, apply_lan_dup },
	[SIM_F_LAN_CUT]       = { "lan-cut", SIM_FK_NODE | SIM_FK_LAN, 1, { ON("cut") }, NULL,
				  apply_lan_cut },
	[SIM_F_PARTITION]     = { "partition", 0, 1, { ON("cut") }, NULL, apply_partition },
	[SIM_F_GATEWAY_DOWN]  = { "gateway-down", 0, 1, { ON("down") }, NULL, apply_gateway_down },
	[SIM_F_SVC_FAIL]      = { "svc-fail", 0, 1, { PM }, NULL, apply_svc_fail },
	[SIM_F_CARRIER_LOSS]  = { "carrier-loss", NODE | SIM_FK_LAN, 2,
				  { ON("cable"), { "up_after", 0, MS_MAX, NULL } }, NULL,
				  apply_carrier_loss },
	[SIM_F_CARRIER_FLAP]  = { "carrier-flap", NODE | SIM_FK_LAN, 5,
				  { GAP("d1"), GAP("d2"), GAP("d3"), GAP("d4"), GAP("d5") }, NULL,
				  apply_carrier_flap },
	[SIM_F_CRASH]         = { "crash", NODE, 1, { { "boot_after", 0, MS_MAX, NULL } }, NULL,
				  apply_crash },
	[SIM_F_BOOT]          = { "boot", SIM_FK_NODE, 0, { { 0 } }, NULL, apply_boot },
	[SIM_F_HANG]          = { "hang", NODE, 0, { { 0 } }, NULL, apply_hang },
	[SIM_F_FREEZE]        = { "freeze", NODE, 1, { GAP("ms") }, NULL, apply_freeze },
	[SIM_F_AGENT_RESTART] = { "agent-restart", NODE, 0, { { 0 } }, NULL, apply_agent_restart },
	[SIM_F_FENCE_MODE]    = { "fence-mode", NODE, 1,
				  { { "mode", 0, SIM_FD_COUNT - 1, sim_fence_mode_names } }, NULL,
				  apply_fence_mode },
	[SIM_F_GW_BLOCK]      = { "gw-block", NODE, 1, { ON("on") }, NULL, apply_gw_block },
	[SIM_F_SVC_BROKEN]    = { "svc-broken", NODE | SIM_FK_SVC, 1, { ON("on") }, NULL,
				  apply_svc_broken },
	[SIM_F_SVC_KILL]      = { "svc-kill", NODE | SIM_FK_SVC, 0, { { 0 } }, NULL, apply_svc_kill },
	[SIM_F_HOST]          = { "host", NODE, 1, { ON("bad") }, NULL, apply_host },
	[SIM_F_BMC_DOWN]      = { "bmc-down", NODE, 1, { ON("on") }, NULL, apply_bmc },
	[SIM_F_BMC_SLOW]      = { "bmc-slow", NODE, 1, { ON("on") }, NULL, apply_bmc },
	[SIM_F_BMC_TRUNCATED] = { "bmc-truncated", NODE, 1, { ON("on") }, NULL, apply_bmc },
	[SIM_F_SENSOR]        = { "sensor", NODE, 1, { { "sev", HG_SEV_OK, HG_SEV_NON_RECOVERABLE, NULL } },
				  NULL, apply_bmc },
	[SIM_F_CMD]           = { "cmd", NODE, 1,
				  { { "cmd", HG_CMD_SWITCHOVER, HG_CMD_UNSTANDBY, cmd_names } }, NULL,
				  apply_cmd },
	[SIM_F_ANSWERS]       = { "answers", 0, 1, { PM }, NULL, apply_answers },
	[SIM_F_SVC_STOP]      = { "svc-stop", NODE | SIM_FK_SVC, 1,
				  { { "mode", 0, SIM_STOP_COUNT - 1, stop_mode_names } }, NULL, apply_svc_stop },
	[SIM_F_FLOOD]         = { "flood", NODE, 1, { { "ms", 1, 10000, NULL } }, NULL, apply_flood },
	[SIM_F_MGMT_LOSS]     = { "mgmt-loss", NODE, 1, { PM }, NULL, apply_mgmt },
	[SIM_F_PROBE]         = { "probe", 0, 1, { { "end", 0, 2 * SIM_MAX_RUN_MS, NULL } }, check_probe,
				  apply_probe },
};

void sim_fault_init(struct sim_fault *f, enum sim_fault_type t, hg_ms at)
{
	memset(f, 0, sizeof(*f));
	f->at = at;
	f->type = t;
	f->node = f->lan = f->svc = -1;
}

void sim_fault_apply(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st)
{
	const struct sim_fault_kind *k = &sim_fault_kinds[f->type];

	/* a schedule replayed against another core: its victim may be off */
	if ((k->takes & SIM_FK_LIVE) && !w->n[f->node].powered) {
		sim_trace(w, f->node, "fault %s skipped: powered off", k->name);
		return;
	}
	if (f->type != SIM_F_BOOT && f->type != SIM_F_PROBE)
		st->faults++;
	k->apply(w, f, st);
}

/* ---- drawing a record --------------------------------------------------------- */

static uint32_t pick(struct sim_rng *g, uint32_t n)
{
	return (uint32_t)sim_rng_range(g, 0, n - 1);
}

static hg_ms range(struct sim_rng *g, uint64_t lo, uint64_t hi)
{
	return (hg_ms)sim_rng_range(g, lo, hi);
}

static void draw_lan(const struct sim_world *w, struct sim_rng *g, int kind, struct sim_fault *f)
{
	int l = (int)pick(g, (uint32_t)w->n_lans);
	const struct sim_lan *lan = &w->lan[l];
	uint32_t iv = w->n[0].params.interval;

	switch (kind) {
	case 0:
		sim_fault_init(f, SIM_F_LAN_LOSS, w->now);
		f->arg[0] = sim_rng_pm(g, 300) ? 0 : range(g, 50, 900);
		break;
	case 1:
		sim_fault_init(f, SIM_F_LAN_DELAY, w->now);
		f->arg[0] = range(g, 0, iv / 2);
		f->arg[1] = f->arg[0] + range(g, 0, 2 * iv);
		break;
	case 2:
		sim_fault_init(f, SIM_F_LAN_DUP, w->now);
		f->arg[0] = range(g, 0, 500);
		break;
	case 3: {
		int from = (int)pick(g, 2);
		sim_fault_init(f, SIM_F_LAN_CUT, w->now);
		f->node = from;
		f->arg[0] = !lan->cut[from][!from];
		break;
	}
	default:
		sim_fault_init(f, SIM_F_PARTITION, w->now);
		f->arg[0] = !lan->cut[0][1];
		return;
	}
	f->lan = l;
}

static int draw_node(const struct sim_world *w, struct sim_rng *g, int kind, struct sim_fault *f)
{
	int i = (int)pick(g, 2);
	const struct sim_node *me = &w->n[i];
	uint32_t dt = me->params.deadtime;
	int l = (int)pick(g, (uint32_t)w->n_lans);
	enum sim_fault_type t;

	if (!me->powered && kind != 3)
		return -1;
	switch (kind) {
	case 0:      /* carrier loss; a reset may or may not repair it */
		sim_fault_init(f, SIM_F_CARRIER_LOSS, w->now);
		f->lan = l;
		f->arg[0] = sim_rng_pm(g, 500);
		f->arg[1] = f->arg[0] && sim_rng_pm(g, 700) ? range(g, 50, 4 * dt) : 0;
		break;
	case 1:      /* flapping carrier: down and up a few times */
		sim_fault_init(f, SIM_F_CARRIER_FLAP, w->now);
		f->lan = l;
		for (int k = 0; k < 5; k++)
			f->arg[k] = range(g, 10, dt);
		break;
	case 2:      /* crash: power off, maybe back later */
		sim_fault_init(f, SIM_F_CRASH, w->now);
		f->arg[0] = sim_rng_pm(g, 700) ? range(g, 200, 10000) : 0;
		break;
	case 3:
		if (me->powered)
			return -1;
		sim_fault_init(f, SIM_F_BOOT, w->now);
		break;
	case 4:      /* hang (SIGSTOP): open-ended or a pause */
		if (sim_rng_pm(g, 400)) {
			sim_fault_init(f, SIM_F_HANG, w->now);
		} else {
			sim_fault_init(f, SIM_F_FREEZE, w->now);
			f->arg[0] = range(g, 50, 6 * dt);
		}
		break;
	case 5:      /* event-loop stall */
		sim_fault_init(f, SIM_F_FREEZE, w->now);
		f->arg[0] = range(g, me->params.interval, 2 * dt);
		break;
	case 6:
		sim_fault_init(f, SIM_F_AGENT_RESTART, w->now);
		break;
	case 7:
		sim_fault_init(f, SIM_F_FENCE_MODE, w->now);
		f->arg[0] = pick(g, SIM_FD_COUNT);
		break;
	case 8:
		sim_fault_init(f, SIM_F_GW_BLOCK, w->now);
		f->arg[0] = !me->gw_blocked;
		break;
	case 9:
	case 10:
		if (!w->n_services)
			return -1;
		sim_fault_init(f, kind == 9 ? SIM_F_SVC_BROKEN : SIM_F_SVC_KILL, w->now);
		f->svc = (int)pick(g, (uint32_t)w->n_services);
		f->arg[0] = kind == 9 && !me->svc_broken[f->svc];
		break;
	case 11:     /* host watch: load, memory or disk */
		sim_fault_init(f, SIM_F_HOST, w->now);
		f->arg[0] = !me->host_bad;
		break;
	case 12: {   /* its BMC: unreachable, slow, truncated replies, a sensor */
		int what = (int)pick(g, 4);
		t = what == 0 ? SIM_F_BMC_DOWN : what == 1 ? SIM_F_BMC_SLOW :
		    what == 2 ? SIM_F_BMC_TRUNCATED : SIM_F_SENSOR;
		sim_fault_init(f, t, w->now);
		f->arg[0] = what == 0 ? !me->bmc_down : what == 1 ? !me->bmc_slow :
			    what == 2 ? !me->bmc_truncated :
			    me->sensor_worst ? HG_SEV_OK : range(g, 1, 3);
		break;
	}
	default:
		sim_fault_init(f, SIM_F_CMD, w->now);
		f->arg[0] = pick(g, 3);
		break;
	}
	f->node = i;
	return 0;
}

int sim_fault_draw(const struct sim_world *w, struct sim_rng *g, struct sim_fault *f)
{
	uint32_t k = pick(g, 27);

	if (k == 26) {   /* a node's management port: loss, flapping, the cable out */
		static const int64_t pms[] = { 0, 300, 500, 900, 1000, 1000 };
		int i = (int)pick(g, 2);
		if (!w->n[i].powered)
			return -1;
		sim_fault_init(f, SIM_F_MGMT_LOSS, w->now);
		f->node = i;
		f->arg[0] = w->n[i].mgmt_loss_pm ? 0 : pms[pick(g, 6)];
		return 0;
	}

	if (k == 23) {
		sim_fault_init(f, SIM_F_ANSWERS, w->now);
		f->arg[0] = sim_rng_pm(g, 500) ? 0 : range(g, 1, 200);
		return 0;
	}
	if (k == 24 || k == 25) {
		int i = (int)pick(g, 2);
		if (!w->n[i].powered || (k == 24 && !w->n_services))
			return -1;
		sim_fault_init(f, k == 24 ? SIM_F_SVC_STOP : SIM_F_FLOOD, w->now);
		f->node = i;
		if (k == 24) {
			f->svc = (int)pick(g, (uint32_t)w->n_services);
			f->arg[0] = w->n[i].svc_stop_mode[f->svc] ? SIM_STOP_OK : range(g, 1, 2);
		} else {
			f->arg[0] = range(g, 50, 3000);
		}
		return 0;
	}

	if (k < 7) {
		draw_lan(w, g, (int)(k % 5), f);
		return 0;
	}
	if (k == 22) {
		sim_fault_init(f, SIM_F_SVC_FAIL, w->now);
		f->arg[0] = sim_rng_pm(g, 500) ? 0 : range(g, 1, 300);
		return 0;
	}
	if (k == 21) {
		sim_fault_init(f, SIM_F_GATEWAY_DOWN, w->now);
		f->arg[0] = !w->gateway_down;
		return 0;
	}
	return draw_node(w, g, (int)(k - 7), f);
}

void sim_fault_heal(struct sim_world *w)
{
	sim_trace(w, -1, "heal");
	/* pending fault steps and late fence-device power-offs are cancelled */
	sim_purge(w, SIM_I_FAULT);
	sim_purge(w, SIM_I_POWER_OFF);
	w->gateway_down = 0;
	w->svc_fail_pm = 0;
	w->answer_fault_pm = 0;
	for (int l = 0; l < w->n_lans; l++) {
		memset(&w->lan[l], 0, sizeof(w->lan[l]));
		w->lan[l].delay_max = 1;
	}
	for (int i = 0; i < w->n_nodes; i++) {
		struct sim_node *me = &w->n[i];
		me->gw_blocked = 0;
		me->mgmt_loss_pm = 0;
		if (me->bmc_down || me->bmc_truncated)
			me->bmc_good_since = w->now;
		me->bmc_down = me->bmc_slow = me->bmc_truncated = me->sensor_worst = 0;
		if (me->host_bad) {
			me->host_bad = 0;
			later(w, 0, i, FI_HOST, 0, 0);
		}
		me->fence_mode = SIM_FD_OK;
		memset(me->svc_broken, 0, sizeof(me->svc_broken));
		memset(me->svc_stop_mode, 0, sizeof(me->svc_stop_mode));
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
