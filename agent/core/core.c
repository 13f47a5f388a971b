/*
 * core.c - the role state machine. One table of (state, event, action, next
 * state), one record per transition; docs/decisions.md mirrors the table.
 *
 * Inputs (heartbeats, pings, links, fence and service results, commands, time)
 * update what the core knows; then evaluate() derives at most one state
 * machine event from that knowledge and fires it through the table, and
 * repeats until nothing fires.
 */
#include "agent/core/internal.h"
#include "agent/core/peer.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum sm_ev {
	SM_PEER_HEARD,   /* starting: the peer's state is known */
	SM_WAIT_OVER,    /* starting: wait_for_peer passed, every path silent */
	SM_PEER_LOST,    /* standby: every path silent for the deadtime (rule 4) */
	SM_PEER_OFF,     /* standby: silent, and its BMC reads power off (issue 12) */
	SM_PEER_GRANTS,  /* standby: the peer holds nothing and consents */
	SM_PEER_ACKS,    /* taking: the peer saw our claim and still consents */
	SM_TAKE_ABORT,   /* taking: conflict, refusal, silence or timeout */
	SM_FENCE_OK,     /* fencing: power-off confirmed (rule 1) */
	SM_FENCE_FAIL,   /* fencing: not confirmed (rule 2) */
	SM_FENCE_RETRY,  /* fencing: time for the next attempt */
	SM_FENCE_REFUSED, /* fencing: the native level read the peer alive (rule 4) */
	SM_PEER_BACK,    /* fencing: no fence running and the peer talks again */
	SM_UNFIT,        /* active: public link, gateway or services lost (rule 5) */
	SM_HANDOVER,     /* active: switchover or failback due */
	SM_DUAL_ACTIVE,  /* active: the peer is active too and is preferred */
	SM_RELEASED,     /* releasing: services stopped, VIPs removed */
	SM_COUNT
};

static const char *const sm_names[SM_COUNT] = {
	"peer_heard", "wait_over", "peer_lost", "peer_off", "peer_grants", "peer_acks",
	"take_abort", "fence_ok", "fence_fail", "fence_retry", "fence_refused", "peer_back",
	"unfit", "handover", "dual_active", "released",
};

#define STAY (-1)
typedef int (*sm_fn)(struct hg_core *, hg_ms, struct hg_actions *);

static int act_none(struct hg_core *, hg_ms, struct hg_actions *);
static int act_accuse(struct hg_core *, hg_ms, struct hg_actions *);
static int act_accuse_off(struct hg_core *, hg_ms, struct hg_actions *);
static int act_take(struct hg_core *, hg_ms, struct hg_actions *);
static int act_takeover(struct hg_core *, hg_ms, struct hg_actions *);
static int act_abort(struct hg_core *, hg_ms, struct hg_actions *);
static int act_fence(struct hg_core *, hg_ms, struct hg_actions *);
static int act_fence_failed(struct hg_core *, hg_ms, struct hg_actions *);
static int act_release(struct hg_core *, hg_ms, struct hg_actions *);
static int act_handover(struct hg_core *, hg_ms, struct hg_actions *);
static int act_released(struct hg_core *, hg_ms, struct hg_actions *);

