/*
 * sim_sched.c - see sim_sched.h: the schedule file, written and read.
 *
 * The header's keys are tables over struct sim_config, the records' keys
 * come from sim_fault_kinds[]: a new configuration field or fault kind
 * needs a row, not parser code. The reader trusts nothing: every line is
 * length-checked, every number digit-checked against overflow and bounds,
 * every key known and given exactly once.
 */
#define _POSIX_C_SOURCE 200809L   /* getline, strtok_r */

#include "sim_sched.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NODES       2          /* sim_world_init: two nodes, a and b */
#define MS_MAX      86400000u  /* a day */
#define DURATION_MAX SIM_MAX_RUN_MS
#define MAX_TOKENS  32

/* ---- the header's fields ------------------------------------------------------ */

enum ftype { F_INT, F_U32, F_I64, F_U64 };

struct field {
	const char *name;
	size_t off;               /* in struct sim_config; arrays: of element 0 */
	enum ftype t;
	uint64_t lo, hi;
	int optional;             /* a key added later: older schedules lack it (0 then) */
};

#define CF(n, m, t, lo, hi) { n, offsetof(struct sim_config, m), t, lo, hi, 0 }
#define CF_OPT(n, m, t, lo, hi) { n, offsetof(struct sim_config, m), t, lo, hi, 1 }

static const struct field config_fields[] = {
	CF("seed", seed, F_U64, 0, UINT64_MAX),
	CF("duration_ms", duration, F_I64, 1, DURATION_MAX),
	CF("lans", n_lans, F_INT, 1, HG_MAX_LANS),
	CF("services", n_services, F_INT, 0, HG_MAX_SERVICES),
	CF("prio_a", p.self_prio, F_U32, 0, 1000000),
	CF("prio_b", p.peer_prio, F_U32, 0, 1000000),
	CF("public_lan", p.public_lan, F_INT, 0, HG_MAX_LANS - 1),
	CF("gateway", p.have_gateway, F_INT, 0, 1),
	CF("failback_auto", p.failback_auto, F_INT, 0, 1),
	CF("interval", p.interval, F_U32, 10, 60000),
	CF("deadtime", p.deadtime, F_U32, 20, MS_MAX),
	CF("wait_for_peer", p.wait_for_peer, F_U32, 0, MS_MAX),
	CF("fence_delay", p.fence_delay, F_U32, 0, MS_MAX),
	CF("fence_retry", p.fence_retry, F_U32, 1, MS_MAX),
	CF("failback_holddown", p.failback_holddown, F_U32, 0, MS_MAX),
	CF("gateway_timeout", p.gateway_timeout, F_U32, 1, MS_MAX),
	CF("garp_count", p.garp_count, F_U32, 0, 100),
	CF("garp_interval", p.garp_interval, F_U32, 1, MS_MAX),
	CF("garp_refresh", p.garp_refresh, F_U32, 1, MS_MAX),
	CF("own_bmc", p.have_own_bmc, F_INT, 0, 1),
	CF("peer_bmc", p.have_peer_bmc, F_INT, 0, 1),
	CF("self_fence", p.self_fence, F_INT, 0, 1),
	CF("bmc_timeout", p.bmc_timeout, F_U32, 0, MS_MAX),
	CF("fence_ok_ms", fence_ok_ms, F_U32, 1, 600000),
	CF("fence_slow_ms", fence_slow_ms, F_U32, 1, MS_MAX),
	CF("fence_timeout_ms", fence_timeout_ms, F_U32, 1, MS_MAX),
	CF("bmc_ms", bmc_ms, F_U32, 1, MS_MAX),
	CF_OPT("bmc_poll_ms", bmc_poll_ms, F_U32, 0, MS_MAX),
	CF_OPT("own_lan", own_lan, F_INT, 0, 1),
};

