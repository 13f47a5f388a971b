/*
 * test_bmc - ipmi/bmc.h sessions and power, and hg-fence-ipmi, against a
 * real ipmi_sim (tests/ipmi/simbmc.h) whose host is a `sleep`.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ipmi/bmc.h"
#include "simbmc.h"

#define USER	SIM_USER
#define PASS	SIM_PASS
#define OPUSER	SIM_OPUSER
#define OPPASS	SIM_OPPASS
#define BADPASS	"Wrong-Pass-9f3"

#define now_ms		simbmc_now_ms
#define host_pid	simbmc_host_pid
#define target		simbmc_target
/* Poll the power state until it is `want`; returns ms waited or -1. */
static double
wait_power(struct bmc_session *s, int want, double limit_ms)
{
	double t0 = now_ms();
	int on;

	while (now_ms() - t0 < limit_ms) {
		if (bmc_power_get(s, &on) == 0 && on == want)
			return now_ms() - t0;
		usleep(20000);
	}
	return -1;
}

/* text has exactly this line */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Run hg-fence-ipmi with `input` on stdin; its stdout and stderr into err. */
static int
run_fence(const char *input, char *err, size_t errlen, double *ms)
{
	int in[2], out[2], st;
	size_t n = 0;
	ssize_t r;
	double t0 = now_ms();
	pid_t pid;

	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execl(HG_FENCE_PATH, "hg-fence-ipmi", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], input, strlen(input)) < 0)
		perror("write");
	close(in[1]);
	while (n + 1 < errlen && (r = read(out[0], err + n, errlen - 1 - n)) > 0)
		n += (size_t)r;
	err[n] = '\0';
	close(out[0]);
	waitpid(pid, &st, 0);
	if (ms)
		*ms = now_ms() - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
fence(const char *action, const char *pass, const char *extra, char *err, size_t len,
    double *ms)
{
	char input[512];

	snprintf(input, sizeof(input),
	    "# written by test_bmc\nip=127.0.0.1\nipport=%u\nusername=" USER "\n"
	    "password=%s\ncipher=3\nlanplus=1\npower_timeout=10\n%s\naction=%s\n",
	    simbmc_port(), pass, extra, action);
	return run_fence(input, err, len, ms);
}

static void
test_library(void)
{
	struct bmc_target t = target(USER, PASS, 3, BMC_PRIV_ADMIN);
	struct bmc_session *s = NULL, *s2 = NULL;
	double t0, ms, best = 1e9;
	pid_t host;
	int on = -1, i, rc;

	/* Right credentials (the simulator may still be starting). */
	t0 = now_ms();
	while ((rc = bmc_open(&t, &s)) < 0 && now_ms() - t0 < 8000)
		usleep(100000);
	CHECK_EQ(rc, 0);
	if (rc < 0)
		return;

	t = target(USER, BADPASS, 3, BMC_PRIV_ADMIN);
	CHECK_EQ(bmc_open(&t, &s2), -EACCES);
	CHECK(s2 == NULL);
	t = target("nosuchuser", PASS, 3, BMC_PRIV_ADMIN);
	CHECK_EQ(bmc_open(&t, &s2), -EACCES);
	t = target(USER, PASS, 0, BMC_PRIV_ADMIN);
	CHECK_EQ(bmc_open(&t, &s2), -EPERM);
	/* no integrity (1, 6, 15) or no encryption (2, 7, 11, 16): refused like 0 */
	static const int weak[] = { 1, 2, 6, 7, 11, 15, 16 };
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		t = target(USER, PASS, weak[i], BMC_PRIV_ADMIN);
		CHECK_EQ(bmc_open(&t, &s2), -EPERM);
	}
	CHECK(s2 == NULL);
	t = target(USER, PASS, 17, BMC_PRIV_ADMIN);
	rc = bmc_open(&t, &s2);
	CHECK(rc < 0);	/* this simulator refuses suite 17 (DESIGN.md) */
	printf("cipher suite 17 on ipmi_sim: %d (%s)\n", rc, bmc_strerror(rc));
	t = target(USER, PASS, 3, 7);
	CHECK_EQ(bmc_open(&t, &s2), -EINVAL);
	CHECK_EQ(bmc_open(NULL, &s2), -EINVAL);
	CHECK(strstr(bmc_strerror(-EACCES), PASS) == NULL);

	/* An operator-level user at operator privilege reads power. */
	t = target(OPUSER, OPPASS, 3, BMC_PRIV_OPERATOR);
	CHECK_EQ(bmc_open(&t, &s2), 0);
	CHECK_EQ(bmc_power_get(s2, &on), 0);
	bmc_close(s2);
	s2 = NULL;
	/* A real BMC says -EPERM; ipmi_sim 2.0.33 grants it (docs/bmc-simulator.md). */
	t = target(OPUSER, OPPASS, 3, BMC_PRIV_ADMIN);
	rc = bmc_open(&t, &s2);
	printf("operator user asking for admin on ipmi_sim: %d (%s)\n", rc, bmc_strerror(rc));
	bmc_close(s2);
	s2 = NULL;

	on = -1;
	CHECK_EQ(bmc_power_get(s, &on), 0);
	CHECK_EQ(on, 1);
	for (i = 0; i < 20; i++) {
		t0 = now_ms();
		bmc_power_get(s, &on);
		ms = now_ms() - t0;
		best = ms < best ? ms : best;
	}
	t0 = now_ms();
	for (i = 0; i < 20; i++)
		bmc_power_get(s, &on);
	printf("bmc_power_get round trip: %.2f ms mean, %.2f ms best (20 each)\n",
	    (now_ms() - t0) / 20, best);

	host = host_pid();
	CHECK(host > 0 && kill(host, 0) == 0);
	t0 = now_ms();
	CHECK_EQ(bmc_power_off(s), 0);
	ms = wait_power(s, 0, 5000);
	CHECK(ms >= 0);
	printf("bmc_power_off -> reads off after %.0f ms (command %.1f ms before)\n",
	    ms, now_ms() - t0 - ms);
	CHECK_EQ(bmc_power_get(s, &on), 0);
	CHECK_EQ(on, 0);
	CHECK(host > 0 && kill(host, 0) < 0 && errno == ESRCH);

	CHECK_EQ(bmc_power_on(s), 0);
	ms = wait_power(s, 1, 5000);
	CHECK(ms >= 0);
	printf("bmc_power_on -> reads on after %.0f ms\n", ms);
	for (i = 0; i < 50 && (host_pid() == host || host_pid() <= 0); i++)
		usleep(20000);
	CHECK(host_pid() > 0 && host_pid() != host && kill(host_pid(), 0) == 0);

	bmc_close(s);
	bmc_close(NULL);
}

