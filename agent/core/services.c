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

#include <assert.h>

static const char *const op_names[] = { "start", "stop", "check", "readiness check" };

/* Slack over the shell's own timeout before the core calls a request lost. */
#define SVC_SLACK 1000

static void run(struct hg_core *c, int i, int op, hg_ms now, struct hg_actions *out)
{
	struct hg_action *a = hg_emit(out, HG_ACT_SVC);
	struct hg_service *s = &c->svc[i];
	uint64_t gen = ++c->req_gen;

	if (a) {
		a->svc = i;
		a->op = op;
		a->gen = gen;
	}
	if (op == HG_SVC_CHECK || op == HG_SVC_READY) {
		s->check_busy = 1;
		s->chk_gen = gen;
		s->chk_op = op;
		s->chk_deadline = now + (hg_ms)c->p.svc_check_timeout[i] + SVC_SLACK;
		return;
	}
	s->busy = 1;
	s->op_gen = gen;
	s->op_deadline = now + (hg_ms)c->p.svc_timeout[i] + SVC_SLACK;
	s->restart_at = -1;
	s->state = op == HG_SVC_START ? HG_SVC_STARTING : HG_SVC_STOPPING;
}

int hg_svc_stop_failed(const struct hg_core *c)
{
	for (int i = 0; i < c->p.n_services; i++)
		if (c->svc[i].stop_failed)
			return 1;
	return 0;
}

int hg_core_cleaned(const struct hg_core *c)
{
	return c->cleanup == HG_CL_DONE && !hg_svc_stop_failed(c);
}

static hg_ms stop_retry_delay(const struct hg_core *c)
{
	return c->p.fence_retry > 1000 ? (hg_ms)c->p.fence_retry : 1000;
}

static void cleanup_probe_done(struct hg_core *c, hg_ms now, struct hg_actions *out);

/* The start-up clean-up's stops are done: probe what has a check. Each
 * probe is the clean-up's own request, issued now, after the stop: a check
 * or readiness check still out from before it is superseded (its answer no
 * longer has the generation in flight), never waited on nor skipped. A
 * service is "clean" only on the answer to this very probe (review finding
 * 2: skipping a busy service concluded "stopped" on no evidence). */
static void cleanup_probe(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->cleanup = HG_CL_PROBING;
	c->cleanup_left = 0;
	for (int i = 0; i < c->p.n_services; i++) {
		c->svc[i].probe_gen = 0;
		if (!c->p.svc_has_check[i])
			continue;
		run(c, i, HG_SVC_CHECK, now, out);
		c->svc[i].probe_gen = c->svc[i].chk_gen;
		c->cleanup_left++;
	}
	if (c->cleanup_left)
		return;
	cleanup_probe_done(c, now, out);
}

static void cleanup_probe_done(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	c->cleanup = HG_CL_DONE;
	if (hg_svc_stop_failed(c)) {
		c->stop_retry_at = now + stop_retry_delay(c);
		hg_record(out, "cleanup_failed", "1",
			  "a service of a previous life could not be stopped and may still run: this node neither grants nor takes over, and stops resetting its watchdog; trying again in %lld ms",
			  (long long)stop_retry_delay(c));
	} else {
		hg_record(out, "cleanup_done", "1", "every service is stopped: this node may grant and take over");
		c->next_hb = now;   /* tell the peer at once */
	}
}

void hg_svc_cleanup(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (c->cleanup != HG_CL_PENDING || c->seq_op != -1)
		return;
	if (!c->p.n_services) {
		c->cleanup = HG_CL_DONE;
		return;
	}
	hg_record(out, "cleanup", "1",
		  "starting: bringing every service to a known stopped state before granting anything (a previous life may have left them running)");
	c->cleanup = HG_CL_STOPPING;
	hg_svc_stop_all(c, now, out);
}

