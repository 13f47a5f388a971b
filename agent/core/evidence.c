/*
 * evidence.c - the BMCs in the decisions (issue 4, DESIGN.md rules 3-5):
 * what the peer's BMC says about a silent peer, whether our own BMC and
 * sensors let us serve, and whether we keep resetting our own watchdog.
 * Pure, like the rest of agent/core: readings arrive as HG_EV_BMC events.
 */
#include "agent/core/internal.h"
#include "agent/core/peer.h"

#include <assert.h>

/* No sensor of ours reads critical (HA-OSCAR's predictive failover: hand
 * over before the node dies). Counts for staying active and for taking over.
 * The last reading counts, also one from before the BMC stopped answering. */
int hg_sensors_ok(const struct hg_core *c)
{
	return !c->p.have_own_bmc || c->bmc_at[0] == HG_NEVER ||
	       c->bmc[0].sensor_worst < HG_SEV_CRITICAL;
}

/* Rule 3: our own BMC answers: it is our self-fence, so without it we do
 * not take over. An active node whose BMC stops answering stays active (a
 * BMC firmware hiccup must not move the cluster) and says so. No reading
 * yet counts as fine. */
int hg_own_bmc_ok(const struct hg_core *c)
{
	return !c->p.have_own_bmc || c->bmc_at[0] == HG_NEVER || c->bmc[0].reachable;
}

/* Rule 4: what the peer's BMC says about a silent peer. Power read as off
 * is not taken as proof by itself: rule 1 wants it off after *our*
 * power-off (someone may power it on again), so it means "fence now" (an
 * idempotent power-off and read-back: one round trip on a warm session). */
enum evd { EVD_NEED, EVD_ALIVE, EVD_FENCE };

/* How often an agent resets its watchdog of timeout t: the core decides
 * (hg_pet), the daemon does what it is told. Both nodes run this rule, so the
 * peer's cadence follows from its timeout as its BMC reports it. */
hg_ms hg_pet_every(const struct hg_core *c, uint32_t t)
{
	hg_ms every = (hg_ms)t / 6;
	return every > (hg_ms)c->p.interval ? every : (hg_ms)c->p.interval;
}

/* A live peer's last reset is at most this old when its BMC measures the
 * countdown: its cadence, one heartbeat late, plus the reset request's own
 * time to the BMC. A reading measured this long after the silence began
 * and showing no reset since means no live agent (issue 10, hole 2). */
static hg_ms wdt_margin(const struct hg_core *c, const struct hg_bmc_report *r)
{
	return hg_pet_every(c, r->wdt_initial_ms) + (hg_ms)c->p.interval +
	       (hg_ms)c->p.bmc_timeout + 100;
}

/* When the peer last reset its watchdog, bounded both ways: the BMC measured
 * between wdt_lo and wdt_hi, and its countdown steps by 100 ms. */
static hg_ms reset_after(const struct hg_bmc_report *r)
{
	return r->wdt_lo - (hg_ms)(r->wdt_initial_ms - r->wdt_present_ms) - 100;
}

static hg_ms reset_before(const struct hg_bmc_report *r)
{
	return r->wdt_hi - (hg_ms)(r->wdt_initial_ms - r->wdt_present_ms) + 100;
}

hg_ms hg_bmc_reset_after(const struct hg_bmc_report *r)
{
	return reset_after(r);
}

int hg_bmc_alive_since(const struct hg_bmc_report *r, hg_ms since)
{
	return r->reachable && r->power == 1 && r->wdt_usable && !r->wdt_expired &&
	       r->wdt_present_ms <= r->wdt_initial_ms && reset_after(r) > since;
}

static enum evd evidence(const struct hg_core *c, hg_ms now)
{
	const struct hg_bmc_report *r = &c->bmc[1];