static const struct transition {
	enum hg_role state;
	enum sm_ev ev;
	sm_fn fn;          /* returns STAY to veto the move, else ignored */
	enum hg_role next;
	const char *rule;  /* DESIGN.md rule the move follows */
} table[] = {
	{ HG_ROLE_STARTING,  SM_PEER_HEARD,  act_none,         HG_ROLE_STANDBY,   "6" },
	{ HG_ROLE_STARTING,  SM_WAIT_OVER,   act_accuse,       HG_ROLE_FENCING,   "4" },
	{ HG_ROLE_STANDBY,   SM_PEER_LOST,   act_accuse,       HG_ROLE_FENCING,   "4" },
	{ HG_ROLE_STANDBY,   SM_PEER_OFF,    act_accuse_off,   HG_ROLE_FENCING,   "4" },
	{ HG_ROLE_STANDBY,   SM_PEER_GRANTS, act_take,         HG_ROLE_TAKING,    "1" },
	{ HG_ROLE_TAKING,    SM_PEER_ACKS,   act_takeover,     HG_ROLE_ACTIVE,    "1" },
	{ HG_ROLE_TAKING,    SM_TAKE_ABORT,  act_abort,        HG_ROLE_STANDBY,   "1" },
	{ HG_ROLE_FENCING,   SM_FENCE_OK,    act_takeover,     HG_ROLE_ACTIVE,    "1" },
	{ HG_ROLE_FENCING,   SM_FENCE_FAIL,  act_fence_failed, HG_ROLE_FENCING,   "2" },
	{ HG_ROLE_FENCING,   SM_FENCE_RETRY, act_fence,        HG_ROLE_FENCING,   "2" },
	{ HG_ROLE_FENCING,   SM_FENCE_REFUSED, act_none,       HG_ROLE_STANDBY,   "4" },
	{ HG_ROLE_FENCING,   SM_PEER_BACK,   act_none,         HG_ROLE_STANDBY,   "4" },
	{ HG_ROLE_ACTIVE,    SM_UNFIT,       act_release,      HG_ROLE_RELEASING, "5" },
	{ HG_ROLE_ACTIVE,    SM_HANDOVER,    act_handover,     HG_ROLE_RELEASING, "" },
	{ HG_ROLE_ACTIVE,    SM_DUAL_ACTIVE, act_release,      HG_ROLE_RELEASING, "1" },
	{ HG_ROLE_RELEASING, SM_RELEASED,    act_released,     HG_ROLE_STANDBY,   "5" },
};

/* ---- output helpers ---------------------------------------------------- */

struct hg_action *hg_emit(struct hg_actions *out, enum hg_act_type type)
{
	/* The bound is generous (one step emits a handful); running out is a
	 * bug, but losing a record must not lose a safety action, so callers
	 * check for NULL. */
	if (out->n >= HG_MAX_ACTIONS)
		return NULL;
	struct hg_action *a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->event = "";
	a->rule = "";
	a->trigger = "";
	a->from = a->to = -1;
	return a;
}

struct hg_action *hg_record(struct hg_actions *out, const char *event, const char *rule,
			    const char *fmt, ...)
{
	struct hg_action *a = hg_emit(out, HG_ACT_RECORD);
	va_list ap;

	if (!a)
		return NULL;
	a->event = event;
	a->rule = rule;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	return a;
}

void hg_reply(struct hg_actions *out, int ok, const char *fmt, ...)
{
	struct hg_action *a = hg_emit(out, HG_ACT_REPLY);
	va_list ap;

	if (!a)
		return;
	a->ok = ok;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
}

static void reset_links(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	/* Self-repair (rule 3), at most once a second per link. */
	for (int i = 0; i < c->p.n_lans; i++) {
		if (c->link_up[i] || now - c->link_reset_at[i] < 1000)
			continue;
		c->link_reset_at[i] = now;
		struct hg_action *a = hg_emit(out, HG_ACT_LINK_RESET);
		if (a)
			a->lan = i;
		hg_record(out, "link_reset", "3", "own link on LAN %d has no carrier: resetting it", i);
	}
}

/* ---- actions of the table ---------------------------------------------- */

static int act_none(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	return 0;
}

static int act_fence(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	struct hg_action *a = hg_emit(out, HG_ACT_FENCE);

	if (!a)
		return STAY;
	c->fence_gen++;
	c->fence_busy = 1;
	c->fence_deadline = now + (hg_ms)c->p.fence_timeout;
	c->fence_retry_at = -1;
	c->cnt.fences++;
	a->gen = c->fence_gen;
	/* the silence the native level's own check is about: since the
	 * deadtime passed, or, on positive evidence, since the last word */
	a->since = c->peer_lost ? c->peer_lost_at : hg_peer_silent_since(&c->peer, hg_n_paths(c));
	hg_record(out, "fence_start", "1",
		  "fencing the peer (generation %llu): power off, then read back until off",
		  (unsigned long long)c->fence_gen);
	return 0;
}

