/*
 * services.c - the cluster services (AMATA's object probes and rules).
 *
 * On the active node: started in configured order after the VIPs are up,
 * stopped in reverse order before they are released (issue 2). Each service's
 * check runs every check_interval; a failed start or check schedules a
 * restart after a backoff that doubles with each restart in the current
 * window; after `restarts` restarts within `window` ms the service is given
 * up on and the node is unfit to be active (DESIGN.md rule 5), which makes
 * core.c hand over to a healthy standby (docs/services.md).
 *
 * On a standby: each service's readiness check runs every check_interval;
 * a failure makes the node ineligible (it will not take over or receive a
 * switchover), a success makes it eligible again.
 */
#include "agent/core/internal.h"

static const char *const op_names[] = { "start", "stop", "check", "readiness check" };

static void run(struct hg_core *c, int i, int op, struct hg_actions *out)
{
	struct hg_action *a = hg_emit(out, HG_ACT_SVC);

	if (a) {
		a->svc = i;
		a->op = op;
	}
	if (op == HG_SVC_CHECK || op == HG_SVC_READY) {
		c->svc[i].check_busy = 1;
		return;
	}
	c->svc[i].busy = 1;
	c->svc[i].restart_at = -1;
	c->svc[i].state = op == HG_SVC_START ? HG_SVC_STARTING : HG_SVC_STOPPING;
}

static void seq_next(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	int n = c->p.n_services;

	if (c->seq_op == HG_SVC_START) {
		if (c->seq_idx < n) {
			run(c, c->seq_idx, HG_SVC_START, out);
			return;
		}
	} else if (c->seq_op == HG_SVC_STOP) {
		if (c->seq_idx >= 0) {
			/* A restart still running: its answer first, then the
			 * stop (hg_svc_result), or the stop's answer would be
			 * taken for stale and the release would never end. */
			if (!c->svc[c->seq_idx].busy)
				run(c, c->seq_idx, HG_SVC_STOP, out);
			return;
		}
	} else {
		return;
	}
	int op = c->seq_op;
	c->seq_op = -1;
	hg_core_seq_done(c, op, now, out);
}

void hg_svc_start_all(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	for (int i = 0; i < c->p.n_services; i++) {
		c->svc[i].failures = 0;
		c->svc[i].restarts = 0;
		c->svc[i].window_restarts = 0;
		c->svc[i].window_start = now;
	}
	c->seq_op = HG_SVC_START;
	c->seq_idx = 0;
	seq_next(c, now, out);
}

void hg_svc_stop_all(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	for (int i = 0; i < c->p.n_services; i++)
		c->svc[i].restart_at = -1;
	c->seq_op = HG_SVC_STOP;
	c->seq_idx = c->p.n_services - 1;
	seq_next(c, now, out);
}

/* A start or a check failed: restart after a backoff, or give up. */
static void failed(struct hg_core *c, int i, int op, hg_ms now, struct hg_actions *out)
{
	struct hg_service *s = &c->svc[i];

	s->failures++;
	s->last_failure = now;
	if (now - s->window_start >= (hg_ms)c->p.svc_window[i]) {
		s->window_start = now;
		s->window_restarts = 0;
	}
	if (s->window_restarts < c->p.svc_restarts[i]) {
		uint32_t shift = s->window_restarts < 10 ? s->window_restarts : 10;
		hg_ms delay = (hg_ms)c->p.svc_backoff[i] << shift;
		if (delay > 30000)
			delay = 30000;
		s->window_restarts++;
		s->restarts++;
		s->state = HG_SVC_STARTING;   /* not running; a restart is due */
		s->restart_at = now + delay;
		hg_record(out, "service_restart", "5",
			  "service %d: %s failed; restart %u of %u in this window, in %lld ms",
			  i, op_names[op], s->window_restarts, c->p.svc_restarts[i], (long long)delay);
		return;
	}
	s->state = HG_SVC_FAILED;
	s->gave_up = 1;
	s->restart_at = -1;
	hg_record(out, "service_gave_up", "5",
		  "service %d: %s failed after %u restarts within %u ms: node unfit to be active",
		  i, op_names[op], s->window_restarts, c->p.svc_window[i]);
	if (c->seq_op == HG_SVC_START)
		c->seq_op = -1;   /* the rest waits for the next takeover */
}

static void on_ready(struct hg_core *c, int i, int ok, struct hg_actions *out)
{
	struct hg_service *s = &c->svc[i];

	if ((!ok) == s->unready)
		return;
	s->unready = !ok;
	hg_record(out, ok ? "service_ready" : "service_unready", "1",
		  ok ? "service %d could start here again: readiness restored"
		     : "service %d could not start here: this node is not eligible to take over", i);
}

void hg_svc_result(struct hg_core *c, const struct hg_event *ev,
		   struct hg_actions *out)
{
	int i = ev->svc;

	if (i < 0 || i >= c->p.n_services)
		return;
	struct hg_service *s = &c->svc[i];

