/*
 * config_check.c - the configuration rules that span keys and sections:
 * required keys and sections, LAN names resolved, links in LAN order,
 * distinct ids and addresses, one public LAN, derived timing defaults and
 * their consistency, and which node this is. Run by hg_config_parse() once
 * the whole text is read, so the order of sections and keys never matters.
 * Rules and reasons: docs/configuration.md.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

static int find_lan(const struct hg_config *o, const char *name)
{
	int i;

	for (i = 0; i < o->n_lans; i++)
		if (strcmp(o->lan[i].name, name) == 0)
			return i;
	return -1;
}

static int unknown_lan(struct hg_cfg_ctx *c, int line, const char *key, const char *lan)
{
	char list[HG_CFG_MAX_LANS * (HG_CFG_NAME_MAX + 2)] = "";
	int i;

	for (i = 0; i < c->out->n_lans; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", c->out->lan[i].name);
	return hg_cfg_err(c, line, "%s: unknown LAN \"%s\" (declared: %s)", key, lan, list);
}

/* Put node i's links in LAN order; each declared LAN needs one. */
static int check_node(struct hg_cfg_ctx *c, int i)
{
	struct hg_cfg_node *n = &c->out->node[i];
	int j, l;

	if (c->node[i].key_line[NK_ID] == 0)
		return hg_cfg_err(c, c->node[i].line, "[node %s]: id is required", n->name);
	for (j = 0; j < c->n_links[i]; j++) {
		l = find_lan(c->out, c->link[i][j].lan);
		if (l < 0)
			return unknown_lan(c, c->link[i][j].line, "link", c->link[i][j].lan);
		n->link[l] = c->link[i][j].link;
	}
	for (l = 0; l < c->out->n_lans; l++)
		if (n->link[l].ifname[0] == '\0')
			return hg_cfg_err(c, c->node[i].line, "[node %s]: no link for LAN \"%s\"; "
					  "add link = %s IFNAME ADDRESS", n->name,
					  c->out->lan[l].name, c->out->lan[l].name);
	if (n->n_levels == 0)
		return hg_cfg_err(c, c->node[i].line, "[node %s]: no fence level; add fence = "
				  "AGENT option=value ... so that the peer can fence this node",
				  n->name);
	return 0;
}

static int link_line(const struct hg_cfg_ctx *c, int node, int lan)
{
	int j;

	for (j = 0; j < c->n_links[node]; j++)
		if (strcmp(c->link[node][j].lan, c->out->lan[lan].name) == 0)
			return c->link[node][j].line;
	return 0;
}

static int check_nodes(struct hg_cfg_ctx *c)
{
	const struct hg_config *o = c->out;
	int a, b, n = o->n_lans;

	if (check_node(c, 0) != 0 || check_node(c, 1) != 0)
		return -1;
	if (o->node[0].id == o->node[1].id)
		return hg_cfg_err(c, c->node[1].key_line[NK_ID], "id: %u is already the id of "
				  "[node %s]", o->node[1].id, o->node[0].name);
	/* Every address of both nodes, in (node, LAN) order, is distinct. */
	for (a = 0; a < 2 * n; a++)
		for (b = a + 1; b < 2 * n; b++)
			if (strcmp(o->node[a / n].link[a % n].addr,
				   o->node[b / n].link[b % n].addr) == 0)
				return hg_cfg_err(c, link_line(c, b / n, b % n), "link: address %s "
						  "is already used by [node %s] (line %d)",
						  o->node[b / n].link[b % n].addr, o->node[a / n].name,
						  link_line(c, a / n, a % n));
	return 0;
}

