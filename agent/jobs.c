/*
 * jobs.c - see jobs.h.
 */
#include "agent/jobs.h"
#include "agent/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int build_env(char *const extra[], char ***out)
{
	size_t n = 0, m = 0;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	char **env = calloc(n + m + 1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	memcpy(env, environ, n * sizeof(*env));
	if (m)
		memcpy(env + n, extra, m * sizeof(*env));
	*out = env;
	return 0;
}

int jobs_spawn(struct jobs *j, char *const argv[], const char *stdin_data,
	       char *const env[], unsigned timeout_ms, int64_t now,
	       unsigned flags, job_done_fn done, void *arg)
{
	int ofd[2] = { -1, -1 };
	struct job *slot = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	int pfd[2] = { -1, -1 }, rc;
	char **envp = NULL;
	pid_t pid;

	for (int i = 0; i < JOBS_MAX && !slot; i++)
		if (!j->job[i].pid)
			slot = &j->job[i];
	if (!slot)
		return -EAGAIN;
	if ((rc = build_env(env, &envp)) < 0)
		return rc;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(envp);
		return -errno;
	}

	if ((flags & JOB_CAPTURE) && pipe2(ofd, O_CLOEXEC | O_NONBLOCK) < 0)
		ofd[0] = ofd[1] = -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
	if (ofd[1] >= 0) {
		posix_spawn_file_actions_adddup2(&fa, ofd[1], 1);
		posix_spawn_file_actions_adddup2(&fa, ofd[1], 2);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&dflt);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					 POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(envp);
	close(pfd[0]);
	if (ofd[1] >= 0)
		close(ofd[1]);
	if (rc) {
		close(pfd[1]);
		if (ofd[0] >= 0)
			close(ofd[0]);
		return -rc;
	}
	if (stdin_data) {
		/* Small and the pipe is empty: this write cannot block. */
		size_t len = strlen(stdin_data);
		if (write(pfd[1], stdin_data, len) != (ssize_t)len) {
			/* the child sees a short stdin and fails on its own */
		}
	}
	close(pfd[1]);

	slot->pid = pid;
	slot->out = ofd[0];
	const char *base = strrchr(argv[0], '/');
	snprintf(slot->name, sizeof(slot->name), "%s", base ? base + 1 : argv[0]);
	slot->deadline = now + timeout_ms;
	slot->timed_out = 0;
	slot->done = done;
	slot->arg = arg;
	return 0;
}

/* The whole pipe, keeping its last len - 1 bytes (an agent's answer comes
 * last); the length kept. */
static size_t read_output(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		if (n == len - 1) {   /* full: keep the second half */
			memmove(buf, buf + len / 2, n - len / 2);
			n -= len / 2;
		}
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

static void log_output(const char *name, const char *text)
{
	char line[1024];
	size_t i;

	for (i = 0; text[i] && i < sizeof(line) - 1; i++)
		line[i] = text[i] == '\n' ? ' ' : text[i];
	line[i] = 0;
	log_info("%s said: %s", name, line);
}

void jobs_reap(struct jobs *j)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < JOBS_MAX; i++) {
			struct job *jb = &j->job[i];
			if (jb->pid != pid)
				continue;
			char text[JOB_OUT_MAX];
			int have = jb->out >= 0 && read_output(jb->out, text, sizeof(text)) > 0;
			if (jb->out >= 0)
				close(jb->out);
			if (have)
				log_output(jb->name, text);
			int status = jb->timed_out ? JOB_TIMEOUT :
				     WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			job_done_fn done = jb->done;
			void *arg = jb->arg;
			memset(jb, 0, sizeof(*jb));
			done(arg, status, have ? text : NULL);   /* may spawn again into this slot */
			break;
		}
	}
}

void jobs_expire(struct jobs *j, int64_t now)
{
	for (int i = 0; i < JOBS_MAX; i++) {
		struct job *jb = &j->job[i];
		if (jb->pid && !jb->timed_out && now >= jb->deadline) {
			jb->timed_out = 1;
			kill(-jb->pid, SIGKILL);
		}
	}
}

int64_t jobs_next_deadline(const struct jobs *j)
{
	int64_t t = INT64_MAX;

	for (int i = 0; i < JOBS_MAX; i++)
		if (j->job[i].pid && !j->job[i].timed_out && j->job[i].deadline < t)
			t = j->job[i].deadline;
	return t;
}

int jobs_running(const struct jobs *j)
{
	int n = 0;

	for (int i = 0; i < JOBS_MAX; i++)
		n += j->job[i].pid != 0;
	return n;
}

void jobs_kill_all(struct jobs *j)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (j->job[i].pid)
			kill(-j->job[i].pid, SIGKILL);
}