static void
test_fence(void)
{
	struct bmc_target t = target(USER, PASS, 3, BMC_PRIV_ADMIN);
	struct bmc_session *s = NULL;
	char err[4096];
	double ms;
	pid_t host = host_pid();
	int on = -1;

	CHECK_EQ(fence("status", PASS, "", err, sizeof(err), NULL), 0);
	CHECK(has_line(err, "Status: ON"));	/* fence-agents' answer (hole 6) */
	CHECK_EQ(fence("off", PASS, "", err, sizeof(err), &ms), 0);
	printf("hg-fence-ipmi action=off end to end: %.0f ms\n", ms);
	CHECK(strstr(err, PASS) == NULL);
	CHECK_EQ(bmc_open(&t, &s), 0);
	if (s) {
		CHECK_EQ(bmc_power_get(s, &on), 0);
		CHECK_EQ(on, 0);
	}
	CHECK(host > 0 && kill(host, 0) < 0);
	CHECK_EQ(fence("status", PASS, "", err, sizeof(err), NULL), 2);
	CHECK(has_line(err, "Status: OFF"));

	CHECK_EQ(fence("status", BADPASS, "", err, sizeof(err), NULL), 1);
	CHECK(strstr(err, BADPASS) == NULL);
	CHECK(err[0] != '\0');
	fprintf(stderr, "wrong password, stderr: %s", err);

	CHECK_EQ(fence("reboot", PASS, "", err, sizeof(err), NULL), 1);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_EQ(fence("off", PASS, "cipher=0", err, sizeof(err), NULL), 1);
	CHECK_EQ(fence("status", PASS, "cipher=1", err, sizeof(err), NULL), 1);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_EQ(fence("status", PASS, "cipher=2", err, sizeof(err), NULL), 1);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_EQ(fence("off", PASS, "lanplus=0", err, sizeof(err), NULL), 1);
	CHECK_EQ(fence("off", PASS, "method=cycle", err, sizeof(err), NULL), 1);
	CHECK_EQ(fence("monitor", PASS, "nodename=a\nplug=a", err, sizeof(err), NULL), 0);
	/* an unknown key is a warning; a stray line is not echoed */
	CHECK_EQ(fence("status", PASS, "frobnicate=1\nStray-Line-77", err, sizeof(err), NULL), 2);
	CHECK(strstr(err, "frobnicate") != NULL);
	CHECK(strstr(err, "Stray-Line-77") == NULL);
	CHECK(s && bmc_power_get(s, &on) == 0 && on == 0);	/* reboot did nothing */

	CHECK_EQ(fence("on", PASS, "privlvl=administrator", err, sizeof(err), &ms), 0);
	printf("hg-fence-ipmi action=on end to end: %.0f ms\n", ms);
	CHECK_EQ(fence("status", PASS, "", err, sizeof(err), NULL), 0);
	CHECK(s && bmc_power_get(s, &on) == 0 && on == 1);
	bmc_close(s);

	CHECK_EQ(fence("metadata", "", "", err, sizeof(err), NULL), 0);
	CHECK_EQ(run_fence("", err, sizeof(err), NULL), 1);	/* no action */
}

int
main(void)
{
	CHECK_EQ(simbmc_start(), 0);
	if (simbmc_pid() > 0) {
		test_library();
		test_fence();
		CHECK(waitpid(simbmc_pid(), NULL, WNOHANG) == 0);	/* still running */
	}
	simbmc_stop();
	return check_report();
}
