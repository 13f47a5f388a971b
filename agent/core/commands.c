/*
 * commands.c - the operator's commands (switchover, standby, unstandby,
 * shutdown): each either changes what the core will do, through the role
 * table, or is refused with the reason and changes nothing
 * (docs/decisions.md). Shutdown is never refused.
 */
#include "agent/core/internal.h"

void hg_on_cmd(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out)
{
	hg_ms now = ev->now;
	int can = hg_peer_can_take(c, now);

	switch (ev->cmd) {
	case HG_CMD_SWITCHOVER:
		if (c->role == HG_ROLE_ACTIVE) {
			if (!can || c->seq_op != -1) {
				hg_reply(out, 0, "refused: the peer cannot take over (heard %d, eligible %d, role %s)%s",
				      hg_core_peer_fresh(c, now), !!(pv(c)->flags & HG_F_ELIGIBLE),
				      hg_role_name(pv(c)->role), c->seq_op != -1 ? ", services still moving" : "");
				return;
			}
			hg_reply(out, 1, "handing over to the peer");
			hg_fire_handover(c, now, out);
			return;
		}
		if (c->role == HG_ROLE_STANDBY && hg_eligible_at(c, now) &&
		    hg_core_peer_fresh(c, now) && pv(c)->role == HG_ROLE_ACTIVE) {
			c->want_until = now + 3 * (hg_ms)c->p.deadtime;
			c->next_hb = now;
			hg_reply(out, 1, "asked the active peer to hand over");
			return;
		}
		hg_reply(out, 0, "refused: this node is %s, %s; the peer is %s",
		      hg_role_name(c->role), hg_eligible_at(c, now) ? "eligible" : "not eligible",
		      hg_core_peer_fresh(c, now) ? hg_role_name(pv(c)->role) : "not heard");
		return;
	case HG_CMD_STANDBY:
		if (c->role == HG_ROLE_ACTIVE && (!can || c->seq_op != -1)) {
			hg_reply(out, 0, "refused: active and the peer cannot take over");
			return;
		}
		c->admin_standby = 1;
		hg_reply(out, 1, "this node is in standby and will not take over");
		hg_record(out, "admin_standby", "", "operator put this node in standby");
		if (c->role == HG_ROLE_ACTIVE)
			hg_fire_handover(c, now, out);
		return;
	case HG_CMD_UNSTANDBY:
		c->admin_standby = 0;
		for (int i = 0; i < c->p.n_services; i++) {
			c->svc[i].gave_up = 0;
			if (c->svc[i].state == HG_SVC_FAILED)
				c->svc[i].state = HG_SVC_STOPPED;
		}
		hg_reply(out, 1, "this node is eligible again");
		hg_record(out, "admin_unstandby", "", "operator made this node eligible again");
		return;
	case HG_CMD_SHUTDOWN:
		/* The agent is being stopped (docs/decisions.md, "Stopping the
		 * agent"). Unlike standby, an active node releases even when the
		 * peer cannot take over: once the agent is gone nothing would
		 * stop the services, and an agent that exits holding them leaves
		 * the peer to fence a node that only wanted to stop. The
		 * handover flag tells the peer to take over if it can. */
		c->admin_standby = 1;
		if (c->role == HG_ROLE_ACTIVE) {
			hg_record(out, "shutdown", "", "stop requested while active: stopping the services in reverse order, removing the VIPs, telling the peer (which %s take over now)",
				  can ? "can" : "cannot");
			hg_reply(out, 1, "stopping: releasing the services and the VIPs");
			hg_fire_handover(c, now, out);
			return;
		}
		hg_record(out, "shutdown", "", "stop requested as %s: in standby, this node will not take over",
			  hg_role_name(c->role));
		hg_reply(out, 1, c->role == HG_ROLE_RELEASING ? "stopping: the release under way finishes first"
				 : "stopping: this node will not take over");
		return;
	}
	hg_reply(out, 0, "unknown command");
}


int hg_core_quiescent(const struct hg_core *c)
{
	/* a service that may still run keeps the self-fence armed (hole 4),
	 * and a fence under way is finished first (review of issue 10) */
	if (c->vip_held || c->seq_op != -1 || c->fence_busy || !hg_core_cleaned(c))
		return 0;
	if (c->role == HG_ROLE_ACTIVE || c->role == HG_ROLE_RELEASING || c->role == HG_ROLE_TAKING)
		return 0;
	for (int i = 0; i < c->p.n_services; i++) {
		const struct hg_service *s = &c->svc[i];
		if (s->busy || s->check_busy || s->stop_failed || s->state == HG_SVC_RUNNING || s->state == HG_SVC_STARTING ||
		    s->state == HG_SVC_STOPPING)
			return 0;
	}
	return 1;
}
