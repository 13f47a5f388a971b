/*
 * fence_cmd.c - `headguard fence [--dry-run] [--yes] NODE`: the operator's
 * fence, with the proof the agent asks for (docs/fencing.md). It runs in the
 * command's own process, never in the agent's loop:
 *
 *   --dry-run  readiness only: open a session to NODE's BMC with the
 *              configured credentials and cipher, read its power state; or,
 *              without a bmc = line, ask each fence level's agent for
 *              action=status. Changes nothing.
 *   (none)     asks for "yes" on the terminal unless --yes, then powers NODE
 *              off and reads the power back until it is off, through the
 *              same levels the agent uses (native IPMI, then programs).
 *
 * Refuses to fence the node it runs on. Exit 0 only when the power was read
 * back as off (or, for --dry-run, when NODE can be fenced).
 */
#include "agent/config.h"
#include "agent/fence_cmd.h"
#include "fencing/fence.h"
#include "fencing/proof.h"
#include "ipmi/bmc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* One external fence-agents program, synchronously: its exit code, and
 * the end of what it wrote in out. */
static int run_agent(const struct hg_cfg_fence_level *l, const char *action,
		     char *out, size_t outlen)
{
	char input[2048];
	int pfd[2], ofd[2];
	size_t got = 0;
	int n = fence_agent_input(action, l->args, l->password_file, input, sizeof(input));

	out[0] = 0;
	if (n < 0 || pipe(pfd) < 0) {
		memset(input, 0, sizeof(input));
		return 1;
	}
	if (pipe(ofd) < 0) {
		memset(input, 0, sizeof(input));
		close(pfd[0]);
		close(pfd[1]);
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[0], 0);
		dup2(ofd[1], 1);
		dup2(ofd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		close(ofd[0]);
		close(ofd[1]);
		execl(l->agent, l->agent, (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	close(ofd[1]);
	if (write(pfd[1], input, (size_t)n) != n) {
		/* the agent sees a short stdin and fails */
	}
	memset(input, 0, sizeof(input));
	close(pfd[1]);
	for (;;) {
		if (got == outlen - 1) {   /* keep the end: the answer comes last */
			memmove(out, out + outlen / 2, got - outlen / 2);
			got -= outlen / 2;
		}
		ssize_t r = read(ofd[0], out + got, outlen - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = 0;
	close(ofd[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int native_off(const struct hg_cfg_bmc *b, unsigned timeout_ms)
{
	const struct fence_timing t = { .timeout_ms = timeout_ms, .poll_ms = 50 };
	struct bmc_session *s;
	struct fence_proof p;
	char text[200];
	int rc = open_bmc(b, &s);

	if (rc < 0) {
		printf("native IPMI: session to %s: %s\n", b->addr, bmc_strerror(rc));
		return -1;
	}
	rc = fence_power_off_confirm(s, &t, &p);
	bmc_close(s);
	fence_proof_text(&p, bmc_strerror, text, sizeof(text));
	printf("native IPMI: %s\n", text);
	return rc < 0 ? -1 : 0;
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
		char out[2048];
		int st = run_agent(l, "status", out, sizeof(out));
		int off = st == 2 && fence_status_off(out);
		printf("level %d: %s action=status: exit %d (%s)\n", i + 1, l->agent, st,
		       st == 0 ? "on: ready" : off ? "off: ready" : "NOT ready");
		ready |= st == 0 || off;
	}
	printf("%s %s be fenced\n", n->name, ready ? "can" : "can NOT");
	return ready ? 0 : 1;
}

int fence_cmd(const struct hg_config *cfg, const char *target, int yes, int dry)
{
	const struct hg_cfg_node *n = NULL;

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
	if (dry)
		return dry_run(n);
	if (!yes) {
		char answer[16] = "";
		printf("Power off %s through its fence levels? Type yes: ", target);
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) || strcmp(answer, "yes\n") != 0) {
			printf("not fenced\n");
			return 1;
		}
	}
	for (int i = 0; i < n->n_levels; i++) {
		const struct hg_cfg_fence_level *l = &n->level[i];
		if (l->native) {
			if (native_off(&n->bmc, l->timeout_ms) == 0) {
				printf("%s fenced: power read back as off (level %d)\n", target, i + 1);
				return 0;
			}
			continue;
		}
		char out[2048];
		int st = run_agent(l, "off", out, sizeof(out));
		printf("level %d: %s action=off: exit %d\n", i + 1, l->agent, st);
		/* only the agent's own answer is a proof, never exit 2 alone */
		if (run_agent(l, "status", out, sizeof(out)) == 2 && fence_status_off(out)) {
			printf("%s fenced: power read back as off (level %d)\n", target, i + 1);
			return 0;
		}
	}
	printf("%s NOT fenced: no level read its power back as off\n", target);
	return 1;
}
