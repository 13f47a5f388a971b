/*
 * config_value.c - checkers for single configuration values.
 *
 * Every checker refuses rather than truncates: a name or path that does not
 * fit its field is an error, never a shortened copy. The rules are those of
 * docs/configuration.md; the conventions those of config_int.h.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"
#include "ipmi/bmc.h"

#define IFNAME_MAX 15   /* IFNAMSIZ - 1 */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int fail(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Format arguments quoting at most HG_CFGV_QUOTE_MAX bytes of a value. */
#define QUOTED(v) HG_CFGV_QUOTE_MAX, (v), strlen(v) > HG_CFGV_QUOTE_MAX ? "..." : ""

int hg_cfgv_uint(const char *v, uint32_t lo, uint32_t hi, uint32_t *out,
		 char *msg, size_t msglen)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 11; i++)
		n = n * 10 + (uint64_t)(v[i] - '0');
	if (i == 0 || v[i] != '\0' || n < lo || n > hi)
		return fail(msg, msglen, "expected an integer %u..%u, got \"%.*s%s\"",
			    lo, hi, QUOTED(v));
	*out = (uint32_t)n;
	return 0;
}

int hg_cfgv_name(const char *v, char out[HG_CFG_NAME_MAX], char *msg, size_t msglen)
{
	size_t n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789_.-");

	if (n == 0 || v[n] != '\0' || n >= HG_CFG_NAME_MAX)
		return fail(msg, msglen, "expected a name of 1..%d characters from "
			    "A-Z a-z 0-9 _ . -, got \"%.*s%s\"",
			    HG_CFG_NAME_MAX - 1, QUOTED(v));
	memcpy(out, v, n + 1);
	return 0;
}

int hg_cfgv_path(const char *v, char *out, size_t size, char *msg, size_t msglen)
{
	size_t n = strlen(v);

	if (v[0] != '/' || n >= size || strpbrk(v, " \t") != NULL)
		return fail(msg, msglen, "expected an absolute path (starting with /, "
			    "no blanks, at most %zu characters), got \"%.*s%s\"",
			    size - 1, QUOTED(v));
	memcpy(out, v, n + 1);
	return 0;
}

int hg_cfgv_ipv4(const char *v, char out[HG_CFG_ADDR_MAX], char *msg, size_t msglen)
{
	unsigned char b[4];
	size_t n = strlen(v);

	/* inet_pton accepts exactly a.b.c.d in decimal, no leading zeros. */
	if (n >= HG_CFG_ADDR_MAX || inet_pton(AF_INET, v, b) != 1)
		return fail(msg, msglen, "expected an IPv4 address like 192.0.2.11, "
			    "got \"%.*s%s\"", QUOTED(v));
	if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
		return fail(msg, msglen, "expected a unicast IPv4 address, got %s "
			    "(this, loopback, multicast or reserved)", v);
	memcpy(out, v, n + 1);
	return 0;
}

