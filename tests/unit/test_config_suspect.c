/*
 * test_config_suspect.c - suspect_ms (issue 12): when every path has been
 * silent this long, the peer's BMC is asked at once. Default 1.2 x
 * interval_ms; 0 turns it off; it must lie above the interval (a heartbeat
 * merely on time must not cost a reading) and below the deadtime (past it,
 * rule 4 asks anyway). Bad values: the key's line and its bounds.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "agent/config.h"

/* The extra lines go to the [cluster] section, from line 4 on. */
#define HEAD \
	"[cluster]\n"                                   /* 1 */ \
	"name = t\n"                                    /* 2 */ \
	"key_file = /k\n"                               /* 3 */
#define TAIL \
	"vip = 192.0.2.10/24 pub\n" \
	"[lan pub]\n" \
	"[node a]\n" \
	"id = 1\n" \
	"link = pub e0 192.0.2.11\n" \
	"fence = /f ip=192.0.2.201\n" \
	"[node b]\n" \
	"id = 2\n" \
	"link = pub e0 192.0.2.12\n" \
	"fence = /f ip=192.0.2.202\n"

static int parse(const char *extra, struct hg_config *c, char *err, size_t n)
{
	char text[2048];

	snprintf(text, sizeof(text), HEAD "%s" TAIL, extra);
	memset(c, 0x5a, sizeof(*c));
	err[0] = 0;
	return hg_config_parse(text, "a", c, err, n);
}

static void good(const char *extra, uint32_t want)
{
	char err[256];
	struct hg_config c;

	CHECK_EQ(parse(extra, &c, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  %s: %s\n", extra, err);
	if (c.suspect_ms != want)
		fprintf(stderr, "  \"%s\": suspect_ms %u, want %u\n", extra, c.suspect_ms, want);
	CHECK_EQ(c.suspect_ms, want);
}

static void bad(const char *extra, int line, const char *msg)
{
	char err[256], want[32];
	struct hg_config c;

	CHECK(parse(extra, &c, err, sizeof(err)) < 0);
	snprintf(want, sizeof(want), "%d: ", line);
	if (!strstr(err, want) || !strstr(err, msg)) {
		fprintf(stderr, "  want \"%s... %s\", got \"%s\"\n", want, msg, err);
		CHECK(0);
	}
}

int main(void)
{
	good("", 120);                                   /* interval 100 */
	good("interval_ms = 20\n", 24);
	good("interval_ms = 1000\n", 1200);
	good("interval_ms = 33\n", 40);                  /* rounded up: never below 1.2 x */
	good("suspect_ms = 0\n", 0);
	good("suspect_ms = 150\n", 150);
	good("suspect_ms = 299\n", 299);
	/* the shortest deadtime allowed, two intervals, leaves room */
	good("interval_ms = 100\ndeadtime_ms = 200\n", 120);
	bad("suspect_ms = 100\n", 4, "suspect_ms: must be 0 (off) or above interval_ms (100)");
	bad("suspect_ms = 300\n", 4, "below deadtime_ms (300)");
	bad("suspect_ms = 5\n", 4, "suspect_ms");
	bad("suspect_ms = soon\n", 4, "suspect_ms");
	bad("suspect_ms = -1\n", 4, "suspect_ms");
	return check_report();
}
