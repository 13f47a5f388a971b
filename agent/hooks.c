/*
 * hooks.c - what the daemon runs besides services and fences: the operator's
 * event hook (docs/services.md, "Event hooks") and the host watch
 * (HA-OSCAR's watch list: load, memory, disk). Both run as jobs, bounded by
 * their timeouts, so a hook that hangs never delays a heartbeat.
 */
#include "agent/daemon.h"
#include "agent/log.h"

#include <stdio.h>
#include <string.h>

static const char *hook_event(const struct hg_action *a)
{
	static const struct { const char *record, *hook; } map[] = {
		{ "takeover", "active" }, { "dual_active_won", "active" },
		{ "fence_start", "fence_started" }, { "fence_confirmed", "fence_confirmed" },
		{ "fence_failed", "fence_failed" }, { "service_restart", "service_restarted" },
		{ "service_gave_up", "service_failed" }, { "release", "relinquished" },
		{ "handover", "relinquished" }, { "not_accusing", "alert" },
		{ "unfit_keeping", "alert" }, { "fence_alarm", "alert" }, { "dual_active", "alert" },
		{ "service_unready", "alert" }, { "host_unhealthy", "alert" },
		{ "peer_cut_off", "alert" }, { "bmc_unreachable", "alert" },
		{ "self_fence", "alert" }, { "sensor_critical", "alert" },
	};
	size_t n = strlen(a->why);

	if (!strcmp(a->event, "transition") && n > 11 && !strcmp(a->why + n - 11, "--> standby"))
		return "standby";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a->event, map[i].record))
			return map[i].hook;
	return NULL;
}

static void hook_done(void *arg, int status, const char *out)
{
	struct hook_cb *cb = arg;

	cb->busy = 0;
	if (status == JOB_TIMEOUT)
		log_record("hook_killed", "", "the event hook overran hook_timeout_ms and was killed",
			   hg_role_name(cb->d->core.role));
	else if (status != 0)
		log_info("hook for %s exited %d", cb->event, status);
}

void daemon_hook(struct daemon *d, const struct hg_action *a)
{
	const struct hg_config *cfg = d->cfg;
	const char *ev = cfg->hook[0] ? hook_event(a) : NULL;
	struct hook_cb *cb = NULL;

	if (!ev)
		return;
	for (int i = 0; i < HOOKS_MAX && !cb; i++)
		if (!d->hook_cb[i].busy)
			cb = &d->hook_cb[i];
	if (!cb) {
		log_warnx("event hook %s not run: %d hooks still running", ev, HOOKS_MAX);
		return;
	}
	char e[6][320];
	char *env[] = { e[0], e[1], e[2], e[3], e[4], e[5], NULL };
	snprintf(e[0], sizeof(e[0]), "HG_EVENT=%s", ev);
	snprintf(e[1], sizeof(e[1]), "HG_NODE=%s", cfg->node[cfg->self].name);
	snprintf(e[2], sizeof(e[2]), "HG_PEER=%s", cfg->node[cfg->peer].name);
	snprintf(e[3], sizeof(e[3]), "HG_ROLE=%s", hg_role_name(d->core.role));
	snprintf(e[4], sizeof(e[4]), "HG_RECORD=%s", a->event);
	snprintf(e[5], sizeof(e[5]), "HG_REASON=%s", a->why);
	char *argv[] = { (char *)cfg->hook, (char *)ev, NULL };
	cb->d = d;
	cb->busy = 1;
	snprintf(cb->event, sizeof(cb->event), "%s", ev);
	int rc = jobs_spawn(&d->jobs, argv, NULL, env, cfg->hook_timeout_ms, d->now, JOB_CAPTURE,
			    hook_done, cb);
	if (rc < 0) {
		cb->busy = 0;
		log_warnx("event hook %s: %s", cfg->hook, strerror(-rc));
	}
}

/* ---- host watch (HA-OSCAR's watch list), a job every watch_interval_ms ---- */

static void watch_done(void *arg, int status, const char *out)
{
	struct daemon *d = arg;
	struct hg_event ev = { .type = HG_EV_HOST, .ok = status == 0 };

	d->watch_busy = 0;
	daemon_push(d, &ev);
}

void daemon_watch(struct daemon *d)
{
	const struct hg_config *cfg = d->cfg;
	char load[16], mem[16], mb[HG_CFG_MAX_DISKS][16];
	char *argv[6 + 2 * HG_CFG_MAX_DISKS] = { "/proc/self/exe", "probe", "host", load, mem };
	int n = 5;

	d->next_watch = d->now + cfg->watch_interval_ms;
	if (d->watch_busy)
		return;
	snprintf(load, sizeof(load), "%u", cfg->watch_load);
	snprintf(mem, sizeof(mem), "%u", cfg->watch_memory_mb);
	for (int i = 0; i < cfg->n_watch_disks; i++) {
		snprintf(mb[i], sizeof(mb[i]), "%u", cfg->watch_disk[i].min_mb);
		argv[n++] = (char *)cfg->watch_disk[i].path;
		argv[n++] = mb[i];
	}
	argv[n] = NULL;
	if (jobs_spawn(&d->jobs, argv, NULL, NULL, cfg->watch_interval_ms, d->now, JOB_CAPTURE,
		       watch_done, d) == 0)
		d->watch_busy = 1;
}