/* Rule 3 before rule 4: check ourselves before we accuse the peer. */
static int act_accuse(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (!hg_eligible_at(c, now)) {
		reset_links(c, now, out);
		if (!c->self_check_failed)
			hg_record(out, "not_accusing", "3",
				  "peer silent but own check fails (links %s, gateway %s, services %s, host %s, sensors %s, own BMC %s, start-up clean-up %s, admin standby %s): no fence, no takeover",
				  hg_links_ok(c) ? "ok" : "DOWN", hg_gw_ok(c, now) ? "ok" : "SILENT",
				  hg_svc_gave_up(c) ? "NOT READY" : "ok", c->host_ok ? "ok" : "UNHEALTHY",
				  hg_sensors_ok(c) ? "ok" : "CRITICAL", hg_own_bmc_ok(c) ? "ok" : "SILENT",
				  hg_core_cleaned(c) ? "done" : hg_svc_stop_failed(c) ? "A SERVICE MAY RUN" : "UNDER WAY",
				  c->admin_standby ? "yes" : "no");
		c->self_check_failed = 1;
		return STAY;
	}
	hg_record(out, "accuse", "4",
		  "every path to the peer silent for %lld ms, own links and gateway ok: the peer is presumed failed",
		  (long long)(now - hg_peer_silent_since(&c->peer, hg_n_paths(c))));
	return act_fence(c, now, out);
}

/* Positive evidence (issue 12): suspect.c found power read off since the
 * silence began, and rule 3 passed. Rule 1 is the fence's, as ever. */
static int act_accuse_off(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	hg_record(out, "accuse", "4",
		  "every path to the peer silent for %lld ms and its BMC reads power off, measured %lld ms into the silence: fencing now, without waiting out the deadtime",
		  (long long)(now - hg_peer_silent_since(&c->peer, hg_n_paths(c))),
		  (long long)(c->bmc[1].wdt_lo - hg_peer_silent_since(&c->peer, hg_n_paths(c))));
	return act_fence(c, now, out);
}

static int act_take(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->taking_seq = c->seq + 1;
	c->claim_peer_inc = c->peer.incarnation;
	hg_record(out, "claim", "1",
		  "the peer holds nothing and consents (role %s): claiming, waiting for its acknowledgement",
		  hg_role_name(pv(c)->role));
	return 0;
}

static int act_abort(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	hg_record(out, "claim_abort", "1",
		  "claim abandoned: peer role %s, grant %d, fresh %d",
		  hg_role_name(pv(c)->role), !!(pv(c)->flags & HG_F_GRANT),
		  hg_core_peer_fresh(c, now));
	return 0;
}

static int act_takeover(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (out->n >= HG_MAX_ACTIONS)
		return STAY;
	assert(!c->vip_held && hg_core_cleaned(c));   /* rule 1 */
	assert(c->role != HG_ROLE_TAKING || hg_eligible_at(c, now));   /* rule 3 */
	hg_vip_request(c, HG_VIP_ADD, now, out);
	c->cnt.takeovers++;
	c->handover = 0;
	c->want_until = HG_NEVER;
	if (c->role == HG_ROLE_FENCING) {
		/* The peer is off: whatever it last said is history. */
		c->peer.last_hb = HG_NEVER;
		hg_record(out, "takeover", "1", "peer confirmed off: taking over");
	} else {
		hg_record(out, "takeover", "1",
			  "peer acknowledged our claim and holds nothing: taking over");
	}
	return 0;
}

static int act_fence_failed(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->fence_retry_at = now + c->p.fence_retry;
	hg_record(out, "fence_alarm", "2",
		  "a fence that cannot be confirmed is not a fence: no takeover, retrying in %u ms",
		  c->p.fence_retry);
	return 0;
}

static int start_release(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->cnt.releases++;
	c->peer_ok_since = -1;
	hg_svc_stop_all(c, now, out);
	return 0;
}

