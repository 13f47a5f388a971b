/*
 * fence_cmd.c - `headguard fence [--dry-run] [--yes] NODE`: the operator's
 * fence, with the proof the agent asks for (docs/fencing.md). It runs in the
 * command's own process, never in the agent's loop:
 *
 *   --dry-run  readiness only: open a session to NODE's BMC with the
 *              configured credentials and cipher, read its power state; or,
 *              without a bmc = line, ask each fence level's agent for
 *              action=status. Changes nothing.
 *   (none)     asks for "yes" on the terminal unless --yes, then fences NODE
 *              through the agent's own level machine (fencing/fence.h: off,
 *              then status until "Status: OFF", pausing between tries) and
 *              the agent's own procedure for native IPMI (fencing/proof.h).
 *
 * Every program runs with its level's timeout and is killed at it (with
 * everything it started), and the whole command has a timeout: the sum of
 * the levels' timeouts plus FENCE_CMD_GRACE_MS. Refuses to fence the node it
 * runs on. Exit 0 only when the power was read back as off (or, for
 * --dry-run, when NODE can be fenced).
 */
#include "agent/config.h"
#include "agent/fence_cmd.h"
#include "fencing/fence.h"
#include "fencing/proof.h"
#include "ipmi/bmc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FENCE_CMD_GRACE_MS 5000   /* sessions to open, processes to start */
#define OUT_MAX 4096

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one fence-agents program at a time, with a deadline ---------------- */

struct job {
	pid_t pid;              /* 0: none; its own process group */
	int out;                /* its stdout and stderr */
	char buf[OUT_MAX];
	size_t len;
	int64_t deadline;
	int killed;
};

/* The job of the moment, for the overall timeout's alarm. */
static volatile pid_t running_pid;
static const char *alarm_target = "";

static int job_start(struct job *j, const char *agent, const char *input, unsigned timeout_ms)
{
	int in[2], out[2];

	memset(j, 0, sizeof(*j));
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		int e = -errno;
		close(in[0]);
		close(in[1]);
		return e;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl(agent, agent, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		int e = -errno;
		close(in[1]);
		close(out[0]);
		return e;
	}
	setpgid(pid, pid);
	/* Small, and the pipe is empty: this write cannot block. */
	if (write(in[1], input, strlen(input)) < 0) {
		/* the agent sees a short stdin and fails on its own */
	}
	close(in[1]);
	j->pid = pid;
	j->out = out[0];
	j->deadline = mono_ms() + timeout_ms;
	running_pid = pid;
	return 0;
}

/* Waits up to ms for the job; its status (exit code, 128 + signal, or
 * JOB_TIMEOUT-like 1000 when killed at its deadline) once it ended, -1 if
 * it still runs. */