static void seq_next(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	int n = c->p.n_services;

	if (c->seq_op == HG_SVC_START) {
		if (c->seq_idx < n) {
			run(c, c->seq_idx, HG_SVC_START, now, out);
			return;
		}
	} else if (c->seq_op == HG_SVC_STOP) {
		if (c->seq_idx >= 0) {
			/* A restart still running: its answer first, then the
			 * stop (hg_svc_result), or the stop's answer would be
			 * taken for stale and the release would never end. */
			if (!c->svc[c->seq_idx].busy)
				run(c, c->seq_idx, HG_SVC_STOP, now, out);
			return;
		}
	} else {
		return;
	}
	int op = c->seq_op;
	c->seq_op = -1;
	if (op == HG_SVC_STOP && c->cleanup == HG_CL_STOPPING) {
		cleanup_probe(c, now, out);
		return;
	}
	if (op == HG_SVC_STOP && hg_svc_stop_failed(c)) {
		/* Hole 4, Pacemaker's on-fail=fence for stops: the VIPs stay,
		 * the peer is told nothing, our watchdog is no longer reset
		 * (hg_pet); the stops are tried again meanwhile. */
		c->stop_retry_at = now + stop_retry_delay(c);
		hg_record(out, "release_stuck", "1",
			  "a service could not be stopped and may still run: keeping the VIPs, not releasing to the peer, no longer resetting our watchdog (its BMC powers this node off and the peer takes over on the confirmed power-off); trying the stops again in %lld ms",
			  (long long)stop_retry_delay(c));
		return;
	}
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
	c->stop_retry_at = -1;
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
		if (!s->check_busy || ev->gen != s->chk_gen || ev->op != s->chk_op)
			return;        /* late, doubled, or past its deadline */
		s->check_busy = 0;
		s->last_probe = ev->now;
		s->next_check = ev->now + c->p.svc_check_interval[i];
		if (c->cleanup == HG_CL_PROBING && s->probe_gen) {
			/* the clean-up's probe superseded whatever was out */
			assert(ev->op == HG_SVC_CHECK && ev->gen == s->probe_gen);
			s->probe_gen = 0;
			/* after the stop: a check that passes means it still runs */
			s->stop_failed = ev->ok;
			if (ev->ok)
				hg_record(out, "service_stop_failed", "1",
					  "service %d still answers its check after its stop", i);
			if (--c->cleanup_left <= 0)
				cleanup_probe_done(c, ev->now, out);
			return;
		}
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
	if (!s->busy || ev->gen != s->op_gen)
		return;        /* stale answer: late, doubled, or past its deadline */
	s->busy = 0;
	if (ev->op == HG_SVC_START && c->seq_op == HG_SVC_STOP && c->seq_idx == i) {
		/* the restart that ran when the release began: stop it now */
		run(c, i, HG_SVC_STOP, ev->now, out);
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
		s->stop_failed = !ev->ok;
		if (!ev->ok)
			hg_record(out, "service_stop_failed", "1",
				  "stop of service %d failed (or timed out): it may still run", i);
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
			run(c, i, HG_SVC_START, now, out);
		} else if (active && s->state == HG_SVC_RUNNING && now >= s->next_check) {
			run(c, i, HG_SVC_CHECK, now, out);
		} else if (!active && c->cleanup == HG_CL_DONE && c->p.svc_has_ready[i] &&
			   now >= s->next_check) {
			run(c, i, HG_SVC_READY, now, out);
		}
	}
}

/* Hole 5: no answer is waited on for ever. A request past its deadline is
 * answered here as failed (a stop that may not have happened, a start that
 * did not, a check that did not pass); its late answer is then stale. */