	/* Power read off since the silence began (issue 12: the suspicion's
	 * reading, suspect.c, or any later one) asks no watchdog question:
	 * fence now. Waiting for a reading measured past the deadtime would
	 * cost a second round trip for nothing. */
	if (c->bmc_at[1] != HG_NEVER && r->reachable && r->power == 0 &&
	    r->wdt_lo >= hg_peer_silent_since(&c->peer, hg_n_paths(c)))
		return EVD_FENCE;
	/* only a reading taken since counts: measured, not merely arrived */
	if (c->bmc_at[1] == HG_NEVER || r->wdt_lo < c->peer_lost_at)
		return EVD_NEED;
	/* A reading that cannot be had is no evidence (issue 11): it does not
	 * undo one of this silence that said alive (loss on our management
	 * link must not shoot a healthy peer). With none, the fence levels
	 * try (rule 2 holds), and the native one checks the watchdog itself
	 * before its power-off (HG_FENCE_REFUSED). */
	if (!r->reachable) {
		const struct hg_bmc_report *s = &c->peer_seen;
		/* alive then; and until a peer that died right after would be
		 * powered off by its watchdog, and a margin: past that, a fence
		 * (its native check asks again) is how we learn more */
		if (c->peer_seen_at != HG_NEVER && s->wdt_lo >= c->peer_lost_at &&
		    hg_bmc_alive_since(s, c->peer_lost_at) &&
		    now < reset_before(s) + (hg_ms)s->wdt_initial_ms + wdt_margin(c, s))
			return EVD_ALIVE;
		/* and not before a live agent would have reset its watchdog
		 * since the silence began, so that the native level's own
		 * reading can tell (its timeout as any reading of it said, else
		 * ours: both nodes run one configuration). A peer that runs a
		 * slower interval (finding 6) resets at least once per its
		 * watchdog timeout: wait that long. */
		uint32_t t = c->peer_wdt_ms ? c->peer_wdt_ms : c->p.self_fence ? c->p.wdt_timeout : 0;
		if (t) {
			struct hg_bmc_report m = { .wdt_initial_ms = t };
			hg_ms wait = wdt_margin(c, &m) + (c->peer.slower ? (hg_ms)t : 0);
			if (now < c->peer_lost_at + wait)
				return EVD_NEED;
		}
		return EVD_FENCE;           /* the fence levels try, rule 2 holds */
	}
	if (r->power == 0)
		return EVD_FENCE;           /* no watchdog question to ask */
	if (r->wdt_expired || !r->wdt_usable || r->wdt_present_ms > r->wdt_initial_ms)
		return EVD_FENCE;           /* no usable watchdog evidence */
	if (reset_after(r) > c->peer_lost_at)
		return EVD_ALIVE;           /* reset since the silence began: cut off */
	/* a live agent would have reset it by now, if it runs our timing;
	 * one that runs a slower interval may not have (peer.c, finding 6):
	 * then we wait for its watchdog to fire, rule 4's bound */
	if (reset_before(r) < c->peer_lost_at && r->wdt_lo >= c->peer_lost_at + wdt_margin(c, r))
		return c->peer.slower ? EVD_NEED : EVD_FENCE;
	return EVD_NEED;                    /* too early or too coarse to tell: ask again */
}

/* The reading that says alive: the latest, or the last that answered. */
static const struct hg_bmc_report *alive_reading(const struct hg_core *c)
{
	return c->bmc[1].reachable ? &c->bmc[1] : &c->peer_seen;
}

int hg_accusation(const struct hg_core *c, hg_ms now)
{
	if (!c->p.have_peer_bmc || !hg_eligible_at(c, now))
		return 1;                   /* act_accuse records why not, if so */
	return evidence(c, now) == EVD_FENCE;
}

int hg_bmc_says_alive(const struct hg_core *c, hg_ms now)
{
	return c->p.have_peer_bmc && evidence(c, now) == EVD_ALIVE;
}

/* Bookkeeping of rule 4 while an accusation is due: ask the peer's BMC,
 * and note a peer that is cut off rather than dead. */
