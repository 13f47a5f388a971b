/*
 * config.c - headguard configuration: text in, immutable struct out.
 *
 * inih splits lines into key and value and strips comments; everything else
 * is here. inih reads through cfg_read(), a reader over the in-memory text,
 * which is what makes every message carry its line number and lets the
 * parse stay pure (no file, no global, no clock; STYLE.md habit 6):
 *
 * - Leading blanks are removed before inih sees a line, so inih's
 *   multi-line continuation (an indented line continues the previous value)
 *   never fires: indentation is free and every line stands alone.
 * - Section headers are read here, not from inih's `section` argument:
 *   inih calls no handler for an empty section (an all-defaults [lan] must
 *   still count) and silently cuts section names at 49 bytes.
 * - A line longer than inih's buffer is refused here; inih would split it
 *   and parse its tail as a line of its own.
 *
 * The format and every rule below are documented in docs/configuration.md.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_int.h"

#define MS_MAX  HG_CFG_MS_MAX
#define MSG_MAX HG_CFG_MSG_MAX

enum kind {
	K_NAME, K_PATH, K_PATH_OPT, K_SOCKET, K_U16, K_U32, K_U32_OFF,
	K_BOOL, K_FAILBACK, K_IPV4_OPT, K_CMD, K_CMD_OPT, K_VIP, K_LINK, K_FENCE,
	K_PROBE, K_DISK, K_BMC, K_OWN_BMC
};

struct key {
	const char *name;
	enum kind kind;
	size_t off, size;         /* field in the section's struct */
	uint32_t lo, hi;          /* integer range */
};

/* K_BOOL and K_FAILBACK store through an int. */
_Static_assert(sizeof(enum hg_failback) == sizeof(int), "enum hg_failback is not an int");

#define FIELD(type, f) offsetof(type, f), sizeof(((type *)0)->f)
#define CL(f) FIELD(struct hg_config, f)

static const struct key cluster_keys[CK_COUNT + 1] = {
	[CK_NAME]          = { "name", K_NAME, CL(cluster), 0, 0 },
	[CK_KEY_FILE]      = { "key_file", K_PATH, CL(key_file), 0, 0 },
	[CK_PORT]          = { "port", K_U16, CL(port), 1, 65535 },
	[CK_INTERVAL]      = { "interval_ms", K_U32, CL(interval_ms), 10, 60000 },
	[CK_DEADTIME]      = { "deadtime_ms", K_U32, CL(deadtime_ms), 20, 600000 },
	[CK_SUSPECT]       = { "suspect_ms", K_U32_OFF, CL(suspect_ms), 11, 600000 },
	[CK_WAIT]          = { "wait_for_peer_ms", K_U32, CL(wait_for_peer_ms), 0, MS_MAX },
	[CK_FENCE_DELAY]   = { "fence_delay_ms", K_U32, CL(fence_delay_ms), 0, 600000 },
	[CK_FENCE_RETRY]   = { "fence_retry_ms", K_U32, CL(fence_retry_ms), 10, 600000 },
	[CK_FAILBACK]      = { "failback", K_FAILBACK, CL(failback), 0, 0 },
	[CK_HOLDDOWN]      = { "failback_holddown_ms", K_U32, CL(failback_holddown_ms), 0, MS_MAX },
	[CK_GATEWAY]       = { "gateway", K_IPV4_OPT, CL(gateway), 0, 0 },
	[CK_GW_TIMEOUT]    = { "gateway_timeout_ms", K_U32, CL(gateway_timeout_ms), 20, MS_MAX },
	[CK_GARP_COUNT]    = { "garp_count", K_U32, CL(garp_count), 1, 100 },
	[CK_GARP_INTERVAL] = { "garp_interval_ms", K_U32, CL(garp_interval_ms), 1, 10000 },
	[CK_GARP_REFRESH]  = { "garp_refresh_ms", K_U32_OFF, CL(garp_refresh_ms), 1000, MS_MAX },
	[CK_SOCKET]        = { "control_socket", K_SOCKET, CL(control_socket), 0, 0 },
	[CK_STATE_DIR]     = { "state_dir", K_PATH, CL(state_dir), 0, 0 },
	[CK_LOG_FILE]      = { "log_file", K_PATH_OPT, CL(log_file), 0, 0 },
	[CK_VIP]           = { "vip", K_VIP, 0, 0, 0, 0 },
	[CK_HOOK]          = { "hook", K_PATH_OPT, CL(hook), 0, 0 },
	[CK_HOOK_TIMEOUT]  = { "hook_timeout_ms", K_U32, CL(hook_timeout_ms), 100, 600000 },
	[CK_WATCH_INTERVAL] = { "watch_interval_ms", K_U32, CL(watch_interval_ms), 100, MS_MAX },
	[CK_WATCH_LOAD]    = { "watch_load", K_U32, CL(watch_load), 0, 100000 },
	[CK_WATCH_MEMORY]  = { "watch_memory_mb", K_U32, CL(watch_memory_mb), 0, 100000000 },
	[CK_WATCH_DISK]    = { "watch_disk", K_DISK, 0, 0, 0, 0 },
	[CK_WATCHDOG]      = { "watchdog_timeout_ms", K_U32_OFF, CL(watchdog_timeout_ms), 1000, 600000 },
	[CK_BMC_POLL]      = { "bmc_poll_ms", K_U32, CL(bmc_poll_ms), 100, 600000 },
	[CK_COUNT]         = { NULL, 0, 0, 0, 0, 0 },
};

