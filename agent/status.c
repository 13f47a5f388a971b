/*
 * status.c - `headguard status`: what the core knows, for operators (text)
 * and tools (one JSON object). Secrets never appear here: the config's
 * password files are paths, and the key is not rendered.
 */
#include "agent/daemon.h"
#include "agent/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out { char *buf; size_t len, off; };

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->off >= o->len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += (size_t)n;
	if (o->off >= o->len)
		o->off = o->len - 1;
}

static const char *b(int v) { return v ? "true" : "false"; }

static long long age(const struct daemon *d, hg_ms t)
{
	return t < -1000000000LL ? -1 : (long long)(d->now - t);
}

/* Rejected by the shell before the core (daemon.c read_udp) or by the core. */
static unsigned long long rejects(const struct daemon *d, enum hg_reject r)
{
	return (unsigned long long)(d->rej[r] + d->core.cnt.rx_reject[r]);
}

static void json(const struct daemon *d, struct out *o)
{
	const struct hg_config *cfg = d->cfg;
	const struct hg_core *c = &d->core;
	const struct hg_hb *pv = &c->peer.view;
	int fresh = hg_core_peer_fresh(c, d->now);

	put(o, "{\"node\":\"%s\",\"role\":\"%s\",\"holds_vip\":%s,\"eligible\":%s,\"admin_standby\":%s,"
	    "\"incarnation\":%llu,\"role_age_ms\":%lld,",
	    cfg->node[cfg->self].name, hg_role_name(c->role), b(c->vip_held),
	    b(hg_core_eligible(c)), b(c->admin_standby), (unsigned long long)c->incarnation,
	    (long long)(d->now - c->role_since));
	put(o, "\"host_ok\":%s,", b(c->host_ok));
	put(o, "\"peer\":{\"node\":\"%s\",\"heard\":%s,\"role\":\"%s\",\"eligible\":%s,\"holds_vip\":%s,"
	    "\"incarnation\":%llu,\"last_heartbeat_ms\":%lld,\"max_gap_ms\":%lld,\"lost\":%s},",
	    cfg->node[cfg->peer].name, b(fresh), c->peer.incarnation ? hg_role_name(pv->role) : "unknown",
	    b(fresh && (pv->flags & HG_F_ELIGIBLE)), b(fresh && (pv->flags & HG_F_HOLDS_VIP)),
	    (unsigned long long)c->peer.incarnation, age(d, c->peer.last_hb),
	    (long long)c->peer.max_gap, b(c->peer_lost));
	put(o, "\"paths\":[");
	for (int i = 0; i < cfg->n_lans; i++)
		for (int k = 0; k < 2; k++)
			put(o, "%s{\"lan\":\"%s\",\"kind\":\"%s\",\"up\":%s,\"age_ms\":%lld}",
			    i || k ? "," : "", cfg->lan[i].name, k ? "icmp" : "udp",
			    b(hg_core_path_up(c, i * 2 + k, d->now)), age(d, c->peer.path_last[i * 2 + k]));
	put(o, "],\"links\":[");
	for (int i = 0; i < cfg->n_lans; i++)
		put(o, "%s{\"lan\":\"%s\",\"ifname\":\"%s\",\"up\":%s}", i ? "," : "", cfg->lan[i].name,
		    cfg->node[cfg->self].link[i].ifname, b(c->link_up[i]));
	put(o, "],\"gateway\":{\"address\":\"%s\",\"age_ms\":%lld},", cfg->gateway, age(d, c->gw_last));
	put(o, "\"fencing\":{\"generation\":%llu,\"busy\":%s,\"levels\":%d},\"fences\":%llu,",
	    (unsigned long long)c->fence_gen, b(c->fence_busy), cfg->node[cfg->peer].n_levels,
	    (unsigned long long)c->cnt.fences);
	{
		char bm[2048];
		daemon_bmc_json(d, bm, sizeof(bm));
		put(o, "\"bmc\":{%s},", bm);
	}
	put(o, "\"services\":[");
	for (int i = 0; i < cfg->n_services; i++) {
		const struct hg_service *s = &c->svc[i];
		put(o, "%s{\"name\":\"%s\",\"state\":\"%s\",\"restarts\":%u,\"failures\":%u,\"gave_up\":%s,"
		    "\"ready\":%s,\"last_failure_ms\":%lld,\"last_probe_ms\":%lld}", i ? "," : "",
		    cfg->service[i].name, hg_svc_state_name(s->state), s->restarts, s->failures,
		    b(s->gave_up), b(!s->unready),
		    s->last_failure < 0 ? -1 : (long long)(d->now - s->last_failure),
		    s->last_probe < 0 ? -1 : (long long)(d->now - s->last_probe));
	}
	put(o, "],\"counters\":{\"rx_ok\":%llu,\"rx_replay\":%llu,\"rx_bad_mac\":%llu,\"rx_malformed\":%llu,"
	    "\"rx_unknown\":%llu,\"tx\":%llu,\"takeovers\":%llu,\"releases\":%llu,\"stalls\":%llu,"
	    "\"intake_budget_hits\":%llu,\"intake_drops\":%llu}}\n",
	    (unsigned long long)c->cnt.rx_ok, (unsigned long long)c->cnt.rx_replay,
	    rejects(d, HG_REJ_BAD_MAC), rejects(d, HG_REJ_MALFORMED), rejects(d, HG_REJ_UNKNOWN),
	    (unsigned long long)c->cnt.tx_hb,
	    (unsigned long long)c->cnt.takeovers, (unsigned long long)c->cnt.releases,
	    (unsigned long long)c->cnt.stalls, (unsigned long long)d->budget_hits,
	    (unsigned long long)d->netq_drops);
}

