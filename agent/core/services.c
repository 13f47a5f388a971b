/*
 * services.c - the cluster services on the active node.
 *
 * Started in configured order after the VIPs are up, stopped in reverse order
 * before they are released (issue 2). While active, each service's check runs
 * every check_interval; a failed check restarts it, up to `restarts` times in
 * a row; then the service is given up on and the node is no longer fit to be
 * active (DESIGN.md rule 5), which makes core.c hand over to a healthy peer.
 */
#include "agent/core/internal.h"

static void run(struct hg_core *c, int i, int op, struct hg_actions *out)
{
	struct hg_action *a = hg_emit(out, HG_ACT_SVC);

	if (a) {
		a->svc = i;
		a->op = op;
	}
	c->svc[i].busy = 1;
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
	}
	c->seq_op = HG_SVC_START;
	c->seq_idx = 0;
	seq_next(c, now, out);
}

void hg_svc_stop_all(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->seq_op = HG_SVC_STOP;
	c->seq_idx = c->p.n_services - 1;
	seq_next(c, now, out);
}

static void started(struct hg_core *c, int i, int ok, hg_ms now,
		    struct hg_actions *out)
{
	struct hg_service *s = &c->svc[i];

	if (ok) {
		s->state = HG_SVC_RUNNING;
		s->failures = 0;
		s->next_check = now + c->p.svc_check_interval[i];
	} else {
		s->failures++;
		s->last_failure = now;
		if (s->failures <= c->p.svc_restarts[i]) {
			s->restarts++;
			hg_record(out, "service_restart", "5",
				  "service %d failed to start, attempt %u of %u",
				  i, s->failures, c->p.svc_restarts[i]);
			run(c, i, HG_SVC_START, out);
			return;
		}
		s->state = HG_SVC_FAILED;
		s->gave_up = 1;
		hg_record(out, "service_gave_up", "5",
			  "service %d failed %u times in a row: node unfit to be active",
			  i, s->failures);
		if (c->seq_op == HG_SVC_START)
			c->seq_op = -1;   /* the rest waits for the next takeover */
		return;
	}
	if (c->seq_op == HG_SVC_START && c->seq_idx == i) {
		c->seq_idx++;
		seq_next(c, now, out);
	}
}

void hg_svc_result(struct hg_core *c, const struct hg_event *ev,
		   struct hg_actions *out)
{
	int i = ev->svc;

	if (i < 0 || i >= c->p.n_services)
		return;
	struct hg_service *s = &c->svc[i];

	if (ev->op == HG_SVC_CHECK) {
		s->check_busy = 0;
		s->next_check = ev->now + c->p.svc_check_interval[i];
		if (s->state != HG_SVC_RUNNING || s->busy)
			return;    /* the service moved on while the check ran */
		if (ev->ok) {
			s->failures = 0;
			return;
		}
		s->failures++;
		s->last_failure = ev->now;
		if (s->failures <= c->p.svc_restarts[i]) {
			s->restarts++;
			hg_record(out, "service_restart", "5",
				  "check of service %d failed, restart %u of %u",
				  i, s->failures, c->p.svc_restarts[i]);
			run(c, i, HG_SVC_START, out);
		} else {
			s->state = HG_SVC_FAILED;
			s->gave_up = 1;
			hg_record(out, "service_gave_up", "5",
				  "service %d failed %u checks in a row: node unfit to be active",
				  i, s->failures);
		}
		return;
	}
	if (!s->busy)
		return;        /* stale answer */
	s->busy = 0;
	if (ev->op == HG_SVC_START && s->state == HG_SVC_STARTING) {
		started(c, i, ev->ok, ev->now, out);
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
	if (c->role != HG_ROLE_ACTIVE)
		return;
	for (int i = 0; i < c->p.n_services; i++) {
		struct hg_service *s = &c->svc[i];

		if (s->state != HG_SVC_RUNNING || s->busy || s->check_busy ||
		    now < s->next_check)
			continue;
		struct hg_action *a = hg_emit(out, HG_ACT_SVC);
		if (!a)
			return;
		a->svc = i;
		a->op = HG_SVC_CHECK;
		s->check_busy = 1;
	}
}

int hg_svc_all_running(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].state != HG_SVC_RUNNING)
			return 0;
	return 1;
}

int hg_svc_gave_up(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].gave_up)
			return 1;
	return 0;
}

hg_ms hg_svc_next_wakeup(const struct hg_core *c)
{
	hg_ms t = INT64_MAX;

	if (c->role != HG_ROLE_ACTIVE)
		return t;
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].state == HG_SVC_RUNNING && !c->svc[i].check_busy &&
		    c->svc[i].next_check < t)
			t = c->svc[i].next_check;
	return t;
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