static const struct key lan_keys[] = {
	{ "heartbeat", K_BOOL, FIELD(struct hg_cfg_lan, heartbeat), 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 },
};

static const struct key node_keys[] = {
	[NK_ID]       = { "id", K_U16, FIELD(struct hg_cfg_node, id), 1, 65535 },
	[NK_PRIORITY] = { "priority", K_U32, FIELD(struct hg_cfg_node, priority), 0, 65535 },
	[NK_LINK]     = { "link", K_LINK, 0, 0, 0, 0 },
	[NK_FENCE]    = { "fence", K_FENCE, 0, 0, 0, 0 },
	[NK_BMC]      = { "bmc", K_BMC, 0, 0, 0, 0 },
	[NK_OWN_BMC]  = { "own_bmc", K_OWN_BMC, 0, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 },
};

#define SV(f) FIELD(struct hg_cfg_service, f)
static const struct key service_keys[] = {
	{ "start", K_CMD, SV(start), 0, 0 },
	{ "stop", K_CMD, SV(stop), 0, 0 },
	{ "check", K_CMD_OPT, SV(check), 0, 0 },
	{ "probe", K_PROBE, 0, 0, 0, 0 },
	{ "standby_check", K_CMD_OPT, SV(standby_check), 0, 0 },
	{ "timeout_ms", K_U32, SV(timeout_ms), 100, 600000 },
	{ "check_timeout_ms", K_U32, SV(check_timeout_ms), 100, 600000 },
	{ "check_interval_ms", K_U32, SV(check_interval_ms), 100, MS_MAX },
	{ "restarts", K_U32, SV(restarts), 0, 100 },
	{ "restart_window_ms", K_U32, SV(restart_window_ms), 1000, MS_MAX },
	{ "restart_backoff_ms", K_U32, SV(restart_backoff_ms), 0, 60000 },
	{ NULL, 0, 0, 0, 0, 0 },
};

