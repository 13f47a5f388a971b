/*
 * main.c - the headguard command: the agent (`run`), the configuration
 * check (`check`), and the operator's commands over the control socket.
 */
#include "agent/config.h"
#include "agent/ctl.h"
#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/probe.h"
#include "agent/fence_cmd.h"
#include "ipmi/bmc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/headguard/headguard.conf"
#define CONFIG_MAX (1 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: headguard COMMAND [options]\n"
		"  run        [-c FILE] [-n NODE]             run the agent in the foreground\n"
		"  check      [-c FILE] [-n NODE]             check the configuration; starts nothing\n"
		"  status     [-c FILE | -s SOCKET] [--json]  show this node, the peer, paths, services\n"
		"  switchover [-c FILE | -s SOCKET]           move the cluster to the other node\n"
		"  standby    [-c FILE | -s SOCKET]           make this node ineligible (hands over if active)\n"
		"  unstandby  [-c FILE | -s SOCKET]           make this node eligible again\n"
		"  events     [-c FILE | -s SOCKET]           stream decision records as JSON lines\n"
		"  fence      [-c FILE] [--yes] [--dry-run] NODE  power NODE off through its fence levels\n"
		"                                             and read it back as off (--dry-run: readiness only)\n"
		"options:\n"
		"  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		"  -n, --node NODE     this node's name in the configuration (default: short host name)\n"
		"  -s, --socket PATH   control socket (default: control_socket of the configuration)\n"
		"  -j, --json          machine-readable output\n");
}

static char *read_text(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || st.st_size > CONFIG_MAX) {
		close(fd);
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX);
		return NULL;
	}
	char *text = malloc((size_t)st.st_size + 1);
	ssize_t n = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(text);
		snprintf(err, errlen, "%s: cannot read", path);
		return NULL;
	}
	text[n] = 0;
	if (strlen(text) != (size_t)n) {
		free(text);
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		return NULL;
	}
	return text;
}

static int load(const char *path, const char *node, struct hg_config *cfg)
{
	char err[512], host[256];

	if (!node) {
		if (gethostname(host, sizeof(host)) < 0)
			host[0] = 0;
		host[sizeof(host) - 1] = 0;
		host[strcspn(host, ".")] = 0;
		node = host;
	}
	char *text = read_text(path, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "headguard: %s\n", err);
		return -1;
	}
	int rc = hg_config_parse(text, node, cfg, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "headguard: %s:%s\n", path, err);
		return -1;
	}
	return 0;
}

/*
 * Is the own BMC's in-band path there (issue 11; docs/bmc.md, "Paths")?
 * own_bmc = inband without it is refused: the operator asked for a path
 * this host lacks. auto without it runs on the LAN, and says the risk.
 */
static int check_own_bmc(const struct hg_config *cfg, char *path, size_t len)
{
	static const int by_driver[] = { BMC_PATH_INBAND, BMC_PATH_OPENIPMI, BMC_PATH_KCS,
					 BMC_PATH_SSIF };
	const struct hg_cfg_node *me = &cfg->node[cfg->self];
	const struct hg_cfg_own_bmc *o = &me->own_bmc;
	struct bmc_session *s;

	if (!me->bmc.present) {
		snprintf(path, len, "none");
		return 0;
	}
	if (o->path == HG_OWN_LAN || o->path == HG_OWN_HOSTIF) {
		snprintf(path, len, "%s %s", o->path == HG_OWN_LAN ? "lan" : "hostif",
			 o->path == HG_OWN_LAN ? me->bmc.addr : o->addr);
		return 0;
	}
	struct bmc_target t = { .path = by_driver[o->path == HG_OWN_AUTO ? 0 : o->driver],
				.timeout_ms = me->bmc.timeout_ms };
	int rc = bmc_open(&t, &s);
	if (rc == 0) {
		snprintf(path, len, "in-band %s", bmc_path_name(bmc_session_path(s)));
		bmc_close(s);
		return 0;
	}
	if (o->path == HG_OWN_INBAND) {
		fprintf(stderr, "headguard: own_bmc = inband %s: %s (docs/bmc.md: load ipmi_si and "
			"ipmi_devintf, or choose own_bmc = hostif ADDRESS)\n",
			bmc_path_name(t.path), bmc_strerror(rc));
		return -1;
	}
	if (rc != -ENODEV) {
		/* an interface is there but fails: the agent keeps to it and
		 * retries (it falls back to the LAN only where there is none) */
		snprintf(path, len, "in-band, failing");
		fprintf(stderr, "headguard: warning: own_bmc = auto: the in-band interface fails: %s; "
			"the agent will keep trying it, with no self-fence until it answers\n",
			bmc_strerror(rc));
		return 0;
	}
	snprintf(path, len, "lan %s", me->bmc.addr);
	fprintf(stderr, "headguard: warning: own_bmc = auto: %s; this node's watchdog is reset "
		"over the management LAN, and loss there can power it off (docs/bmc.md)\n",
		bmc_strerror(rc));
	return 0;
}

