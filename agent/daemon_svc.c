/*
 * daemon_svc.c - the daemon's side of HG_ACT_SVC: a service's start, stop,
 * check (or built-in probe) and standby check run as jobs (agent/jobs.h),
 * each answered to the core with the generation of its own request.
 *
 * Every job has its own callback context, taken from a pool and given back
 * when it answers. The first daemon kept one per (service, operation) and
 * wrote the new request's generation into it: a check past the core's
 * deadline and still running (a hung script the kill has not reaped yet)
 * then answered under the generation of the check asked after it, and the
 * core took the old answer for the new one (a hostile review of the core,
 * 2026-12; a stale "down" could end the start-up clean-up on nothing).
 */
#include "agent/daemon.h"
#include "agent/log.h"

#include <stdio.h>
#include <string.h>

static const char *const svc_ops[] = { "start", "stop", "check", "standby_check" };

static void answer(struct daemon *d, int svc, int op, uint64_t gen, int status)
{
	struct hg_event ev = { .type = HG_EV_SVC, .svc = svc, .op = op, .ok = status == 0,
			       .gen = gen };

	if (status != 0)
		log_info("service %s %s exited %d%s", d->cfg->service[svc].name,
			 svc_ops[op], status, status == JOB_TIMEOUT ? " (killed at its timeout)" : "");
	daemon_push(d, &ev);
}

static void svc_done(void *arg, int status, const char *out)
{
	struct svc_cb *cb = arg;

	(void)out;
	cb->busy = 0;
	answer(cb->d, cb->svc, cb->op, cb->gen, status);
}

static struct svc_cb *cb_take(struct daemon *d)
{
	for (int i = 0; i < DAEMON_SVC_CBS; i++)
		if (!d->svc_cb[i].busy) {
			d->svc_cb[i].busy = 1;
			return &d->svc_cb[i];
		}
	return NULL;
}

void daemon_svc(struct daemon *d, int svc, int op, uint64_t gen)
{
	const struct hg_cfg_service *s = &d->cfg->service[svc];
	const char *cmd = op == HG_SVC_START ? s->start : op == HG_SVC_STOP ? s->stop :
			  op == HG_SVC_CHECK ? s->check : s->standby_check;
	const char *opname = svc_ops[op];
	unsigned timeout = op == HG_SVC_START || op == HG_SVC_STOP ? s->timeout_ms : s->check_timeout_ms;
	char e1[64], e2[64], e3[64], arg[HG_CFG_PATH_MAX];
	char *env[] = { e1, e2, e3, NULL };
	char *argv[8] = { "/bin/sh", "-c", (char *)cmd, NULL };

	if (op == HG_SVC_CHECK && s->probe_kind != HG_PROBE_NONE) {
		/* Built-in probe: this very binary, as a job (agent/probe.c). */
		static char *const kinds[] = { "", "tcp", "systemd", "pid" };
		snprintf(arg, sizeof(arg), "%s", s->probe_arg);
		char *sp = strchr(arg, ' ');
		argv[0] = "/proc/self/exe";
		argv[1] = "probe";
		argv[2] = kinds[s->probe_kind];
		argv[3] = arg;
		argv[4] = NULL;
		if (sp) {
			*sp = 0;
			argv[4] = sp + 1;
			argv[5] = NULL;
		}
	} else if (!*cmd) {
		answer(d, svc, op, gen, 0);
		return;
	}
	struct svc_cb *cb = cb_take(d);
	if (!cb) {
		/* as many as there are job slots: jobs_spawn would refuse too */
		log_warnx("cannot run %s of service %s: too many jobs", opname, s->name);
		answer(d, svc, op, gen, 127);
		return;
	}
	cb->d = d;
	cb->svc = svc;
	cb->op = op;
	cb->gen = gen;
	snprintf(e1, sizeof(e1), "HG_NODE=%s", d->cfg->node[d->cfg->self].name);
	snprintf(e2, sizeof(e2), "HG_SERVICE=%s", s->name);
	snprintf(e3, sizeof(e3), "HG_ACTION=%s", opname);
	int rc = jobs_spawn(&d->jobs, argv, NULL, env, timeout, d->now, 0, svc_done, cb);
	if (rc < 0) {
		log_warnx("cannot run %s of service %s: %s", opname, s->name, strerror(-rc));
		svc_done(cb, 127, NULL);
	}
}