int hg_cfg_err(struct hg_cfg_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	if (c->err_line >= 0)
		return -1;
	c->err_line = line;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *type_name(enum hg_cfg_sec_type t)
{
	static const char *const names[] = { "", "cluster", "lan", "node", "service" };

	return names[t];
}

static const char *sec_name(const struct hg_cfg_ctx *c, enum hg_cfg_sec_type t, int i)
{
	switch (t) {
	case SEC_LAN:     return c->out->lan[i].name;
	case SEC_NODE:    return c->out->node[i].name;
	case SEC_SERVICE: return c->out->service[i].name;
	default:          return "";
	}
}

/* Label of the current section for messages: "[node a]". */
static const char *cur_label(const struct hg_cfg_ctx *c, char *buf, size_t len)
{
	const char *n = sec_name(c, c->type, c->index);

	snprintf(buf, len, "[%s%s%s]", type_name(c->type), *n ? " " : "", n);
	return buf;
}

/* Open "[TYPE NAME]", the text between the brackets being `in` (len n). */
static int open_section(struct hg_cfg_ctx *c, const char *in, size_t n)
{
	static const char *const types[] = { "cluster", "lan", "node", "service" };
	static const int limit[] = { 1, HG_CFG_MAX_LANS, 2, HG_CFG_MAX_SERVICES };
	char buf[HG_CFG_CMD_MAX], *tok[3], name[HG_CFG_NAME_MAX] = "", m[MSG_MAX];
	int ntok, t, i, *count;
	struct hg_cfg_sec *secs;

	if (n >= sizeof(buf))
		return hg_cfg_err(c, c->line, "section header too long");
	memcpy(buf, in, n);
	buf[n] = '\0';
	ntok = hg_cfgv_split(buf, buf, sizeof(buf), tok, 3);
	if (ntok < 0)
		ntok = 3;               /* more words than that; tok[0..2] are set */
	for (t = 0; ntok > 0 && t < 4 && strcmp(tok[0], types[t]) != 0; t++)
		;
	if (ntok <= 0 || t == 4)
		return hg_cfg_err(c, c->line, "unknown section [%.*s]; expected [cluster], "
				  "[lan NAME], [node NAME] or [service NAME]",
				  (int)(n > HG_CFGV_QUOTE_MAX ? HG_CFGV_QUOTE_MAX : n), in);
	if (t == 0 && ntok != 1)
		return hg_cfg_err(c, c->line, "[cluster] takes no name");
	if (t > 0 && ntok != 2)
		return hg_cfg_err(c, c->line, "[%s] needs one name: [%s NAME]", types[t], types[t]);
	if (t > 0 && hg_cfgv_name(tok[1], name, m, sizeof(m)) != 0)
		return hg_cfg_err(c, c->line, "[%s NAME]: %s", types[t], m);
	c->type = (enum hg_cfg_sec_type)(t + 1);
	count = t == 1 ? &c->out->n_lans : t == 2 ? &c->n_nodes : &c->out->n_services;
	secs = t == 1 ? c->lan : t == 2 ? c->node : c->service;
	if (t == 0) {
		if (c->cluster.line)
			return hg_cfg_err(c, c->line, "duplicate section [cluster] (first at line %d)",
					  c->cluster.line);
		c->cluster.line = c->line;
		return 0;
	}
	for (i = 0; i < *count; i++)
		if (strcmp(sec_name(c, c->type, i), name) == 0)
			return hg_cfg_err(c, c->line, "duplicate section [%s %s] (first at line %d)",
					  types[t], name, secs[i].line);
	if (*count == limit[t])
		return hg_cfg_err(c, c->line, "too many [%s] sections (at most %d)",
				  types[t], limit[t]);
	c->index = (*count)++;
	secs[c->index].line = c->line;
	if (t == 1) {
		memcpy(c->out->lan[c->index].name, name, sizeof(name));
		c->out->lan[c->index].heartbeat = 1;
	} else if (t == 2) {
		memcpy(c->out->node[c->index].name, name, sizeof(name));
		c->out->node[c->index].priority = 100;
	} else {
		struct hg_cfg_service *s = &c->out->service[c->index];

		memcpy(s->name, name, sizeof(name));
		s->timeout_ms = 10000;
		s->check_interval_ms = 2000;
		s->check_timeout_ms = 5000;
		s->restarts = 3;
		s->restart_window_ms = 60000;
		s->restart_backoff_ms = 500;
	}
	return 0;
}

/* A header line: '[' already seen at cur[0]. */
static int section_line(struct hg_cfg_ctx *c)
{
	const char *close = memchr(c->cur, ']', c->cur_len);
	const char *p;

	if (close == NULL)
		return hg_cfg_err(c, c->line, "malformed section header: expected [TYPE NAME]");
	for (p = close + 1; p < c->cur + c->cur_len && is_blank(*p); p++)
		;
	if (p < c->cur + c->cur_len && *p != ';' && *p != '#')
		return hg_cfg_err(c, c->line, "unexpected text after the section header");
	return open_section(c, c->cur + 1, (size_t)(close - c->cur - 1));
}

/* inih's reader: hands it one line at a time, see the comment at the top. */
static char *cfg_read(char *buf, int num, void *stream)
{
	struct hg_cfg_ctx *c = stream;
	const char *s = c->pos, *nl;
	size_t len, i;

	if (c->err_line >= 0 || *s == '\0')
		return NULL;
	nl = strchr(s, '\n');
	len = nl ? (size_t)(nl - s) : strlen(s);
	c->pos = s + len + (nl ? 1 : 0);
	c->line++;
	if (c->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;                 /* UTF-8 byte order mark */
		len -= 3;
	}
	while (len > 0 && is_blank(*s))
		s++, len--;
	while (len > 0 && (is_blank(s[len - 1]) || s[len - 1] == '\r'))
		len--;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			hg_cfg_err(c, c->line, "control character 0x%02x in line", ch);
			return NULL;
		}
	}
	if (num < 1 || len > (size_t)num - 1) {
		hg_cfg_err(c, c->line, "line too long (%zu characters, at most %d)",
			   len, num - 1);
		return NULL;
	}
	c->cur = s;
	c->cur_len = len;
	if (len > 0 && s[0] == '[')
		section_line(c);
	if (c->err_line >= 0)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* inih drops a " ;..." tail as a comment; in a shell command that would
 * silently cut the command, so refuse it there (docs/configuration.md). */