static int act_release(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	hg_record(out, "release", "5",
		  "releasing: public link %s, gateway %s, services %s, host %s, peer role %s",
		  c->link_up[c->p.public_lan] ? "ok" : "DOWN", hg_gw_ok(c, now) ? "ok" : "SILENT",
		  hg_svc_gave_up(c) ? "GIVEN UP" : "ok", c->host_ok ? "ok" : "UNHEALTHY",
		  hg_role_name(pv(c)->role));
	c->handover = 1;
	c->handover_until = now + c->p.wait_for_peer;
	return start_release(c, now, out);
}

static int act_handover(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	hg_record(out, "handover", "", "handing the cluster over to the peer, which is eligible and standing by");
	c->handover = 1;
	c->handover_until = now + c->p.wait_for_peer;
	return start_release(c, now, out);
}

static int act_released(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	hg_record(out, "released", "5", "services stopped and VIPs removed; telling the peer");
	return 0;
}

/* ---- the machine -------------------------------------------------------- */

void hg_fire_handover(struct hg_core *c, hg_ms now, struct hg_actions *out);

static void fire(struct hg_core *c, enum sm_ev ev, hg_ms now, struct hg_actions *out)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct transition *t = &table[i];

		if (t->state != c->role || t->ev != ev)
			continue;
		enum hg_role from = c->role;
		if (t->fn(c, now, out) == STAY)
			return;
		c->role = t->next;
		if (from != t->next)
			c->role_since = now;
		struct hg_action *r = hg_record(out, "transition", t->rule, "%s --%s--> %s",
						hg_role_name(from), sm_names[ev], hg_role_name(c->role));
		if (r) {
			r->from = (int)from;
			r->to = (int)c->role;
			r->trigger = sm_names[ev];
		}
		/* Rule 1: the VIPs are only ever taken through these two rows */
		assert(c->role != HG_ROLE_ACTIVE || from == HG_ROLE_TAKING || from == HG_ROLE_FENCING ||
		       from == HG_ROLE_ACTIVE);
		if (from != c->role)
			hg_send_hb(c, now, out);   /* tell the peer at once */
		return;
	}
}

void hg_fire_handover(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	fire(c, SM_HANDOVER, now, out);
}

void hg_fire_released(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	fire(c, SM_RELEASED, now, out);
}

hg_ms hg_accuse_due(const struct hg_core *c)
{
	if (!hg_peer_was_active(c) && hg_peer_preferred(c))
		return c->peer_lost_at + c->p.fence_delay;
	return c->peer_lost_at;
}

static int claim_ok(const struct hg_core *c, hg_ms now)
{
	return hg_eligible_at(c, now) && !c->handover && !hg_grants(c, now) &&
	       hg_core_peer_fresh(c, now) &&
	       (pv(c)->role == HG_ROLE_STANDBY || pv(c)->role == HG_ROLE_STARTING) &&
	       (pv(c)->flags & HG_F_GRANT) && !(pv(c)->flags & HG_F_HOLDS_VIP);
}

/* Rule 1 (issue 10, hole 1): the peer's life we claimed against answered
 * this very claim of this very life of ours. */
static int acked(const struct hg_core *c, hg_ms now)
{
	return hg_core_peer_fresh(c, now) && c->peer.incarnation == c->claim_peer_inc &&
	       pv(c)->ack_incarnation == c->incarnation && pv(c)->ack_claim == c->taking_seq &&
	       c->taking_seq != 0;
}

static int take_abort(const struct hg_core *c, hg_ms now)
{
	if (!hg_core_peer_fresh(c, now) || !hg_eligible_at(c, now))
		return 1;
	if (c->peer.incarnation != c->claim_peer_inc)
		return 1;   /* the peer restarted: its new life never saw this claim */
	if (now - c->role_since >= (hg_ms)c->p.deadtime)
		return 1;
	switch (pv(c)->role) {
	case HG_ROLE_ACTIVE: case HG_ROLE_FENCING:
		return 1;
	case HG_ROLE_TAKING:
		return hg_peer_preferred(c);
	default:
		return acked(c, now) && !(pv(c)->flags & HG_F_GRANT);
	}
}