/* Checks that need the system: files, modes, programs. */
static int check_system(const struct hg_config *cfg, char *own_path, size_t len)
{
	uint8_t key[256];
	size_t keylen;
	char err[512];
	int bad = 0;

	if (daemon_read_key(cfg->key_file, key, sizeof(key), &keylen, err, sizeof(err)) < 0) {
		fprintf(stderr, "headguard: %s\n", err);
		bad = 1;
	}
	sodium_memzero(key, sizeof(key));
	const struct hg_cfg_node *peer = &cfg->node[cfg->peer];
	for (int n = 0; n < 2; n++) {
		const struct hg_cfg_bmc *b = &cfg->node[n].bmc;
		struct stat st;
		int missing = b->present && stat(b->password_file, &st) < 0;
		if (b->present && (missing || (st.st_mode & 077))) {
			fprintf(stderr, "headguard: BMC of node %s: password file %s %s\n",
				cfg->node[n].name, b->password_file,
				missing ? "cannot be read" : "must be readable by its owner only (chmod 600)");
			bad = 1;
		}
	}
	for (int i = 0; i < peer->n_levels; i++) {
		const struct hg_cfg_fence_level *l = &peer->level[i];
		struct stat st;
		if (l->native)
			continue;   /* the node's bmc = line, checked above */
		if (access(l->agent, X_OK) < 0) {
			fprintf(stderr, "headguard: fence level %d for node %s: %s: %s\n", i + 1,
				peer->name, l->agent, strerror(errno));
			bad = 1;
		}
		int missing = l->password_file[0] && stat(l->password_file, &st) < 0;
		if (l->password_file[0] && (missing || (st.st_mode & 077))) {
			fprintf(stderr, "headguard: fence level %d for node %s: password file %s %s\n",
				i + 1, peer->name, l->password_file,
				missing ? "cannot be read" : "must be readable by its owner only (chmod 600)");
			bad = 1;
		}
	}
	if (check_own_bmc(cfg, own_path, len) < 0)
		bad = 1;
	/* only the native level reads the peer's watchdog before it shoots
	 * (docs/fencing.md): an external first level may cut a healthy,
	 * cut-off peer whose readings were lost on our management LAN */
	if (peer->n_levels > 0 && !peer->level[0].native && peer->bmc.present)
		fprintf(stderr, "headguard: warning: the first fence level for %s is %s, not ipmi: it "
			"cannot check the peer's watchdog before the power-off; put fence = ipmi first\n",
			peer->name, peer->level[0].agent);
	if (peer->n_levels == 0) {
		fprintf(stderr, "headguard: no fence level for the peer %s: it could never be fenced, "
			"so this node could never take over from a failed peer\n", peer->name);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int cmd_run(const char *path, const char *node)
{
	static struct hg_config cfg;
	static struct daemon d;
	char err[512], own[64];

	if (load(path, node, &cfg) < 0 || check_system(&cfg, own, sizeof(own)) < 0)
		return 1;
	if (sodium_init() < 0) {
		fprintf(stderr, "headguard: libsodium failed to initialise\n");
		return 1;
	}
	if (daemon_read_key(cfg.key_file, d.key, sizeof(d.key), &d.keylen, err, sizeof(err)) < 0) {
		fprintf(stderr, "headguard: %s\n", err);
		return 1;
	}
	int rc = log_open(cfg.log_file, cfg.node[cfg.self].name);
	if (rc < 0) {
		fprintf(stderr, "headguard: log file %s: %s\n", cfg.log_file, strerror(-rc));
		return 1;
	}
	return daemon_run(&d, &cfg);
}

static int cmd_check(const char *path, const char *node)
{
	static struct hg_config cfg;
	char own[64];

	if (load(path, node, &cfg) < 0 || check_system(&cfg, own, sizeof(own)) < 0)
		return 1;
	printf("%s: configuration OK for node %s (peer %s): %d LANs, %d VIPs, %d services, %d fence level(s) for the peer, interval %u ms, deadtime %u ms, own BMC %s\n",
	       path, cfg.node[cfg.self].name, cfg.node[cfg.peer].name, cfg.n_lans, cfg.n_vips,
	       cfg.n_services, cfg.node[cfg.peer].n_levels, cfg.interval_ms, cfg.deadtime_ms, own);
	return 0;
}

static int cmd_client(const char *word, const char *path, const char *node,
		      const char *sock, int json)
{
	static struct hg_config cfg;
	static char buf[65536];
	char line[64];

	if (!sock) {
		if (load(path, node, &cfg) < 0)
			return 1;
		sock = cfg.control_socket;
	}
	snprintf(line, sizeof(line), "%s%s", word, json && !strcmp(word, "status") ? " json" : "");
	if (!strcmp(word, "events")) {
		int rc = ctl_stream(sock, line, 1);
		if (rc < 0)
			fprintf(stderr, "headguard: control socket %s: %s (is the agent running?)\n",
				sock, strerror(-rc));
		return rc < 0;
	}
	int rc = ctl_request(sock, line, buf, sizeof(buf));
	if (rc < 0) {
		fprintf(stderr, "headguard: control socket %s: %s (is the agent running?)\n", sock,
			strerror(-rc));
		return 1;
	}
	if (!strcmp(word, "status")) {
		fputs(buf, stdout);
		return 0;
	}
	int ok = strstr(buf, "\"ok\":true") != NULL;
	if (json) {
		fputs(buf, stdout);
	} else {
		const char *m = strstr(buf, "\"message\":\"");
		if (m) {
			m += 11;
			printf("%.*s\n", (int)strcspn(m, "\""), m);
		} else {
			fputs(buf, stdout);
		}
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG, *node = NULL, *sock = NULL;
	int json = 0, yes = 0, dry = 0, ch;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "probe"))   /* internal: run by the agent as a job */
		return probe_main(argc - 2, argv + 2);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "c:n:s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'n': node = optarg; break;
		case 's': sock = optarg; break;
		case 'j': json = 1; break;
		case 'y': yes = 1; break;
		case 'd': dry = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(cmd, "fence")) {
		static struct hg_config cfg;
		if (optind != argc - 1) {
			fprintf(stderr, "headguard: fence needs exactly one NODE\n");
			return 2;
		}
		if (load(path, node, &cfg) < 0)
			return 1;
		return fence_cmd(&cfg, argv[optind], yes, dry);
	}
	if (optind != argc) {
		fprintf(stderr, "headguard: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(path, node);
	if (!strcmp(cmd, "check"))
		return cmd_check(path, node);
	if (!strcmp(cmd, "status") || !strcmp(cmd, "switchover") || !strcmp(cmd, "standby") ||
	    !strcmp(cmd, "unstandby") || !strcmp(cmd, "events"))
		return cmd_client(cmd, path, node, sock, json);
	fprintf(stderr, "headguard: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