static int cut_by_comment(const struct hg_cfg_ctx *c)
{
	size_t i = 0;

	while (i < c->cur_len && c->cur[i] != '=' && c->cur[i] != ':')
		i++;                    /* inih splits at the first of these */
	for (i++; i + 1 < c->cur_len; i++)
		if (is_blank(c->cur[i]) && c->cur[i + 1] == ';')
			return 1;
	return 0;
}

static int set_vip(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen);
static int set_link(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen);
static int set_fence(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen);

/* Store v into the field k describes; 0 or -1 with a message in m. */
static int set_value(struct hg_cfg_ctx *c, const struct key *k, char *base, const char *v,
		     char *m, size_t mlen)
{
	char *f = base + k->off;
	uint32_t n;
	size_t size;

	switch (k->kind) {
	case K_NAME:
		return hg_cfgv_name(v, f, m, mlen);
	case K_PATH_OPT:
		if (*v == '\0')
			return 0;
		/* fall through */
	case K_PATH:
	case K_SOCKET:
		size = k->kind == K_SOCKET && k->size > HG_CFG_SUN_MAX ? HG_CFG_SUN_MAX : k->size;
		return hg_cfgv_path(v, f, size, m, mlen);
	case K_U16:
	case K_U32:
		if (hg_cfgv_uint(v, k->lo, k->hi, &n, m, mlen) != 0)
			return -1;
		if (k->kind == K_U16)
			*(uint16_t *)(void *)f = (uint16_t)n;
		else
			*(uint32_t *)(void *)f = n;
		return 0;
	case K_U32_OFF:
		if (strcmp(v, "0") != 0 && hg_cfgv_uint(v, k->lo, k->hi, &n, m, mlen) != 0) {
			snprintf(m, mlen, "expected 0 (off) or an integer %u..%u, got \"%.*s%s\"",
				 k->lo, k->hi, HG_CFGV_QUOTE_MAX, v,
				 strlen(v) > HG_CFGV_QUOTE_MAX ? "..." : "");
			return -1;
		}
		*(uint32_t *)(void *)f = strcmp(v, "0") == 0 ? 0 : n;
		return 0;
	case K_BOOL:
	case K_FAILBACK: {
		const char *t = k->kind == K_BOOL ? "no" : "auto";
		const char *u = k->kind == K_BOOL ? "yes" : "manual";
		int yes = k->kind == K_BOOL ? 1 : HG_FAILBACK_MANUAL;

		if (strcmp(v, t) != 0 && strcmp(v, u) != 0) {
			snprintf(m, mlen, "expected %s or %s, got \"%.*s%s\"", u, t,
				 HG_CFGV_QUOTE_MAX, v, strlen(v) > HG_CFGV_QUOTE_MAX ? "..." : "");
			return -1;
		}
		*(int *)(void *)f = strcmp(v, u) == 0 ? yes : 0;
		return 0;
	}
	case K_IPV4_OPT:
		return *v == '\0' ? 0 : hg_cfgv_ipv4(v, f, m, mlen);
	case K_CMD:
	case K_CMD_OPT:
		if (*v == '\0' && k->kind == K_CMD) {
			snprintf(m, mlen, "expected a shell command, got nothing");
			return -1;
		}
		if (strlen(v) >= k->size) {
			snprintf(m, mlen, "command too long (at most %zu characters)", k->size - 1);
			return -1;
		}
		if (cut_by_comment(c)) {
			snprintf(m, mlen, "\" ;\" would start a comment and cut the command; "
				 "put comments on their own line and write the shell's ';' "
				 "without a blank before it (or use &&)");
			return -1;
		}
		memcpy(f, v, strlen(v) + 1);
		return 0;
	case K_VIP:
		return set_vip(c, v, m, mlen);
	case K_LINK:
		return set_link(c, v, m, mlen);
	case K_FENCE:
		return set_fence(c, v, m, mlen);
	case K_PROBE: {
		struct hg_cfg_service *s = &c->out->service[c->index];
		if (s->probe_kind != HG_PROBE_NONE) {
			snprintf(m, mlen, "given twice in this section");
			return -1;
		}
		return hg_cfgv_probe(v, &s->probe_kind, s->probe_arg, sizeof(s->probe_arg), m, mlen);
	}
	case K_BMC: {
		struct hg_cfg_bmc *b = &c->out->node[c->index].bmc;
		if (b->present) {
			snprintf(m, mlen, "given twice in this section");
			return -1;
		}
		return hg_cfgv_bmc(v, b, m, mlen);
	}
	case K_OWN_BMC: {
		struct hg_cfg_own_bmc *ob = &c->out->node[c->index].own_bmc;
		if (ob->line) {
			snprintf(m, mlen, "given twice in this section");
			return -1;
		}
		if (hg_cfgv_own_bmc(v, ob, m, mlen) != 0)
			return -1;
		ob->line = c->line;
		return 0;
	}
	case K_DISK:
		if (c->out->n_watch_disks == HG_CFG_MAX_DISKS) {
			snprintf(m, mlen, "at most %d watch_disk lines", HG_CFG_MAX_DISKS);
			return -1;
		}
		return hg_cfgv_disk(v, &c->out->watch_disk[c->out->n_watch_disks++], m, mlen);
	}
	return 0;
}