static int check_vips(struct hg_cfg_ctx *c)
{
	struct hg_config *o = c->out;
	int i, j, l;

	if (o->n_vips == 0)
		return hg_cfg_err(c, c->cluster.line, "[cluster]: vip is required: "
				  "vip = ADDRESS/PREFIX LAN");
	for (i = 0; i < o->n_vips; i++) {
		struct hg_cfg_vip *v = &o->vip[i];

		v->lan_index = find_lan(o, v->lan);
		if (v->lan_index < 0)
			return unknown_lan(c, c->vip_line[i], "vip", v->lan);
		if (v->lan_index != o->vip[0].lan_index)
			return hg_cfg_err(c, c->vip_line[i], "vip: all VIPs must be on one LAN: "
					  "this one is on \"%s\", the one of line %d on \"%s\"",
					  v->lan, c->vip_line[0], o->vip[0].lan);
		for (j = 0; j < i; j++)
			if (strcmp(o->vip[j].addr, v->addr) == 0)
				return hg_cfg_err(c, c->vip_line[i], "vip: %s is already a VIP "
						  "(line %d)", v->addr, c->vip_line[j]);
		for (j = 0; j < 2; j++)
			for (l = 0; l < o->n_lans; l++)
				if (strcmp(o->node[j].link[l].addr, v->addr) == 0)
					return hg_cfg_err(c, c->vip_line[i], "vip: %s is the "
							  "address of [node %s] on LAN %s", v->addr,
							  o->node[j].name, o->lan[l].name);
	}
	o->public_lan = o->vip[0].lan_index;
	return 0;
}

/* Derived defaults, then docs/configuration.md, "Timing rules and why". */
static int check_timing(struct hg_cfg_ctx *c)
{
	struct hg_config *o = c->out;
	const int *cl = c->cluster.key_line;
	uint32_t iv = o->interval_ms, dt;
	int dt_line = cl[CK_DEADTIME] ? cl[CK_DEADTIME] : cl[CK_INTERVAL];

	if (!cl[CK_DEADTIME])
		o->deadtime_ms = 3 * iv;
	dt = o->deadtime_ms;
	/* 1.2 intervals, rounded up: one heartbeat a fifth of an interval
	 * late; below any deadtime allowed (at least 2 intervals) */
	if (!cl[CK_SUSPECT])
		o->suspect_ms = iv + (iv + 4) / 5;
	if (!cl[CK_WAIT])
		o->wait_for_peer_ms = 10 * dt;
	if (!cl[CK_GW_TIMEOUT])
		o->gateway_timeout_ms = 2 * dt > 2000 ? 2 * dt : 2000;
	if (dt < 2 * iv)
		return hg_cfg_err(c, cl[CK_DEADTIME], "deadtime_ms: must be at least 2 * "
				  "interval_ms = %u, so that one lost heartbeat never makes "
				  "the peer look dead; got %u", 2 * iv, dt);
	if (o->suspect_ms && (o->suspect_ms <= iv || o->suspect_ms >= dt))
		return hg_cfg_err(c, cl[CK_SUSPECT], "suspect_ms: must be 0 (off) or above "
				  "interval_ms (%u) and below deadtime_ms (%u), got %u",
				  iv, dt, o->suspect_ms);
	if (o->wait_for_peer_ms < dt)
		return hg_cfg_err(c, cl[CK_WAIT], "wait_for_peer_ms: must be at least "
				  "deadtime_ms (%u), got %u", dt, o->wait_for_peer_ms);
	if (o->fence_retry_ms < iv && cl[CK_FENCE_RETRY])
		return hg_cfg_err(c, cl[CK_FENCE_RETRY], "fence_retry_ms: must be at least "
				  "interval_ms (%u), got %u", iv, o->fence_retry_ms);
	if (o->fence_retry_ms < iv)
		return hg_cfg_err(c, cl[CK_INTERVAL], "interval_ms: %u is above fence_retry_ms "
				  "(default %u), which must be at least interval_ms; set "
				  "fence_retry_ms", iv, o->fence_retry_ms);
	if (o->failback_holddown_ms < dt && cl[CK_HOLDDOWN])
		return hg_cfg_err(c, cl[CK_HOLDDOWN], "failback_holddown_ms: must be at least "
				  "deadtime_ms (%u), got %u", dt, o->failback_holddown_ms);
	if (o->failback_holddown_ms < dt)
		return hg_cfg_err(c, dt_line, "%s: deadtime_ms %u is above "
				  "failback_holddown_ms (default %u), which must be at least "
				  "deadtime_ms; set failback_holddown_ms",
				  cl[CK_DEADTIME] ? "deadtime_ms" : "interval_ms", dt,
				  o->failback_holddown_ms);
	if (o->gateway_timeout_ms < dt)
		return hg_cfg_err(c, cl[CK_GW_TIMEOUT], "gateway_timeout_ms: must be at least "
				  "deadtime_ms (%u), got %u", dt, o->gateway_timeout_ms);
	return 0;
}