int hg_cfgv_ifname(const char *v, char out[HG_CFG_NAME_MAX], char *msg, size_t msglen)
{
	size_t n = strlen(v);

	/* The kernel's dev_valid_name(): IFNAMSIZ, no '/', ':' or space. */
	if (n == 0 || n > IFNAME_MAX || strpbrk(v, "/: \t") != NULL ||
	    strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return fail(msg, msglen, "expected an interface name of 1..%d characters "
			    "without / : or blanks, got \"%.*s%s\"",
			    IFNAME_MAX, QUOTED(v));
	memcpy(out, v, n + 1);
	return 0;
}

int hg_cfgv_split(const char *v, char *buf, size_t bufsize, char **tok, int max)
{
	size_t n = strlen(v);
	int count = 0;
	char *p;

	if (n >= bufsize)
		return -1;
	memmove(buf, v, n + 1);     /* v may be buf itself */
	for (p = buf; *p != '\0';) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (count == max)
			return -1;
		tok[count++] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	return count;
}

/* Prefix a sub-checker's message with the part of the value it is about. */
static int part_err(char *msg, size_t msglen, const char *part, const char *t)
{
	return fail(msg, msglen, "%s: %s", part, t);
}

int hg_cfgv_vip(const char *v, struct hg_cfg_vip *vip, char *msg, size_t msglen)
{
	char buf[HG_CFG_CMD_MAX], *tok[2], *slash = NULL, t[HG_CFG_MSG_MAX];
	uint32_t prefix;

	if (hg_cfgv_split(v, buf, sizeof(buf), tok, 2) == 2)
		slash = strchr(tok[0], '/');
	if (slash == NULL)
		return fail(msg, msglen, "expected ADDRESS/PREFIX LAN, e.g. 192.0.2.10/24 "
			    "public, got \"%.*s%s\"", QUOTED(v));
	*slash = '\0';
	if (hg_cfgv_ipv4(tok[0], vip->addr, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "address", t);
	if (hg_cfgv_uint(slash + 1, 1, 32, &prefix, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "prefix", t);
	if (hg_cfgv_name(tok[1], vip->lan, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "LAN", t);
	vip->prefix = (int)prefix;
	return 0;
}

int hg_cfgv_link(const char *v, char lan[HG_CFG_NAME_MAX], struct hg_cfg_link *link,
		 char *msg, size_t msglen)
{
	char buf[HG_CFG_CMD_MAX], *tok[3], t[HG_CFG_MSG_MAX];

	if (hg_cfgv_split(v, buf, sizeof(buf), tok, 3) != 3)
		return fail(msg, msglen, "expected LAN IFNAME ADDRESS, e.g. public pub0 "
			    "192.0.2.11, got \"%.*s%s\"", QUOTED(v));
	if (hg_cfgv_name(tok[0], lan, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "LAN", t);
	if (hg_cfgv_ifname(tok[1], link->ifname, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "interface", t);
	if (hg_cfgv_ipv4(tok[2], link->addr, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "address", t);
	return 0;
}

/* Is "key=" already in the '\n'-separated option list? */
static int has_option(const char *args, const char *key, size_t keylen)
{
	const char *p = args;

	while (*p != '\0') {
		if (strncmp(p, key, keylen) == 0 && p[keylen] == '=')
			return 1;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

/* Would this option put a secret into the config? password=, passwd= and
 * relatives such as snmp_priv_passwd=, but not the *_script options that
 * name a program printing the secret, nor our own password_file=. */
static int is_secret(const char *key)
{
	size_t n = strlen(key);
	char low[HG_CFG_CMD_MAX];
	size_t i;

	if (n >= sizeof(low))
		return 0;
	for (i = 0; i <= n; i++)
		low[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
	if (strcmp(low, "password_file") == 0 ||
	    (n > 7 && strcmp(low + n - 7, "_script") == 0))
		return 0;
	return strstr(low, "passw") != NULL;
}

/* One "key=value" token after the agent path. */
static int fence_option(char *t, struct hg_cfg_fence_level *lv, int *seen_pw,
			int *seen_to, char *msg, size_t msglen)
{
	char *eq = strchr(t, '=');
	size_t keylen, used, need;
	char *val;

	if (eq == NULL || eq == t || eq[1] == '\0' || t[0] == '-' ||
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789_-") != (size_t)(eq - t))
		return fail(msg, msglen, "expected option=value after the agent path, "
			    "got \"%.*s%s\"", QUOTED(t));
	keylen = (size_t)(eq - t);
	val = eq + 1;
	*eq = '\0';
	if (is_secret(t))
		return fail(msg, msglen, "inline %s= is refused: keep the BMC password "
			    "in a root-only file and give password_file=/path (other "
			    "secrets: the agent's *_script option)", t);
	if (strcasecmp(t, "action") == 0 || strcasecmp(t, "option") == 0)
		return fail(msg, msglen, "%s= is refused: headguard sets the action "
			    "(off, status) itself", t);
	if (strcmp(t, "password_file") == 0) {
		if ((*seen_pw)++)
			return fail(msg, msglen, "password_file= given twice");
		if (hg_cfgv_path(val, lv->password_file, sizeof(lv->password_file),
				 msg, msglen) == 0)
			return 0;
		return fail(msg, msglen, "password_file=: expected an absolute path "
			    "(at most %zu characters), got \"%.*s%s\"",
			    sizeof(lv->password_file) - 1, QUOTED(val));
	}
	if (strcmp(t, "timeout_ms") == 0) {
		if ((*seen_to)++)
			return fail(msg, msglen, "timeout_ms= given twice");
		if (hg_cfgv_uint(val, 100, 600000, &lv->timeout_ms, msg, msglen) == 0)
			return 0;
		return fail(msg, msglen, "timeout_ms=: expected an integer 100..600000, "
			    "got \"%.*s%s\"", QUOTED(val));
	}
	if (has_option(lv->args, t, keylen))
		return fail(msg, msglen, "option %s= given twice", t);
	used = strlen(lv->args);
	need = (used ? 1 : 0) + keylen + 1 + strlen(val);
	if (used + need >= sizeof(lv->args))
		return fail(msg, msglen, "agent options too long (at most %zu bytes)",
			    sizeof(lv->args) - 1);
	snprintf(lv->args + used, sizeof(lv->args) - used, "%s%s=%s",
		 used ? "\n" : "", t, val);
	return 0;
}

int hg_cfgv_fence(const char *v, struct hg_cfg_fence_level *lv, char *msg, size_t msglen)
{
	char buf[2 * HG_CFG_CMD_MAX];
	char *tok[HG_CFG_CMD_MAX / 2];
	int n, i, seen_pw = 0, seen_to = 0;

	memset(lv, 0, sizeof(*lv));
	lv->timeout_ms = 5000;
	n = hg_cfgv_split(v, buf, sizeof(buf), tok, (int)(sizeof(tok) / sizeof(tok[0])));
	if (n < 0)
		return fail(msg, msglen, "fence level too long");
	if (n == 0)
		return fail(msg, msglen, "expected AGENT-PATH option=value ..., got nothing");
	if (strcmp(tok[0], "ipmi") == 0) {
		/* The native driver on the node's own `bmc =` settings: only
		 * its timeout is a level option. */
		lv->native = 1;
		snprintf(lv->agent, sizeof(lv->agent), "ipmi");
		for (i = 1; i < n; i++) {
			if (strncmp(tok[i], "timeout_ms=", 11) != 0)
				return fail(msg, msglen, "fence = ipmi takes only timeout_ms=; the BMC "
					    "is the node's bmc = line, got \"%.*s%s\"", QUOTED(tok[i]));
			if (hg_cfgv_uint(tok[i] + 11, 100, 600000, &lv->timeout_ms, msg, msglen) != 0)
				return fail(msg, msglen, "timeout_ms=: expected an integer 100..600000");
		}
		return 0;
	}
	if (hg_cfgv_path(tok[0], lv->agent, sizeof(lv->agent), msg, msglen) != 0)
		return fail(msg, msglen, "the agent must be an absolute path (at most "
			    "%zu characters), got \"%.*s%s\"",
			    sizeof(lv->agent) - 1, QUOTED(tok[0]));
	for (i = 1; i < n; i++)
		if (fence_option(tok[i], lv, &seen_pw, &seen_to, msg, msglen) != 0)
			return -1;
	return 0;
}

int hg_cfgv_probe(const char *v, int *kind, char *arg, size_t argsize, char *msg, size_t msglen)
{
	char buf[HG_CFG_CMD_MAX], *tok[3], t[HG_CFG_MSG_MAX], addr[HG_CFG_ADDR_MAX];
	uint32_t port;
	int n = hg_cfgv_split(v, buf, sizeof(buf), tok, 3);

	if (n == 3 && strcmp(tok[0], "tcp") == 0) {
		struct in_addr in;
		/* Loopback is what a local probe usually targets: any IPv4 here. */
		if (inet_pton(AF_INET, tok[1], &in) != 1)
			return fail(msg, msglen, "address: expected an IPv4 address, got \"%.*s%s\"",
				    QUOTED(tok[1]));
		snprintf(addr, sizeof(addr), "%s", tok[1]);
		if (hg_cfgv_uint(tok[2], 1, 65535, &port, t, sizeof(t)) != 0)
			return part_err(msg, msglen, "port", t);
		*kind = HG_PROBE_TCP;
		snprintf(arg, argsize, "%s %u", addr, port);
		return 0;
	}
	if (n == 2 && strcmp(tok[0], "systemd") == 0) {
		if (strlen(tok[1]) >= argsize || strspn(tok[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"abcdefghijklmnopqrstuvwxyz0123456789@._-:\\") != strlen(tok[1]))
			return fail(msg, msglen, "systemd unit: expected a unit name, got \"%.*s%s\"",
				    QUOTED(tok[1]));
		*kind = HG_PROBE_SYSTEMD;
		snprintf(arg, argsize, "%s", tok[1]);
		return 0;
	}
	if (n == 2 && strcmp(tok[0], "pid") == 0) {
		if (hg_cfgv_path(tok[1], arg, argsize, t, sizeof(t)) != 0)
			return part_err(msg, msglen, "pid file", t);
		*kind = HG_PROBE_PID;
		return 0;
	}
	return fail(msg, msglen, "expected \"tcp ADDRESS PORT\", \"systemd UNIT\" or "
		    "\"pid /PATH/TO/PIDFILE\", got \"%.*s%s\"", QUOTED(v));
}

int hg_cfgv_disk(const char *v, struct hg_cfg_disk *d, char *msg, size_t msglen)
{
	char buf[HG_CFG_CMD_MAX], *tok[2], t[HG_CFG_MSG_MAX];

	if (hg_cfgv_split(v, buf, sizeof(buf), tok, 2) != 2)
		return fail(msg, msglen, "expected PATH MEGABYTES, e.g. /var 512, got \"%.*s%s\"",
			    QUOTED(v));
	if (hg_cfgv_path(tok[0], d->path, sizeof(d->path), t, sizeof(t)) != 0)
		return part_err(msg, msglen, "path", t);
	if (hg_cfgv_uint(tok[1], 1, 100000000, &d->min_mb, t, sizeof(t)) != 0)
		return part_err(msg, msglen, "megabytes", t);
	return 0;
}

int hg_cfgv_bmc(const char *v, struct hg_cfg_bmc *b, char *msg, size_t msglen)
{
	char buf[HG_CFG_CMD_MAX], *tok[8], t[HG_CFG_MSG_MAX];
	struct in_addr in;
	uint32_t u;
	int n = hg_cfgv_split(v, buf, sizeof(buf), tok, 8);

	memset(b, 0, sizeof(*b));
	b->port = 623;
	b->cipher = 17;
	b->privilege = 4;
	b->timeout_ms = 1000;
	if (n < 1 || inet_pton(AF_INET, tok[0], &in) != 1)
		return fail(msg, msglen, "expected ADDRESS username=USER password_file=/PATH "
			    "[cipher=N] [privilege=operator|admin] [port=N] [timeout_ms=N], got \"%.*s%s\"",
			    QUOTED(v));
	snprintf(b->addr, sizeof(b->addr), "%s", tok[0]);
	for (int i = 1; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq)
			return fail(msg, msglen, "expected option=value, got \"%.*s%s\"", QUOTED(tok[i]));
		*eq = 0;
		const char *k = tok[i], *val = eq + 1;
		if (is_secret(k))
			return fail(msg, msglen, "inline %s= is refused: keep the BMC password in a "
				    "root-only file and give password_file=/path", k);
		if (!strcmp(k, "username")) {
			if (hg_cfgv_name(val, b->user, t, sizeof(t)) != 0)
				return part_err(msg, msglen, "username", t);
		} else if (!strcmp(k, "password_file")) {
			if (hg_cfgv_path(val, b->password_file, sizeof(b->password_file), t, sizeof(t)) != 0)
				return part_err(msg, msglen, "password_file", t);
		} else if (!strcmp(k, "cipher")) {
			if (hg_cfgv_uint(val, 0, 255, &u, t, sizeof(t)) != 0)
				return fail(msg, msglen, "cipher: expected a cipher suite 3, 8, 12 or 17");
			const char *why = bmc_cipher_why((int)u);
			if (why)
				return fail(msg, msglen, "cipher: suite %u is refused (%s); use 3, 8, "
					    "12 or 17", (unsigned)u, why);
			b->cipher = (int)u;
		} else if (!strcmp(k, "privilege")) {
			if (strcmp(val, "operator") && strcmp(val, "admin"))
				return fail(msg, msglen, "privilege: expected operator or admin");
			b->privilege = strcmp(val, "admin") ? 3 : 4;
		} else if (!strcmp(k, "port")) {
			if (hg_cfgv_uint(val, 1, 65535, &u, t, sizeof(t)) != 0)
				return part_err(msg, msglen, "port", t);
			b->port = (uint16_t)u;
		} else if (!strcmp(k, "timeout_ms")) {
			if (hg_cfgv_uint(val, 100, 60000, &u, t, sizeof(t)) != 0)
				return part_err(msg, msglen, "timeout_ms", t);
			b->timeout_ms = u;
		} else {
			return fail(msg, msglen, "unknown option %.*s%s= (username, password_file, "
				    "cipher, privilege, port, timeout_ms)", QUOTED(k));
		}
	}
	if (!b->user[0] || !b->password_file[0])
		return fail(msg, msglen, "username= and password_file= are required");
	b->present = 1;
	return 0;
}

int hg_cfgv_own_bmc(const char *v, struct hg_cfg_own_bmc *o, char *msg, size_t msglen)
{
	static const char *const drivers[] = { "auto", "openipmi", "kcs", "ssif" };
	char buf[HG_CFG_CMD_MAX], *tok[4];
	struct in_addr in;
	int n = hg_cfgv_split(v, buf, sizeof(buf), tok, 4);

	memset(o, 0, sizeof(*o));
	if (n == 1 && !strcmp(tok[0], "auto"))
		return 0;
	if (n == 1 && !strcmp(tok[0], "lan")) {
		o->path = HG_OWN_LAN;
		return 0;
	}
	if ((n == 1 || n == 2) && !strcmp(tok[0], "inband")) {
		o->path = HG_OWN_INBAND;
		for (int d = 0; n == 2 && d < 4; d++)
			if (!strcmp(tok[1], drivers[d]))
				o->driver = d, n = 1;
		if (n == 1)
			return 0;
		return fail(msg, msglen, "inband: expected a driver auto, openipmi, kcs or ssif, "
			    "got \"%.*s%s\"", QUOTED(tok[1]));
	}
	if (n == 2 && !strcmp(tok[0], "hostif")) {
		if (inet_pton(AF_INET, tok[1], &in) != 1)
			return fail(msg, msglen, "hostif: expected the IPv4 address of the BMC's "
				    "host-interface NIC, got \"%.*s%s\"", QUOTED(tok[1]));
		o->path = HG_OWN_HOSTIF;
		snprintf(o->addr, sizeof(o->addr), "%s", tok[1]);
		return 0;
	}
	return fail(msg, msglen, "expected auto, inband [auto|openipmi|kcs|ssif], hostif ADDRESS "
		    "or lan, got \"%.*s%s\"", QUOTED(v));
}
