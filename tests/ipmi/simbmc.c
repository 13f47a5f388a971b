/*
 * simbmc.c - the simulated BMC of tests/ipmi (simbmc.h).
 */
#include "simbmc.h"
#include "agent/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static unsigned port;
static pid_t sim_pid;

double
simbmc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

unsigned simbmc_port(void) { return port; }
const char *simbmc_dir(void) { return dir; }
pid_t simbmc_pid(void) { return sim_pid; }

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
simbmc_stop(void)
{
	if (sim_pid > 0) {
		kill(-sim_pid, SIGKILL);	/* ipmi_sim and the host it started */
		waitpid(sim_pid, NULL, 0);
		sim_pid = 0;
	}
	if (dir[0]) {
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		dir[0] = '\0';
	}
}

static void
on_signal(int sig)
{
	simbmc_stop();
	_exit(128 + sig);
}

/* UDP PORT, TCP PORT+1 (serial) and TCP PORT+2 (console) all free. */
static int
ports_free(unsigned p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int types[3] = { SOCK_DGRAM, SOCK_STREAM, SOCK_STREAM }, ok = 1, i, fd;

	for (i = 0; i < 3 && ok; i++) {
		a.sin_port = htons((uint16_t)(p + i));
		if ((fd = socket(AF_INET, types[i], 0)) < 0)
			return 0;
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
	}
	return ok;
}

pid_t
simbmc_host_pid(void)
{
	char path[128];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/host.pid", dir);
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* sim/bmc/mkconf DIR 127.0.0.1 PORT USER PASS STARTCMD, without a shell. */
static int
mkconf(const char *startcmd)
{
	char script[512], portstr[16], console[16];
	pid_t pid;
	int st;

	snprintf(script, sizeof(script), "%s/sim/bmc/mkconf", HG_SOURCE_DIR);
	snprintf(portstr, sizeof(portstr), "%u", port);
	snprintf(console, sizeof(console), "%u", port + 2);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		setenv("HG_BMC_OPERATOR", SIM_OPUSER ":" SIM_OPPASS, 1);
		setenv("HG_BMC_CONSOLE_PORT", console, 1);
		setenv("HG_BMC_MODULE", HG_BMC_MODULE, 1);
		execl(script, script, dir, "127.0.0.1", portstr, SIM_USER, SIM_PASS, startcmd,
		    (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

int
simbmc_start(void)
{
	char startcmd[256], conf[128], emu[128], state[128], log[128];
	int fd;

	if (access("/usr/bin/ipmi_sim", X_OK) != 0) {
		fprintf(stderr, "ipmi_sim not installed (apt-get install openipmi)\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/hg-bmc-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		dir[0] = '\0';
		return -1;
	}
	atexit(simbmc_stop);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	for (port = 16230 + (unsigned)getpid() % 1000 * 3; !ports_free(port); port += 3)
		if (port > 19300)
			return -1;
	/* The host: a sleep that records its pid and dies with ipmi_sim. */
	snprintf(startcmd, sizeof(startcmd),
	    "sh -c 'echo $$ > %s/host.pid; exec setpriv --pdeathsig KILL sleep 1000000'", dir);
	if (mkconf(startcmd) < 0)
		return -1;
	snprintf(conf, sizeof(conf), "%s/lan.conf", dir);
	snprintf(emu, sizeof(emu), "%s/emu.cmds", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(log, sizeof(log), "%s/sim.log", dir);

	if ((sim_pid = fork()) < 0)
		return -1;
	if (sim_pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("ipmi_sim", "ipmi_sim", "-c", conf, "-f", emu, "-s", state, "-n",
		    (char *)NULL);
		_exit(127);
	}
	setpgid(sim_pid, sim_pid);
	printf("ipmi_sim pid %d on 127.0.0.1:%u, dir %s\n", (int)sim_pid, port, dir);
	return 0;
}

struct bmc_target
simbmc_target(const char *user, const char *pass, int cipher, int priv)
{
	struct bmc_target t = {
		.host = "127.0.0.1", .port = (uint16_t)port, .user = user,
		.password = pass, .cipher_suite = cipher, .privilege = priv,
		.timeout_ms = 1000,
	};
	return t;
}

int
simbmc_open(struct bmc_session **s)
{
	struct bmc_target t = simbmc_target(SIM_USER, SIM_PASS, 3, BMC_PRIV_ADMIN);
	double t0 = simbmc_now_ms();
	int rc;

	while ((rc = bmc_open(&t, s)) < 0 && simbmc_now_ms() - t0 < 8000)
		usleep(100000);
	return rc;
}

int
simbmc_run(char *const argv[], char *out, size_t len)
{
	int p[2], st, fd;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		close(p[0]);
		setenv("IPMI_PASSWORD", SIM_PASS, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (out && n + 1 < len && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	if (out)
		out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
simbmc_sensor(const char *name, const char *value)
{
	char script[512], console[32];
	char *argv[] = { script, "set", "--console", console, (char *)name, (char *)value, NULL };
	char out[512];

	snprintf(script, sizeof(script), "%s/sim/bmc/sensor", HG_SOURCE_DIR);
	snprintf(console, sizeof(console), "127.0.0.1:%u", port + 2);
	return simbmc_run(argv, out, sizeof(out));
}

void
simbmc_cfg(struct hg_cfg_bmc *cfg, unsigned port, const char *pwfile, unsigned timeout_ms)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->present = 1;
	snprintf(cfg->addr, sizeof(cfg->addr), "127.0.0.1");
	cfg->port = (uint16_t)port;
	snprintf(cfg->user, sizeof(cfg->user), "%s", SIM_USER);
	snprintf(cfg->password_file, sizeof(cfg->password_file), "%s", pwfile);
	cfg->cipher = 3;
	cfg->privilege = BMC_PRIV_ADMIN;
	cfg->timeout_ms = timeout_ms;
}
