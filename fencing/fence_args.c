/*
 * fence_args.c - see fence_args.h.
 */
#include "fencing/fence_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipmi/bmc.h"

#define PROG	"hg-fence-ipmi"

static int
set_str(char *dst, size_t len, const char *val, const char *key, struct fence_opts *o)
{
	if (strlen(val) >= len) {
		fprintf(stderr, PROG ": %s: value too long\n", key);
		o->bad = 1;
		return -1;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int
parse_seconds(const char *val, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(val, &end);
	if (errno || end == val || *end || !(d >= 0 && d <= 3600))
		return -1;
	*out = d;
	return 0;
}

static int
parse_uint(const char *val, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
is_true(const char *v)
{
	return !*v || !strcmp(v, "1") || !strcasecmp(v, "on") ||
	    !strcasecmp(v, "yes") || !strcasecmp(v, "true");
}

static void
bad_value(struct fence_opts *o, const char *key)
{
	fprintf(stderr, PROG ": invalid value for %s\n", key);
	o->bad = 1;
}

/* One option. Returns 0 if the key is known (valid or not), -1 if unknown. */
static int
set_option(struct fence_opts *o, const char *key, const char *val)
{
	long n;

	if (!strcmp(key, "action") || !strcmp(key, "option"))
		set_str(o->action, sizeof(o->action), val, key, o);
	else if (!strcmp(key, "ip") || !strcmp(key, "ipaddr"))
		set_str(o->ip, sizeof(o->ip), val, key, o);
	else if (!strcmp(key, "username") || !strcmp(key, "login"))
		set_str(o->user, sizeof(o->user), val, key, o);
	else if (!strcmp(key, "password") || !strcmp(key, "passwd"))
		set_str(o->password, sizeof(o->password), val, "password", o);
	else if (!strcmp(key, "ipport")) {
		if (parse_uint(val, 1, 65535, &n) < 0)
			bad_value(o, key);
		else
			o->port = (unsigned)n;
	} else if (!strcmp(key, "cipher")) {
		if (parse_uint(val, 0, 255, &n) < 0)
			bad_value(o, key);
		else
			o->cipher = (int)n;
	} else if (!strcmp(key, "privlvl")) {
		if (!strcasecmp(val, "administrator"))
			o->privilege = BMC_PRIV_ADMIN;
		else if (!strcasecmp(val, "operator"))
			o->privilege = BMC_PRIV_OPERATOR;
		else
			bad_value(o, key);	/* user/callback cannot control power */
	} else if (!strcmp(key, "lanplus")) {
		if (!is_true(val))
			bad_value(o, key);	/* IPMI 1.5 is not spoken here */
	} else if (!strcmp(key, "method")) {
		if (strcmp(val, "onoff"))
			bad_value(o, key);	/* never cycle */
	} else if (!strcmp(key, "power_timeout")) {
		if (parse_seconds(val, &o->power_timeout) < 0)
			bad_value(o, key);
	} else if (!strcmp(key, "power_wait")) {
		if (parse_seconds(val, &o->power_wait) < 0)
			bad_value(o, key);
	} else if (!strcmp(key, "delay")) {
		if (parse_seconds(val, &o->delay) < 0)
			bad_value(o, key);
	} else if (!strcmp(key, "timeout") || !strcmp(key, "shell_timeout") ||
	    !strcmp(key, "login_timeout") || !strcmp(key, "nodename") ||
	    !strcmp(key, "port") || !strcmp(key, "plug") ||
	    !strcmp(key, "verbose") || !strcmp(key, "debug") ||
	    !strcmp(key, "auth") || !strcmp(key, "retry_on")) {
		/* accepted for compatibility, no effect */
	} else
		return -1;
	return 0;
}

/* A key worth echoing in a warning: short, and nothing but [A-Za-z0-9_-]. */
static int
printable_key(const char *k)
{
	size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n > 0 && n <= 32 && k[n] == '\0';
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* fence-agents' stdin format; lines may hold the password: wipe them. */
void
fence_args_read(FILE *in, struct fence_opts *o)
{
	char line[1024], *l, *eq, *key, *val;
	int lineno = 0, c;

	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			while ((c = getc(in)) != EOF && c != '\n')
				;
			fprintf(stderr, PROG ": line %d too long, ignored\n", lineno);
			o->bad = 1;
			explicit_bzero(line, sizeof(line));
			continue;
		}
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		if ((eq = strchr(l, '='))) {
			*eq = '\0';
			key = trim(l);
			val = eq + 1;
		} else {
			key = l;
			val = "";
		}
		if (set_option(o, key, val) < 0) {
			/* name the key only if the line looked like key=value:
			 * a stray line might be a password */
			if (eq && printable_key(key))
				fprintf(stderr, PROG ": unknown option '%s' ignored\n", key);
			else
				fprintf(stderr, PROG ": line %d: unknown option ignored\n", lineno);
		}
		explicit_bzero(line, sizeof(line));
	}
}
