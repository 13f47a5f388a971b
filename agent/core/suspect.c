/*
 * suspect.c - positive evidence first (issue 12, DESIGN.md rules 1 and 4).
 *
 * Rule 4 waits until every path of the peer has been silent for the
 * deadtime, because silence alone proves nothing. Power read off by the
 * peer's BMC is different: it is evidence, and it is there long before the
 * deadtime (a BMC reads "off" within tens of ms of a power loss). So once
 * every path has been silent a little more than one interval (suspect), a
 * standby asks the peer's BMC at once, power and watchdog only. Power off,
 * measured after the silence began, is fenced at once: our power-off, read
 * back as off (rule 1 unchanged), then the takeover. Any other answer, or
 * none, changes nothing: rule 4 decides at the deadtime as before, and the
 * late heartbeat cost one reading. Pure, like the rest of agent/core.
 */
#include "agent/core/internal.h"
#include "agent/core/peer.h"

/* Every path silent for the suspicion, and not yet for the deadtime. */
static int suspected(const struct hg_core *c, hg_ms now)
{
	return c->p.suspect && c->p.have_peer_bmc && !c->peer_lost &&
	       !hg_peer_any_path(&c->peer, hg_n_paths(c), now, c->p.suspect);
}

/* Who may act on a suspicion: a standby that passes its own check (rule 3),
 * outside a stall's hold (STYLE.md habit 2: the silence may be ours). */
static int may_act(const struct hg_core *c, hg_ms now)
{
	return c->role == HG_ROLE_STANDBY && now >= c->stall_hold_until && hg_eligible_at(c, now);
}

void hg_suspect_observe(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (!suspected(c, now)) {
		/* a path answered within the suspicion: the episode is over */
		if (!c->peer_lost)
			c->suspect_open = 0;
		return;
	}
	if (c->suspect_open || !may_act(c, now))
		return;
	/* One reading per silence: a late heartbeat costs one round trip. */
	struct hg_action *a = hg_emit(out, HG_ACT_BMC_POLL);
	if (!a)
		return;                 /* the list was full: the next step asks */
	a->svc = 1;
	a->op = HG_POLL_EVIDENCE;
	c->suspect_open = 1;
	c->poll_asked = now;
	c->poll_deadline = now + 2 * (hg_ms)c->p.bmc_timeout + 500;
	hg_record(out, "peer_suspect", "4",
		  "every path silent for %lld ms (suspect_ms %u): asking the peer's BMC now; power read off is fenced at once, anything else waits for the deadtime (%u ms)",
		  (long long)(now - hg_peer_silent_since(&c->peer, hg_n_paths(c))), c->p.suspect,
		  c->p.deadtime);
}

int hg_suspect_proof(const struct hg_core *c, hg_ms now)
{
	const struct hg_bmc_report *r = &c->bmc[1];

	/* measured after the last word of the peer: about this silence */
	return suspected(c, now) && may_act(c, now) && c->bmc_at[1] != HG_NEVER &&
	       r->reachable && r->power == 0 &&
	       r->wdt_lo >= hg_peer_silent_since(&c->peer, hg_n_paths(c));
}