void hg_bmc_observe(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	/* Rule 4: ask the peer's BMC once the accusation is due; a peer whose
	 * watchdog is being reset is cut off, not dead: alert, do not fence. */
	if (c->peer_lost && c->p.have_peer_bmc && now >= hg_accuse_due(c) &&
	    (c->role == HG_ROLE_STANDBY || c->role == HG_ROLE_STARTING ||
	     (c->role == HG_ROLE_FENCING && !c->fence_busy)) && hg_eligible_at(c, now)) {
		enum evd e = evidence(c, now);
		/* One reading asked at a time; a request unanswered past its
		 * deadline is asked again (hole 5), never waited on for ever. */
		int answered = c->bmc_at[1] >= c->poll_asked && c->bmc[1].wdt_hi >= c->poll_asked;
		/* Cut off, not dead, is a reading's verdict, not for ever (review
		 * finding 5): a peer that stops resetting later is only seen in a
		 * later reading (power off once its watchdog fires), so ask at
		 * its reset cadence as long as the silence lasts. The shell's
		 * periodic readings (bmc_poll_ms, up to 600 s) bound nothing. */
		hg_ms again = e == EVD_ALIVE ? hg_pet_every(c, alive_reading(c)->wdt_initial_ms) : 100;
		if (e != EVD_FENCE && now - c->poll_asked >= again &&
		    (answered || now >= c->poll_deadline)) {
			struct hg_action *a = hg_emit(out, HG_ACT_BMC_POLL);
			if (a) {
				a->svc = 1;
				a->op = HG_POLL_EVIDENCE;
			}
			c->poll_asked = now;
			c->poll_deadline = now + 2 * (hg_ms)c->p.bmc_timeout + 500;
		}
		if (e == EVD_ALIVE && !c->cut_off_noted) {
			c->cut_off_noted = 1;
			hg_record(out, "peer_cut_off", "4",
				  "every path silent, but the peer's watchdog was reset at most %lld ms ago, after the silence began: the peer is cut off, not dead; no fence (a peer that is not healthy stops resetting it and its BMC powers it off within %u ms)",
				  (long long)(now - reset_after(alive_reading(c))), alive_reading(c)->wdt_initial_ms);
		}
	}
	if (!c->peer_lost)
		c->cut_off_noted = 0;

	/* Our own BMC did not answer, or a sensor read critical: we are not
	 * eligible (rules 3, 5) until a reading says otherwise, and the
	 * shell's periodic readings may be minutes apart (bmc_poll_ms), so ask
	 * ourselves, once a second, one at a time as for the peer's (an
	 * unanswered one is asked again past the same deadline). */
	if (c->p.have_own_bmc && c->bmc_at[0] != HG_NEVER &&
	    (!c->bmc[0].reachable || !hg_sensors_ok(c)) &&
	    now - c->own_asked >= 1000 &&
	    (c->bmc_at[0] > c->own_asked || now - c->own_asked >= 2 * (hg_ms)c->p.bmc_timeout + 500)) {
		struct hg_action *a = hg_emit(out, HG_ACT_BMC_POLL);
		if (a) {
			a->svc = 0;
			c->own_asked = now;
		}
	}
}

/* Rule 5: a node that is unfit and cannot tell its peer (every path silent)
 * stops resetting its watchdog: its BMC powers it off and the peer sees
 * power off. That holds for the active node, and also for one that just
 * released while the cut began (its handover may never have arrived: the
 * peer, still believing it active, sees its watchdog reset and waits). Only
 * an unfit node whose peer was last seen active keeps resetting: the peer
 * serves and needs nothing from it. A hung agent stops resetting by itself. */
