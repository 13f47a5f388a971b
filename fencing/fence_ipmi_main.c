/*
 * hg-fence-ipmi - a fence-agents-compatible IPMI fence program on ipmi/bmc.h.
 *
 * Reads key=value lines on stdin, exactly like Debian's fence agents, and
 * does one action on one session. Protocol and exit codes: docs/fencing.md.
 * The password is taken from stdin only, never printed, and wiped from
 * memory once the session is open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipmi/bmc.h"
#include "fencing/fence_args.h"
#include "fencing/proof.h"

#define PROG	"hg-fence-ipmi"

/* fence-agents exit codes */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_STATUS_OFF	2	/* action=status, power is off */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " < options\n"
	    "       " PROG " -h\n"
	    "Reads fence-agents options as key=value lines on stdin:\n"
	    "  action=off|on|status|monitor|metadata|validate-all (reboot is refused)\n"
	    "  ip=ADDR ipport=623 username=USER password=PASS cipher=17\n"
	    "  privlvl=administrator|operator lanplus=1 power_timeout=20 power_wait=0\n"
	    "The password is accepted on stdin only. Exit: 0 ok (status: on),\n"
	    "2 status off, 1 failure.\n");
}

static void
metadata(void)
{
	static const struct { const char *name, *type, *desc; int required; } params[] = {
		{ "action", "string", "Fencing action: off, on, status, monitor (reboot is refused)", 1 },
		{ "ip", "string", "BMC address", 1 },
		{ "ipport", "integer", "BMC UDP port (623)", 0 },
		{ "username", "string", "BMC user (alias login)", 1 },
		{ "password", "string", "BMC password (alias passwd), stdin only", 1 },
		{ "cipher", "integer", "RMCP+ cipher suite: 3, 8, 12 or 17 (17); suites without integrity or encryption are refused", 0 },
		{ "privlvl", "string", "operator or administrator (administrator)", 0 },
		{ "lanplus", "boolean", "IPMI 2.0 lanplus: always on, must be 1 if given", 0 },
		{ "power_timeout", "second", "Seconds to wait for the power state (20)", 0 },
		{ "power_wait", "second", "Seconds to wait after the command (0)", 0 },
		{ "delay", "second", "Seconds to wait before the action (0)", 0 },
	};
	size_t i;

	printf("<?xml version=\"1.0\" ?>\n"
	    "<resource-agent name=\"" PROG "\" shortdesc=\"headguard IPMI 2.0 fence agent (power off/on, no cycle)\">\n"
	    "<longdesc>Fences a node through its BMC over IPMI 2.0 / RMCP+, "
	    "confirms the power state by reading it back on the same session, "
	    "and never power-cycles.</longdesc>\n<parameters>\n");
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		printf("\t<parameter name=\"%s\" unique=\"0\" required=\"%d\">\n"
		    "\t\t<content type=\"%s\"/>\n\t\t<shortdesc lang=\"en\">%s</shortdesc>\n"
		    "\t</parameter>\n", params[i].name, params[i].required,
		    params[i].type, params[i].desc);
	printf("</parameters>\n<actions>\n"
	    "\t<action name=\"off\"/>\n\t<action name=\"on\"/>\n"
	    "\t<action name=\"status\"/>\n\t<action name=\"monitor\"/>\n"
	    "\t<action name=\"metadata\"/>\n\t<action name=\"validate-all\"/>\n"
	    "</actions>\n</resource-agent>\n");
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The power command, then the state read every 100 ms until it is `want`
 * or power_timeout has passed (fencing/proof.h, the procedure the agent
 * uses too). A failed command is reported and the reading goes on: only a
 * state read back counts (docs/fencing.md).
 */
static int
do_power(struct bmc_session *s, const struct fence_opts *o, int want)
{
	const char *what = want ? "ON" : "OFF";
	const struct fence_timing t = {
		.timeout_ms = (unsigned)((o->power_wait + o->power_timeout) * 1000),
		.poll_ms = 100, .settle_ms = (unsigned)(o->power_wait * 1000),
	};
	struct fence_proof p;
	int rc;

	rc = want ? fence_power_on_confirm(s, &t, &p) : fence_power_off_confirm(s, &t, &p);
	if (p.command_rc < 0)
		fprintf(stderr, PROG ": power %s command failed: %s; reading the state anyway\n",
		    want ? "on" : "off", bmc_strerror(p.command_rc));
	if (rc < 0) {
		if (p.read_rc < 0)
			fprintf(stderr, PROG ": power state read failed: %s\n",
			    bmc_strerror(p.read_rc));
		fprintf(stderr, PROG ": Failed: power not confirmed %s within %gs\n",
		    what, o->power_timeout);
		return EXIT_FAIL;
	}
	fprintf(stderr, PROG ": Success: Powered %s\n", what);
	return EXIT_OK;
}

static int
run(struct fence_opts *o)
{
	struct bmc_target t = {
		.host = o->ip, .port = (uint16_t)o->port, .user = o->user,
		.password = o->password, .cipher_suite = o->cipher,
		.privilege = o->privilege, .timeout_ms = 0,
	};
	struct bmc_session *s;
	int rc, on, ex;

	sleep_s(o->delay);
	rc = bmc_open(&t, &s);
	explicit_bzero(o->password, sizeof(o->password));
	if (rc < 0) {
		fprintf(stderr, PROG ": Failed: cannot open a session with %s: %s\n",
		    o->ip, bmc_strerror(rc));
		return EXIT_FAIL;
	}
	if (!strcmp(o->action, "off"))
		ex = do_power(s, o, 0);
	else if (!strcmp(o->action, "on"))
		ex = do_power(s, o, 1);
	else if ((rc = bmc_power_get(s, &on)) < 0) {
		fprintf(stderr, PROG ": Failed: cannot read power state: %s\n", bmc_strerror(rc));
		ex = EXIT_FAIL;
	} else if (!strcmp(o->action, "monitor")) {
		fprintf(stderr, PROG ": BMC answers, power %s\n", on ? "ON" : "OFF");
		ex = EXIT_OK;
	} else {
		/* fence-agents' answer, on stdout: a fence level confirms on it */
		printf("Status: %s\n", on ? "ON" : "OFF");
		ex = on ? EXIT_OK : EXIT_STATUS_OFF;
	}
	bmc_close(s);
	return ex;
}

int
main(int argc, char **argv)
{
	struct fence_opts o = {
		.port = BMC_DEFAULT_PORT, .cipher = 17, .privilege = BMC_PRIV_ADMIN,
		.power_timeout = 20,
	};
	int ex;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		/* Options on the command line would put the password in ps(1). */
		fprintf(stderr, PROG ": options are read from stdin only\n");
		usage(stderr);
		return EXIT_FAIL;
	}
	fence_args_read(stdin, &o);

	if (!strcmp(o.action, "metadata")) {
		metadata();
		ex = EXIT_OK;
	} else if (!strcmp(o.action, "reboot")) {
		fprintf(stderr, PROG ": action reboot refused: headguard never power-cycles, "
		    "use off then on\n");
		ex = EXIT_FAIL;
	} else if (strcmp(o.action, "off") && strcmp(o.action, "on") &&
	    strcmp(o.action, "status") && strcmp(o.action, "monitor") &&
	    strcmp(o.action, "validate-all")) {
		fprintf(stderr, PROG ": %s action\n", o.action[0] ? "unsupported" : "no");
		ex = EXIT_FAIL;
	} else if (o.bad || !o.ip[0] || !o.user[0]) {
		fprintf(stderr, PROG ": Failed: %s\n", o.bad ? "invalid options" :
		    "ip and username are required");
		ex = EXIT_FAIL;
	} else if (bmc_cipher_why(o.cipher)) {
		fprintf(stderr, PROG ": Failed: cipher suite %d refused (%s); use 3, 8, 12 or 17\n",
		    o.cipher, bmc_cipher_why(o.cipher));
		ex = EXIT_FAIL;
	} else if (!strcmp(o.action, "validate-all"))
		ex = EXIT_OK;
	else
		ex = run(&o);
	explicit_bzero(o.password, sizeof(o.password));
	return ex;
}