static int sm_derive(struct hg_core *c, hg_ms now)
{
	switch (c->role) {
	case HG_ROLE_STARTING:
		if (hg_core_peer_fresh(c, now))
			return SM_PEER_HEARD;
		if (c->peer_lost && now - c->started >= (hg_ms)c->p.wait_for_peer &&
		    now >= hg_accuse_due(c))
			return hg_accusation(c, now) ? SM_WAIT_OVER : -1;
		return -1;
	case HG_ROLE_STANDBY:
		if (c->peer_lost && now >= hg_accuse_due(c))
			return hg_accusation(c, now) ? SM_PEER_LOST : -1;
		if (hg_suspect_proof(c, now))
			return SM_PEER_OFF;
		if (claim_ok(c, now))
			return SM_PEER_GRANTS;
		return -1;
	case HG_ROLE_TAKING:
		/* Still eligible at the acknowledgement, not only at the claim
		 * (review finding 7): the public link, the gateway, a service's
		 * readiness or our BMC may have gone meanwhile; then abort. */
		if (hg_eligible_at(c, now) && acked(c, now) && (pv(c)->flags & HG_F_GRANT) &&
		    (pv(c)->role == HG_ROLE_STANDBY || pv(c)->role == HG_ROLE_STARTING) &&
		    !(pv(c)->flags & HG_F_HOLDS_VIP))
			return SM_PEER_ACKS;
		return take_abort(c, now) ? SM_TAKE_ABORT : -1;
	case HG_ROLE_FENCING:
		if (c->fence_busy || c->fence_retry_at < 0)
			return -1;
		/* Rule 4: a retry is a new accusation. A peer that answers on
		 * any path again (its kernel pings back while its agent is
		 * stopped) is not presumed failed any more. */
		if (hg_core_peer_fresh(c, now) || !c->peer_lost)
			return SM_PEER_BACK;
		if (hg_bmc_says_alive(c, now))
			return SM_PEER_BACK;   /* its watchdog is being reset */
		/* the evidence of this silence, not of the one the first
		 * attempt answered (a fence answer may have been lost for
		 * longer than the peer stayed silent) */
		return now >= c->fence_retry_at && now >= hg_accuse_due(c) &&
		       hg_eligible_at(c, now) && hg_accusation(c, now) ? SM_FENCE_RETRY : -1;
	case HG_ROLE_ACTIVE:
		if (hg_core_peer_fresh(c, now) && pv(c)->role == HG_ROLE_ACTIVE &&
		    hg_peer_preferred(c))
			return SM_DUAL_ACTIVE;
		if (c->seq_op != -1)
			return -1;
		if (!hg_fit_at(c, now)) {
			if (hg_peer_can_take(c, now))
				return SM_UNFIT;
			return -1;
		}
		if (hg_peer_can_take(c, now) && (pv(c)->flags & HG_F_WANT))
			return SM_HANDOVER;
		if (c->peer_ok_since >= 0 &&
		    now - c->peer_ok_since >= (hg_ms)c->p.failback_holddown &&
		    hg_svc_all_running(c))
			return SM_HANDOVER;
		return -1;
	default:
		return -1;
	}
}

/* Bookkeeping that is not a transition: liveness episodes, failback clock,
 * notes about conditions we cannot act on. */