void hg_svc_deadlines(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	for (int i = 0; i < c->p.n_services; i++) {
		struct hg_service *s = &c->svc[i];
		struct hg_event ev = { .type = HG_EV_SVC, .now = now, .svc = i, .ok = 0 };

		if (s->busy && now >= s->op_deadline) {
			ev.op = s->state == HG_SVC_STARTING ? HG_SVC_START : HG_SVC_STOP;
			ev.gen = s->op_gen;
			hg_record(out, "service_deadline", "", "service %d: no answer to its %s in time: taken as failed",
				  i, op_names[ev.op]);
			hg_svc_result(c, &ev, out);
		}
		if (s->check_busy && now >= s->chk_deadline && s->chk_op == HG_SVC_READY) {
			/* a standby's readiness unknown: as it was, asked again now */
			s->check_busy = 0;
			s->next_check = now;
			hg_record(out, "service_deadline", "", "service %d: no answer to its readiness check in time: asking again", i);
		} else if (s->check_busy && now >= s->chk_deadline) {
			ev.op = s->chk_op;
			ev.gen = s->chk_gen;
			/* after a stop, a probe that does not answer proves nothing */
			ev.ok = c->cleanup == HG_CL_PROBING;
			hg_record(out, "service_deadline", "", "service %d: no answer to its check in time: taken as failed", i);
			hg_svc_result(c, &ev, out);
		}
	}
	if (c->stop_retry_at >= 0 && now >= c->stop_retry_at && c->seq_op == -1) {
		c->stop_retry_at = -1;
		if (c->role == HG_ROLE_RELEASING) {
			hg_record(out, "stop_retry", "1", "trying the stops of the release again");
			hg_svc_stop_all(c, now, out);
		} else if (hg_svc_stop_failed(c)) {
			c->cleanup = HG_CL_PENDING;
			hg_svc_cleanup(c, now, out);
		}
	}
}

hg_ms hg_svc_deadline_next(const struct hg_core *c)
{
	hg_ms t = INT64_MAX;

	for (int i = 0; i < c->p.n_services; i++) {
		const struct hg_service *s = &c->svc[i];
		if (s->busy && s->op_deadline < t)
			t = s->op_deadline;
		if (s->check_busy && s->chk_deadline < t)
			t = s->chk_deadline;
	}
	if (c->stop_retry_at >= 0 && c->stop_retry_at < t)
		t = c->stop_retry_at;
	return t;
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
void hg_vip_request(struct hg_core *c, int op, hg_ms now, struct hg_actions *out)
{
	struct hg_action *a = hg_emit(out, HG_ACT_VIP);

	c->vip_gen = ++c->req_gen;
	c->vip_op = op;
	if (op == HG_VIP_ADD)
		c->vip_held = 1;   /* may be configured from now on, answer or not */
	c->vip_deadline = now + (hg_ms)c->p.vip_timeout;
	if (a) {
		a->op = op;
		a->gen = c->vip_gen;
	}
}

/* Hole 5: a VIP change unanswered past its deadline failed (the add is
 * tried again, the removal too: the VIPs count as held until one succeeds). */
void hg_vip_deadline(struct hg_core *c, hg_ms now, struct hg_actions *out)
{
	if (!c->vip_gen || now < c->vip_deadline)
		return;
	struct hg_event ev = { .type = HG_EV_VIP, .now = now, .op = c->vip_op, .ok = 0,
			       .gen = c->vip_gen };
	hg_record(out, "vip_deadline", "", "no answer to the VIP %s in time: taken as failed",
		  c->vip_op == HG_VIP_ADD ? "add" : "removal");
	hg_on_vip(c, &ev, out);
}

void hg_on_vip(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out)
{
	if (!c->vip_gen || ev->gen != c->vip_gen || ev->op != c->vip_op) {
		hg_record(out, "vip_stale", "", "ignoring a late or doubled VIP answer (generation %llu)",
			  (unsigned long long)ev->gen);
		return;
	}
	c->vip_gen = 0;
	if (ev->op == HG_VIP_ADD) {
		if (!ev->ok) {
			hg_record(out, "vip_failed", "", "adding the VIPs failed; retrying in %u ms",
				  c->p.interval);
			c->garp_left = 0;
			c->vip_retry_at = ev->now + c->p.interval;
			return;
		}
		c->vip_up = 1;
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
	c->vip_up = 0;
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
	hg_vip_request(c, HG_VIP_DEL, now, out);
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
