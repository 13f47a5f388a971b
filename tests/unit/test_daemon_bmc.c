/*
 * test_daemon_bmc.c - the BMC part of `status json` (agent/daemon_bmc.c,
 * daemon_bmc_json): strings that come from a BMC (sensor names, the text
 * of an SDR ID string) are untrusted and must come out as valid JSON
 * strings (issue 10, hole 12). daemon_push is the daemon's; a stub here.
 */
#include "check.h"
#include "agent/daemon.h"

#include <stdlib.h>
#include <string.h>

void daemon_push(struct daemon *d, const struct hg_event *ev) { (void)d; (void)ev; }

/* A JSON string starts at p (after its opening quote): its end, or NULL if
 * it is not a well-formed string (raw control characters, bad escapes). */
static const char *json_string_end(const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return NULL;
}

/* Every string of a JSON text is well-formed and the braces balance. */
static int json_ok(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '"') {
			if (!(s = json_string_end(s + 1)))
				return 0;
		} else if (*s == '{') {
			depth++;
		} else if (*s == '}') {
			if (--depth < 0)
				return 0;
		}
	}
	return depth == 0;
}

int main(void)
{
	static struct hg_config cfg;
	static struct daemon d;
	char buf[4096];

	cfg.self = 0;
	cfg.peer = 1;
	for (int i = 0; i < 2; i++) {
		cfg.node[i].bmc.present = 1;
		snprintf(cfg.node[i].bmc.addr, sizeof(cfg.node[i].bmc.addr), "203.0.113.2%d", i + 1);
	}
	d.cfg = &cfg;
	d.now = 5000;
	for (int i = 0; i < 2; i++) {
		d.bmc[i].fd = 0;              /* a worker runs */
		d.bmc_last_at[i] = 4000;
		d.bmc_last[i].reachable = 1;
		d.bmc_last[i].power = 1;
		d.bmc_last[i].sensor_worst = 2;
	}
	/* an SDR ID string of "printable" bytes a BMC may send: quote, backslash */
	snprintf(d.bmc_last[0].sensor, sizeof(d.bmc_last[0].sensor), "CPU \"0\" \\ T");
	snprintf(d.bmc_last[1].sensor, sizeof(d.bmc_last[1].sensor), "\"},\"x\":{\"");

	int n = daemon_bmc_json(&d, buf, sizeof(buf));
	CHECK(n > 0);
	printf("{%s}\n", buf);
	char whole[4200];
	snprintf(whole, sizeof(whole), "{%s}", buf);
	CHECK(json_ok(whole));
	CHECK(strstr(buf, "\"name\":\"CPU \\\"0\\\" \\\\ T\"") != NULL);
	CHECK(strstr(buf, "\"x\":{") == NULL);       /* no injected key */

	/* a plain name is unchanged */
	snprintf(d.bmc_last[0].sensor, sizeof(d.bmc_last[0].sensor), "CPU Temp");
	snprintf(d.bmc_last[1].sensor, sizeof(d.bmc_last[1].sensor), "Fan");
	CHECK(daemon_bmc_json(&d, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\"name\":\"CPU Temp\"") != NULL);
	CHECK(strstr(buf, "\"name\":\"Fan\"") != NULL);

	/* the path each BMC was served on, and for a host-interface NIC the
	 * address our own requests go to (issue 11) */
	cfg.node[0].own_bmc.path = HG_OWN_HOSTIF;
	snprintf(cfg.node[0].own_bmc.addr, sizeof(cfg.node[0].own_bmc.addr), "169.254.0.1");
	snprintf(d.bmc_last[0].path, sizeof(d.bmc_last[0].path), "hostif");
	snprintf(d.bmc_last[1].path, sizeof(d.bmc_last[1].path), "lan");
	CHECK(daemon_bmc_json(&d, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\"own\":{\"configured\":true,\"address\":\"169.254.0.1\",\"path\":\"hostif\"") != NULL);
	CHECK(strstr(buf, "\"peer\":{\"configured\":true,\"address\":\"203.0.113.22\",\"path\":\"lan\"") != NULL);
	return check_report();
}