static void text(const struct daemon *d, struct out *o)
{
	const struct hg_config *cfg = d->cfg;
	const struct hg_core *c = &d->core;
	int fresh = hg_core_peer_fresh(c, d->now);

	put(o, "node %s: %s%s, %s, %s the VIPs\n", cfg->node[cfg->self].name, hg_role_name(c->role),
	    c->admin_standby ? " (operator standby)" : "", hg_core_eligible(c) ? "eligible" : "NOT eligible",
	    c->vip_held ? "holds" : "does not hold");
	put(o, "peer %s: %s", cfg->node[cfg->peer].name,
	    fresh ? hg_role_name(c->peer.view.role) : c->peer_lost ? "LOST (every path silent)" : "not heard");
	if (fresh)
		put(o, ", %s%s", (c->peer.view.flags & HG_F_ELIGIBLE) ? "eligible" : "NOT eligible",
		    (c->peer.view.flags & HG_F_HOLDS_VIP) ? ", holds the VIPs" : "");
	put(o, "\npaths:\n");
	for (int i = 0; i < cfg->n_lans; i++)
		for (int k = 0; k < 2; k++)
			put(o, "  %-12s %-4s %-4s last heard %lld ms ago\n", cfg->lan[i].name, k ? "icmp" : "udp",
			    hg_core_path_up(c, i * 2 + k, d->now) ? "up" : "DOWN", age(d, c->peer.path_last[i * 2 + k]));
	put(o, "links:");
	for (int i = 0; i < cfg->n_lans; i++)
		put(o, " %s=%s", cfg->node[cfg->self].link[i].ifname, c->link_up[i] ? "up" : "DOWN");
	if (cfg->gateway[0])
		put(o, "\ngateway %s: last reply %lld ms ago", cfg->gateway, age(d, c->gw_last));
	for (int i = 0; i < 2; i++) {
		const struct bmcw_rep *r = &d->bmc_last[i];
		if (d->bmc[i].fd < 0)
			continue;
		if (d->bmc_last_at[i] == INT64_MIN) {
			put(o, "\nBMC %s: no reading yet", i ? "peer" : "own");
			continue;
		}
		put(o, "\nBMC %s %s: %s, power %s, watchdog %s (%u of %u ms left), worst sensor %s, session %u ms old",
		    i ? "peer" : "own", cfg->node[i ? cfg->peer : cfg->self].bmc.addr,
		    r->reachable ? "answers" : "DOES NOT ANSWER",
		    r->power == 1 ? "on" : r->power == 0 ? "off" : "unknown",
		    r->wdt_usable ? "counting" : r->wdt_expired ? "EXPIRED" : "not usable",
		    r->wdt_present_ms, r->wdt_initial_ms, r->sensor_worst >= 2 ? "CRITICAL" :
		    r->sensor_worst == 1 ? "non-critical" : "ok", r->session_age_ms);
	}
	put(o, "\nservices:");
	for (int i = 0; i < cfg->n_services; i++)
		put(o, " %s=%s(restarts %u%s%s, last probe %lld ms ago)", cfg->service[i].name,
		    hg_svc_state_name(c->svc[i].state), c->svc[i].restarts,
		    c->svc[i].gave_up ? ", GIVEN UP" : "", c->svc[i].unready ? ", NOT READY" : "",
		    c->svc[i].last_probe < 0 ? -1 : (long long)(d->now - c->svc[i].last_probe));
	put(o, "\nfences: %llu  takeovers: %llu  releases: %llu\n", (unsigned long long)c->cnt.fences,
	    (unsigned long long)c->cnt.takeovers, (unsigned long long)c->cnt.releases);
	put(o, "heartbeats: %llu ok, %llu replayed, %llu bad HMAC, %llu malformed, %llu unknown sender\n",
	    (unsigned long long)c->cnt.rx_ok, (unsigned long long)c->cnt.rx_replay,
	    rejects(d, HG_REJ_BAD_MAC), rejects(d, HG_REJ_MALFORMED), rejects(d, HG_REJ_UNKNOWN));
}

void daemon_status(const struct daemon *d, int as_json, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = 0;
	if (as_json)
		json(d, &o);
	else
		text(d, &o);
}
