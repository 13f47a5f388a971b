/*
 * test_fence_cmd.c - `headguard fence` (agent/fence_cmd.c) end to end, as
 * the operator runs it, against fence-agents-compatible scripts in a temp
 * dir (no BMC, no root):
 *
 *   - an agent that never answers: the command ends, within its overall
 *     timeout, with "NOT fenced" and exit 1 (issue 10, hole 12c: it used to
 *     wait for ever);
 *   - an agent whose status says "Status: OFF": fenced, exit 0;
 *   - an agent whose status exits 2 without saying so: NOT fenced (hole 6);
 *   - --dry-run with a hanging agent: ends too.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LEVEL_MS	1000
#define HARD_KILL_S	30	/* the test's own limit: a hang is a failure, not a stuck ctest */

static char dir[64];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void put(const char *name, const char *text, mode_t mode)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* A config whose node b is fenced by agent `agent` (a script in dir). */
static void config(const char *agent)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[lan pub]\n[node a]\nid = 1\nlink = pub e0 192.0.2.11\nfence = %s/%s plug=a timeout_ms=%d\n"
		 "[node b]\nid = 2\nlink = pub e0 192.0.2.12\nfence = %s/%s plug=b timeout_ms=%d\n"
		 "[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n",
		 dir, agent, LEVEL_MS, dir, agent, LEVEL_MS);
	put("hg.conf", text, 0600);
}

/* headguard fence ARGS... b, as node a: exit code, output in out, time. */
static int run(const char *mode, char *out, size_t len, double *ms)
{
	char conf[128];
	int pfd[2];
	size_t n = 0;
	ssize_t r;

	snprintf(conf, sizeof(conf), "%s/hg.conf", dir);
	CHECK(pipe(pfd) == 0);
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		setpgid(0, 0);
		alarm(HARD_KILL_S);
		execl(HG_HEADGUARD, "headguard", "fence", "-c", conf, "-n", "a", mode, "b",
		      (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* the test's limit: kill the command (and what it started) after it */
	while (n + 1 < len) {
		fd_set rs;
		struct timeval tv = { .tv_sec = 1 };
		FD_ZERO(&rs);
		FD_SET(pfd[0], &rs);
		if (now_ms() - t0 > HARD_KILL_S * 1000.0) {
			kill(-pid, SIGKILL);
			break;
		}
		if (select(pfd[0] + 1, &rs, NULL, NULL, &tv) <= 0)
			continue;
		if ((r = read(pfd[0], out + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = 0;
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	*ms = now_ms() - t0;
	kill(-pid, SIGKILL);   /* a hanging agent left behind */
	printf("headguard fence %s b: %s after %.0f ms:\n%s\n", mode,
	       WIFEXITED(st) ? "exit" : "killed", *ms, out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	char out[8192];
	double ms;

	snprintf(dir, sizeof(dir), "/tmp/hg-fence-cmd-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);

	/* never answers, whatever it is asked */
	put("hang", "#!/bin/sh\nexec sleep 1000\n", 0755);
	config("hang");
	CHECK_EQ(run("--yes", out, sizeof(out), &ms), 1);
	CHECK(strstr(out, "NOT fenced") != NULL);
	CHECK(ms < LEVEL_MS + 5000);   /* its level's timeout, plus the grace */
	CHECK_EQ(run("--dry-run", out, sizeof(out), &ms), 1);
	CHECK(ms < LEVEL_MS + 5000);

	/* off, then a status that says so */
	put("pdu", "#!/bin/sh\nwhile read -r l; do case $l in action=*) a=${l#action=};; esac; done\n"
		   "case $a in off) echo 'outlet off' >&2; exit 0;; status) echo 'Status: OFF'; exit 2;; esac\n"
		   "exit 1\n", 0755);
	config("pdu");
	CHECK_EQ(run("--yes", out, sizeof(out), &ms), 0);
	CHECK(strstr(out, "b fenced") != NULL);

	/* exit 2 alone (a syntax error) is not an answer */
	put("broken", "#!/bin/sh\ncase in\n", 0755);
	config("broken");
	CHECK_EQ(run("--yes", out, sizeof(out), &ms), 1);
	CHECK(strstr(out, "NOT fenced") != NULL);

	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_report();
}
