/*
 * sim_check.c - the trace ring and the safety invariants of DESIGN.md
 * ("Decisions that must hold"), checked around every step of every core.
 * Liveness is checked by the probes of sim_fault.c.
 *
 * The checks compare what a core did with what the simulator knows to be
 * true (power, VIPs in the kernel, what was on the wire), never with what
 * the core believes.
 */
#include "sim_world.h"
#include "agent/core/dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sim_trace(struct sim_world *w, int node, const char *fmt, ...)
{
	char *line = w->trace[w->tr_next++ % SIM_TRACE];
	va_list ap;
	int n;

	n = snprintf(line, SIM_TRACE_LINE, "%8lld %c ", (long long)w->now,
		     node < 0 ? '-' : 'a' + node);
	va_start(ap, fmt);
	vsnprintf(line + n, SIM_TRACE_LINE - (size_t)n, fmt, ap);
	va_end(ap);
	if (w->verbose)
		printf("%s\n", line);
}

void sim_fail(struct sim_world *w, const char *rule, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->failed)
		return;
	w->failed = 1;
	n = snprintf(w->violation, sizeof(w->violation), "rule %s: ", rule);
	va_start(ap, fmt);
	vsnprintf(w->violation + n, sizeof(w->violation) - (size_t)n, fmt, ap);
	va_end(ap);
	sim_trace(w, -1, "VIOLATION %s", w->violation);
}

void sim_dump_trace(const struct sim_world *w, int lines)
{
	unsigned n = w->tr_next < (unsigned)lines ? w->tr_next : (unsigned)lines;

	if (n > SIM_TRACE)
		n = SIM_TRACE;
	for (unsigned k = w->tr_next - n; k != w->tr_next; k++)
		printf("  %s\n", w->trace[k % SIM_TRACE]);
}

/* Rule 7: every change of role is told by a transition record, and the
 * records of one step chain from the role before it to the role after.
 * The records are typed (agent/core/dispatch.h): fields, never text. */
void sim_check_step(struct sim_world *w, int i, enum hg_role before,
		    const struct hg_actions *out)
{
	int at = before;

	if (out->n >= HG_MAX_ACTIONS)
		sim_fail(w, "7", "node %c: %d actions in one step, records may be lost",
			 'a' + i, out->n);
	for (int k = 0; k < out->n; k++) {
		const struct hg_action *a = &out->a[k];
		int to = hg_action_moves_to(a);
		if (to < 0)
			continue;
		if (a->from != at || to >= HG_ROLE_COUNT || !a->trigger || !*a->trigger) {
			sim_fail(w, "7", "node %c: transition record %d -> %d (%s) does not start at %s",
				 'a' + i, a->from, to, a->trigger ? a->trigger : "?", hg_role_name(at));
			return;
		}
		at = to;
	}
	if (at != (int)w->n[i].core.role)
		sim_fail(w, "7", "node %c: role %s -> %s without a transition record",
			 'a' + i, hg_role_name(before), hg_role_name(w->n[i].core.role));
}

/* Rule 4's promise, from the simulator's ground truth: the peer is alive,
 * its agent keeps resetting its watchdog without a gap since before we last
 * heard it, and its BMC answers with a usable watchdog: it is cut off, not
 * dead, and must not be shot. */
int sim_healthy_cut_off(const struct sim_world *w, int i)
{
	const struct sim_node *me = &w->n[i];
	const struct sim_node *p = &w->n[me->params.peer_id - 1];

	return me->params.have_peer_bmc && p->powered && !sim_frozen(w, me->params.peer_id - 1) &&
	       p->params.self_fence && p->wdt_armed && !p->bmc_down && !p->bmc_truncated &&
	       !p->core.pet_stopped &&   /* it judges itself healthy: still resetting (rule 5) */
	       p->bmc_good_since < me->heard_at &&   /* usable readings all through the silence */
	       w->now - p->wdt_last_pet <= (hg_ms)p->wdt_ms / 6 + p->params.interval + 100 &&
	       p->pet_streak_since < me->heard_at;
}

/* The peer had no power at some moment since node i last heard it. */
static int peer_off_since(const struct sim_world *w, int i)
{
	const struct sim_node *me = &w->n[i];
	const struct sim_node *p = &w->n[me->params.peer_id - 1];

	return !p->powered || p->off_at >= me->heard_at || p->on_at > me->heard_at;
}