static int job_wait(struct job *j, int ms)
{
	int64_t now = mono_ms();
	int st;

	if (now >= j->deadline && !j->killed) {
		kill(-j->pid, SIGKILL);
		j->killed = 1;
	}
	if (ms > j->deadline - now)
		ms = j->deadline - now > 0 ? (int)(j->deadline - now) : 0;
	struct pollfd pf = { .fd = j->out, .events = POLLIN };
	if (j->out >= 0 && poll(&pf, 1, ms) > 0) {
		if (j->len == sizeof(j->buf) - 1) {   /* keep the end: the answer comes last */
			memmove(j->buf, j->buf + sizeof(j->buf) / 2, j->len - sizeof(j->buf) / 2);
			j->len -= sizeof(j->buf) / 2;
		}
		ssize_t r = read(j->out, j->buf + j->len, sizeof(j->buf) - 1 - j->len);
		if (r > 0)
			j->len += (size_t)r;
		else {
			close(j->out);   /* EOF: the agent closed its output */
			j->out = -1;
		}
	} else if (j->out < 0 && ms > 0) {
		usleep(ms > 50 ? 50000 : (useconds_t)ms * 1000);
	}
	j->buf[j->len] = 0;
	if (waitpid(j->pid, &st, WNOHANG) != j->pid)
		return -1;
	kill(-j->pid, SIGKILL);   /* what it left behind */
	if (j->out >= 0)
		close(j->out);
	j->pid = 0;
	running_pid = 0;
	return j->killed ? 1000 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void on_alarm(int sig)
{
	static const char msg[] = " NOT fenced: the command's timeout passed\n";
	pid_t pid = running_pid;

	(void)sig;
	if (pid > 0)
		kill(-pid, SIGKILL);
	if (write(1, alarm_target, strlen(alarm_target)) < 0 || write(1, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* ---- the fence levels' callbacks --------------------------------------- */

struct run {
	const struct hg_cfg_bmc *bmc;
	struct job job;
	fence_done_fn done;     /* the answer due: the job's, or native's */
	void *arg;
	int native_status;      /* -1: a job answers; else native's, due now */
	int finished;
	enum fence_outcome outcome;
};

static int open_bmc(const struct hg_cfg_bmc *b, struct bmc_session **s)
{
	char pw[64];
	int rc = fence_read_secret(b->password_file, pw, sizeof(pw));

	if (rc < 0) {
		fprintf(stderr, "headguard: password file %s: %s\n", b->password_file, strerror(-rc));
		return rc;
	}
	struct bmc_target t = { .host = b->addr, .port = b->port, .user = b->user, .password = pw,
				.cipher_suite = b->cipher, .privilege = b->privilege,
				.timeout_ms = b->timeout_ms };
	rc = bmc_open(&t, s);
	memset(pw, 0, sizeof(pw));
	return rc;
}

static int spawn(void *ctx, char *const argv[], const char *in, unsigned timeout_ms,
		 fence_done_fn done, void *arg)
{
	struct run *r = ctx;
	int rc = job_start(&r->job, argv[0], in, timeout_ms);

	if (rc == 0) {
		r->done = done;
		r->arg = arg;
		r->native_status = -1;
	}
	return rc;
}

/* The agent's procedure, here in the command's process; its answer is
 * given from the loop, never from inside this call. */
/* The operator decided (since is FENCE_NO_SINCE): no check of the watchdog. */
static int native(void *ctx, unsigned timeout_ms, int64_t since, fence_done_fn done, void *arg)
{
	(void)since;
	const struct fence_timing t = { .timeout_ms = timeout_ms, .poll_ms = 50 };
	struct run *r = ctx;
	struct bmc_session *s;
	struct fence_proof p;
	char text[200];
	int rc;

	if (!r->bmc->present)
		return -ENOENT;
	if ((rc = open_bmc(r->bmc, &s)) < 0) {
		printf("native IPMI: session to %s: %s\n", r->bmc->addr, bmc_strerror(rc));
	} else {
		rc = fence_power_off_confirm(s, &t, &p);
		bmc_close(s);
		fence_proof_text(&p, bmc_strerror, text, sizeof(text));
		printf("native IPMI: %s\n", text);
	}
	r->done = done;
	r->arg = arg;
	r->native_status = rc == 0 ? 2 : 1;
	return 0;
}

static int64_t now(void *ctx) { (void)ctx; return mono_ms(); }
static void audit(void *ctx, const char *line) { (void)ctx; printf("  %s\n", line); fflush(stdout); }

static void result(void *ctx, uint64_t gen, enum fence_outcome o)
{
	struct run *r = ctx;

	(void)gen;
	r->finished = 1;
	r->outcome = o;
}

static int fence_levels(const struct hg_cfg_node *n, unsigned total_ms)
{
	static struct fence f;
	static struct run r;
	struct fence_level lv[FENCE_MAX_LEVELS];
	const struct fence_ops ops = { .spawn = spawn, .native = native, .now = now,
				       .audit = audit, .result = result, .ctx = &r };
	int64_t end = mono_ms() + total_ms;

	memset(&r, 0, sizeof(r));
	r.bmc = &n->bmc;
	r.native_status = -1;
	for (int i = 0; i < n->n_levels; i++)
		lv[i] = (struct fence_level){ n->level[i].native, n->level[i].agent, n->level[i].args,
					      n->level[i].password_file, n->level[i].timeout_ms };
	fence_init(&f, &ops, lv, n->n_levels);
	fence_start(&f, 1, FENCE_NO_SINCE);
	while (!r.finished) {
		int64_t t = mono_ms();
		if (t >= end) {
			if (r.job.pid)
				kill(-r.job.pid, SIGKILL);
			printf("%s NOT fenced: timed out after %u ms (the levels' timeouts plus %d ms)\n",
			       n->name, total_ms, FENCE_CMD_GRACE_MS);
			return 1;
		}
		if (r.done && r.native_status >= 0) {
			fence_done_fn done = r.done;
			r.done = NULL;
			done(r.arg, r.native_status, NULL);
		} else if (r.job.pid) {
			int st = job_wait(&r.job, 100);
			if (st >= 0 && r.done) {
				fence_done_fn done = r.done;
				r.done = NULL;
				done(r.arg, st, r.job.buf);
			}
		} else {
			int64_t at = fence_next_wakeup(&f);
			int64_t ms = at == INT64_MAX ? 100 : at - t;
			if (ms > 0)
				usleep((useconds_t)(ms > 100 ? 100 : ms) * 1000);
			fence_tick(&f, mono_ms());
		}
	}
	if (r.outcome == FENCE_CONFIRMED) {
		printf("%s fenced: power read back as off (level %d)\n", n->name, f.lvl + 1);
		return 0;
	}
	printf("%s NOT fenced: no level read its power back as off\n", n->name);
	return 1;
}

/* One action=status, synchronously, within timeout_ms: its status. */
static int agent_status(const struct hg_cfg_fence_level *l, unsigned timeout_ms, char *out,
			size_t len)
{
	char input[2048];
	struct job j;
	int st, rc = fence_agent_input("status", l->args, l->password_file, input, sizeof(input));

	out[0] = 0;
	if (rc >= 0)
		rc = job_start(&j, l->agent, input, timeout_ms);
	memset(input, 0, sizeof(input));
	if (rc < 0)
		return 1;
	while ((st = job_wait(&j, 100)) < 0)
		;
	snprintf(out, len, "%s", j.buf);
	return st;
}

static int dry_run(const struct hg_cfg_node *n)
{
	int ready = 0;

	if (n->bmc.present) {
		struct bmc_session *s;
		int on = -1, rc = open_bmc(&n->bmc, &s);
		if (rc == 0) {
			rc = bmc_power_get(s, &on);
			bmc_close(s);
		}
		if (rc == 0) {
			printf("%s: BMC %s answers (user %s, cipher %d): session opens, power is %s\n",
			       n->name, n->bmc.addr, n->bmc.user, n->bmc.cipher, on ? "on" : "off");
			ready = 1;
		} else {
			printf("%s: BMC %s: %s\n", n->name, n->bmc.addr, bmc_strerror(rc));
		}
	}
	for (int i = 0; i < n->n_levels; i++) {
		const struct hg_cfg_fence_level *l = &n->level[i];
		if (l->native) {
			printf("level %d: native IPMI on the BMC above: %s\n", i + 1,
			       ready ? "ready" : "NOT ready");
			continue;
		}
		char out[OUT_MAX];
		int st = agent_status(l, l->timeout_ms, out, sizeof(out));
		int off = st == 2 && fence_status_off(out);
		printf("level %d: %s action=status: %s %d (%s)\n", i + 1, l->agent,
		       st == 1000 ? "killed at its timeout," : "exit", st,
		       st == 0 ? "on: ready" : off ? "off: ready" : "NOT ready");
		ready |= st == 0 || off;
	}
	printf("%s %s be fenced\n", n->name, ready ? "can" : "can NOT");
	return ready ? 0 : 1;
}

int fence_cmd(const struct hg_config *cfg, const char *target, int yes, int dry)
{
	const struct hg_cfg_node *n = NULL;
	unsigned total = FENCE_CMD_GRACE_MS;

	for (int i = 0; i < 2; i++)
		if (!strcmp(cfg->node[i].name, target))
			n = &cfg->node[i];
	if (!n) {
		fprintf(stderr, "headguard: no node %s in the configuration\n", target);
		return 2;
	}
	if (n == &cfg->node[cfg->self] && !dry) {
		fprintf(stderr, "headguard: refusing to fence %s, the node this runs on; "
			"run it on the other node\n", target);
		return 2;
	}
	if (!dry && !yes) {
		char answer[16] = "";
		printf("Power off %s through its fence levels? Type yes: ", target);
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) || strcmp(answer, "yes\n") != 0) {
			printf("not fenced\n");
			return 1;
		}
	}
	/* The overall timeout: every level to its end, plus the grace; a
	 * session that will not open cannot hold the command past it either
	 * (the alarm). Counted after the operator's answer. */
	for (int i = 0; i < n->n_levels; i++)
		total += n->level[i].timeout_ms;
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm_target = n->name;
	signal(SIGALRM, on_alarm);
	alarm(total / 1000 + 2);
	int rc = dry ? dry_run(n) : fence_levels(n, total);
	alarm(0);
	return rc;
}