static int set_vip(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen)
{
	struct hg_config *o = c->out;

	if (o->n_vips == HG_CFG_MAX_VIPS) {
		snprintf(m, mlen, "at most %d vip lines", HG_CFG_MAX_VIPS);
		return -1;
	}
	if (hg_cfgv_vip(v, &o->vip[o->n_vips], m, mlen) != 0)
		return -1;
	c->vip_line[o->n_vips++] = c->line;
	return 0;
}

static int set_link(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen)
{
	int i = c->index, j;
	struct hg_cfg_link_line *ll = &c->link[i][c->n_links[i]];

	if (c->n_links[i] == HG_CFG_MAX_LANS) {
		snprintf(m, mlen, "at most %d links per node (one per LAN)", HG_CFG_MAX_LANS);
		return -1;
	}
	if (hg_cfgv_link(v, ll->lan, &ll->link, m, mlen) != 0)
		return -1;
	for (j = 0; j < c->n_links[i]; j++)
		if (strcmp(c->link[i][j].lan, ll->lan) == 0) {
			snprintf(m, mlen, "LAN \"%s\" already has a link in this node (line %d)",
				 ll->lan, c->link[i][j].line);
			return -1;
		}
	ll->line = c->line;
	c->n_links[i]++;
	return 0;
}

static int set_fence(struct hg_cfg_ctx *c, const char *v, char *m, size_t mlen)
{
	struct hg_cfg_node *n = &c->out->node[c->index];

	if (n->n_levels == HG_CFG_MAX_LEVELS) {
		snprintf(m, mlen, "at most %d fence levels per node", HG_CFG_MAX_LEVELS);
		return -1;
	}
	if (hg_cfgv_fence(v, &n->level[n->n_levels], m, mlen) != 0)
		return -1;
	n->n_levels++;
	return 0;
}