int hg_cfg_check(struct hg_cfg_ctx *c, const char *self)
{
	struct hg_config *o = c->out;
	int i, hb = 0;

	if (c->cluster.line == 0)
		return hg_cfg_err(c, 0, "missing [cluster] section");
	if (c->cluster.key_line[CK_NAME] == 0)
		return hg_cfg_err(c, c->cluster.line, "[cluster]: name is required");
	if (c->cluster.key_line[CK_KEY_FILE] == 0)
		return hg_cfg_err(c, c->cluster.line, "[cluster]: key_file is required "
				  "(absolute path of the heartbeat HMAC key)");
	if (o->n_lans == 0)
		return hg_cfg_err(c, 0, "no [lan NAME] section: declare at least one LAN");
	for (i = 0; i < o->n_lans; i++)
		hb |= o->lan[i].heartbeat;
	if (!hb)
		return hg_cfg_err(c, 0, "no LAN carries heartbeats: set heartbeat = yes "
				  "on at least one [lan]");
	if (c->n_nodes != 2)
		return hg_cfg_err(c, 0, "expected exactly two [node NAME] sections, found %d",
				  c->n_nodes);
	if (check_nodes(c) != 0 || check_vips(c) != 0)
		return -1;
	for (i = 0; i < o->n_services; i++)
		if (o->service[i].check[0] && o->service[i].probe_kind != HG_PROBE_NONE)
			return hg_cfg_err(c, c->service[i].line, "[service %s]: give check or probe, "
					  "not both", o->service[i].name);
	for (i = 0; i < o->n_services; i++)
		if (o->service[i].start[0] == '\0' || o->service[i].stop[0] == '\0')
			return hg_cfg_err(c, c->service[i].line, "[service %s]: %s is required",
					  o->service[i].name,
					  o->service[i].start[0] ? "stop" : "start");
	if (check_timing(c) != 0)
		return -1;
	for (i = 0; i < 2; i++)
		for (int l = 0; l < o->node[i].n_levels; l++)
			if (o->node[i].level[l].native && !o->node[i].bmc.present)
				return hg_cfg_err(c, c->node[i].line, "[node %s]: fence = ipmi needs "
						  "the node's bmc = line", o->node[i].name);
	for (i = 0; i < 2; i++)
		if (o->node[i].own_bmc.line && !o->node[i].bmc.present)
			return hg_cfg_err(c, o->node[i].own_bmc.line, "own_bmc: needs the node's "
					  "bmc = line (the peer reads and fences this node through it)");
	if (o->watchdog_timeout_ms && (!o->node[0].bmc.present || !o->node[1].bmc.present))
		return hg_cfg_err(c, 0, "watchdog_timeout_ms: the self-fence needs each "
				  "node's bmc = line");
	/* Rule 4 against rule 5 (issue 10, hole 2): the agent resets its
	 * watchdog every sixth of the timeout, at a heartbeat, over a request
	 * that may take the BMC's timeout_ms; one such late reset must still land
	 * before the BMC powers a healthy node off. docs/decisions.md. */
	for (i = 0; i < 2 && o->watchdog_timeout_ms; i++) {
		uint64_t need = (uint64_t)o->interval_ms + o->node[i].bmc.timeout_ms;
		if ((uint64_t)o->watchdog_timeout_ms * 5 / 6 <= need)
			return hg_cfg_err(c, c->cluster.key_line[CK_WATCHDOG], "watchdog_timeout_ms: %u is too "
					  "short: the resets come every %u ms, each may be one interval "
					  "(%u ms) late and take the BMC's timeout_ms (%u ms on [node %s]), "
					  "so it must be more than %llu ms", o->watchdog_timeout_ms,
					  o->watchdog_timeout_ms / 6, o->interval_ms,
					  o->node[i].bmc.timeout_ms, o->node[i].name,
					  (unsigned long long)(need * 6 / 5));
	}
	for (i = 0; i < 2; i++)
		if (self != NULL && strcmp(o->node[i].name, self) == 0) {
			o->self = i;
			o->peer = 1 - i;
			return 0;
		}
	return hg_cfg_err(c, 0, "no [node NAME] section for this node \"%.*s\" (the file "
			  "has [node %s] and [node %s])", HG_CFGV_QUOTE_MAX, self ? self : "",
			  o->node[0].name, o->node[1].name);
}