static void observe(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	int alive = hg_peer_any_path(&c->peer, hg_n_paths(c), now, c->p.deadtime);

	if (!alive && !c->peer_lost && now >= c->stall_hold_until) {
		c->peer_lost = 1;
		c->peer_lost_at = now;
		c->self_check_failed = 0;
		hg_record(out, "peer_lost", "4",
			  "every path (UDP and ICMP on %d LANs) silent for %u ms; peer last seen as %s",
			  c->p.n_lans, c->p.deadtime,
			  c->peer.incarnation ? hg_role_name(pv(c)->role) : "never");
	} else if (alive && c->peer_lost) {
		c->peer_lost = 0;
		c->peer.max_gap = 0;
		hg_record(out, "peer_back", "4", "a path to the peer answers again");
	}

	hg_suspect_observe(c, now, out);
	hg_bmc_observe(c, now, out);

	if (c->handover && ((now >= c->handover_until && !c->peer_lost) ||
			    (hg_core_peer_fresh(c, now) && pv(c)->role == HG_ROLE_ACTIVE)))
		c->handover = 0;

	if (c->role == HG_ROLE_ACTIVE && c->p.failback_auto && hg_peer_preferred(c) &&
	    hg_peer_can_take(c, now)) {
		if (c->peer_ok_since < 0)
			c->peer_ok_since = now;
	} else {
		c->peer_ok_since = -1;
	}

	/* Dual active (rule 1 broken, e.g. by a fence device that lied): the
	 * less preferred node releases (table). The winner re-runs its
	 * "active" hook once it is alone again, because external state may have
	 * been changed by the loser meanwhile (issue 6). */
	int peer_active = hg_core_peer_fresh(c, now) &&
			  (pv(c)->role == HG_ROLE_ACTIVE || (pv(c)->flags & HG_F_HOLDS_VIP));
	if (c->role == HG_ROLE_ACTIVE && peer_active && !hg_peer_preferred(c) && !c->dual_seen) {
		c->dual_seen = 1;
		hg_record(out, "dual_active", "1",
			  "the peer holds the VIPs too; it is less preferred and must release");
	} else if (c->dual_seen && (c->role != HG_ROLE_ACTIVE || !peer_active)) {
		c->dual_seen = 0;
		if (c->role == HG_ROLE_ACTIVE)
			hg_record(out, "dual_active_won", "1",
				  "the peer no longer holds the VIPs: this node is the only active node");
	}

	if (c->role == HG_ROLE_ACTIVE && !hg_fit_at(c, now)) {
		reset_links(c, now, out);
		if (!c->unfit_noted && !hg_peer_can_take(c, now))
			hg_record(out, "unfit_keeping", "5",
				  "unfit to be active but the peer cannot take over (fresh %d, eligible %d, role %s): keeping the VIPs",
				  hg_core_peer_fresh(c, now), !!(pv(c)->flags & HG_F_ELIGIBLE),
				  hg_role_name(pv(c)->role));
		c->unfit_noted = 1;
	} else if (c->role == HG_ROLE_STANDBY && !hg_links_ok(c)) {
		reset_links(c, now, out);
	} else {
		c->unfit_noted = 0;
	}
}

/* Hole 5: every request the core makes has a deadline here. */
static void deadlines(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (c->fence_busy && now >= c->fence_deadline) {
		c->fence_busy = 0;
		hg_record(out, "fence_deadline", "2",
			  "fence generation %llu unanswered after %u ms: outcome unknown, no takeover",
			  (unsigned long long)c->fence_gen, c->p.fence_timeout);
		fire(c, SM_FENCE_FAIL, now, out);
	}
	hg_vip_deadline(c, now, out);
	hg_svc_deadlines(c, now, out);
}

static void evaluate(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	deadlines(c, now, out);
	hg_svc_cleanup(c, now, out);
	observe(c, now, out);
	for (int guard = 0; guard < 4; guard++) {
		int ev = sm_derive(c, now);
		enum hg_role before = c->role;

		if (ev < 0)
			break;
		fire(c, (enum sm_ev)ev, now, out);
		if (c->role == before)
			break;
	}
	hg_svc_tick(c, now, out);

	if (c->vip_retry_at >= 0 && now >= c->vip_retry_at) {
		int add = c->role == HG_ROLE_ACTIVE && !c->vip_up;
		int del = c->role == HG_ROLE_RELEASING && c->vip_held && c->seq_op == -1 &&
			  c->stop_retry_at < 0;
		c->vip_retry_at = -1;
		if ((add || del) && !c->vip_gen)
			hg_vip_request(c, add ? HG_VIP_ADD : HG_VIP_DEL, now, out);
	}
	if (c->garp_left && now >= c->garp_next) {
		hg_emit(out, HG_ACT_GARP);
		c->garp_left--;
		c->garp_next = now + (c->garp_left ? c->p.garp_interval : c->p.garp_refresh);
		if (!c->garp_left && c->p.garp_refresh)
			c->garp_left = 1;   /* periodic refresh while active */
	}
	if (now >= c->next_hb) {
		hg_send_hb(c, now, out);
		c->next_hb = now + c->p.interval;
	}
	hg_pet(c, now, out);
}