/* inih's handler: one "key = value" line of the current section. */
static int cfg_handle(void *user, const char *section, const char *name,
		      const char *value)
{
	struct hg_cfg_ctx *c = user;
	const struct key *keys;
	struct hg_cfg_sec *sec;
	char *base, m[MSG_MAX], label[2 * HG_CFG_NAME_MAX];
	int i = c->index, k;

	(void)section;          /* cfg_read tracks sections, see the top */
	if (c->err_line >= 0)
		return 0;
	switch (c->type) {
	case SEC_CLUSTER:
		keys = cluster_keys, sec = &c->cluster, base = (char *)c->out;
		break;
	case SEC_LAN:
		keys = lan_keys, sec = &c->lan[i], base = (char *)&c->out->lan[i];
		break;
	case SEC_NODE:
		keys = node_keys, sec = &c->node[i], base = (char *)&c->out->node[i];
		break;
	case SEC_SERVICE:
		keys = service_keys, sec = &c->service[i], base = (char *)&c->out->service[i];
		break;
	default:
		hg_cfg_err(c, c->line, "%.60s: key outside any section (start with "
			   "[cluster])", name);
		return 0;
	}
	for (k = 0; keys[k].name != NULL && strcmp(keys[k].name, name) != 0; k++)
		;
	if (keys[k].name == NULL) {
		hg_cfg_err(c, c->line, "unknown key \"%.60s\" in %s", name,
			   cur_label(c, label, sizeof(label)));
		return 0;
	}
	if (keys[k].kind < K_VIP && sec->key_line[k] != 0) {
		hg_cfg_err(c, c->line, "%s: given twice in %s (first at line %d)", name,
			   cur_label(c, label, sizeof(label)), sec->key_line[k]);
		return 0;
	}
	sec->key_line[k] = c->line;
	if (set_value(c, &keys[k], base, value, m, sizeof(m)) != 0) {
		hg_cfg_err(c, c->line, "%s: %s", name, m);
		return 0;
	}
	return 1;
}

static void set_defaults(struct hg_config *o)
{
	o->port = 694;
	o->interval_ms = 100;
	o->fence_delay_ms = 3000;
	o->fence_retry_ms = 1000;
	o->failback = HG_FAILBACK_AUTO;
	o->failback_holddown_ms = 10000;
	o->garp_count = 5;
	o->garp_interval_ms = 50;
	o->garp_refresh_ms = 10000;
	o->hook_timeout_ms = 10000;
	o->watch_interval_ms = 5000;
	o->bmc_poll_ms = 2000;
	snprintf(o->control_socket, sizeof(o->control_socket), "/run/headguard/headguard.sock");
	snprintf(o->state_dir, sizeof(o->state_dir), "/var/lib/headguard");
}

/* inih found a line it cannot split: quote it from the text. */
static int syntax_err(struct hg_cfg_ctx *c, const char *text, int line)
{
	const char *s = text;
	size_t len;
	int i;

	for (i = 1; i < line && s != NULL; i++) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	if (s == NULL)
		s = "";
	if (line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (is_blank(*s))
		s++;
	len = strcspn(s, "\r\n");
	c->err_line = -1;
	return hg_cfg_err(c, line, "expected \"key = value\", a [section] header or a "
			  "comment, got \"%.*s%s\"", (int)(len > 60 ? 60 : len), s,
			  len > 60 ? "..." : "");
}

int hg_config_parse(const char *text, const char *self_name,
		    struct hg_config *out, char *err, size_t errlen)
{
	struct hg_cfg_ctx c;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (text == NULL || out == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "0: no configuration text");
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	set_defaults(out);
	c.out = out;
	c.pos = text;
	c.err_line = -1;
	r = ini_parse_stream(cfg_read, &c, cfg_handle, &c);
	if (r > 0 && (c.err_line < 0 || r < c.err_line))
		syntax_err(&c, text, r);
	else if (r < 0)
		hg_cfg_err(&c, 0, "the INI parser failed (%d)", r);
	if (c.err_line < 0)
		hg_cfg_check(&c, self_name);
	if (c.err_line < 0)
		return 0;
	if (errlen > 0)
		snprintf(err, errlen, "%d: %s", c.err_line, c.msg);
	return -EINVAL;
}
