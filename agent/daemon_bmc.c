/*
 * daemon_bmc.c - the daemon's side of the BMC workers (agent/bmcw.h):
 * periodic readings of both BMCs turned into HG_EV_BMC events, the own
 * watchdog armed at start, reset when the core says so and stopped on a
 * clean exit, the native fence level, and the BMC part of `status`.
 */
#include "agent/daemon.h"
#include "agent/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void daemon_bmc_setup(struct daemon *d, struct hg_params *p)
{
	const struct hg_config *cfg = d->cfg;
	const struct hg_cfg_bmc *b[2] = { &cfg->node[cfg->self].bmc, &cfg->node[cfg->peer].bmc };
	static const char *const names[2] = { "own", "peer" };

	for (int i = 0; i < 2; i++) {
		d->bmc[i].fd = -1;
		d->bmc_last_at[i] = INT64_MIN;
		if (!b[i]->present)
			continue;
		int rc = bmcw_start(&d->bmc[i], b[i], i ? NULL : &cfg->node[cfg->self].own_bmc,
				    names[i]);
		if (rc < 0) {
			log_warnx("cannot start the %s BMC worker: %s", names[i], strerror(-rc));
			continue;
		}
		bmcw_send(&d->bmc[i], BMCW_POLL, 0, 0);
	}
	p->have_own_bmc = d->bmc[0].fd >= 0;
	p->have_peer_bmc = d->bmc[1].fd >= 0;
	p->bmc_timeout = b[0]->timeout_ms > b[1]->timeout_ms ? b[0]->timeout_ms : b[1]->timeout_ms;
	if (p->have_own_bmc && cfg->watchdog_timeout_ms) {
		bmcw_send(&d->bmc[0], BMCW_ARM, 0, cfg->watchdog_timeout_ms);
		p->self_fence = 1;
		p->wdt_timeout = cfg->watchdog_timeout_ms;
		log_info("self-fence: arming our BMC watchdog, %u ms, action power down",
			 cfg->watchdog_timeout_ms);
	}
	d->next_bmc_poll = d->now + cfg->bmc_poll_ms;
}

void daemon_bmc_tick(struct daemon *d)
{
	if (d->now < d->next_bmc_poll)
		return;
	d->next_bmc_poll = d->now + d->cfg->bmc_poll_ms;
	for (int i = 0; i < 2; i++)
		if (d->bmc[i].fd >= 0)
			bmcw_send(&d->bmc[i], BMCW_POLL, 0, 0);
}

void daemon_bmc_poll(struct daemon *d, int who, int evidence_only)
{
	if (d->bmc[who].fd >= 0)
		bmcw_send(&d->bmc[who], BMCW_POLL, 0, evidence_only ? BMCW_POLL_EVIDENCE : 0);
}

/* The core decides the cadence (a sixth of the timeout, hg_pet_every): the
 * peer's rule-4 evidence assumes exactly that one, so the daemon resets on
 * every action and never throttles or adds resets of its own. */
void daemon_bmc_pet(struct daemon *d)
{
	if (d->bmc[0].fd < 0)
		return;
	if (bmcw_send(&d->bmc[0], BMCW_PET, 0, 0) == 0)
		d->last_pet = d->now;
}

int daemon_fence_native(void *ctx, unsigned timeout_ms, int64_t since, fence_done_fn done,
			void *arg)
{
	struct daemon *d = ctx;
	int rc;

	if (d->bmc[1].fd < 0)
		return -ENOTCONN;
	if ((rc = bmcw_fence(&d->bmc[1], ++d->native_gen, timeout_ms, since)) < 0)
		return rc;
	d->native_done = done;
	d->native_arg = arg;
	return 0;
}

/*
 * Which path serves our own BMC, said when it is first known and when it
 * changes. On the management LAN the self-fence is exposed to that LAN's
 * loss: a healthy node can be powered off (docs/bmc.md, "Paths").
 */
static void own_path_seen(struct daemon *d, const char *path)
{
	if (!path[0] || !strcmp(path, d->own_path))
		return;
	snprintf(d->own_path, sizeof(d->own_path), "%s", path);
	if (strcmp(path, "lan"))
		log_info("our BMC: watchdog and readings over the %s path%s", path,
			 strcmp(path, "hostif") ? " (in-band)" : " (host-interface NIC)");
	else if (d->cfg->node[d->cfg->self].own_bmc.path == HG_OWN_AUTO)
		log_warnx("our BMC: no in-band IPMI interface on this host; the watchdog is reset over "
			  "the management LAN, whose loss can power this node off (docs/bmc.md; "
			  "set own_bmc)");
	else
		log_warnx("our BMC: watchdog reset over the management LAN (own_bmc = lan): its loss "
			  "can power this node off (docs/bmc.md)");
}

static void push_reading(struct daemon *d, int i, const struct bmcw_rep *r)
{
	struct hg_event ev = { .type = HG_EV_BMC };

	bmcw_report(r, i, &ev.bmc);
	daemon_push(d, &ev);
}