/* ---- inputs -------------------------------------------------------------- */


void hg_core_init(struct hg_core *c, const struct hg_params *p,
		  uint64_t incarnation, hg_ms now)
{
	memset(c, 0, sizeof(*c));
	c->p = *p;
	c->incarnation = incarnation;
	c->role = HG_ROLE_STARTING;
	c->started = c->role_since = c->last_step = c->next_hb = now;
	c->stall_hold_until = HG_NEVER;
	for (int i = 0; i < HG_MAX_PATHS; i++)
		c->peer.path_last[i] = now;   /* silence is counted from our start */
	c->peer.last_hb = HG_NEVER;
	c->peer.last_rx = HG_NEVER;
	c->host_ok = 1;
	c->bmc_at[0] = c->bmc_at[1] = c->peer_seen_at = HG_NEVER;
	c->poll_asked = HG_NEVER;
	c->poll_deadline = HG_NEVER;
	c->own_asked = HG_NEVER;
	c->pet_next = now;
	/* defaults for the deadlines a caller left at 0 */
	if (!c->p.bmc_timeout)
		c->p.bmc_timeout = 1000;
	if (!c->p.fence_timeout)
		c->p.fence_timeout = 30000;
	if (!c->p.vip_timeout)
		c->p.vip_timeout = 2000;
	for (int i = 0; i < HG_MAX_SERVICES; i++) {
		if (!c->p.svc_timeout[i])
			c->p.svc_timeout[i] = 10000;
		if (!c->p.svc_check_timeout[i])
			c->p.svc_check_timeout[i] = 5000;
	}
	c->gw_last = HG_NEVER;
	for (int i = 0; i < HG_MAX_LANS; i++)
		c->link_reset_at[i] = HG_NEVER;
	c->want_until = HG_NEVER;
	c->peer_ok_since = -1;
	c->fence_retry_at = -1;
	c->seq_op = -1;
	c->vip_retry_at = -1;
	c->stop_retry_at = -1;
	/* Hole 3: a previous life may have left services running (the kernel
	 * keeps them; the daemon's start removes only the VIPs), so every life
	 * starts by stopping them: the first step runs the clean-up. */
	c->cleanup = HG_CL_PENDING;
	for (int i = 0; i < HG_MAX_SERVICES; i++) {
		c->svc[i].last_failure = -1;
		c->svc[i].last_probe = -1;
		c->svc[i].restart_at = -1;
		c->svc[i].next_check = now;
	}
}

void hg_core_step(struct hg_core *c, const struct hg_event *ev,
		  struct hg_actions *out)
{
	hg_ms now = ev->now;

	/* Stall guard (STYLE.md habit 2): the shell steps us at least every
	 * interval; a longer gap means we were frozen, and the silence we
	 * measured meanwhile is ours, not the peer's. */
	if (now - c->last_step > 2 * (hg_ms)c->p.interval + (hg_ms)c->p.interval / 2) {
		c->stall_hold_until = now + c->p.deadtime;
		c->cnt.stalls++;
		hg_record(out, "stall", "4", "event loop stalled %lld ms: no accusation for %u ms",
			  (long long)(now - c->last_step), c->p.deadtime);
	}
	if (now > c->last_step)
		c->last_step = now;

