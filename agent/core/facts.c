/*
 * facts.c - what the core knows, derived from its state: freshness of the
 * peer, our own fitness and eligibility, consent (the grant), and the
 * heartbeat that tells the peer all of it (docs/protocol.md). Leaf facts:
 * nothing here fires a transition or writes a decision record; core.c, the
 * table's owner, does.
 */
#include "agent/core/internal.h"
#include "agent/core/peer.h"

int hg_core_path_up(const struct hg_core *c, int path, hg_ms now)
{
	return hg_path_alive(&c->peer, path, now, c->p.deadtime);
}

int hg_core_peer_fresh(const struct hg_core *c, hg_ms now)
{
	return c->peer.incarnation && now - c->peer.last_hb < (hg_ms)c->p.deadtime;
}

int hg_links_ok(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_lans; i++)
		if (!c->link_up[i])
			return 0;
	return 1;
}

int hg_gw_ok(const struct hg_core *c, hg_ms now)
{
	return !c->p.have_gateway || now - c->gw_last < (hg_ms)c->p.gateway_timeout;
}

/* Fit to stay active: nothing that rule 5 counts as a reason to release. */
/* Fit to serve (rule 5): what the users need of this node, its public
 * link and the gateway, its services and host and sensors. A cluster or
 * management cable is not among them: an active node that loses one keeps
 * serving (a handover would cost the users an outage for a LAN they do
 * not use; lab 88) and is only no longer eligible to take over. */
int hg_fit_at(const struct hg_core *c, hg_ms now)
{
	return hg_healthy_at(c, now) && !c->admin_standby;
}

/* Healthy apart from the operator's standby: the self-fence's question
 * (an operator's stop must not power the node off halfway, issue 10 hole 11). */
int hg_healthy_at(const struct hg_core *c, hg_ms now)
{
	return c->link_up[c->p.public_lan] && hg_gw_ok(c, now) && !hg_svc_gave_up(c) &&
	       c->host_ok && hg_sensors_ok(c);
}

/* Eligible to take over (and advertised so): fit, every own link with
 * carrier (rule 3, REM-Rocks: check yourself before accusing), and a
 * self-fence. */
int hg_eligible_at(const struct hg_core *c, hg_ms now)
{
	return hg_fit_at(c, now) && hg_links_ok(c) && hg_own_bmc_ok(c) && hg_core_cleaned(c);
}

int hg_core_eligible(const struct hg_core *c)
{
	return hg_eligible_at(c, c->last_step);
}

/* Strict order on the two nodes: priority, then the lower id. */
int hg_peer_preferred(const struct hg_core *c)
{
	if (c->p.peer_prio != c->p.self_prio)
		return c->p.peer_prio > c->p.self_prio;
	return c->p.peer_id < c->p.self_id;
}


/* The peer could become active if we handed over now. */
int hg_peer_can_take(const struct hg_core *c, hg_ms now)
{
	return hg_core_peer_fresh(c, now) && (pv(c)->flags & HG_F_ELIGIBLE) &&
	       pv(c)->role == HG_ROLE_STANDBY;
}

/* Last known to be serving: fencing it must not wait (rule 6's fence delay
 * is only for the case where no node was active). */
int hg_peer_was_active(const struct hg_core *c)
{
	return c->peer.incarnation &&
	       (pv(c)->role == HG_ROLE_ACTIVE || pv(c)->role == HG_ROLE_RELEASING ||
		pv(c)->role == HG_ROLE_TAKING || (pv(c)->flags & HG_F_HOLDS_VIP));
}

/* Our consent that the peer becomes active (see docs/protocol.md). */
int hg_grants(const struct hg_core *c, hg_ms now)
{
	if (c->role != HG_ROLE_STANDBY && c->role != HG_ROLE_STARTING)
		return 0;
	if (c->vip_held || c->vip_gen || !hg_core_cleaned(c))
		return 0;   /* holds, may hold, or may still run something (hole 3) */
	/* A peer that handed over gave the cluster away on purpose: even if it
	 * is preferred and eligible again (its link came back), it is ours to
	 * take, not to grant back. */
	return !hg_eligible_at(c, now) || c->handover || pv(c)->role == HG_ROLE_TAKING ||
	       ((pv(c)->flags & HG_F_ELIGIBLE) && hg_peer_preferred(c) &&
		!(pv(c)->flags & HG_F_HANDOVER));
}

static uint8_t health(const struct hg_core *c, hg_ms now)
{
	return (hg_links_ok(c) ? HG_H_LINKS : 0) | (hg_gw_ok(c, now) ? HG_H_GATEWAY : 0) |
	       (hg_svc_gave_up(c) ? 0 : HG_H_SERVICES) | (c->admin_standby ? HG_H_ADMIN : 0);
}

/* The peer's claim we answer (docs/protocol.md "Claims"): only one made
 * against this very life of ours. The grant flag beside it says yes or no. */
static uint64_t claim_answered(const struct hg_core *c)
{
	if (!c->peer.incarnation || pv(c)->role != HG_ROLE_TAKING ||
	    pv(c)->ack_incarnation != c->incarnation)
		return 0;
	return pv(c)->claim;
}

void hg_send_hb(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	int grant = hg_grants(c, now);
	uint64_t answered = claim_answered(c);
	uint8_t flags = (c->vip_held ? HG_F_HOLDS_VIP : 0) |
			(grant ? HG_F_GRANT : 0) |
			(hg_eligible_at(c, now) ? HG_F_ELIGIBLE : 0) |
			(c->handover ? HG_F_HANDOVER : 0) |
			(now < c->want_until ? HG_F_WANT : 0);

	for (int lan = 0; lan < c->p.n_lans; lan++) {
		struct hg_action *a = hg_emit(out, HG_ACT_SEND_HB);
		if (!a)
			return;
		struct hg_hb *hb = &a->hb;
		hb->from = c->p.self_id;
		hb->to = c->p.peer_id;
		hb->incarnation = c->incarnation;
		hb->seq = ++c->seq;
		hb->sent_ms = (uint64_t)now;
		hb->ack_incarnation = c->peer.incarnation;
		hb->ack_claim = answered;
		hb->claim = c->role == HG_ROLE_TAKING ? c->taking_seq : 0;
		hb->role = (uint8_t)c->role;
		hb->flags = flags;
		hb->health = health(c, now);
		hb->lan = (uint8_t)lan;
		c->cnt.tx_hb++;
	}
}