static void on_reply(struct daemon *d, int i, const struct bmcw_rep *r)
{
	if (i == 0)
		own_path_seen(d, r->path);
	if (r->op == BMCW_POLL) {
		d->bmc_last[i] = *r;
		d->bmc_last_at[i] = d->now;
		push_reading(d, i, r);
	} else if (r->op == BMCW_FENCE) {
		log_record("fence_audit", "1", r->text, hg_role_name(d->core.role));
		/* a refusal's reading first: the core judges the fence by it */
		if (r->refused == 1)
			push_reading(d, i, r);
		if (r->gen == d->native_gen && d->native_done) {
			fence_done_fn done = d->native_done;
			d->native_done = NULL;
			done(d->native_arg, r->refused == 1 ? 3 : r->refused == 2 ? 4 :
			     r->confirmed ? 2 : 1, NULL);
		}
	} else if (r->rc < 0) {
		/* a watchdog request failed: said once, until one succeeds */
		if (!d->wdt_failing)
			log_warnx("our BMC watchdog (%s): %s", r->op == BMCW_ARM ? "arm" :
				  r->op == BMCW_PET ? "reset" : "stop", strerror(-r->rc));
		d->wdt_failing = 1;
	} else {
		if (d->wdt_failing)
			log_info("our BMC watchdog answers again");
		d->wdt_failing = 0;
	}
}

void daemon_bmc_read(struct daemon *d, int i)
{
	struct bmcw_rep r;
	int rc;

	while ((rc = bmcw_recv(&d->bmc[i], &r)) == 0)
		on_reply(d, i, &r);
	if (rc == -EPIPE) {
		log_warnx("the %s BMC worker died; restarting it", d->bmc[i].name);
		bmcw_stop(&d->bmc[i]);
		const struct hg_cfg_bmc *b = &d->cfg->node[i ? d->cfg->peer : d->cfg->self].bmc;
		if (bmcw_start(&d->bmc[i], b, i ? NULL : &d->cfg->node[d->cfg->self].own_bmc,
			       i ? "peer" : "own") == 0 && i == 0 &&
		    d->core.p.self_fence)
			bmcw_send(&d->bmc[0], BMCW_ARM, 0, d->cfg->watchdog_timeout_ms);
	}
}

void daemon_bmc_stop(struct daemon *d, int disarm)
{
	/* A clean exit (nothing of the cluster left here) disarms the
	 * self-fence: this node is not hung. Any other exit leaves it armed:
	 * the BMC powers the node off and the peer takes over on the confirmed
	 * power-off (rule 5; docs/decisions.md, "Stopping the agent"). */
	if (d->bmc[0].fd >= 0 && d->core.p.self_fence && !disarm) {
		log_warnx("self-fence: leaving our BMC watchdog armed: it powers this node off within %u ms",
			  d->cfg->watchdog_timeout_ms);
	} else if (d->bmc[0].fd >= 0 && d->core.p.self_fence) {
		bmcw_send(&d->bmc[0], BMCW_DISARM, 0, 0);
		int rc = bmcw_wait(&d->bmc[0], BMCW_DISARM, 3000);
		if (rc < 0)
			log_warnx("could not stop our BMC watchdog: %s (it will power this node off)",
				  strerror(-rc));
		else
			log_info("self-fence: our BMC watchdog stopped");
	}
	for (int i = 0; i < 2; i++)
		bmcw_stop(&d->bmc[i]);
}

static const char *sev_name(int s)
{
	static const char *const n[] = { "ok", "non-critical", "critical", "non-recoverable" };
	return s >= 0 && s < 4 ? n[s] : "unknown";
}

int daemon_bmc_json(const struct daemon *d, char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < 2; i++) {
		const struct bmcw_rep *r = &d->bmc_last[i];
		const struct hg_cfg_bmc *b = &d->cfg->node[i ? d->cfg->peer : d->cfg->self].bmc;
		/* A sensor name is the BMC's SDR ID string: untrusted, and its
		 * bytes may be '"' or '\\' (STYLE.md habit 5). */
		char sensor[sizeof(r->sensor) * 6 + 8], addr[sizeof(b->addr) * 6 + 8];
		int n;
		log_json_escape(r->sensor, sensor, sizeof(sensor));
		const struct hg_cfg_own_bmc *own = &d->cfg->node[d->cfg->self].own_bmc;
		/* the address our own requests go to: the host-interface NIC's */
		log_json_escape(!i && own->path == HG_OWN_HOSTIF ? own->addr : b->addr, addr,
				sizeof(addr));
		if (d->bmc[i].fd < 0) {
			n = snprintf(buf + off, len - off, "%s\"%s\":{\"configured\":%s}", i ? "," : "",
				     i ? "peer" : "own", b->present ? "true" : "false");
		} else if (d->bmc_last_at[i] == INT64_MIN) {
			n = snprintf(buf + off, len - off, "%s\"%s\":{\"configured\":true,\"address\":\"%s\","
				     "\"reachable\":null}", i ? "," : "", i ? "peer" : "own", addr);
		} else {
			n = snprintf(buf + off, len - off,
				     "%s\"%s\":{\"configured\":true,\"address\":\"%s\",\"path\":\"%s\","
				     "\"reachable\":%s,\"reading_age_ms\":%lld,\"retries\":%u,\"session_age_ms\":%u,\"sessions_opened\":%u,"
				     "\"power\":\"%s\",\"watchdog\":{\"usable\":%s,\"running\":%s,\"expired\":%s,"
				     "\"initial_ms\":%u,\"present_ms\":%u},\"worst_sensor\":{\"name\":\"%s\","
				     "\"severity\":\"%s\"},\"last_request_ms\":%u}",
				     i ? "," : "", i ? "peer" : "own", addr, r->path,
				     r->reachable ? "true" : "false",
				     (long long)(d->now - d->bmc_last_at[i]), r->retries, r->session_age_ms,
				     r->opens,
				     r->power == 1 ? "on" : r->power == 0 ? "off" : "unknown",
				     r->wdt_usable ? "true" : "false", r->wdt_running ? "true" : "false",
				     r->wdt_expired ? "true" : "false", r->wdt_initial_ms, r->wdt_present_ms,
				     sensor, sev_name(r->sensor_worst), r->elapsed_ms);
		}
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return (int)off;
}