/* "service N ...": element N of these arrays */
static const struct field service_fields[] = {
	CF("check_interval", p.svc_check_interval, F_U32, 1, MS_MAX),
	CF("restarts", p.svc_restarts, F_U32, 0, 1000),
	CF("window", p.svc_window, F_U32, 0, MS_MAX),
	CF("backoff", p.svc_backoff, F_U32, 0, MS_MAX),
	CF("ready", p.svc_has_ready, F_INT, 0, 1),
	CF("check", p.svc_has_check, F_INT, 0, 1),
	CF("timeout", p.svc_timeout, F_U32, 0, MS_MAX),
	CF("check_timeout", p.svc_check_timeout, F_U32, 0, MS_MAX),
};

/* "node X ...": element X */
static const struct field node_fields[] = {
	CF("wdt_ms", wdt_ms, F_U32, 1, MS_MAX),
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static size_t ftype_size(enum ftype t)
{
	return t == F_INT ? sizeof(int) : t == F_U32 ? sizeof(uint32_t) : sizeof(uint64_t);
}

static void *field_at(const struct field *f, const struct sim_config *c, int idx)
{
	return (char *)c + f->off + (size_t)idx * ftype_size(f->t);
}

static uint64_t field_get(const struct field *f, const struct sim_config *c, int idx)
{
	void *p = field_at(f, c, idx);

	switch (f->t) {
	case F_INT: return (uint64_t)*(int *)p;
	case F_U32: return *(uint32_t *)p;
	case F_I64: return (uint64_t)*(int64_t *)p;
	default:    return *(uint64_t *)p;
	}
}

/* v is within the field's bounds, which all fit its type */
static void field_set(const struct field *f, struct sim_config *c, int idx, uint64_t v)
{
	void *p = field_at(f, c, idx);

	switch (f->t) {
	case F_INT: *(int *)p = (int)v; break;
	case F_U32: *(uint32_t *)p = (uint32_t)v; break;
	case F_I64: *(int64_t *)p = (int64_t)v; break;
	default:    *(uint64_t *)p = v; break;
	}
}

/* ---- writing -------------------------------------------------------------------- */

static void write_fields(FILE *out, const struct field *fs, int n, const struct sim_config *c,
			 int idx)
{
	for (int k = 0; k < n; k++)
		fprintf(out, " %s=%llu", fs[k].name, (unsigned long long)field_get(&fs[k], c, idx));
	fputc('\n', out);
}

int sim_sched_write_header(FILE *out, const struct sim_config *c)
{
	fprintf(out, "%s\n# recorded by: hg-dst --seed %llu --record FILE --duration-ms %lld\n",
		SIM_SCHED_MAGIC, (unsigned long long)c->seed, (long long)c->duration);
	fputs("config", out);
	write_fields(out, config_fields, N(config_fields), c, 0);
	for (int s = 0; s < c->n_services; s++) {
		fprintf(out, "service %d", s);
		write_fields(out, service_fields, N(service_fields), c, s);
	}
	for (int i = 0; i < NODES; i++) {
		fprintf(out, "node %c", 'a' + i);
		write_fields(out, node_fields, N(node_fields), c, i);
	}
	return ferror(out) ? -1 : 0;
}

int sim_sched_write_fault(FILE *out, const struct sim_fault *f)
{
	const struct sim_fault_kind *k = &sim_fault_kinds[f->type];

	fprintf(out, "%lld %s", (long long)f->at, k->name);
	if (k->takes & SIM_FK_NODE)
		fprintf(out, " node=%c", 'a' + f->node);
	if (k->takes & SIM_FK_LAN)
		fprintf(out, " lan=%d", f->lan);
	if (k->takes & SIM_FK_SVC)
		fprintf(out, " svc=%d", f->svc);
	for (int a = 0; a < k->n_args; a++) {
		const struct sim_fault_arg *ar = &k->args[a];
		if (ar->names)
			fprintf(out, " %s=%s", ar->name, ar->names[f->arg[a]]);
		else
			fprintf(out, " %s=%lld", ar->name, (long long)f->arg[a]);
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* ---- reading -------------------------------------------------------------------- */

struct reader {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	struct sim_sched *s;
	int have_config, records;
	uint32_t services_seen, nodes_seen;
	hg_ms last_at;
};

static int bad(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "%s:%d: ", r->path, r->line);

	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal number: digits only, no sign. Returns 0, -1 if it is not
 * one, -2 if it does not fit 64 bits. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -2;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int parse_bounded(struct reader *r, const char *key, const char *val, uint64_t lo,
			 uint64_t hi, uint64_t *v)
{
	int e = parse_u64(val, v);

	if (e == -2)
		return bad(r, "%s: %.40s is too large (at most %llu)", key, val,
			   (unsigned long long)hi);
	if (e < 0)
		return bad(r, "%s: '%.40s' is not a number", key, val);
	if (*v < lo || *v > hi)
		return bad(r, "%s: %llu is out of range %llu..%llu", key, (unsigned long long)*v,
			   (unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

/* Split "key=value" in place; value follows the first '='. */
static int split_kv(struct reader *r, char *tok, char **val)
{
	char *eq = strchr(tok, '=');

	if (!eq || eq == tok)
		return bad(r, "'%.40s': expected key=value", tok);
	*eq = 0;
	*val = eq + 1;
	return 0;
}

/* Every field of the table exactly once, nothing else. */
static int parse_fields(struct reader *r, char **tok, int n, const struct field *fs, int nf,
			int idx)
{
	uint64_t seen = 0;

	for (int t = 0; t < n; t++) {
		char *val = NULL;
		int k;
		uint64_t v;
		if (split_kv(r, tok[t], &val) < 0)
			return -1;
		for (k = 0; k < nf && strcmp(fs[k].name, tok[t]); k++)
			;
		if (k == nf)
			return bad(r, "unknown key '%.40s'", tok[t]);
		if (seen & (1ull << k))
			return bad(r, "%s given twice", tok[t]);
		seen |= 1ull << k;
		if (parse_bounded(r, tok[t], val, fs[k].lo, fs[k].hi, &v) < 0)
			return -1;
		field_set(&fs[k], &r->s->cfg, idx, v);
	}
	for (int k = 0; k < nf; k++)
		if (!(seen & (1ull << k)) && !fs[k].optional)
			return bad(r, "missing key '%s'", fs[k].name);
	return 0;
}

static int parse_config(struct reader *r, char **tok, int n)
{
	struct sim_config *c = &r->s->cfg;

	if (r->have_config)
		return bad(r, "a second config line");
	if (parse_fields(r, tok, n, config_fields, N(config_fields), 0) < 0)
		return -1;
	if (c->p.public_lan >= c->n_lans)
		return bad(r, "public_lan %d: there are only %d LANs", c->p.public_lan, c->n_lans);
	r->have_config = 1;
	return 0;
}

static int parse_node_name(struct reader *r, const char *key, const char *val, int *node)
{
	if (val[0] < 'a' || val[0] >= 'a' + NODES || val[1])
		return bad(r, "%s: '%.40s' is not a node (a or b)", key, val);
	*node = val[0] - 'a';
	return 0;
}

static int parse_service(struct reader *r, char **tok, int n)
{
	uint64_t s;

	if (!r->have_config)
		return bad(r, "service line before the config line");
	if (n < 1)
		return bad(r, "service: missing its number");
	if (!r->s->cfg.n_services)
		return bad(r, "service line, but services=0");
	if (parse_bounded(r, "service", tok[0], 0, (uint64_t)r->s->cfg.n_services - 1, &s) < 0)
		return -1;
	if (r->services_seen & (1u << s))
		return bad(r, "service %llu given twice", (unsigned long long)s);
	r->services_seen |= 1u << s;
	return parse_fields(r, tok + 1, n - 1, service_fields, N(service_fields), (int)s);
}

static int parse_node(struct reader *r, char **tok, int n)
{
	int i = 0;

	if (!r->have_config)
		return bad(r, "node line before the config line");
	if (n < 1)
		return bad(r, "node: missing its name");
	if (parse_node_name(r, "node", tok[0], &i) < 0)
		return -1;
	if (r->nodes_seen & (1u << i))
		return bad(r, "node %c given twice", 'a' + i);
	r->nodes_seen |= 1u << i;
	return parse_fields(r, tok + 1, n - 1, node_fields, N(node_fields), i);
}

static int header_complete(struct reader *r)
{
	const struct sim_config *c = &r->s->cfg;

	if (!r->have_config)
		return bad(r, "no config line before the records");
	for (int s = 0; s < c->n_services; s++)
		if (!(r->services_seen & (1u << s)))
			return bad(r, "no line for service %d", s);
	for (int i = 0; i < NODES; i++)
		if (!(r->nodes_seen & (1u << i)))
			return bad(r, "no line for node %c", 'a' + i);
	return 0;
}

static int parse_arg(struct reader *r, const struct sim_fault_arg *a, const char *val,
		     int64_t *out)
{
	uint64_t v;

	if (a->names) {
		for (int64_t k = a->lo; k <= a->hi; k++)
			if (!strcmp(a->names[k], val)) {
				*out = k;
				return 0;
			}
		return bad(r, "%s: unknown value '%.40s'", a->name, val);
	}
	if (parse_bounded(r, a->name, val, (uint64_t)a->lo, (uint64_t)a->hi, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int parse_record(struct reader *r, char **tok, int n)
{
	const struct sim_config *c = &r->s->cfg;
	const struct sim_fault_kind *k = NULL;
	struct sim_fault f;
	uint64_t at, v;
	unsigned seen_fields = 0, seen_args = 0;
	int type;

	if (!r->records && header_complete(r) < 0)
		return -1;
	if (n < 2)
		return bad(r, "expected 'TIME KIND key=value ...'");
	/* not bounded by the duration: a late second boot of a short run */
	if (parse_bounded(r, "time", tok[0], 0, DURATION_MAX, &at) < 0)
		return -1;
	if ((hg_ms)at < r->last_at)
		return bad(r, "time %llu is before the previous record's %lld",
			   (unsigned long long)at, (long long)r->last_at);
	for (type = 0; type < SIM_F_COUNT; type++)
		if (sim_fault_kinds[type].name && !strcmp(sim_fault_kinds[type].name, tok[1]))
			break;
	if (type == SIM_F_COUNT)
		return bad(r, "unknown fault kind '%.40s'", tok[1]);
	k = &sim_fault_kinds[type];
	sim_fault_init(&f, (enum sim_fault_type)type, (hg_ms)at);
	for (int t = 2; t < n; t++) {
		char *val = NULL;
		unsigned bit = 0;
		if (split_kv(r, tok[t], &val) < 0)
			return -1;
		if (!strcmp(tok[t], "node") && (k->takes & SIM_FK_NODE)) {
			bit = SIM_FK_NODE;
			if (parse_node_name(r, "node", val, &f.node) < 0)
				return -1;
		} else if (!strcmp(tok[t], "lan") && (k->takes & SIM_FK_LAN)) {
			bit = SIM_FK_LAN;
			if (parse_bounded(r, "lan", val, 0, (uint64_t)c->n_lans - 1, &v) < 0)
				return -1;
			f.lan = (int)v;
		} else if (!strcmp(tok[t], "svc") && (k->takes & SIM_FK_SVC)) {
			bit = SIM_FK_SVC;
			if (!c->n_services)
				return bad(r, "svc: there are no services");
			if (parse_bounded(r, "svc", val, 0, (uint64_t)c->n_services - 1, &v) < 0)
				return -1;
			f.svc = (int)v;
		}
		if (bit) {
			if (seen_fields & bit)
				return bad(r, "%s given twice", tok[t]);
			seen_fields |= bit;
			continue;
		}
		int a;
		for (a = 0; a < k->n_args && strcmp(k->args[a].name, tok[t]); a++)
			;
		if (a == k->n_args)
			return bad(r, "%s: unknown key '%.40s'", k->name, tok[t]);
		if (seen_args & (1u << a))
			return bad(r, "%s given twice", tok[t]);
		seen_args |= 1u << a;
		if (parse_arg(r, &k->args[a], val, &f.arg[a]) < 0)
			return -1;
	}
	if ((seen_fields & (SIM_FK_NODE | SIM_FK_LAN | SIM_FK_SVC)) !=
	    (k->takes & (SIM_FK_NODE | SIM_FK_LAN | SIM_FK_SVC)))
		return bad(r, "%s: needs%s%s%s", k->name,
			   (k->takes & SIM_FK_NODE) && !(seen_fields & SIM_FK_NODE) ? " node=" : "",
			   (k->takes & SIM_FK_LAN) && !(seen_fields & SIM_FK_LAN) ? " lan=" : "",
			   (k->takes & SIM_FK_SVC) && !(seen_fields & SIM_FK_SVC) ? " svc=" : "");
	for (int a = 0; a < k->n_args; a++)
		if (!(seen_args & (1u << a)))
			return bad(r, "%s: missing key '%s'", k->name, k->args[a].name);
	const char *why = k->check ? k->check(&f) : NULL;
	if (why)
		return bad(r, "%s: %s", k->name, why);
	if (r->s->n == r->s->cap) {
		size_t cap = r->s->cap ? 2 * r->s->cap : 256;
		if (r->s->n >= SIM_SCHED_MAX_RECS)
			return bad(r, "more than %u records", SIM_SCHED_MAX_RECS);
		struct sim_fault *nf = realloc(r->s->f, cap * sizeof(*nf));
		if (!nf)
			return bad(r, "out of memory");
		r->s->f = nf;
		r->s->cap = cap;
	}
	r->s->f[r->s->n++] = f;
	r->records++;
	r->last_at = f.at;
	return 0;
}

static int parse_line(struct reader *r, char *line)
{
	char *tok[MAX_TOKENS], *save = NULL;
	int n = 0;

	for (char *p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_TOKENS)
			return bad(r, "more than %d words", MAX_TOKENS);
		tok[n++] = p;
	}
	if (!n || tok[0][0] == '#')
		return 0;
	if (r->records && (!strcmp(tok[0], "config") || !strcmp(tok[0], "service") ||
			   !strcmp(tok[0], "node")))
		return bad(r, "%s line after the first record", tok[0]);
	if (!strcmp(tok[0], "config"))
		return parse_config(r, tok + 1, n - 1);
	if (!strcmp(tok[0], "service"))
		return parse_service(r, tok + 1, n - 1);
	if (!strcmp(tok[0], "node"))
		return parse_node(r, tok + 1, n - 1);
	if (tok[0][0] >= '0' && tok[0][0] <= '9')
		return parse_record(r, tok, n);
	return bad(r, "unknown line '%.40s'", tok[0]);
}

int sim_sched_load(const char *path, struct sim_sched *s, char *err, size_t errlen)
{
	struct reader r;
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.err = err;
	r.errlen = errlen;
	r.s = s;
	if (!in) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
		r.line++;
		if (len > SIM_SCHED_MAX_LINE)
			rc = bad(&r, "line longer than %d bytes", SIM_SCHED_MAX_LINE);
		else if (strlen(line) != (size_t)len)
			rc = bad(&r, "NUL byte in the line");
		if (rc)
			break;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (r.line == 1) {
			if (strcmp(line, SIM_SCHED_MAGIC))
				rc = !strncmp(line, "hg-dst schedule ", 16)
				     ? bad(&r, "schedule version '%.20s' not supported (this hg-dst reads '%s')",
					   line + 16, SIM_SCHED_MAGIC)
				     : bad(&r, "not a schedule: the first line must be '%s'",
					   SIM_SCHED_MAGIC);
			continue;
		}
		rc = parse_line(&r, line);
	}
	if (rc == 0 && ferror(in)) {
		r.line++;
		rc = bad(&r, "read error");
	}
	if (rc == 0 && r.line == 0)
		rc = bad(&r, "empty file, not a schedule");
	if (rc == 0 && !r.records) {
		r.line++;
		rc = header_complete(&r) < 0 ? -1 : bad(&r, "no records (not even the boots)");
	}
	free(line);
	fclose(in);
	if (rc)
		sim_sched_free(s);
	return rc;
}

void sim_sched_free(struct sim_sched *s)
{
	free(s->f);
	s->f = NULL;
	s->n = s->cap = 0;
}