	switch (ev->type) {
	case HG_EV_TICK:
		break;
	case HG_EV_HB:
		hg_on_hb(c, ev, out);
		break;
	case HG_EV_HB_REJECT:
		if (ev->reject < HG_REJ_COUNT)
			c->cnt.rx_reject[ev->reject]++;
		return;   /* changes nothing else */
	case HG_EV_ICMP:
		if (ev->lan >= 0 && ev->lan < c->p.n_lans)
			c->peer.path_last[ev->lan * 2 + 1] = now;
		break;
	case HG_EV_GATEWAY:
		c->gw_last = now;
		break;
	case HG_EV_LINK:
		if (ev->lan >= 0 && ev->lan < c->p.n_lans && c->link_up[ev->lan] != !!ev->ok) {
			c->link_up[ev->lan] = !!ev->ok;
			hg_record(out, ev->ok ? "link_up" : "link_down", "3",
				  "own link on LAN %d %s", ev->lan, ev->ok ? "has carrier" : "lost carrier");
		}
		break;
	case HG_EV_FENCE:
		if (!c->fence_busy || ev->gen != c->fence_gen) {
			hg_record(out, "fence_stale", "", "ignoring the answer of fence generation %llu",
				  (unsigned long long)ev->gen);
			break;
		}
		c->fence_busy = 0;
		if (ev->outcome == HG_FENCE_CONFIRMED) {
			hg_record(out, "fence_confirmed", "1", "peer power read back as off");
			fire(c, SM_FENCE_OK, now, out);
		} else if (ev->outcome == HG_FENCE_REFUSED) {
			hg_record(out, "fence_refused", "4",
				  "fence generation %llu powered nothing off: in its own session the peer's BMC says its watchdog was reset after the silence began; the peer is cut off, not dead",
				  (unsigned long long)ev->gen);
			fire(c, SM_FENCE_REFUSED, now, out);
		} else {
			hg_record(out, "fence_failed", "2", "fence generation %llu %s",
				  (unsigned long long)ev->gen,
				  ev->outcome == HG_FENCE_FAILED ? "failed" : "outcome unknown");
			fire(c, SM_FENCE_FAIL, now, out);
		}
		break;
	case HG_EV_SVC:
		hg_svc_result(c, ev, out);
		break;
	case HG_EV_VIP:
		hg_on_vip(c, ev, out);
		break;
	case HG_EV_CMD:
		hg_on_cmd(c, ev, out);
		break;
	case HG_EV_BMC:
		hg_on_bmc(c, ev, out);
		break;
	case HG_EV_HOST:
		if (c->host_ok != !!ev->ok) {
			c->host_ok = !!ev->ok;
			hg_record(out, ev->ok ? "host_ok" : "host_unhealthy", "5",
				  ev->ok ? "host watch passes again (load, memory, disk)"
					 : "host watch fails (load, memory or disk): not fit to serve");
		}
		break;
	}
	evaluate(c, now, out);
}

hg_ms hg_core_next_wakeup(const struct hg_core *c)
{
	hg_ms t = c->next_hb;

#define EARLIER(x) do { hg_ms x_ = (x); if (x_ > c->last_step && x_ < t) t = x_; } while (0)
	for (int p = 0; p < hg_n_paths(c); p++) {
		EARLIER(c->peer.path_last[p] + c->p.deadtime);
		if (c->p.suspect)
			EARLIER(c->peer.path_last[p] + c->p.suspect);
	}
	if (c->peer_lost)
		EARLIER(hg_accuse_due(c));
	if (c->role == HG_ROLE_STARTING)
		EARLIER(c->started + c->p.wait_for_peer);
	if (c->fence_retry_at >= 0)
		EARLIER(c->fence_retry_at);
	if (c->garp_left)
		EARLIER(c->garp_next);
	if (c->vip_retry_at >= 0)
		EARLIER(c->vip_retry_at);
	EARLIER(hg_svc_next_wakeup(c));
	EARLIER(hg_svc_deadline_next(c));
	if (c->fence_busy)
		EARLIER(c->fence_deadline);
	if (c->vip_gen)
		EARLIER(c->vip_deadline);
	if (c->peer_ok_since >= 0)
		EARLIER(c->peer_ok_since + c->p.failback_holddown);
	if (c->p.self_fence && !c->pet_stopped)
		EARLIER(c->pet_next);
	if (c->peer_lost && c->p.have_peer_bmc)
		EARLIER(c->poll_deadline);
#undef EARLIER
	return t;
}
