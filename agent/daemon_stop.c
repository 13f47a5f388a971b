/*
 * daemon_stop.c - stopping the agent on SIGTERM or SIGINT (issue 10, hole
 * 11; docs/decisions.md, "Stopping the agent").
 *
 * The first signal hands HG_CMD_SHUTDOWN to the core and the loop goes on,
 * with no deadline, until the core is quiescent (hg_core_quiescent: no VIP,
 * no start/stop sequence, no service that may run, not active, releasing or
 * taking). A node that just released lingers while its eligible peer is
 * taking over, so that the peer takes over by our acknowledgement rather than
 * by fencing us; that wait lasts wait_for_peer_ms at most.
 * Only then the loop ends and the self-fence is disarmed.
 *
 * A second signal, at least STOP_REPEAT_MS after the first, exits at once.
 * If the node is not quiescent then, the BMC watchdog stays armed: the BMC
 * powers the node off within watchdog_timeout_ms and the peer takes over on
 * the confirmed power-off (DESIGN.md rule 5), instead of an exit that leaves
 * services and VIPs behind with nothing to fence them.
 */
#include "agent/daemon.h"
#include "agent/log.h"

#include <stdio.h>
#include <string.h>

#define STOP_REPEAT_MS 2000   /* a repeat sooner than this is one request */
#define STOP_LOG_MS    5000   /* "waiting for ..." again every so often */

static void push_shutdown(struct daemon *d)
{
	struct hg_event ev = { .type = HG_EV_CMD, .cmd = HG_CMD_SHUTDOWN };

	d->quit_active_since = d->core.role_since;
	daemon_push(d, &ev);
}

void daemon_stop_signal(struct daemon *d, unsigned signo)
{
	if (!d->quit) {
		d->quit = 1;
		d->quit_at = d->now;
		d->quit_log_at = d->now;
		d->quiet_at = -1;
		log_info("signal %u: stopping: releasing what this node holds, then exiting; "
			 "no deadline (a second signal exits at once and leaves the self-fence armed)",
			 signo);
		push_shutdown(d);
		return;
	}
	if (d->now - d->quit_at < STOP_REPEAT_MS) {
		log_info("signal %u again %lld ms after the first: the same stop request",
			 signo, (long long)(d->now - d->quit_at));
		return;
	}
	d->quit_forced = 1;
	log_warnx("signal %u again: exiting now%s", signo,
		  hg_core_quiescent(&d->core) ? "" : ", before the release finished");
}

/* What the stop still waits for, in words. */
static void waiting_for(const struct daemon *d, char *buf, size_t len)
{
	const struct hg_core *c = &d->core;
	size_t off = 0;
	int n;

#define ADD(...) do { n = snprintf(buf + off, len - off, __VA_ARGS__); \
		      if (n > 0 && (size_t)n < len - off) off += (size_t)n; } while (0)
	ADD("role %s", hg_role_name(c->role));
	for (int i = 0; i < c->p.n_services; i++) {
		const struct hg_service *s = &c->svc[i];
		if (s->busy || s->state == HG_SVC_RUNNING || s->state == HG_SVC_STARTING ||
		    s->state == HG_SVC_STOPPING)
			ADD(", service %s %s%s", d->cfg->service[i].name, hg_svc_state_name(s->state),
			    s->busy ? " (its script runs)" : "");
	}
	if (c->seq_op == HG_SVC_STOP)
		ADD(", the stop sequence");
	else if (c->seq_op == HG_SVC_START)
		ADD(", the start sequence");
	if (c->vip_held)
		ADD(", the VIPs still configured here%s", c->vip_retry_at >= 0 ? " (removal failed, retrying)" : "");
#undef ADD
}

/* The peer is heard, eligible and not active yet: after our release it
 * claims the cluster and needs our acknowledgement (docs/protocol.md). Given
 * wait_for_peer from the moment we hold nothing; the core's own handover
 * window may have passed during a long stop. */
static int peer_taking_over(const struct daemon *d)
{
	const struct hg_core *c = &d->core;
	const struct hg_hb *pv = &c->peer.view;

	return hg_core_peer_fresh(c, d->now) && (pv->flags & HG_F_ELIGIBLE) &&
	       (pv->role == HG_ROLE_STANDBY || pv->role == HG_ROLE_TAKING ||
		pv->role == HG_ROLE_STARTING) &&
	       d->now - d->quiet_at < (int64_t)c->p.wait_for_peer;
}

int daemon_stop_due(struct daemon *d)
{
	char what[600];

	if (!d->quit)
		return 0;
	if (d->quit_forced)
		return 1;
	/* Became active while stopping (a fence under way confirmed): the
	 * request holds for this role too. */
	if (d->core.role == HG_ROLE_ACTIVE && d->quit_active_since != d->core.role_since)
		push_shutdown(d);
	if (!hg_core_quiescent(&d->core)) {
		d->quiet_at = -1;
		if (d->now >= d->quit_log_at) {
			waiting_for(d, what, sizeof(what));
			log_info("stopping: waiting for %s (%lld s since the signal)", what,
				 (long long)((d->now - d->quit_at) / 1000));
			d->quit_log_at = d->now + STOP_LOG_MS;
		}
		return 0;
	}
	if (d->quiet_at < 0) {
		d->quiet_at = d->now;
		log_info("stopping: nothing of the cluster left here after %lld ms%s",
			 (long long)(d->now - d->quit_at),
			 peer_taking_over(d) ? "; waiting for the peer to take over" : "");
	}
	if (peer_taking_over(d))
		return 0;
	log_info("stopping: %s", hg_core_peer_fresh(&d->core, d->now) &&
		 d->core.peer.view.role == HG_ROLE_ACTIVE ? "the peer is active" :
		 "the peer cannot take over now; it fences this node if it takes over later");
	return 1;
}

int daemon_stop_clean(const struct daemon *d)
{
	return hg_core_quiescent(&d->core);
}