static void check_fence(struct sim_world *w, int i, enum hg_role before)
{
	const struct sim_node *me = &w->n[i];
	hg_ms silent = w->now - me->heard_at;

	/* Rule 6: only a standby (or a starting node) fences. */
	if (before != HG_ROLE_STANDBY && before != HG_ROLE_STARTING &&
	    before != HG_ROLE_FENCING)
		sim_fail(w, "6", "node %c fences as %s", 'a' + i, hg_role_name(before));
	else if (me->vip)
		sim_fail(w, "6", "node %c fences while it holds the VIP", 'a' + i);
	/* Rule 4 (and 6 for a node that comes back): every path silent for the
	 * deadtime, or (issue 12) for the suspicion with the peer really off
	 * at some moment since we last heard it. The simulator knows what it
	 * delivered and when the peer had power. */
	else if (silent < (hg_ms)me->params.deadtime &&
		 !(me->params.suspect && silent >= (hg_ms)me->params.suspect && peer_off_since(w, i)))
		sim_fail(w, "4", "node %c fences (as %s) but heard its peer %lld ms ago (deadtime %u, suspect %u, peer %s)",
			 'a' + i, hg_role_name(before), (long long)silent, me->params.deadtime,
			 me->params.suspect, w->n[me->params.peer_id - 1].powered ? "on" : "off");
}

static void check_vip_add(struct sim_world *w, int i, enum hg_role before)
{
	const struct sim_node *me = &w->n[i];
	int p = me->params.peer_id - 1;
	const struct sim_node *peer = &w->n[p];

	if (peer->vip) {
		sim_fail(w, "1", "node %c adds the VIP while %c holds it", 'a' + i, 'a' + p);
	} else if (before == HG_ROLE_FENCING) {
		/* Rules 1 and 2: by a confirmed fence of the peer's current power-on. */
		if (me->confirm_step != w->steps)
			sim_fail(w, "2", "node %c takes over by fence without a CONFIRMED answer to its current fence",
				 'a' + i);
		else if (peer->powered)
			sim_fail(w, "1", "node %c takes over by fence but %c is powered on",
				 'a' + i, 'a' + p);
		else if (me->confirmed_epoch != peer->power_epoch)
			sim_fail(w, "1", "node %c's confirmation is of power-on %u, %c is at %u",
				 'a' + i, me->confirmed_epoch, 'a' + p, peer->power_epoch);
	} else if (before == HG_ROLE_TAKING) {
		/* Rule 1: the life of the peer we claimed against granted this
		 * very claim of ours (what was on the wire, not what we believe). */
		int found = 0;
		unsigned n = peer->n_grants < SIM_GRANTS ? peer->n_grants : SIM_GRANTS;
		for (unsigned k = 0; k < n; k++)
			found |= peer->grants[k].acker == me->core.claim_peer_inc &&
				 peer->grants[k].claimant == me->core.incarnation &&
				 peer->grants[k].claim == me->core.taking_seq;
		if (!found)
			sim_fail(w, "1", "node %c takes over by claim %llu against %c's life %llu, which never granted it",
				 'a' + i, (unsigned long long)me->core.taking_seq, 'a' + p,
				 (unsigned long long)me->core.claim_peer_inc);
	} else if (before != HG_ROLE_ACTIVE) {
		/* active: a retry of an add that failed or went unanswered (the
		 * takeover itself was checked when it was made) */
		sim_fail(w, "1", "node %c adds the VIP as %s", 'a' + i, hg_role_name(before));
	}
}

void sim_check_action(struct sim_world *w, int i, enum hg_role before,
		      const struct hg_action *a)
{
	if (a->type == HG_ACT_FENCE)
		check_fence(w, i, before);
	else if (a->type == HG_ACT_VIP && a->op == HG_VIP_ADD)
		check_vip_add(w, i, before);
}

/* Rule 1 on the world: at most one node holds the VIP and runs services. */
void sim_check_world(struct sim_world *w)
{
	int holders = 0, serving = 0;

	for (int i = 0; i < w->n_nodes; i++) {
		holders += w->n[i].vip;
		for (int s = 0; s < w->n_services; s++)
			if (w->n[i].powered && w->n[i].svc_running[s]) {
				serving++;
				break;
			}
	}
	if (holders > 1)
		sim_fail(w, "1", "%d nodes hold the VIP", holders);
	else if (serving > 1)
		sim_fail(w, "1", "%d nodes run services", serving);
}