	if (ev->op == HG_SVC_CHECK || ev->op == HG_SVC_READY) {
		s->check_busy = 0;
		s->last_probe = ev->now;
		s->next_check = ev->now + c->p.svc_check_interval[i];
		if (ev->op == HG_SVC_READY) {
			if (c->role != HG_ROLE_ACTIVE && c->role != HG_ROLE_RELEASING)
				on_ready(c, i, ev->ok, out);
			return;
		}
		if (s->state != HG_SVC_RUNNING || s->busy)
			return;    /* the service moved on while the check ran */
		if (ev->ok)
			s->failures = 0;
		else
			failed(c, i, HG_SVC_CHECK, ev->now, out);
		return;
	}
	if (!s->busy)
		return;        /* stale answer */
	s->busy = 0;
	if (ev->op == HG_SVC_START && c->seq_op == HG_SVC_STOP && c->seq_idx == i) {
		/* the restart that ran when the release began: stop it now */
		run(c, i, HG_SVC_STOP, out);
		return;
	}
	if (ev->op == HG_SVC_START && s->state == HG_SVC_STARTING) {
		if (!ev->ok) {
			failed(c, i, HG_SVC_START, ev->now, out);
			return;
		}
		s->state = HG_SVC_RUNNING;
		s->failures = 0;
		s->unready = 0;    /* it did start here */
		s->next_check = ev->now + c->p.svc_check_interval[i];
		if (c->seq_op == HG_SVC_START && c->seq_idx == i) {
			c->seq_idx++;
			seq_next(c, ev->now, out);
		}
	} else if (ev->op == HG_SVC_STOP && s->state == HG_SVC_STOPPING) {
		s->state = s->gave_up ? HG_SVC_FAILED : HG_SVC_STOPPED;
		if (!ev->ok)
			hg_record(out, "service_stop_failed", "5",
				  "stop of service %d failed; going on with the release", i);
		if (c->seq_op == HG_SVC_STOP && c->seq_idx == i) {
			c->seq_idx--;
			seq_next(c, ev->now, out);
		}
	}
}

void hg_svc_tick(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	int active = c->role == HG_ROLE_ACTIVE;

	if (c->role == HG_ROLE_RELEASING)
		return;
	for (int i = 0; i < c->p.n_services; i++) {
		struct hg_service *s = &c->svc[i];

		if (s->busy || s->check_busy)
			continue;
		if (active && s->restart_at >= 0 && now >= s->restart_at) {
			run(c, i, HG_SVC_START, out);
		} else if (active && s->state == HG_SVC_RUNNING && now >= s->next_check) {
			run(c, i, HG_SVC_CHECK, out);
		} else if (!active && c->p.svc_has_ready[i] && now >= s->next_check) {
			run(c, i, HG_SVC_READY, out);
		}
	}
}

int hg_svc_all_running(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].state != HG_SVC_RUNNING)
			return 0;
	return 1;
}

/* Any service given up on, or not ready to start here. */
int hg_svc_gave_up(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].gave_up || c->svc[i].unready)
			return 1;
	return 0;
}

hg_ms hg_svc_next_wakeup(const struct hg_core *c)
{
	hg_ms t = INT64_MAX;

	if (c->role == HG_ROLE_RELEASING)
		return t;
	for (int i = 0; i < c->p.n_services; i++) {
		const struct hg_service *s = &c->svc[i];
		if (s->busy || s->check_busy)
			continue;
		if (s->restart_at >= 0 && s->restart_at < t)
			t = s->restart_at;
		if ((s->state == HG_SVC_RUNNING || c->p.svc_has_ready[i]) && s->next_check < t)
			t = s->next_check;
	}
	return t;
}

/* The VIPs around the sequences: services start once the VIPs are up, and
 * the release ends once they are removed. */
void hg_on_vip(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out)
{
	if (ev->op == HG_VIP_ADD) {
		if (!ev->ok) {
			hg_record(out, "vip_failed", "", "adding the VIPs failed; retrying in %u ms",
				  c->p.interval);
			c->garp_left = 0;
			c->vip_retry_at = ev->now + c->p.interval;
			return;
		}
		c->vip_held = 1;
		if (c->role != HG_ROLE_ACTIVE) {
			/* Released before the VIPs were even up (unfit, dual
			 * active): the stop sequence and the removal are under
			 * way; starting services now would undo the release. */
			hg_record(out, "vip_added", "", "VIPs added after the release began: not starting services");
			return;
		}
		hg_record(out, "vip_added", "", "VIPs added; announcing them and starting services");
		c->garp_left = c->p.garp_count;
		c->garp_next = ev->now;
		hg_svc_start_all(c, ev->now, out);
		return;
	}
	if (!ev->ok) {
		/* Still configured: the release is not done and the peer is not
		 * told (rule 1), until a removal succeeds. */
		hg_record(out, "vip_remove_failed", "1",
			  "removing the VIPs failed: still holding them, not releasing to the peer; retrying in %u ms",
			  c->p.interval);
		c->vip_retry_at = ev->now + c->p.interval;
		return;
	}
	c->vip_held = 0;
	c->garp_left = 0;
	c->vip_retry_at = -1;
	hg_record(out, "vip_removed", "", "VIPs removed");
	if (c->role == HG_ROLE_RELEASING)
		hg_fire_released(c, ev->now, out);
}

void hg_core_seq_done(struct hg_core *c, int op, hg_ms now, struct hg_actions *out)
{
	if (op == HG_SVC_START) {
		hg_record(out, "services_started", "", "all %d services running", c->p.n_services);
		return;
	}
	struct hg_action *a = hg_emit(out, HG_ACT_VIP);
	if (a)
		a->op = HG_VIP_DEL;
}

const char *hg_svc_state_name(enum hg_svc_state s)
{
	switch (s) {
	case HG_SVC_STOPPED:  return "stopped";
	case HG_SVC_STARTING: return "starting";
	case HG_SVC_RUNNING:  return "running";
	case HG_SVC_STOPPING: return "stopping";
	case HG_SVC_FAILED:   return "failed";
	}
	return "unknown";
}