void hg_pet(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	/* A handover that the peer never acknowledged (we lost it before we saw
	 * it active) may never have arrived: the peer waits on our watchdog, so
	 * we let it fire even if we are fit again (a repaired link). */
	int lost_handover = c->handover && c->peer_lost && c->role != HG_ROLE_ACTIVE;
	/* Hole 4 (and 3): a service that could not be stopped may still run:
	 * the BMC must power us off so that the peer can take over on proof. */
	int stop = lost_handover || hg_svc_stop_failed(c) ||
		   (!hg_healthy_at(c, now) && c->peer_lost &&
		    (c->role == HG_ROLE_ACTIVE || c->role == HG_ROLE_RELEASING ||
		     pv(c)->role != HG_ROLE_ACTIVE));

	if (!c->p.self_fence)
		return;
	if (stop != c->pet_stopped) {
		c->pet_stopped = stop;
		/* the record names the cause that holds, not always the first */
		const char *why = hg_svc_stop_failed(c) ? "a service could not be stopped and may still run"
				: lost_handover ? "we handed over but every path to the peer went silent before it answered: it may never have heard"
				: "unfit to serve, every path to the peer silent, and the peer not known to be active";
		if (stop)
			hg_record(out, "self_fence", "5",
				  "%s: no longer resetting our watchdog; our BMC will power us off so that the peer can take over on proof", why);
		else
			hg_record(out, "self_fence_off", "5", "resetting our watchdog again");
		if (!stop)
			c->pet_next = now;
	}
	/* The cadence is ours to decide (hole 2): the peer's evidence check
	 * assumes exactly this one (hg_pet_every), so the shell resets on
	 * every action and never on its own. */
	if (!stop && now >= c->pet_next) {
		struct hg_action *a = hg_emit(out, HG_ACT_WDT_PET);
		hg_ms every = hg_pet_every(c, c->p.wdt_timeout);
		/* Our BMC does not answer (its readings fail): a reset may be
		 * lost as well, so try at every heartbeat until it answers; more
		 * resets than the cadence only make a live node look more alive. */
		if (c->bmc_at[0] != HG_NEVER && !c->bmc[0].reachable)
			every = c->p.interval;
		if (a) {
			a->ms = (uint32_t)every;
			c->pet_next = now + every;
		} else {
			/* The step's action list was full (review finding 4): no
			 * reset went out, so none is counted; the next step, one
			 * millisecond on with an empty list, asks again. */
			c->pet_next = now + 1;
		}
	}
	/* a reset is always due at a future step while we keep resetting */
	assert(stop || c->pet_next > now);
}

void hg_on_bmc(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out)
{
	int who = ev->bmc.who ? 1 : 0;
	const struct hg_bmc_report *old = &c->bmc[who];
	int first = c->bmc_at[who] == HG_NEVER;

	/* A reading measured before the one we hold (a late answer) is history:
	 * it must not undo what a newer reading said (issue 10, hole 5). */
	if (!first && ev->bmc.wdt_hi < old->wdt_lo)
		return;
	if ((first && !ev->bmc.reachable) || (!first && old->reachable != ev->bmc.reachable))
		hg_record(out, ev->bmc.reachable ? "bmc_reachable" : "bmc_unreachable", who ? "2" : "3",
			  who ? (ev->bmc.reachable ? "the peer's BMC answers again"
				 : "the peer's BMC does not answer: the peer could not be fenced through it")
			      : (ev->bmc.reachable ? "our own BMC answers again"
				 : "our own BMC does not answer: no self-fence; this node will not take over (if active, it stays)"));
	if (!who && (first ? HG_SEV_OK : old->sensor_worst) < HG_SEV_CRITICAL &&
	    ev->bmc.sensor_worst >= HG_SEV_CRITICAL)
		hg_record(out, "sensor_critical", "5",
			  "a sensor of our BMC reads critical: unfit to be active, handing over to a healthy standby");
	if (!who && !first && !old->reachable && ev->bmc.reachable)
		c->pet_next = ev->now;   /* it answers again: reset at once */
	c->bmc[who] = ev->bmc;
	c->bmc_at[who] = ev->now;
	if (who && ev->bmc.reachable) {
		c->peer_seen = ev->bmc;
		c->peer_seen_at = ev->now;
		if (ev->bmc.wdt_usable)
			c->peer_wdt_ms = ev->bmc.wdt_initial_ms;
	}
}
