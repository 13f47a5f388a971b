/*
 * jobs.h - everything that may block (fence programs, service scripts, hooks)
 * runs as a child process, never on the heartbeat loop (STYLE.md habit 3).
 *
 * The loop owns SIGCHLD (through its signalfd) and calls jobs_reap() when it
 * fires, and jobs_expire() every turn. Each job runs in its own process
 * group, so a timeout kills the script and everything it started.
 * Errors: 0 / -errno.
 */
#ifndef HG_JOBS_H
#define HG_JOBS_H

#include <stdint.h>
#include <sys/types.h>

#define JOBS_MAX 32

/* status: the exit code (0..255), 128+N if killed by signal N,
 * JOB_TIMEOUT if it overran its timeout, or -errno if it never started. */
#define JOB_TIMEOUT 1000
/* out: with JOB_CAPTURE, what the job wrote (its last JOB_OUT_MAX - 1
 * bytes), NUL-terminated; NULL without. Valid during the call only. */
typedef void (*job_done_fn)(void *arg, int status, const char *out);

#define JOB_CAPTURE 1   /* stdout and stderr logged and passed to done; else /dev/null */
#define JOB_OUT_MAX 4096

struct job {
	pid_t pid;             /* 0 = free slot */
	int out;               /* read end of the output pipe, -1 none */
	char name[32];         /* program, for the log */
	int64_t deadline;
	int timed_out;
	job_done_fn done;
	void *arg;
};

struct jobs {
	struct job job[JOBS_MAX];
};

/* argv[0] must be an absolute path. stdin_data may be NULL (stdin is
 * /dev/null) and must be shorter than the pipe buffer. env: extra
 * "KEY=value" strings, NULL-terminated, or NULL. flags: JOB_CAPTURE for
 * programs that exit (fence agents): their output is logged and handed to
 * done (a fence level reads the agent's "Status: OFF" in it).
 * Never capture what may leave a daemon behind (service start commands): a
 * daemon holding our pipe would die of SIGPIPE once we close it. */
int jobs_spawn(struct jobs *j, char *const argv[], const char *stdin_data,
	       char *const env[], unsigned timeout_ms, int64_t now,
	       unsigned flags, job_done_fn done, void *arg);
void jobs_reap(struct jobs *j);                /* after SIGCHLD */
void jobs_expire(struct jobs *j, int64_t now); /* kill overdue jobs */
int64_t jobs_next_deadline(const struct jobs *j); /* INT64_MAX if none */
int jobs_running(const struct jobs *j);
void jobs_kill_all(struct jobs *j);

#endif
