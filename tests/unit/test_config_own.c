/*
 * test_config_own.c - own_bmc = (issue 11): how a node reaches its own BMC.
 * Each form gives its struct; each mistake its line and a text naming the
 * key; a file without the key keeps today's meaning (auto).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "agent/config.h"

/* Node a last, with its bmc = line: an appended line is line 15, in [node a]. */
#define BASE \
	"[cluster]\n"                                                   /*  1 */ \
	"name = t\n"                                                    /*  2 */ \
	"key_file = /k\n"                                               /*  3 */ \
	"vip = 192.0.2.10/24 pub\n"                                     /*  4 */ \
	"[lan pub]\n"                                                   /*  5 */ \
	"[node b]\n"                                                    /*  6 */ \
	"id = 2\n"                                                      /*  7 */ \
	"link = pub e0 192.0.2.12\n"                                    /*  8 */ \
	"fence = /f ip=192.0.2.202\n"                                   /*  9 */ \
	"[node a]\n"                                                    /* 10 */ \
	"id = 1\n"                                                      /* 11 */ \
	"link = pub e0 192.0.2.11\n"                                    /* 12 */ \
	"fence = ipmi\n"                                               /* 13 */ \
	"bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=3\n"  /* 14 */

static void good(const char *line, int path, int driver, const char *addr)
{
	char text[2048], err[256] = "x";
	struct hg_config c;

	snprintf(text, sizeof(text), BASE "%s", line);
	CHECK_EQ(hg_config_parse(text, "a", &c, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  %s: %s\n", line, err);
	CHECK_EQ(c.node[c.self].own_bmc.path, path);
	CHECK_EQ(c.node[c.self].own_bmc.driver, driver);
	CHECK(!strcmp(c.node[c.self].own_bmc.addr, addr));
	/* the peer's bmc = line and its own path are untouched */
	CHECK_EQ(c.node[c.peer].own_bmc.path, HG_OWN_AUTO);
}

static void bad(const char *text, int line, const char *msg)
{
	char err[256] = "", want[32];
	struct hg_config c;

	memset(&c, 0x5a, sizeof(c));
	CHECK(hg_config_parse(text, "a", &c, err, sizeof(err)) < 0);
	snprintf(want, sizeof(want), "%d: ", line);
	if (!strstr(err, want) || !strstr(err, msg)) {
		fprintf(stderr, "  want \"%s... %s\", got \"%s\"\n", want, msg, err);
		CHECK(0);
	}
}

int main(void)
{
	good("", HG_OWN_AUTO, HG_INBAND_ANY, "");
	good("own_bmc = auto\n", HG_OWN_AUTO, HG_INBAND_ANY, "");
	good("own_bmc = lan\n", HG_OWN_LAN, HG_INBAND_ANY, "");
	good("own_bmc = inband\n", HG_OWN_INBAND, HG_INBAND_ANY, "");
	good("own_bmc = inband auto\n", HG_OWN_INBAND, HG_INBAND_ANY, "");
	good("own_bmc = inband openipmi\n", HG_OWN_INBAND, HG_INBAND_OPENIPMI, "");
	good("own_bmc = inband kcs\n", HG_OWN_INBAND, HG_INBAND_KCS, "");
	good("own_bmc = inband ssif\n", HG_OWN_INBAND, HG_INBAND_SSIF, "");
	good("own_bmc = hostif 169.254.0.1\n", HG_OWN_HOSTIF, HG_INBAND_ANY, "169.254.0.1");

	bad(BASE "own_bmc = inband smic\n", 15, "own_bmc: inband: expected a driver auto, openipmi");
	bad(BASE "own_bmc = hostif\n", 15, "own_bmc: expected auto, inband");
	bad(BASE "own_bmc = hostif idrac.local\n", 15, "own_bmc: hostif: expected the IPv4");
	bad(BASE "own_bmc = lan extra\n", 15, "own_bmc: expected auto");
	bad(BASE "own_bmc = kcs\n", 15, "own_bmc: expected auto");
	bad(BASE "own_bmc = lan\nown_bmc = auto\n", 16, "own_bmc: given twice");
	/* without a bmc = line there is nothing to reach, and nothing to fence */
	bad("[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n[lan pub]\n"
	    "[node b]\nid = 2\nlink = pub e0 192.0.2.12\nfence = /f ip=192.0.2.202\n"
	    "[node a]\nid = 1\nlink = pub e0 192.0.2.11\nfence = /f ip=192.0.2.201\n"
	    "own_bmc = inband\n", 14, "own_bmc: needs the node's bmc = line");
	return check_report();
}
