/*
 * fence.h - fence levels over external fence-agents-compatible programs.
 *
 * One fence request (a generation) tries the levels in order. A level runs
 * the agent with "action=off", then "action=status" until the agent answers
 * off or the level's timeout passes (docs/fencing.md). Only a status read
 * back as off confirms: its output says "Status: OFF" (fence-agents) and it
 * exits 2. Exit 0 of "off" never confirms, and neither does exit 2 alone:
 * a shell syntax error, a missing interpreter or a grep error exit 2 too
 * (DESIGN.md rule 2). The first confirming level ends the request with
 * FENCE_CONFIRMED; when every level fails it ends with FENCE_FAILED.
 *
 * Programs run through the caller's runner (the agent's job runner), so
 * nothing here blocks. Passwords are read from their file at fence time and
 * only ever written to the agent's stdin. Errors: 0 / -errno.
 */
#ifndef HG_FENCE_H
#define HG_FENCE_H

#include <stddef.h>
#include <stdint.h>

#define FENCE_MAX_LEVELS 4
/* Pause between two action=status runs of a level that still reads on:
 * each run is a process and a new session on the BMC or PDU. */
#define FENCE_STATUS_PAUSE_MS 500

/* REFUSED: the native level read the peer alive and powered nothing off;
 * the later levels are not tried (a PDU would cut a healthy node). */
enum fence_outcome { FENCE_CONFIRMED, FENCE_FAILED, FENCE_UNKNOWN, FENCE_REFUSED };
/* fence_start's since when no silence is to be checked (the operator's fence) */
#define FENCE_NO_SINCE INT64_MIN

struct fence_level {
	int native;                 /* 1: native IPMI through ops.native, agent unused */
	const char *agent;          /* absolute path */
	const char *args;           /* key=value lines, '\n'-separated, no secrets */
	const char *password_file;  /* "" or NULL: none */
	unsigned timeout_ms;
};

/* status: exit code, or >= 128 / negative on signal, timeout, failure.
 * out: what the program wrote on stdout and stderr (the end of it if long),
 * NUL-terminated, or NULL if nothing was captured. */
typedef void (*fence_done_fn)(void *arg, int status, const char *out);

struct fence_ops {
	/* Start argv with stdin; later call done(arg, status, out) exactly once. */
	int (*spawn)(void *ctx, char *const argv[], const char *stdin_data,
		     unsigned timeout_ms, fence_done_fn done, void *arg);
	/* Native IPMI (docs/fencing.md): power off and read back until off or
	 * timeout_ms, in the agent's BMC worker; done(arg, 2, NULL) when read
	 * back as off, done(arg, 1, NULL) otherwise. With since (not
	 * FENCE_NO_SINCE) it first reads the watchdog in the same session and,
	 * if the peer reset it after since, powers nothing off: done(arg, 3,
	 * NULL); if that read was lost, nothing either: done(arg, 4, NULL),
	 * FAILED without the later levels. NULL: native levels fail. */
	int (*native)(void *ctx, unsigned timeout_ms, int64_t since, fence_done_fn done, void *arg);
	int64_t (*now)(void *ctx);
	void (*audit)(void *ctx, const char *line);    /* one line per step */
	void (*result)(void *ctx, uint64_t gen, enum fence_outcome o);
	void *ctx;
};

struct fence;
struct fence_cb { struct fence *f; uint64_t gen; int lvl, step; };

struct fence {
	struct fence_ops ops;
	int n_levels;
	struct fence_level level[FENCE_MAX_LEVELS];
	/* the running request */
	uint64_t gen;
	int64_t since;              /* the silence the request answers, for the native check */
	int busy, lvl, step;        /* step: 0 off, >0 status polls */
	int64_t resume_at;          /* >0: the next status runs then (fence_tick) */
	int64_t level_started, req_started;
	/* answers in flight, keyed so late answers of abandoned steps are dropped */
	struct fence_cb cbs[8];
	unsigned cb_next;
};

/* Reads a password file: its first line, NUL-terminated, without the line
 * end. 0 or -errno. The caller wipes buf after use. */
int fence_read_secret(const char *path, char *buf, size_t len);

/* The stdin of a fence-agents program: "action=ACTION\nARGS\n" and, if
 * password_file is set, "password=...\n" read from it. Its length, or
 * -errno (-ENOSPC if it does not fit). The caller wipes buf after use. */
int fence_agent_input(const char *action, const char *args, const char *password_file,
		      char *buf, size_t len);

/* Pure: 1 if out (a fence agent's action=status output) has a line that is
 * "Status: OFF" (case-insensitive, blanks around it ignored) and no later
 * "Status: ..." line says otherwise; 0 otherwise, and for NULL. */
int fence_status_off(const char *out);

void fence_init(struct fence *f, const struct fence_ops *ops,
		const struct fence_level *levels, int n_levels);
/* Starts request gen for a silence that began at since (FENCE_NO_SINCE:
 * none); a running request is abandoned (its answers ignored). */
int fence_start(struct fence *f, uint64_t gen, int64_t since);
/* Every loop turn: runs the status try that waited its pause. */
void fence_tick(struct fence *f, int64_t now);
/* When fence_tick has work: a monotonic time, or INT64_MAX for none. */
int64_t fence_next_wakeup(const struct fence *f);

#endif
